"""Reading aids: repetitions that do not look like the others (hyperfine's outlier and slow-first-run warnings).

Pure functions of a builds DataFrame; each warning is a record for report.json and a caveat
sentence for report.md. Repetitions are compared within their variant and run, in
repetition order, over usable rows only.

- `outlier`: a repetition outside Tukey's far-out fences of its variant, [Q1 - 3 IQR, Q3 + 3 IQR]
  (numpy's linear quartiles). No value of 3 or fewer can lie outside them, so this needs at
  least 4 repetitions. hyperfine flags |modified z| > 14.826 instead; the fences need no MAD,
  which is 0 whenever half the repetitions tie (image sizes, cached steps).
- `first_slower`: the first repetition slower than every later one (at least 2 later ones).
  With n exchangeable repetitions that happens by chance with probability 1/n per variant,
  so the caveat says how many variants showed it and how likely that many are by chance
  (`chance_at_least`): one variant is noise, most of them is a warm-up effect.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from bench import stats

FENCE_K = 3.0  # Tukey's "far out"
MIN_LATER = 2  # later repetitions needed before "slower than every later one" means anything
SYSTEMATIC_P = 0.05  # below this, a first-slower count is called a warm-up effect, not chance
OUTLIER, FIRST_SLOWER = "outlier", "first_slower"


@dataclass(frozen=True)
class RepetitionWarning:
    """One repetition that stands out: `reference` is the fence it crossed (outlier) or the median
    of the later repetitions (first_slower); `ratio` is value / median of the variant's other repetitions."""

    kind: str
    run_id: str
    variant: str
    repetition: int
    n: int
    metric: str
    value: float
    reference: float
    ratio: float

    def record(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return asdict(self)


def fences(values: Sequence[float] | np.ndarray, k: float = FENCE_K) -> tuple[float, float]:
    """(Q1 - k IQR, Q3 + k IQR) of the values."""
    q1, q3 = np.percentile(stats.clean(values), [25, 75])
    return float(q1 - k * (q3 - q1)), float(q3 + k * (q3 - q1))


def outliers(values: Sequence[float] | np.ndarray, k: float = FENCE_K) -> list[int]:
    """Positions of the values outside the fences (none below 4 values)."""
    a = np.asarray(values, dtype=float)
    if a.size < 4:
        return []
    low, high = fences(a, k)
    return [i for i, x in enumerate(a) if x < low or x > high]


def first_slower(values: Sequence[float] | np.ndarray) -> bool:
    """Whether the first value (in repetition order) is above every later one, with at least 2 later ones."""
    a = np.asarray(values, dtype=float)
    return a.size > MIN_LATER and bool(a[0] > a[1:].max())


def chance_at_least(count: int, probabilities: Sequence[float]) -> float:
    """P(at least `count` of independent events with these probabilities happen) (Poisson-binomial tail)."""
    dist = np.array([1.0])
    for p in probabilities:
        dist = np.convolve(dist, [1 - p, p])
    return float(min(1.0, dist[count:].sum()))


def repetition_warnings(builds: pd.DataFrame, metric: str = "wall_s") -> list[RepetitionWarning]:
    """Outliers and slow first repetitions of `metric`, per run and variant."""
    ok = stats.usable(builds)
    if ok.empty or metric not in ok or "repetition" not in ok:
        return []
    ok = ok.dropna(subset=[metric]).assign(_run=ok.get("run_id", pd.Series("", index=ok.index)).fillna(""))
    out: list[RepetitionWarning] = []
    for (run, variant), g in ok.sort_values("repetition").groupby(["_run", "variant"], sort=False, observed=True):
        values, reps = g[metric].to_numpy(dtype=float), g["repetition"].astype(int).tolist()
        low, high = fences(values) if values.size >= 4 else (math.nan, math.nan)
        slow_first = first_slower(values)
        for i in [i for i in outliers(values) if not (i == 0 and slow_first)]:  # hyperfine: a slow first run, once
            rest = np.delete(values, i)
            out.append(RepetitionWarning(OUTLIER, str(run), str(variant), reps[i], values.size, metric,
                                         float(values[i]), high if values[i] > high else low,
                                         float(values[i] / np.median(rest))))
        if slow_first:
            later = float(np.median(values[1:]))
            out.append(RepetitionWarning(FIRST_SLOWER, str(run), str(variant), reps[0], values.size, metric,
                                         float(values[0]), later, float(values[0] / later)))
    return out


def eligible_for_first_slower(builds: pd.DataFrame, metric: str = "wall_s") -> list[int]:
    """Repetition counts of the (run, variant) groups that could show `first_slower` (3 or more usable)."""
    ok = stats.usable(builds)
    if ok.empty or metric not in ok:
        return []
    ok = ok.dropna(subset=[metric]).assign(_run=ok.get("run_id", pd.Series("", index=ok.index)).fillna(""))
    sizes = ok.groupby(["_run", "variant"], observed=True).size()
    return [int(n) for n in sizes if n > MIN_LATER]


def caveats(found: Sequence[RepetitionWarning], eligible: Sequence[int]) -> list[str]:
    """Caveat sentences for the warnings found; `eligible` as from `eligible_for_first_slower`."""
    out = []
    odd = [w for w in found if w.kind == OUTLIER]
    if odd:
        items = ", ".join(f"{_where(w, found)} r{w.repetition} {w.value:.2f} s ({w.ratio:.2f}x the median of "
                          "the others)" for w in odd)
        out.append(f"{len(odd)} outlier repetition(s), outside Q1 - 3 IQR .. Q3 + 3 IQR of their variant: {items}. "
                   "Medians and rank-based intervals resist a single outlier; its row's log_tail and steps say "
                   "what happened.")
    first = [w for w in found if w.kind == FIRST_SLOWER]
    if first:
        out.append(_first_slower_sentence(first, eligible, found))
    return out


def _first_slower_sentence(first: Sequence[RepetitionWarning], eligible: Sequence[int],
                           found: Sequence[RepetitionWarning]) -> str:
    p = chance_at_least(len(first), [1 / n for n in eligible])
    items = ", ".join(f"{_where(w, found)} {(w.ratio - 1) * 100:+.1f}%" for w in first)
    chance = ("1/" + str(eligible[0])) if len(set(eligible)) == 1 else "1/n (n repetitions)"
    verdict = ("unlikely by chance: a warm-up effect, the first build of a variant paid for something the later "
               "ones did not (a warm-up round before measuring removes it)" if p < SYSTEMATIC_P else
               "chance alone could explain it, so it is not clearly a warm-up effect")
    return (f"First repetition slower than every later one in {len(first)} of {len(eligible)} variant(s) "
            f"(over the median of the later ones: {items}). Each variant does so by chance with probability "
            f"{chance}; {len(first)} or more of {len(eligible)}: p={p:.2g}, {verdict}.")


def _where(w: RepetitionWarning, found: Sequence[RepetitionWarning]) -> str:
    several_runs = len({x.run_id for x in found}) > 1
    return f"{w.variant} (run {w.run_id})" if several_runs else w.variant
