"""`bench --help`, generated from conf/ when it is shown, so it cannot go stale.

Hydra prints `hydra.help.template`; conf/hydra/help/bench.yaml fills it with the resolver
`${bench_help:}` registered here. Everything listed is read at that moment: the axes and
their one-line comments from conf/config.yaml's defaults list, each option's `description`
(else its leading comment, else its settings), the presets with their leading comment, the
settings with their comments, and the companion commands from the package's entry points.
Options in directories added with `hydra.searchpath=[file://...]` are listed too.
"""

from __future__ import annotations

import ast
import importlib.metadata
import inspect
import re
import textwrap
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import MISSING, Field, fields, is_dataclass
from pathlib import Path
from typing import Any

import yaml
from omegaconf import DictConfig, OmegaConf

from bench.paths import CONF_DIR, INSTALLED, PACKAGE_DIR

WIDTH = 100
COLUMN = 28  # where descriptions start
RESOLVER = "bench_help"
PRESETS = "scenario"
EXIT_CODES = (
    (0, "every build was recorded and succeeded"),
    (1, "some builds failed or were skipped (their rows say why; the last line counts them)"),
    (2, "bad input: one line naming the key and what is allowed; nothing written"),
    (3, "the Docker engine stopped answering; rows so far are kept (finish with resume=<run dir>)"),
    (4, "harness error after rows were written; rows kept (finish with resume=<run dir>)"),
    (130, "interrupted (Ctrl-C); rows so far are kept (finish with resume=<run dir>)"),
)
_DEFAULT_LINE = re.compile(r"^\s*-\s*(?:override\s+)?([\w/]+)\s*:\s*(\S+)\s*(?:#\s*(.*))?$")
_TOP_LINE = re.compile(r"^(\w+)\s*:\s*([^#]*?)\s*(?:#\s*(.*))?$")
_FIELD_LINE = re.compile(r"^\s+(\w+)\s*:[^=]*=\s*(.*?)\s*#\s*(.*)$")


def register() -> None:
    """Make `${bench_help:}` available to Hydra's help template (idempotent)."""
    if not OmegaConf.has_resolver(RESOLVER):
        OmegaConf.register_new_resolver(RESOLVER, _resolve)


def _resolve(*, _root_: DictConfig) -> str:
    entries = OmegaConf.select(_root_, "hydra.searchpath", default=[]) or []
    extra = [Path(str(e).removeprefix("file://")).expanduser() for e in entries if not str(e).startswith("pkg://")]
    return text([CONF_DIR, *extra]).replace("$", "$$")  # Hydra runs the template through string.Template


def text(conf_dirs: Sequence[Path] | None = None) -> str:
    """The whole help text for options found in `conf_dirs` (default: the package's conf/)."""
    dirs = list(conf_dirs or [CONF_DIR])
    parts = [_usage(dirs[0]), _presets(dirs), _axes(dirs), _compare(), _settings(dirs[0]),
             _exit_codes(), _commands(), _more()]
    return "\n\n".join(p.rstrip() for p in parts if p) + "\n"


def _usage(conf: Path) -> str:
    title = _leading_comment(conf / "config.yaml") or "bench"
    return "\n".join([
        title,
        "",
        "Usage: bench [+scenario=PRESET] [AXIS=OPTION ...] [compare.AXIS=[A,B,...]] [KEY=VALUE ...]",
        "       bench -m AXIS=A,B ...    a Hydra sweep: one run per combination, one after another",
        "       (`python -m bench` is the same command)",
    ])


def _line(name: str, desc: str, indent: int = 2) -> str:
    """`name` at `indent`, its description wrapped in a column beside it (below it when the name is long)."""
    head, col = " " * indent + name, COLUMN
    if not desc:
        return head
    if len(head) < col:
        return textwrap.fill(desc, WIDTH, initial_indent=head.ljust(col), subsequent_indent=" " * col)
    return head + "\n" + textwrap.fill(desc, WIDTH, initial_indent=" " * col, subsequent_indent=" " * col)


def _presets(dirs: Sequence[Path]) -> str:
    names = options(PRESETS, dirs)
    if not names:
        return ""
    lines = [f"Presets (+{PRESETS}=NAME; conf/{PRESETS}/):"]
    lines += [_line(n, _sentence(_leading_comment(p))) for n, p in names.items()]
    return "\n".join(lines)


def axes(conf: Path) -> list[tuple[str, str, str]]:
    """(axis, default option, comment) for each group in conf/config.yaml's defaults list."""
    out = []
    for line in (conf / "config.yaml").read_text().splitlines():
        m = _DEFAULT_LINE.match(line)
        if m and not m.group(1).startswith("hydra") and "/" not in m.group(1):
            out.append((m.group(1), m.group(2), (m.group(3) or "").strip()))
    return out


def options(group: str, dirs: Sequence[Path]) -> dict[str, Path]:
    """The options of a config group (first directory wins), sorted by name."""
    found: dict[str, Path] = {}
    for d in dirs:
        for p in sorted((d / group).glob("*.yaml")):
            found.setdefault(p.stem, p)
    return dict(sorted(found.items()))


def _axes(dirs: Sequence[Path]) -> str:
    lines = ["Axes (AXIS=OPTION; the default is marked *):"]
    for axis, default, comment in axes(dirs[0]):
        lines.append(_line(axis, comment))
        for name, path in options(axis, dirs).items():
            lines.append(_line(("* " if name == default else "  ") + name, describe(path), indent=4))
    return "\n".join(lines)


