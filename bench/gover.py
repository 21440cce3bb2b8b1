"""Which local Go builder a project needs: its go.mod `go` and `toolchain` lines against the builders.

What the go command does (https://go.dev/doc/toolchain, "Module and workspace configuration" and
"Go toolchain selection"):
- The `go` line is the minimum required Go version; a toolchain older than it refuses to load the
  module ("go.mod requires go >= 1.25.0"). Without a `go` line a module counts as `go 1.16`.
- The `toolchain` line only suggests a toolchain: with GOTOOLCHAIN=auto the go command switches to
  it when the bundled one is older. Our builders set GOTOOLCHAIN=local, where "the go command always
  runs the bundled Go toolchain", so an older builder still builds the module if it meets the `go` line.
- Ordering: `1.25` (a language version) < `1.25rc1` < `1.25.0` < `1.25.1`; below 1.21, `1.20` is the
  first release. Toolchain names may carry a `-suffix`, ignored when comparing.

So `auto` picks the lowest builder at least as new as both lines (what the developers build with);
when only the `toolchain` line cannot be met, it takes the newest builder that meets the `go` line
and says so. An explicit builder is refused only when it is older than the `go` line.

Hand-written rather than `packaging.version`: PEP 440 orders `1.25rc1` before `1.25`, Go after it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bench.errors import UsageError

IMPLICIT_GO = "1.16"  # a go.mod without a `go` line (go.dev/doc/toolchain#config)
_VERSION = re.compile(r"^1\.(\d+)(?:\.(\d+)|(beta|rc)(\d+))?$")
_KIND = {"lang": 0, "beta": 1, "rc": 2, "release": 3}


@dataclass(frozen=True)
class Requirement:
    """A module's Go requirement as its go.mod (or go.work) states it."""

    go: str  # the `go` line, or IMPLICIT_GO when there is none
    toolchain: str | None = None  # the `toolchain` line's version (`go` prefix and `-suffix` removed)
    source: str = "go.mod"
    has_go_line: bool = True

    def describe(self) -> str:
        """`go.mod requires go >= 1.25.0 (toolchain go1.26.2 suggested)` for messages."""
        go = f"go >= {self.go}" if self.has_go_line else f"go >= {self.go} (no go line)"
        tc = f" (toolchain go{self.toolchain} suggested)" if self.toolchain else ""
        return f"{self.source} requires {go}{tc}"


@dataclass(frozen=True)
class Choice:
    """The builder chosen for a project, and a note when it is not the one the module suggests."""

    go: str  # the builder's minor version, a key of the builders table ("1.25")
    version: str  # its exact Go version ("1.25.12")
    note: str = ""


def key(version: str) -> tuple[int, int, int, int]:
    """A sort key that orders Go versions the way the go command does (see the module docstring)."""
    m = _VERSION.match(version)
    if not m:
        raise ValueError(f"not a Go version: {version!r}")
    minor, patch, pre, pre_n = m.groups()
    n = int(minor)
    if patch is not None:
        return (1, n, _KIND["release"], int(patch))
    if pre is not None:
        return (1, n, _KIND[pre], int(pre_n))
    return (1, n, _KIND["release"] if n < 21 else _KIND["lang"], 0)


def at_least(have: str, need: str) -> bool:
    """True when Go version `have` is at least `need`."""
    return key(have) >= key(need)


def parse(text: str, source: str = "go.mod") -> Requirement:
    """Read the `go` and `toolchain` lines of a go.mod or go.work text."""
    go: str | None = None
    toolchain: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        words = raw.split("//", 1)[0].split()
        if len(words) != 2 or words[0] not in ("go", "toolchain"):
            continue
        value = words[1]
        if words[0] == "go":
            go = _checked(value, source, number, raw)
        elif value != "default":
            name = value.split("-", 1)[0]
            toolchain = _checked(name.removeprefix("go"), source, number, raw) if name.startswith("go") else None
            if toolchain is None:
                raise UsageError(f"{source}:{number}: {raw.strip()!r} is not a toolchain name (like go1.25.0)")
    return Requirement(go or IMPLICIT_GO, toolchain, source, go is not None)


def _checked(value: str, source: str, number: int, raw: str) -> str:
    if not _VERSION.match(value):
        raise UsageError(f"{source}:{number}: {raw.strip()!r} does not name a Go version (like 1.25 or 1.25.0)")
    return value


def read(project_dir: Path) -> Requirement:
    """The requirement of a project: its go.work when it has one (that decides, per the go command), else go.mod."""
    for name in ("go.work", "go.mod"):
        path = project_dir / name
        if path.is_file():
            return parse(path.read_text(), source=name)
    raise UsageError(f"project.go=auto: no go.mod in {project_dir}; set project.go to one of the local builders")


def read_if_any(project_dir: Path) -> Requirement | None:
    """The project's requirement, or None when it has neither go.work nor go.mod (nothing to check against)."""
    if not (project_dir / "go.mod").is_file() and not (project_dir / "go.work").is_file():
        return None
    return read(project_dir)


def pick(req: Requirement, builders: Mapping[str, str]) -> Choice:
    """`project.go=auto`: the lowest builder meeting both lines, else the newest meeting the `go` line."""
    ordered = sorted(builders.items(), key=lambda item: key(item[1]))
    wanted = max([req.go, req.toolchain or req.go], key=key)
    for go, version in ordered:
        if at_least(version, wanted):
            return Choice(go, version)
    usable = [(go, v) for go, v in ordered if at_least(v, req.go)]
    if not usable:
        raise UsageError(f"project.go=auto: {req.describe()}; local builders: {_listing(ordered)}")
    go, version = usable[-1]
    return Choice(go, version, _toolchain_note(req, version))


def check(req: Requirement, go: str, builders: Mapping[str, str]) -> Choice:
    """An explicit `project.go`: refused when that builder is older than the module's `go` line."""
    if go not in builders:
        raise UsageError(f"project.go: {go!r} is not allowed; allowed: auto, {', '.join(builders)}")
    version = builders[go]
    if not at_least(version, req.go):
        fits = [g for g, v in builders.items() if at_least(v, req.go)]
        hint = f"use project.go=auto or one of: {', '.join(fits)}" if fits else "no local builder is new enough"
        raise UsageError(f"project.go={go}: {req.describe()} but builder go{go} has {version}; {hint}")
    note = _toolchain_note(req, version) if req.toolchain and not at_least(version, req.toolchain) else ""
    return Choice(go, version, note)


def resolve(setting: str, project_dir: Path, builders: Mapping[str, str] | None = None) -> Choice:
    """The builder for `project.go` (`auto` or a minor version like `1.26`) and this project's go.mod."""
    if builders is None:
        builders = local_builders()
    if setting == "auto":
        return pick(read(project_dir), builders)
    return check(read_if_any(project_dir) or Requirement(IMPLICIT_GO, has_go_line=False), setting, builders)


def local_builders() -> dict[str, str]:
    """Minor version -> exact Go version of every local builder (the table in bench.bases)."""
    from bench.bases import GO_BUILDERS  # bases drives the engine; import it only when asked

    return {go: b.version for go, b in GO_BUILDERS.items()}


def _listing(ordered: list[tuple[str, str]]) -> str:
    return ", ".join(f"go{go} ({version})" for go, version in ordered)


def _toolchain_note(req: Requirement, version: str) -> str:
    return (
        f"{req.source} suggests toolchain go{req.toolchain}; building with go{version}, which meets its "
        f"`go {req.go}` line (GOTOOLCHAIN=local never switches toolchains)"
    )
