"""Checks Hydra's types cannot make; each failure is one line naming the key and what is allowed."""

from __future__ import annotations

import re
from pathlib import Path

from bench import axes
from bench.config import (
    BenchConfig,
    CacheConfig,
    ChangeConfig,
    ProjectConfig,
    RuntimeConfig,
    StrategyConfig,
)
from bench.errors import UsageError
from bench.mirror.profiles import ProxyProfile, ProxySetup

RUNTIME_ROLES = ("runtime-static", "runtime-debian", "scratch")


def root(cfg: BenchConfig) -> None:
    """Values of the root config."""
    reps = cfg.repetitions
    if reps != "auto" and (isinstance(reps, bool) or not isinstance(reps, int) or reps < 1):
        raise UsageError(f"repetitions: {reps} is not allowed; it must be at least 1, or auto")
    a = cfg.adaptive
    if reps == "auto" and not 1 <= a.min_repetitions <= a.max_repetitions:
        raise UsageError(f"adaptive.max_repetitions: {a.max_repetitions} is not allowed; it must be at least "
                         f"adaptive.min_repetitions ({a.min_repetitions}), which must be at least 1")
    if cfg.warmup < 0:
        raise UsageError(f"warmup: {cfg.warmup} is not allowed; it must be 0 or more")
    if cfg.startup_runs < 0:
        raise UsageError(f"startup_runs: {cfg.startup_runs} is not allowed; it must be 0 or more")
    for key in ("build", "prepare", "startup"):
        value = getattr(cfg.timeouts, key)
        if value <= 0:
            raise UsageError(f"timeouts.{key}: {value} is not allowed; it must be a positive number of seconds")
    if cfg.log_format not in ("text", "json"):
        raise UsageError(f"log_format: {cfg.log_format!r} is not allowed; allowed: text, json")
    from bench.metrics import validate as validate_metrics

    validate_metrics(cfg.metrics.pushgateway, cfg.metrics.textfile)


def option(axis: str, opt: object) -> None:
    """Value checks for one axis option (selected or compared)."""
    problems = axes.option_problems(axis, opt)
    if problems:
        raise UsageError(f"{axis} ({getattr(opt, 'name', '?')}): {problems[0]}")
    if isinstance(opt, ProjectConfig):
        _project(opt)
    elif isinstance(opt, StrategyConfig):
        _strategy(opt)
    elif isinstance(opt, ChangeConfig):
        _change(opt)
    elif isinstance(opt, RuntimeConfig) and opt.role not in RUNTIME_ROLES:
        raise UsageError(f"runtime.role: {opt.role!r} is not allowed; allowed: {', '.join(RUNTIME_ROLES)}")
    elif isinstance(opt, CacheConfig):
        pass  # its facts are checked by axes.option_problems


def _project(p: ProjectConfig) -> None:
    from bench.config import project_dir

    root_dir = project_dir(p)
    if not (root_dir / "go.mod").is_file():
        raise UsageError(f"project.path: {root_dir} has no go.mod; point it at a Go module root")
    if not re.search(r"^module\s+\S+", (root_dir / "go.mod").read_text(errors="replace"), re.M):
        raise UsageError(f"project.path: {root_dir / 'go.mod'} does not parse: no `module` line")
    if not (root_dir / p.main).is_dir():
        raise UsageError(f"project.main: {p.main!r} is not a directory under {root_dir}")


def _strategy(s: StrategyConfig) -> None:
    if s.download_retries < 0:
        raise UsageError(f"strategy.download_retries: {s.download_retries} is not allowed; it must be 0 or more")
    if s.private_secret and s.private_unsafe_build_arg:
        raise UsageError("strategy: private_secret and private_unsafe_build_arg exclude each other; choose one")
    if (s.private_secret or s.private_unsafe_build_arg) and s.vendor:
        raise UsageError(f"strategy.name: {s.name} fetches no modules in the build; private_* options do not apply")
    if s.private_unsafe_build_arg and not s.template:
        raise UsageError("strategy.private_unsafe_build_arg: only for the templated strategies, not own")
    if s.private_modules and not re.fullmatch(r"[^\s,]+(,[^\s,]+)*", s.private_modules):
        raise UsageError(f"strategy.private_modules: {s.private_modules!r} is not a comma-separated list of globs")


def _change(c: ChangeConfig) -> None:
    from bench.projects import CHANGES

    if c.apply not in CHANGES:
        raise UsageError(f"change.apply: {c.apply!r} is not allowed; allowed: {', '.join(sorted(CHANGES))}")


def combination(project: ProjectConfig, setup: ProxySetup) -> None:
    """Checks across the axes of one variant: generated modules need the local mirror."""
    from bench import options

    generated = project.modules in options.names("corpus")
    remote = [m.name for m in setup.members if m.kind == "upstream" or m.upstream]
    if generated and remote:
        mirrors = [n for n in options.names("proxy") if _local_profile(options.load("proxy", n, key="proxy"))]
        raise UsageError(
            f"proxy={setup.name}: project {project.name}'s modules come from the generated corpus "
            f"{project.modules!r}, which only the local mirror serves; use one of: {', '.join(mirrors)}"
        )


def modules_served(
    project: ProjectConfig, strategy: StrategyConfig, change: ChangeConfig, served_root: Path | None
) -> None:
    """Before anything is built: every module the project's go.sum names is on the local mirror, or one line
    naming the first missing one and the two offline ways to get modules."""
    from bench.config import project_dir
    from bench.mirror.modpath import escape

    root = project_dir(project)
    if strategy.vendor and (root / "vendor").is_dir() and not change.touches_gomod:
        return  # the project's own vendor/ is all it needs
    if strategy.vendor and change.touches_gomod and served_root is None:
        raise UsageError(f"change={change.name} with strategy={strategy.name}: `go mod vendor` runs again after the "
                         "change and needs every module from the mirror; set project.modules=<GOMODCACHE>/cache/download")
    if served_root is None or not (root / "go.sum").is_file():
        return
    for line in (root / "go.sum").read_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and not parts[1].endswith("/go.mod"):
            zip_path = served_root / escape(parts[0]) / "@v" / f"{parts[1]}.zip"
            if not zip_path.is_file():
                raise UsageError(
                    f"project.modules: {served_root} has no {parts[0]}@{parts[1]} (named in go.sum); fill it from a "
                    "machine with the modules (`go mod download`, then project.modules=<GOMODCACHE>/cache/download) "
                    "or run once online through proxy=cached_golang"
                )


def _local_profile(profile: ProxyProfile) -> bool:
    return profile.kind == "mirror" and not profile.upstream
