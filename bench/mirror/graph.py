"""The module graph of a corpus, planned from a seed (pure: no files).

Modules sit in `depth` layers; layer 0 is what example projects import, every module of a
layer is required by one in the layer above, so the whole corpus is one build list.
Version v1.j.0 of a module requires each dependency at v1.j.0 or one minor lower
(seeded), so go.mod bumps cascade the way real upgrades do.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bench.mirror import weight, words
from bench.mirror.spec import CorpusSpec


@dataclass(frozen=True)
class ModulePlan:
    """One module of the corpus: where it sits and what it builds on."""

    path: str
    layer: int
    deps: tuple[tuple[str, int], ...]  # (dependency path, version lag 0 or 1)
    subpackages: tuple[str, ...]
    entities: tuple[tuple[str, ...], ...]  # record type names: root package first, then each subpackage

    def version(self, index: int) -> str:
        """The canonical version string of the index-th release."""
        return f"v1.{index}.0"


def minor(version: str) -> int:
    """The minor number of a corpus version (`v1.3.0` -> 3): corpus versions differ only there."""
    return int(version.split(".")[1])


def requirements(
    plans: Mapping[str, ModulePlan], path: str, index: int, memo: dict[tuple[str, int], dict[str, str]] | None = None
) -> dict[str, str]:
    """Every module `path` at its index-th version needs, by MVS over its own graph (itself excluded)."""
    memo = {} if memo is None else memo
    if (path, index) in memo:  # the DAG has many paths to the same node
        return memo[(path, index)]
    out: dict[str, int] = {}
    for dep, lag in plans[path].deps:
        dep_index = max(0, index - lag)
        needed = {dep: plans[dep].version(dep_index), **requirements(plans, dep, dep_index, memo)}
        for p, v in needed.items():
            out[p] = max(out.get(p, 0), minor(v))
    memo[(path, index)] = {p: plans[p].version(j) for p, j in out.items()}
    return memo[(path, index)]


def plan_from_json(m: dict[str, Any]) -> ModulePlan:
    """A ModulePlan from its `asdict` form in a corpus manifest."""
    return ModulePlan(
        path=str(m["path"]),
        layer=int(m["layer"]),
        deps=tuple((str(d), int(lag)) for d, lag in m["deps"]),
        subpackages=tuple(m["subpackages"]),
        entities=tuple(tuple(e) for e in m["entities"]),
    )


def _layer_sizes(n: int, depth: int) -> list[int]:
    # Even split, remainder to the deeper layers: libraries outnumber what services import.
    base, extra = divmod(n, depth)
    return [base + (1 if i >= depth - extra else 0) for i in range(depth)]


def _names(rng: random.Random, spec: CorpusSpec) -> list[str]:
    pool = rng.sample(words.MODULES, min(spec.modules, len(words.MODULES)))
    pool += [f"{rng.choice(words.MODULES)}{i}" for i in range(spec.modules - len(pool))]
    return pool


def _edges(rng: random.Random, layers: list[list[int]], fanout: int) -> dict[int, set[int]]:
    deps: dict[int, set[int]] = {m: set() for layer in layers for m in layer}
    for upper, lower in zip(layers, layers[1:]):
        for m in lower:  # every module is required by one a layer up: one build list in all
            deps[rng.choice(upper)].add(m)
    for li, layer in enumerate(layers[:-1]):
        deeper = [m for later in layers[li + 1 :] for m in later]
        for m in layer:
            want = rng.randint(1, fanout)
            candidates = [d for d in deeper if d not in deps[m]]
            rng.shuffle(candidates)
            while len(deps[m]) < want and candidates:
                deps[m].add(candidates.pop())
    return deps


def _numbered(rng: random.Random, pool: list[str], count: int) -> tuple[str, ...]:
    """`count` distinct names: a seeded sample of `pool`, then numbered ones once the pool runs out.

    A few real modules have 50-150 packages, a few real packages hundreds of types.
    """
    picked = rng.sample(pool, min(count, len(pool)))
    return tuple(picked + [f"{pool[j % len(pool)]}{j}" for j in range(len(picked), count)])


def _shape(spec: CorpusSpec) -> tuple[list[int], list[list[int]]]:
    """(modules per layer, record types of each package of each module): even and uniform, or measured."""
    if spec.weight is None:
        return _layer_sizes(spec.modules, spec.depth), [[spec.types] * spec.packages] * spec.modules
    layers = weight.layer_sizes(spec.modules, spec.weight.layers) if spec.weight.layers else None
    types = weight.type_counts(spec, weight.zip_targets(spec))
    return layers or _layer_sizes(spec.modules, spec.depth), types


def plan(spec: CorpusSpec) -> list[ModulePlan]:
    """The module graph for `spec`; deterministic in the seed and independent of the platform."""
    rng = random.Random(spec.seed)
    names = _names(rng, spec)
    sizes, packages = _shape(spec)
    layers = [list(range(sum(sizes[:i]), sum(sizes[: i + 1]))) for i in range(spec.depth)]
    # A leaf carries uppercase letters so the `!x` case encoding is exercised on every build.
    upper = layers[-1][0]
    names[upper] = names[upper].capitalize() + "Kit"
    deps = _edges(rng, layers, spec.fanout)
    layer_of = {m: li for li, layer in enumerate(layers) for m in layer}
    paths = [f"{spec.namespace()}/{name}" for name in names]
    plans = []
    for m in range(spec.modules):
        subs = _numbered(rng, words.SUBPACKAGES, len(packages[m]) - 1)
        entities = tuple(_numbered(rng, words.ENTITIES, n) for n in packages[m])
        edges = tuple((paths[d], 1 if rng.random() < 0.3 else 0) for d in sorted(deps[m]))
        plans.append(ModulePlan(paths[m], layer_of[m], edges, subs, entities))
    return plans