def describe(path: Path) -> str:
    """One line about an option: its `description`, else its leading comment, else its settings."""
    data = yaml.safe_load(path.read_text()) or {}
    desc = data.get("description") if isinstance(data, dict) else None
    if isinstance(desc, str) and desc.strip():
        return desc.strip()
    comment = _sentence(_leading_comment(path))
    if comment:
        return comment
    facts = {k: v for k, v in data.items() if k not in ("defaults", "name")} if isinstance(data, dict) else {}
    return ", ".join(f"{k}={_plain(v)}" for k, v in facts.items())


def _plain(v: Any) -> str:
    return "null" if v is None else str(v).lower() if isinstance(v, bool) else str(v)


def _leading_comment(path: Path) -> str:
    """The comment block at the top of a YAML file (without `# @package`), as one paragraph."""
    lines: list[str] = []
    for raw in path.read_text().splitlines():
        s = raw.strip()
        if not s.startswith("#"):
            break
        body = s.lstrip("#").strip()
        if body.startswith("@package"):
            continue
        if not body and lines:
            break
        lines.append(body)
    return " ".join(line for line in lines if line)


def _sentence(paragraph: str) -> str:
    """The first sentence of a paragraph (up to `. ` or `? `), or the paragraph."""
    m = re.match(r"(.+?[.?])(\s|$)", paragraph)
    return m.group(1) if m else paragraph


def _compare() -> str:
    return "\n".join([
        "Compare options in one run:",
        _line("compare.AXIS=[A,B,...]",
              "builds every combination of the listed options, interleaved (A B C A B C ...); each variant is "
              "compared with the first option of the first compared axis, every other axis the same. "
              "Example: compare.strategy=[singlestage,multistage] compare.change=[none,source]"),
    ])


def settings(conf: Path) -> list[tuple[str, str, str]]:
    """(key, default, comment) of the root settings: conf/config.yaml's keys, then the schema's fields."""
    from bench.config import BenchConfig

    out: dict[str, tuple[str, str]] = {}
    for line in (conf / "config.yaml").read_text().splitlines():
        m = _TOP_LINE.match(line)
        if m and m.group(1) not in ("defaults", "hydra") and m.group(2):
            out[m.group(1)] = (m.group(2), (m.group(3) or "").strip())
    comments = {m.group(1): m.group(3) for m in map(_FIELD_LINE.match, inspect.getsource(BenchConfig).splitlines())
                if m}
    axes_ = {a for a, _, _ in axes(conf)} | {"compare"}
    for f in fields(BenchConfig):
        if f.name in axes_:
            continue
        default = _default(f)
        if is_dataclass(default):
            keys = "|".join(g.name for g in fields(default))
            out.setdefault(f"{f.name}.<{keys}>", ("", (type(default).__doc__ or "").strip().split("\n")[0]))
            continue
        value, comment = out.get(f.name, (_plain(default), ""))
        out[f.name] = (value, comment or comments.get(f.name, ""))
    return [(k, v, c) for k, (v, c) in out.items()]


def _default(f: Field[Any]) -> Any:
    if f.default is not MISSING:
        return f.default
    return f.default_factory() if f.default_factory is not MISSING else None


def _settings(conf: Path) -> str:
    lines = ["Settings (KEY=VALUE; default shown):"]
    lines += [_line(f"{k}={v}" if v else k, c) for k, v, c in settings(conf)]
    return "\n".join(lines)


def _exit_codes() -> str:
    return "\n".join(["Exit codes:", *[_line(str(code), what) for code, what in EXIT_CODES]])


def commands() -> list[tuple[str, str, str]]:
    """(command, module, first docstring line) of every companion command (`bench-<name>`)."""
    out = []
    for name, target in _scripts():
        if name == "bench":
            continue
        module = target.split(":")[0]
        out.append((name, module.removesuffix(".__main__"), _module_doc(module)))
    return out


def _scripts() -> Iterable[tuple[str, str]]:
    """Console scripts: from pyproject.toml in a checkout (the source of truth), else the installed metadata."""
    pyproject = PACKAGE_DIR.parent / "pyproject.toml"
    if not INSTALLED and pyproject.is_file():
        return tomllib.loads(pyproject.read_text()).get("project", {}).get("scripts", {}).items()
    eps = importlib.metadata.distribution("bench").entry_points
    return [(e.name, e.value) for e in eps if e.group == "console_scripts"]


def _module_doc(module: str) -> str:
    """The first line of a bench module's docstring, read from its file (importing it would take seconds)."""
    base = PACKAGE_DIR.joinpath(*module.split(".")[1:])
    path = next((p for p in (base.with_suffix(".py"), base / "__init__.py") if p.is_file()), None)
    doc = (ast.get_docstring(ast.parse(path.read_text())) or "").strip() if path else ""
    return doc.splitlines()[0] if doc else ""


def _commands() -> str:
    found = commands()
    if not found:
        return ""
    lines = ["Companion commands (each also runs as `python -m MODULE`):"]
    lines += [_line(name, f"{doc} ({module})" if doc else module) for name, module, doc in found]
    return "\n".join(lines)


def _more() -> str:
    return "\n".join([
        "More:",
        _line("bench ... --cfg job", "print the config these overrides compose, run nothing (--resolve to resolve it)"),
        _line("bench ... --info", "Hydra's view: search path, defaults tree, where each value comes from"),
        _line('eval "$(bench -sc install=bash)"', "tab completion of axes, options and keys in bash"),
        _line("bench --hydra-help", "Hydra's own flags and config groups"),
    ])
