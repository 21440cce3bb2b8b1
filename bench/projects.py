"""Scratch copies of a Go project, and the changes a scenario applies to them.

Changes that touch go.mod are made by the real go command in the builder image against
the run's mirror (`go get`), as a developer would, so go.mod and go.sum stay consistent.
Every change carries a token unique to the build, so no earlier build's cache can serve it.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.config import ChangeConfig
from bench.engine import gocmd

IGNORE = shutil.ignore_patterns(".git", ".hg", ".svn", ".idea", ".vscode", "*.test", "__pycache__")
_MAIN_FUNC = re.compile(r"^func main\(\)", re.M)


class ChangeUnavailable(Exception):
    """The change cannot be made for this project (e.g. no newer version of any dependency)."""


@dataclass(frozen=True)
class GoTool:
    """How to run the go command for changes: the builder image and the run's GOPROXY."""

    image: str
    goproxy: str
    served_root: Path | None = None  # the mirror's directory in GOPROXY layout, for gomod_add
    timeout: float = 900.0


def scratch_copy(src: Path, dest: Path) -> Path:
    """A fresh copy of the project in `dest` (replaced if it exists)."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest, ignore=IGNORE, symlinks=True)
    return dest


def main_file(root: Path, main: str) -> Path:
    """The file of the main package that holds `func main()`."""
    pkg = (root / main).resolve()
    for f in sorted(pkg.glob("*.go")):
        if not f.name.endswith("_test.go") and _MAIN_FUNC.search(f.read_text(errors="replace")):
            return f
    raise ChangeUnavailable(f"no file with func main() in {pkg}")


@dataclass(frozen=True)
class ChangeContext:
    """What a change function works on: the scratch copy, the main package, a unique token, the go command."""

    root: Path
    main: str
    token: str
    go: GoTool | None
    path: str = ""  # the change option's `path`, for functions that take a file


def apply(change: ChangeConfig, root: Path, main: str, token: str, go: GoTool | None) -> str:
    """Apply `change` to the scratch copy at `root`; returns a one-line description."""
    func, needs_go = CHANGES[change.apply]
    if needs_go and go is None:
        raise ChangeUnavailable(f"change={change.name} needs a module mirror")
    return func(ChangeContext(root, main, token, go, change.path))


def _none(ctx: ChangeContext) -> str:
    return "no change"


def _source_edit(ctx: ChangeContext) -> str:
    return change_source(ctx.root, ctx.main, ctx.token)


def _append_line(ctx: ChangeContext) -> str:
    """Append a line to `path` (any file of the context: docs, configs, assets)."""
    if not ctx.path:
        raise ChangeUnavailable("this change needs `path`: the file to edit, relative to the module root")
    f = ctx.root / ctx.path
    f.parent.mkdir(parents=True, exist_ok=True)
    with open(f, "a") as out:
        out.write(f"\nbench change {ctx.token}\n")
    return f"edited {ctx.path}"


def _gomod_bump(ctx: ChangeContext) -> str:
    assert ctx.go is not None
    return change_gomod_bump(ctx.root, ctx.token, ctx.go)


def _gomod_add(ctx: ChangeContext) -> str:
    assert ctx.go is not None
    return change_gomod_add(ctx.root, ctx.main, ctx.token, ctx.go)


def change_source(root: Path, main: str, token: str) -> str:
    """A real edit in the main package: a new exported value in the file with func main()."""
    f = main_file(root, main)
    ident = "benchChange" + re.sub(r"\W", "", token)
    with open(f, "a") as out:
        out.write(f'\n// {ident} marks a source edit made by bench.\nvar {ident} = "{token}"\n')
    return f"edited {f.relative_to(root)}"


_BUMP = r"""
set -e
for m in $(go list -m -f '{{if and (not .Main) (not .Indirect)}}{{.Path}}{{end}}' all | sort); do
  cur=$(go list -m -f '{{.Version}}' "$m")
  new=$(go list -m -f '{{.Version}}' "$m@latest")
  if [ "$new" != "$cur" ]; then go get "$m@$new" >&2; echo "$m $cur $new"; exit 0; fi
