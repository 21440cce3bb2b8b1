"""What a corpus is made of: the spec the seeded generator reads, and the presets in conf/corpus."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from bench.mirror.confload import load_dataclass
from bench.paths import CONF_DIR

GENERATOR_VERSION = 2  # bump when output changes for the same spec: module paths (and caches) then change
# Bump when a weighted corpus's output changes (padding, weight planning): only weighted specs
# then get new module paths and caches, the classic presets keep theirs.
WEIGHT_VERSION = 1
PRESET_DIR = CONF_DIR / "corpus"  # one YAML per preset: the single source of the preset numbers
PADDING_KINDS = ("generated_go", "test_go", "testdata_binary", "testdata_text", "data", "docs")


@dataclass  # not frozen: OmegaConf cannot merge a YAML mapping into a frozen nested node
class Weight:
    """The weight of a real service's dependencies: zip sizes, package counts, layers, padding.

    Percentile maps (`zip_kb`, `packages`) are measured distributions, interpolated for the
    module count of the spec; conf/corpus/realistic.yaml says where each number comes from.
    """

    total_mb: float = 100.0  # zip bytes of one version of every module, before `scale`
    zip_kb: dict[int, float] = field(default_factory=dict)  # percentile -> zip kB
    packages: dict[int, float] = field(default_factory=dict)  # percentile -> compiled packages per module
    compiled_kb: dict[int, float] = field(default_factory=dict)  # percentile -> compiled Go kB per module
    compiled_scale: float = 1.0  # multiplies compiled_kb: generated Go compiles at another speed than real Go
    layers: list[float] = field(default_factory=list)  # share of modules per layer, top first
    padding: dict[str, float] = field(default_factory=dict)  # kind -> share of the never-compiled zip bytes
    scale: float = 1.0  # multiplies every zip size: tests generate the same shape smaller

    def __post_init__(self) -> None:
        # JSON turns int keys into strings: normalise, so a manifest reads back equal.
        self.zip_kb = {int(k): float(v) for k, v in self.zip_kb.items()}
        self.packages = {int(k): float(v) for k, v in self.packages.items()}
        self.compiled_kb = {int(k): float(v) for k, v in self.compiled_kb.items()}
        problems = self.problems()
        if problems:
            raise ValueError("corpus weight: " + "; ".join(problems))

    def problems(self) -> list[str]:
        """What is inconsistent (empty when usable)."""
        out = []
        for name, points in (("zip_kb", self.zip_kb), ("packages", self.packages), ("compiled_kb", self.compiled_kb)):
            if not points or min(points) != 0 or max(points) != 100 or min(points.values()) <= 0:
                out.append(f"{name} needs positive values at percentiles 0 and 100 (and any between)")
            elif list(points.values()) != sorted(points.values()) or list(points) != sorted(points):
                out.append(f"{name} must be listed by ascending percentile with non-decreasing values")
        if unknown := set(self.padding) - set(PADDING_KINDS):
            out.append(f"padding kinds must be among {', '.join(PADDING_KINDS)}, not {', '.join(sorted(unknown))}")
        if not self.padding or min(self.padding.values()) < 0 or abs(sum(self.padding.values()) - 1) > 1e-6:
            out.append("padding shares must be >= 0 and add up to 1")
        if self.layers and (min(self.layers) <= 0 or abs(sum(self.layers) - 1) > 1e-6):
            out.append("layer shares must be > 0 and add up to 1")
        if self.total_mb <= 0 or self.scale <= 0 or self.compiled_scale <= 0:
            out.append("total_mb, scale and compiled_scale must be > 0")
        return out


@dataclass(frozen=True)
class CorpusSpec:
    """What to generate; every field feeds the seeded generator, so equal specs give equal corpora."""

    name: str = "medium"
    seed: int = 1
    modules: int = 24
    depth: int = 4
    packages: int = 4  # per module: the root package plus packages-1 subpackages (weight.packages overrides)
    versions: int = 4  # v1.0.0 .. v1.<versions-1>.0
    types: int = 4  # record types per package (weight.compiled_kb overrides)
    fanout: int = 3  # at most this many direct dependencies per module
    domain: str = "example.com/corpus"
    weight: Weight | None = None  # None: the light classic shape (small, medium, large)

    def __post_init__(self) -> None:
        if isinstance(self.weight, dict):  # read back from a manifest
            object.__setattr__(self, "weight", Weight(**self.weight))
        if not 1 <= self.depth <= self.modules:
            raise ValueError(f"depth {self.depth} must be between 1 and modules ({self.modules})")
        if self.packages < 1 or self.versions < 2 or self.types < 1 or self.fanout < 1:
            raise ValueError("packages, types and fanout must be >= 1 and versions >= 2")
        if self.weight is not None and self.weight.layers and len(self.weight.layers) != self.depth:
            raise ValueError(f"weight.layers has {len(self.weight.layers)} shares for depth {self.depth}")

    def as_json(self) -> dict[str, Any]:
        """The spec as plain data; `weight` only when set, so the classic presets keep their digest."""
        data = asdict(self)
        if self.weight is None:
            del data["weight"]
        return data

    def digest(self) -> str:
        """A short content key for caching a generated corpus."""
        versions = {"generator": GENERATOR_VERSION} | ({"weight_generator": WEIGHT_VERSION} if self.weight else {})
        blob = json.dumps({**versions, **self.as_json()}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]

    def namespace(self) -> str:
        """The path prefix of every module, e.g. `example.com/corpus/medium-1a2b3c`.

        The digest is part of it because a module path must never name two contents:
        a module cache or caching-proxy store shared between corpora would otherwise
        fail with checksum mismatches.
        """
        return f"{self.domain}/{self.name}-{self.digest()[:6]}"

    def scaled(self, scale: float) -> CorpusSpec:
        """The same shape with every zip `scale` times as large (tests use 1/100); classic specs unchanged."""
        if self.weight is None:
            return self
        return replace(self, weight=replace(self.weight, scale=scale))


def load_spec(preset: str, *, seed: int | None = None) -> CorpusSpec:
    """The spec of a preset (conf/corpus/<preset>.yaml), optionally reseeded."""
    spec = load_dataclass(CorpusSpec, PRESET_DIR / f"{preset}.yaml")
    return spec if seed is None else replace(spec, seed=seed)
