"""How heavy each module of a weighted corpus is: zip size, compiled packages, layer (pure: no files).

A real service's module zips are many small ones and a few of several MB (conf/corpus/realistic.yaml
has the measured distribution). Each module gets a zip size from that distribution's quantiles
and a number of compiled packages from another; the difference between its compiled code and its
zip size is padding that the build never compiles (`padding`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence

from bench.mirror.spec import CorpusSpec, Weight

# Go bytes of a generated package (bench.mirror.gocode): a base of api.go and generic.go, and
# entities.go growing with each record type (measured on package_files; tests keep them honest).
PACKAGE_BYTES = 3850
TYPE_BYTES = 2795


def quantile(points: Mapping[int, float], percentile: float) -> float:
    """The value at `percentile` (0-100), log-linear between the given points (sizes spread over decades)."""
    keys = sorted(points)
    if percentile <= keys[0]:
        return points[keys[0]]
    for lo, hi in zip(keys, keys[1:]):
        if percentile <= hi:
            f = (percentile - lo) / (hi - lo)
            return math.exp(math.log(points[lo]) * (1 - f) + math.log(points[hi]) * f)
    return points[keys[-1]]


def spread(points: Mapping[int, float], n: int) -> list[float]:
    """`n` values, one at each evenly spaced rank from percentile 0 to 100, ascending."""
    if n == 1:
        return [quantile(points, 50)]
    return [quantile(points, 100 * i / (n - 1)) for i in range(n)]


def zip_targets(spec: CorpusSpec) -> list[int]:
    """Target zip bytes of each module (by module index), adding up to `total_mb * scale` MB.

    Sizes come from the measured quantiles, scaled to the total, and are dealt to modules by a
    seeded shuffle (independent of the graph's random stream, so the graph stays as planned).
    """
    w = _weight(spec)
    sizes = spread(w.zip_kb, spec.modules)
    factor = w.total_mb * 1e6 * w.scale / sum(sizes)
    order = list(range(spec.modules))
    random.Random(f"{spec.seed}|zip").shuffle(order)
    targets = [0] * spec.modules
    for rank, module in enumerate(order):
        targets[module] = round(sizes[rank] * factor)
    return targets


def package_counts(spec: CorpusSpec, targets: Sequence[int]) -> list[int]:
    """Compiled packages of each module: the measured distribution, the most to the largest zips.

    Real modules correlate only loosely (Spearman 0.37 in distribution's 116); matching ranks keeps
    the smallest zips small enough to hold their code.
    """
    return [max(1, round(c)) for c in _by_size(spread(_weight(spec).packages, spec.modules), targets)]


def type_counts(spec: CorpusSpec, targets: Sequence[int]) -> list[list[int]]:
    """Record types of each package of each module (root package first), by module index.

    Each module compiles the measured distribution's share of Go (the most to the largest zips);
    its packages split that Zipf-like (one large package, a tail of small ones), in a seeded order.
    """
    w = _weight(spec)
    packages = package_counts(spec, targets)
    compiled = _by_size([kb * w.compiled_scale for kb in spread(w.compiled_kb, spec.modules)], targets)
    rng = random.Random(f"{spec.seed}|types")
    out = []
    for m in range(spec.modules):
        n = packages[m]
        extra = max(0, round((compiled[m] * 1000 - n * PACKAGE_BYTES) / TYPE_BYTES) - n)
        shares = [1 / (j + 1) for j in range(n)]
        counts = [1 + int(extra * s / sum(shares)) for s in shares]
        counts[0] += n + extra - sum(counts)
        rng.shuffle(counts)
        out.append(counts)
    return out


def _by_size(values: Sequence[float], targets: Sequence[int]) -> list[float]:
    """`values` dealt to modules so that the larger values go to the larger zips."""
    out = [0.0] * len(targets)
    for value, module in zip(sorted(values), sorted(range(len(targets)), key=lambda m: (targets[m], m))):
        out[module] = value
    return out


def layer_sizes(n: int, shares: Sequence[float]) -> list[int]:
    """Modules per layer for the given shares (largest remainders; every layer keeps at least one)."""
    raw = [n * s for s in shares]
    sizes = [max(1, math.floor(r)) for r in raw]
    by_remainder = sorted(range(len(shares)), key=lambda i: (sizes[i] - raw[i], i))
    for i in by_remainder[: n - sum(sizes)]:
        sizes[i] += 1
    while sum(sizes) > n:  # the floor of one per layer took more than the shares gave
        sizes[sizes.index(max(sizes))] -= 1
    return sizes


def padding_budgets(w: Weight, budget: int) -> dict[str, int]:
    """Zip bytes per padding kind for one module (largest share takes the rounding)."""
    out = {kind: int(budget * share) for kind, share in sorted(w.padding.items())}
    if out:
        top = max(sorted(w.padding), key=lambda k: w.padding[k])
        out[top] += budget - sum(out.values())
    return out


def _weight(spec: CorpusSpec) -> Weight:
    if spec.weight is None:
        raise ValueError(f"corpus {spec.name!r} has no weight section")
    return spec.weight
