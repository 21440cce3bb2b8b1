"""Configuration schemas (dataclasses registered in Hydra's ConfigStore) and the checks Hydra cannot do.

One group per axis in conf/: project, strategy, cache, proxy, change, base, runtime. Each
group option's YAML has a `name` equal to its file name. `compare` lists, per axis, the
options that one run interleaves (A B C A B C ...); everything else stays as selected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf

from bench.errors import UsageError
from bench.mirror.profiles import ProxyProfile
from bench.paths import CONF_DIR, PROJECTS_DIR

AXES = ("project", "strategy", "cache", "proxy", "change", "base", "runtime")
CACHE_MODES = ("none", "warm", "inline", "local_max", "registry_max")
CHANGES = ("none", "source", "gomod_bump", "gomod_add")
GO_VERSIONS = ("1.23", "1.24")


@dataclass
class ProjectConfig:
    """The Go module under test: an example in scenarios/projects, or any module on disk via `path`."""

    name: str = "service"
    path: str | None = None  # a Go module on disk; null means scenarios/projects/<name>
    main: str = "."  # the main package, relative to the module root
    go: str = "1.23"  # builder Go version
    dockerfile: str = "Dockerfile"  # the project's own Dockerfile, for strategy=own
    modules: str | None = None  # what the mirror serves: a corpus preset, a GOPROXY-layout dir, or null
    startup_args: list[str] = field(default_factory=lambda: ["-healthcheck"])  # timed `docker run` arguments


@dataclass
class StrategyConfig:
    """How the Dockerfile is written (a template in scenarios/dockerfiles, or the project's own)."""

    name: str = "multistage"
    download_retries: int = 0  # wrap `go mod download` in a retry loop with exponential backoff
    retry_cap_seconds: int = 8
    build_flags: str = ""
    # Private modules (proxy=private): the mirror's credentials reach the steps that fetch
    # modules ONLY as a BuildKit secret (`--secret id=netrc`, mounted at /root/.netrc), with
    # GOPRIVATE/GONOSUMDB set to `private_modules` (empty: the corpus's module namespace).
    private_secret: bool = False
    private_modules: str = ""
    # UNSAFE, exists only to prove the image leak check works: the token as a build argument,
    # written to /root/.netrc by a RUN step (it ends up in the image history and a layer).
    private_unsafe_build_arg: bool = False


@dataclass
class CacheConfig:
    """Cache state before the measured build."""

    name: str = "warm"
    fresh_runner: bool = False  # prime and export, prune everything local, build importing the cache


@dataclass
class ChangeConfig:
    """What changed since the last build."""

    name: str = "none"


@dataclass
class BaseConfig:
    """Where base images come from: built locally (air-gapped) or pulled from a registry."""

    name: str = "local"


@dataclass
class RuntimeConfig:
    """The final stage's base image, by role."""

    name: str = "static"
    role: str = "runtime-static"


@dataclass
class TimeoutConfig:
    """Seconds before a step is killed and recorded as a timeout."""

    build: float = 1200.0
    prepare: float = 900.0
    startup: float = 30.0


@dataclass
class CompareConfig:
    """Per axis, the options one run interleaves (empty: the axis stays as selected)."""

    project: list[str] = field(default_factory=list)
    strategy: list[str] = field(default_factory=list)
    cache: list[str] = field(default_factory=list)
    proxy: list[str] = field(default_factory=list)
    change: list[str] = field(default_factory=list)
    base: list[str] = field(default_factory=list)
    runtime: list[str] = field(default_factory=list)


@dataclass
class BenchConfig:
    """The root config."""

    name: str = "adhoc"  # the scenario name; a preset sets it (`scenario` is the preset group)
    repetitions: int = 3
    startup_runs: int = 3
    seed: int = 1
    project: ProjectConfig = field(default_factory=ProjectConfig)
    strategy: StrategyConfig = field(default_factory=StrategyConfig)
    cache: CacheConfig = field(default_factory=CacheConfig)
    proxy: ProxyProfile = field(default_factory=ProxyProfile)
    change: ChangeConfig = field(default_factory=ChangeConfig)
    base: BaseConfig = field(default_factory=BaseConfig)
    runtime: RuntimeConfig = field(default_factory=RuntimeConfig)
    compare: CompareConfig = field(default_factory=CompareConfig)
    timeouts: TimeoutConfig = field(default_factory=TimeoutConfig)
    results_dir: str = "results"
    dry_run: bool = False  # plan and record the builds without running them (no engine needed)
    resume: str | None = None  # a run directory to finish: its saved config is used, done builds are skipped
    min_free_gb: float = 5.0  # refuse to start with less free disk than this plus 0.25 GB per planned build


GROUP_SCHEMAS: dict[str, type] = {
    "project": ProjectConfig,
    "strategy": StrategyConfig,
    "cache": CacheConfig,
    "change": ChangeConfig,
    "base": BaseConfig,
    "runtime": RuntimeConfig,
    "proxy": ProxyProfile,
}


def register() -> None:
    """Register the schemas: `base_config` for the root, `base_<group>` for each group."""
    cs = ConfigStore.instance()
    cs.store(name="base_config", node=BenchConfig)
    for group, schema in GROUP_SCHEMAS.items():
        if group == "proxy":
            continue  # proxy YAMLs are plain mappings (the mirror loads them too); the root schema types them
        cs.store(group=group, name=f"base_{group}", node=schema)


def options(group: str) -> list[str]:
    """The option names of a config group (its YAML files)."""
    return sorted(p.stem for p in (CONF_DIR / group).glob("*.yaml"))


def load_option(group: str, name: str) -> DictConfig:
    """One group option as a validated config, as Hydra would compose it for `group=name`."""
    path = CONF_DIR / group / f"{name}.yaml"
    if not path.exists():
        raise UsageError(f"compare.{group}: {name!r} is not an option; allowed: {', '.join(options(group))}")
    node = OmegaConf.load(path)
    node.pop("defaults", None)
    schema = GROUP_SCHEMAS.get(group)
    if schema is None:
        return node  # type: ignore[return-value]
    try:
        return OmegaConf.merge(OmegaConf.structured(schema), node)  # type: ignore[return-value]
    except Exception as err:  # OmegaConf's validation errors name the key
        raise UsageError(f"{group}={name}: {str(err).splitlines()[0]}") from None


def project_dir(project: ProjectConfig | DictConfig) -> Path:
    """The module root of a project: `path` when set, else the example of that name."""
    return Path(project.path).expanduser().resolve() if project.path else PROJECTS_DIR / project.name


def validate(cfg: DictConfig) -> None:
    """Checks that need more than types; each failure is one line naming the key and what is allowed."""
    if cfg.repetitions < 1:
        raise UsageError(f"repetitions: {cfg.repetitions} is not allowed; it must be at least 1")
    if cfg.startup_runs < 0:
        raise UsageError(f"startup_runs: {cfg.startup_runs} is not allowed; it must be 0 or more")
    for key in ("build", "prepare", "startup"):
        value = cfg.timeouts[key]
        if value <= 0:
            raise UsageError(f"timeouts.{key}: {value} is not allowed; it must be a positive number of seconds")
    for axis, values in cfg.compare.items():
        for v in values:
            validate_group(axis, load_option(axis, v))
    for axis in GROUP_SCHEMAS:
        validate_group(axis, cfg[axis])


def validate_group(axis: str, node: DictConfig) -> None:
    """Value checks for one group option."""
    if axis == "project":
        root = project_dir(node)  # type: ignore[arg-type]
        if not (root / "go.mod").is_file():
            raise UsageError(f"project.path: {root} has no go.mod; point it at a Go module root")
        if not re.search(r"^module\s+\S+", (root / "go.mod").read_text(errors="replace"), re.M):
            raise UsageError(f"project.path: {root / 'go.mod'} does not parse: no `module` line")
        if not (root / node.main).is_dir():
            raise UsageError(f"project.main: {node.main!r} is not a directory under {root}")
        if node.go not in GO_VERSIONS:
            raise UsageError(f"project.go: {node.go!r} is not allowed; allowed: {', '.join(GO_VERSIONS)}")
    elif axis == "cache" and node.name not in CACHE_MODES:
        raise UsageError(f"cache.name: {node.name!r} is not allowed; allowed: {', '.join(CACHE_MODES)}")
    elif axis == "change" and node.name not in CHANGES:
        raise UsageError(f"change.name: {node.name!r} is not allowed; allowed: {', '.join(CHANGES)}")
    elif axis == "proxy":
        fields = OmegaConf.to_container(node, resolve=True)
        problems = _proxy_problems(fields)  # type: ignore[arg-type]
        if problems:
            raise UsageError(f"proxy ({node.name}): {problems[0]}")
    elif axis == "strategy" and node.download_retries < 0:
        raise UsageError(f"strategy.download_retries: {node.download_retries} is not allowed; it must be 0 or more")
    elif axis == "strategy":
        _validate_private(node)


def _validate_private(node: DictConfig) -> None:
    secret, unsafe = node.get("private_secret", False), node.get("private_unsafe_build_arg", False)
    if secret and unsafe:
        raise UsageError("strategy: private_secret and private_unsafe_build_arg exclude each other; choose one")
    if (secret or unsafe) and node.name == "vendor":
        raise UsageError("strategy.name: vendor fetches no modules in the build; private_* options do not apply")
    if unsafe and node.name == "own":
        raise UsageError("strategy.private_unsafe_build_arg: only for the templated strategies, not own")
    if node.get("private_modules") and not re.fullmatch(r"[^\s,]+(,[^\s,]+)*", node.private_modules):
        raise UsageError(f"strategy.private_modules: {node.private_modules!r} is not a comma-separated list of globs")


def _proxy_problems(fields: dict[str, Any]) -> list[str]:
    try:
        ProxyProfile(**fields)
    except (TypeError, ValueError) as err:
        return [str(err).split(": ", 1)[-1]]
    return []
