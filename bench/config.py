"""Configuration schemas: one dataclass per axis, registered in Hydra's ConfigStore.

Every axis option is a YAML file in conf/<axis>/ whose `name` equals its file name. The
facts the code branches on live in the option's YAML (typed here), not in `if name == ...`
chains: a new cache mode or change kind is a YAML file, plus one function only where it
needs behaviour that no existing function has. `bench.axes` derives everything else
(what download the declared state implies, which stages a cache restores) from these facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hydra.core.config_store import ConfigStore

from bench.mirror.profiles import ProxyProfile
from bench.paths import PROJECTS_DIR

AXES = ("project", "strategy", "cache", "proxy", "change", "base", "runtime", "attest")


@dataclass
class ProjectConfig:
    """The Go module under test: an example in scenarios/projects, or any module on disk via `path`."""

    name: str = "service"
    path: str | None = None  # a Go module on disk; null means scenarios/projects/<name>
    main: str = "."  # the main package, relative to the module root
    go: str = "auto"  # the builder's Go minor version; auto: the lowest local builder that meets go.mod
    dockerfile: str = "Dockerfile"  # the project's own Dockerfile, for strategy=own
    target: str = ""  # the stage to build in a multi-target Dockerfile (strategy=own)
    build_args: dict[str, str] = field(default_factory=dict)  # extra build arguments (strategy=own)
    aliases: dict[str, str] = field(default_factory=dict)  # public image -> role or local image, for strategy=own
    modules: str | None = None  # what the mirror serves: a corpus preset, a GOPROXY-layout dir, or null
    startup_args: list[str] = field(default_factory=lambda: ["-healthcheck"])  # timed `docker run` arguments


@dataclass
class StrategyConfig:
    """How the Dockerfile is written (a template in scenarios/dockerfiles, or the project's own)."""

    name: str = "multistage"
    description: str = ""
    template: str = "multistage"  # scenarios/dockerfiles/<template>.Dockerfile.j2; "" = the project's own
    network: str = "host"  # host (reaches the mirror on 127.0.0.1) or none
    download_step: bool = True  # a `go mod download` step whose cache state the postconditions judge
    context_before_download: bool = False  # the whole context is copied before the download: any edit reruns it
    cache_mounts: bool = False  # RUN --mount=type=cache for the module and build caches
    vendor: bool = False  # modules vendored into the context before building (-mod=vendor)
    runtime_stage: bool = True  # the final stage's base comes from the runtime axis
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
    """Cache state before the measured build, described by what it keeps and what it exports."""

    name: str = "warm"
    description: str = ""
    keeps_builder_cache: bool = True  # build the unchanged project first (not measured) and keep its cache
    fresh_runner: bool = False  # a new CI runner: nothing local survives but the base images
    export: str = ""  # how the priming build exports its cache for a fresh runner: "", inline, local, registry
    export_mode: str = "max"  # min: the final stage's layers only; max: every stage
    compression: str = "gzip"  # the exported cache's layers: gzip (BuildKit's default) or zstd (local, registry)
    compression_level: int | None = None  # null: BuildKit's default level; gzip 0-9, zstd 0-22
    network: str = ""  # a proxy profile (conf/proxy) between the runner and the cache registry; "": unshaped loopback

    def __post_init__(self) -> None:
        problem = cache_problem(self)
        if problem:
            raise ValueError(f"cache {self.name!r}: {problem}")


COMPRESSIONS = {"gzip": (0, 9), "zstd": (0, 22)}  # the levels BuildKit accepts for each


def cache_problem(cache: CacheConfig) -> str:
    """The first inconsistency of a cache option's compression and network settings ("" when none)."""
    if cache.compression not in COMPRESSIONS:
        return f"compression: {cache.compression!r} is not allowed; allowed: {', '.join(COMPRESSIONS)}"
    low, high = COMPRESSIONS[cache.compression]
    level = cache.compression_level
    if level is not None and not low <= level <= high:
        return f"compression_level: {level} is not allowed for {cache.compression}; allowed: {low}-{high} or null"
    if cache.export not in ("local", "registry") and (cache.compression != "gzip" or level is not None):
        return "compression: only a local or registry cache export takes it (inline cache is the image's own layers)"
    if cache.network and cache.export not in ("inline", "registry"):
        return "network: only a registry-backed cache (export inline or registry) goes over a network"
    return ""


@dataclass
class ChangeConfig:
    """What changed since the last build, and what that change touches."""

    name: str = "none"
    description: str = ""
    apply: str = "none"  # the function in bench.projects.CHANGES that makes it
    path: str = ""  # a file the change function works on (relative to the module root), where it takes one
    touches_context: bool = False  # some file of the build context changes
    touches_gomod: bool = False  # go.mod / go.sum change (a dependency download must run again)


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
class AttestConfig:
    """Attestations buildx attaches to the image (with the containerd store, provenance by default)."""

    name: str = "default"
    description: str = ""
    provenance: bool = True  # false: --provenance=false (a plain image instead of an index with an attestation)


@dataclass
class TimeoutConfig:
    """Seconds before a step is killed and recorded as a timeout."""

    build: float = 1200.0
    prepare: float = 900.0
    startup: float = 30.0


@dataclass
class MetricsConfig:
    """Where a run's metrics go at its end (bench.metrics): a Pushgateway, a node_exporter textfile, both."""

    pushgateway: str | None = None  # Pushgateway URL, e.g. http://127.0.0.1:9091
    textfile: str | None = None  # a *.prom file in node_exporter's --collector.textfile.directory


@dataclass
class AdaptiveConfig:
    """`repetitions=auto`: interleave rounds until every comparison is settled (or `max_repetitions`)."""

    min_repetitions: int = 3  # rounds before the first check
    max_repetitions: int = 15
    threshold: float = 0.05  # settled when the ratio's interval lies wholly outside 1 +- threshold ...
    target_width: float = 0.10  # ... or is narrower than this (relative to the ratio)


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
    attest: list[str] = field(default_factory=list)


@dataclass
class BenchConfig:
    """The root config."""

    name: str = "adhoc"  # the scenario name; a preset sets it (`scenario` is the preset group)
    repetitions: Any = 3  # measured builds per variant, interleaved; or `auto` (see `adaptive`)
    warmup: int = 0  # rounds built first and not recorded (hyperfine's --warmup)
    adaptive: AdaptiveConfig = field(default_factory=AdaptiveConfig)
    startup_runs: int = 3
    seed: int = 1
    project: ProjectConfig = field(default_factory=ProjectConfig)
    strategy: StrategyConfig = field(default_factory=StrategyConfig)
    cache: CacheConfig = field(default_factory=CacheConfig)
    proxy: ProxyProfile = field(default_factory=ProxyProfile)
    change: ChangeConfig = field(default_factory=ChangeConfig)
    base: BaseConfig = field(default_factory=BaseConfig)
    runtime: RuntimeConfig = field(default_factory=RuntimeConfig)
    attest: AttestConfig = field(default_factory=AttestConfig)
    compare: CompareConfig = field(default_factory=CompareConfig)
    timeouts: TimeoutConfig = field(default_factory=TimeoutConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    results_dir: str = "results"
    log_format: str = "text"  # text, or json: one JSON object per line (timestamp, level, run id, event, numbers)
    dry_run: bool = False  # plan and record the builds without running them (no engine needed)
    resume: str | None = None  # a run directory to finish: its saved config is used, done builds are skipped
    min_free_gb: float = 5.0  # refuse to start with less free disk than this plus 0.25 GB per planned build
    floor: bool = False  # after each successful build, time a no-op rebuild and a bare `docker buildx build` of it


GROUP_SCHEMAS: dict[str, type] = {
    "project": ProjectConfig,
    "strategy": StrategyConfig,
    "cache": CacheConfig,
    "proxy": ProxyProfile,
    "change": ChangeConfig,
    "base": BaseConfig,
    "runtime": RuntimeConfig,
    "attest": AttestConfig,
}


def register() -> None:
    """Register the schemas: `base_config` for the root, `base_<group>` for each group."""
    cs = ConfigStore.instance()
    cs.store(name="base_config", node=BenchConfig)
    for group, schema in GROUP_SCHEMAS.items():
        cs.store(group=group, name=f"base_{group}", node=schema)


def project_dir(project: ProjectConfig) -> Path:
    """The module root of a project: `path` when set, else the example of that name."""
    return Path(project.path).expanduser().resolve() if project.path else PROJECTS_DIR / project.name
