"""From one typed config to the variants of a run and their interleaved builds.

`compare` lists, per axis, the options one run interleaves; the cross product gives the
variants, the first being the baseline. Each variant is converted once into typed objects
(a `VariantSpec`) and its Dockerfile rendered once; everything downstream takes those.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from bench import bases, gover, options, strategies, validate
from bench.config import (
    AXES,
    AttestConfig,
    BaseConfig,
    BenchConfig,
    CacheConfig,
    ChangeConfig,
    ProjectConfig,
    RuntimeConfig,
    StrategyConfig,
    TimeoutConfig,
    project_dir,
)
from bench.mirror.profiles import ProxySetup

NOT_APPLICABLE = "n/a"


@dataclass(frozen=True, eq=False)
class VariantSpec:
    """Everything one variant's builds need, typed."""

    project: ProjectConfig
    strategy: StrategyConfig
    cache: CacheConfig
    proxy: ProxySetup
    change: ChangeConfig
    base: BaseConfig
    runtime: RuntimeConfig
    attest: AttestConfig = field(default_factory=AttestConfig)
    timeouts: TimeoutConfig = field(default_factory=TimeoutConfig)
    seed: int = 1
    startup_runs: int = 3
    go_version: str = ""  # the exact Go version of the builder (project.go holds its minor version)
    floor: bool = False  # the root's `floor`: time a no-op rebuild (harness and bare buildx) after each build

    def option(self, axis: str) -> object:
        """The option object of an axis."""
        return self.proxy.profile if axis == "proxy" else getattr(self, axis)


@dataclass(frozen=True)
class Variant:
    """One combination of axis options: its label, the option name per axis, its spec and Dockerfile."""

    label: str
    choices: Mapping[str, str] = field(hash=False)
    spec: VariantSpec = field(compare=False, hash=False)
    dockerfile: strategies.Rendered | None = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class PlannedBuild:
    """One build: a variant and its repetition number (1-based); a warm-up build is built, not recorded."""

    index: int
    variant: Variant
    repetition: int
    warmup: bool = False

    @property
    def build_id(self) -> str:
        """Stable across resumes: the variant label and repetition."""
        return f"{self.variant.label}#{'w' if self.warmup else 'r'}{self.repetition}"


def spec_of(cfg: BenchConfig) -> VariantSpec:
    """The selected options of a root config as a spec (chains resolved)."""
    return VariantSpec(
        project=cfg.project, strategy=cfg.strategy, cache=cfg.cache, proxy=options.proxy_setup(cfg.proxy),
        change=cfg.change, base=cfg.base, runtime=cfg.runtime, attest=cfg.attest, timeouts=cfg.timeouts, seed=cfg.seed,
        startup_runs=cfg.startup_runs, floor=cfg.floor,
    )


def expand(cfg: BenchConfig, choices: Mapping[str, str] | None = None) -> list[Variant]:
    """The cross product of `compare`, in declared order; the first is the baseline.

    Every option is validated. Where an axis does not apply (the runtime of a single-stage
    image), its value is `n/a` and variants that become identical are built once.
    """
    validate.root(cfg)
    base_spec = spec_of(cfg)
    for axis in AXES:
        validate.option(axis, base_spec.option(axis))
    notes: set[str] = set()
    compared = {a: list(getattr(cfg.compare, a)) for a in AXES if getattr(cfg.compare, a)}
    selected = {a: str((choices or {}).get(a) or getattr(base_spec.option(a), "name", "")) for a in AXES}
    out: dict[str, Variant] = {}
    for combo in itertools.product(*compared.values()) if compared else [()]:
        picked = dict(zip(compared, combo))
        spec = _with_go(_with_options(base_spec, picked), notes)
        validate.combination(spec.project, spec.proxy)
        if not spec.strategy.runtime_stage and "runtime" in picked:
            picked["runtime"] = NOT_APPLICABLE
        label = ",".join(f"{a}={v}" for a, v in picked.items() if v != NOT_APPLICABLE) or "default"
        out.setdefault(label, Variant(label, {**selected, **picked}, spec))
    return list(out.values())


def _with_go(spec: VariantSpec, notes: set[str]) -> VariantSpec:
    """The builder for the project's go.mod (`project.go=auto`), or the one asked for, checked against go.mod."""
    choice = gover.resolve(spec.project.go, project_dir(spec.project))
    if choice.note and choice.note not in notes:
        notes.add(choice.note)
        print(f"note: {choice.note}", file=sys.stderr)
    return replace(spec, project=replace(spec.project, go=choice.go), go_version=choice.version)


def _with_options(spec: VariantSpec, picked: Mapping[str, str]) -> VariantSpec:
    changes: dict[str, object] = {}
    for axis, name in picked.items():
        opt = options.load(axis, name)
        validate.option(axis, opt)
        changes[axis] = options.proxy_setup(opt) if axis == "proxy" else opt
    return replace(spec, **changes)  # type: ignore[arg-type]


def render(variant: Variant) -> Variant:
    """The variant with its Dockerfile rendered (UsageError naming the template when it does not render)."""
    s = variant.spec
    rendered = strategies.render(
        s.strategy,
        builder=bases.image_for("builder", go=s.project.go, base=s.base.name),
        runtime=bases.image_for(s.runtime.role, go=s.project.go, base=s.base.name),
        main=s.project.main,
        own_dockerfile=project_dir(s.project) / s.project.dockerfile,
    )
    if not s.strategy.template and s.base.name == "local":
        rendered = strategies.offline(
            rendered, build_args=s.project.build_args, target=s.project.target, aliases=s.project.aliases,
            requirement=gover.read_if_any(project_dir(s.project)),
        )
        if rendered.go_version:  # the builder the Dockerfile's golang image stands for built it, not go.mod's pick
            variant = replace(variant, spec=replace(s, go_version=rendered.go_version))
    elif s.project.target:
        rendered = replace(rendered, target=s.project.target)
    return replace(variant, dockerfile=rendered)


def plan(vs: Sequence[Variant], repetitions: int) -> list[PlannedBuild]:
    """Interleave: A B C A B C ..., so drift in machine state spreads over every variant."""
    builds: list[PlannedBuild] = []
    for rep in range(1, repetitions + 1):
        builds += round_of(vs, rep, len(builds))
    return builds


def round_of(vs: Sequence[Variant], repetition: int, start: int = 0) -> list[PlannedBuild]:
    """One round: every variant once."""
    return [PlannedBuild(start + i, v, repetition) for i, v in enumerate(vs)]


def warmup(vs: Sequence[Variant], rounds: int) -> list[PlannedBuild]:
    """Warm-up rounds: built before the measured ones and not recorded."""
    return [PlannedBuild(-1, v, r, warmup=True) for r in range(1, rounds + 1) for v in vs]


def adaptive(vs: Sequence[Variant], first: int, most: int, settled: Callable[[], bool]) -> Iterator[PlannedBuild]:
    """Rounds until `settled()` says every comparison is decided (asked from round `first` on), at most `most`."""
    index = 0
    for rep in range(1, most + 1):
        if rep > first and settled():
            return
        yield from round_of(vs, rep, index)
        index += len(vs)
