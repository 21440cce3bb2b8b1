"""What a corpus is made of: the spec the seeded generator reads, and the presets in conf/corpus."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace

from bench.mirror.confload import load_dataclass
from bench.paths import CONF_DIR

GENERATOR_VERSION = 2  # bump when output changes for the same spec: module paths (and caches) then change
PRESET_DIR = CONF_DIR / "corpus"  # one YAML per preset: the single source of the preset numbers


@dataclass(frozen=True)
class CorpusSpec:
    """What to generate; every field feeds the seeded generator, so equal specs give equal corpora."""

    name: str = "medium"
    seed: int = 1
    modules: int = 24
    depth: int = 4
    packages: int = 4  # per module: the root package plus packages-1 subpackages
    versions: int = 4  # v1.0.0 .. v1.<versions-1>.0
    types: int = 4  # record types per package
    fanout: int = 3  # at most this many direct dependencies per module
    domain: str = "example.com/corpus"

    def __post_init__(self) -> None:
        if not 1 <= self.depth <= self.modules:
            raise ValueError(f"depth {self.depth} must be between 1 and modules ({self.modules})")
        if self.packages < 1 or self.versions < 2 or self.types < 1 or self.fanout < 1:
            raise ValueError("packages, types and fanout must be >= 1 and versions >= 2")

    def digest(self) -> str:
        """A short content key for caching a generated corpus."""
        blob = json.dumps({"generator": GENERATOR_VERSION, **asdict(self)}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]

    def namespace(self) -> str:
        """The path prefix of every module, e.g. `example.com/corpus/medium-1a2b3c`.

        The digest is part of it because a module path must never name two contents:
        a module cache or caching-proxy store shared between corpora would otherwise
        fail with checksum mismatches.
        """
        return f"{self.domain}/{self.name}-{self.digest()[:6]}"


def load_spec(preset: str, *, seed: int | None = None) -> CorpusSpec:
    """The spec of a preset (`small`, `medium`, `large`: conf/corpus/<preset>.yaml), optionally reseeded."""
    spec = load_dataclass(CorpusSpec, PRESET_DIR / f"{preset}.yaml")
    return spec if seed is None else replace(spec, seed=seed)