done
exit 3
"""


def change_gomod_bump(root: Path, token: str, go: GoTool) -> str:
    """Move the first direct dependency that has a newer version to it (`go get m@latest`)."""
    res = _go(go, root, _BUMP)
    if res.returncode == 3:
        raise ChangeUnavailable("no direct dependency has a newer version on the mirror")
    if not res.ok:
        raise ChangeUnavailable(f"go get failed: {_last(res.stderr)}")
    _mark_gomod(root, token)
    module, old, new = res.stdout.split()[-3:]
    return f"bumped {module} {old} -> {new}"


def change_gomod_add(root: Path, main: str, token: str, go: GoTool) -> str:
    """Require a module that is not yet in the build list, import it in the main package (`go get`)."""
    candidates = _go(go, root, "go list -m -f '{{.Path}}' all").stdout.split()
    served = [m for m in served_modules(go.served_root) if m not in candidates]
    if not served:
        raise ChangeUnavailable("every module the mirror serves is already in the build list")
    module = _preferred(served, go.served_root)
    res = _go(go, root, f"go get {gocmd.quote(module + '@latest')} >&2")
    if not res.ok:
        raise ChangeUnavailable(f"go get {module} failed: {_last(res.stderr)}")
    pkg_dir = (root / main).resolve()
    package = _package_name(main_file(root, main))
    (pkg_dir / "bench_newdep.go").write_text(f'package {package}\n\nimport _ "{module}"\n')
    _mark_gomod(root, token)
    return f"added {module}"


# change.apply -> (function, needs the go command and the run's mirror)
CHANGES: dict[str, tuple[Callable[[ChangeContext], str], bool]] = {
    "none": (_none, False),
    "source_edit": (_source_edit, False),
    "append_line": (_append_line, False),
    "gomod_bump": (_gomod_bump, True),
    "gomod_add": (_gomod_add, True),
}


def vendor(root: Path, go: GoTool) -> None:
    """`go mod vendor` in the scratch copy (for strategy=vendor), through the run's mirror."""
    res = _go(go, root, "go mod vendor")
    if not res.ok:
        raise ChangeUnavailable(f"go mod vendor failed: {_last(res.stderr)}")


def _preferred(candidates: list[str], root: Path | None) -> str:
    """A generated corpus names the module it keeps spare for this; any other tree: the first by name."""
    from bench.mirror import corpus, examples

    if root is not None and (root / corpus.MANIFEST).is_file():
        wanted = examples.spare(corpus.Corpus.load(root))
        if wanted in candidates:
            return wanted
    return sorted(candidates)[0]


def served_modules(root: Path | None) -> list[str]:
    """Module paths found in a directory in GOPROXY layout (each has `<escaped path>/@v/list`)."""
    from bench.mirror.modpath import unescape

    if root is None or not root.is_dir():
        return []
    return sorted(unescape(str(p.parent.parent.relative_to(root))) for p in root.rglob("@v/list"))


def _mark_gomod(root: Path, token: str) -> None:
    with open(root / "go.mod", "a") as f:
        f.write(f"\n// bench change {token}\n")


def _package_name(f: Path) -> str:
    m = re.search(r"^package (\w+)", f.read_text(), re.M)
    return m.group(1) if m else "main"


def _go(go: GoTool, root: Path, script: str) -> gocmd.GoRun:
    return gocmd.run_go(
        go.image,
        script,
        env=gocmd.GoEnv(goproxy=go.goproxy, goflags="-mod=mod"),
        mounts={root: "/src"},
        workdir="/src",
        timeout=go.timeout,
        check=False,
    )


def _last(text: str) -> str:
    return (text.strip().splitlines() or ["no output"])[-1]
