"""Statistics as small pure functions over a builds DataFrame.

Only rows that measured something count: status `ok` and `valid`; the others are left
out and counted. Every interval says what it is (`Interval.method`):

- `single`: fewer than 2 samples on a side; the estimate stands alone (as asv's compare).
- `exact`: no spread on either side; every value gives the same ratio.
- `range`: fewer than 5 samples on a side. For a ratio of medians,
  [min(a)/max(b), max(a)/min(b)]; for a median, [min, max]. It is what a percentile
  bootstrap of 3 samples returns anyway, and it is not called a confidence interval.
- `hodges_lehmann`: 5 or more samples per side. The distribution-free interval for a
  ratio (Moses' interval for the Hodges-Lehmann shift of the log times, from the exact
  Wilcoxon-Mann-Whitney null distribution; normal approximation above 2,500 pairs). It
  assumes the two samples differ by a factor, whatever the shape of the noise. Coverage
  measured by `scripts/interval_coverage.py` (20,000 simulated pairs per cell, lognormal
  noise sigma 0.10, n samples on each side; the achieved level is at least 95% because
  ranks are discrete): n=5 0.969 (achieved level 0.968), n=10 0.955 (0.957), n=20 0.951
  (0.951); 5 vs 35 (a nightly run against a 7-run window) 0.952.
- `order_statistics`: a distribution-free 95% interval for one median from two order
  statistics (binomial); n >= 6 (at n=5 only the full range exists, at 93.8%). Measured:
  n=6 0.972, n=10 0.979, n=20 0.957.

For comparison, the same script measured the range at 3 vs 3 (what the old percentile
bootstrap returned, labelled "95% CI") at 0.904 coverage, and the old percentile
bootstrap at 5, 10 and 20 per side at 0.966, 0.965 and 0.965: conservative and wider
than `hodges_lehmann` (median width 1.167x vs 1.139x at n=20).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

CONFIDENCE = 0.95
MIN_CI_SAMPLES = 5  # below this per side an interval is a range, not a confidence interval
EXACT_PAIRS = 2500  # exact Mann-Whitney null distribution up to this many pairs, normal beyond

SINGLE, EXACT, RANGE, HODGES_LEHMANN, ORDER_STATISTICS = (
    "single", "exact", "range", "hodges_lehmann", "order_statistics")
METHOD_LABELS = {
    SINGLE: "single sample, no interval",
    EXACT: "no spread",
    RANGE: "range (min-max; too few samples for a confidence interval)",
    HODGES_LEHMANN: "95% CI (Hodges-Lehmann, rank-based)",
    ORDER_STATISTICS: "95% CI of the median (order statistics)",
}


@dataclass(frozen=True)
class Interval:
    """An estimate, its interval and the method that made it (see the module docstring).

    `confidence` is the achieved coverage of a confidence interval (None for ranges);
    `n_baseline` is set for ratios.
    """

    estimate: float
    low: float
    high: float
    method: str
    n: int
    n_baseline: int | None = None
    confidence: float | None = None

    @property
    def label(self) -> str:
        """What the interval is, in words (for a table caption)."""
        return METHOD_LABELS[self.method]

    @property
    def short(self) -> str:
        """`range`, `95% CI` or `-`: the column heading's word for this interval."""
        return {RANGE: "range", HODGES_LEHMANN: "95% CI", ORDER_STATISTICS: "95% CI"}.get(self.method, "-")

    def text(self, digits: int = 2) -> str:
        """`0.81-0.86 (range)`, or `-` when there is no interval."""
        if math.isnan(self.low):
            return "-"
        return f"{self.low:.{digits}f}-{self.high:.{digits}f} ({self.short})"

    def record(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN becomes None)."""
        return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in asdict(self).items()}


def usable(builds: pd.DataFrame) -> pd.DataFrame:
    """Rows that measured something: status ok and valid (a missing `valid` counts as not valid)."""
    if builds.empty:
        return builds
    valid = builds["valid"].astype("boolean").fillna(False).astype(bool)
    return builds[(builds["status"] == "ok") & valid]


def clean(values: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    """The values as floats, None and NaN left out."""
    try:
        a = np.asarray(values, dtype=float)  # None becomes NaN here; pd.NA does not convert
    except (TypeError, ValueError):
        a = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return a[~np.isnan(a)]


def describe(values: Sequence[float]) -> dict[str, float]:
    """n, median, quartiles, IQR, min and max of one sample (NaN-free)."""
    a = clean(values)
    if a.size == 0:
        return {"n": 0, "median": np.nan, "q1": np.nan, "q3": np.nan, "iqr": np.nan, "min": np.nan, "max": np.nan}
    q1, med, q3 = np.percentile(a, [25, 50, 75])
    return {"n": int(a.size), "median": float(med), "q1": float(q1), "q3": float(q3),
            "iqr": float(q3 - q1), "min": float(a.min()), "max": float(a.max())}


def summarize(builds: pd.DataFrame, metric: str, by: Sequence[str] = ("variant",)) -> pd.DataFrame:
    """Per group of `by`: n, median, q1, q3, iqr, min, max of `metric` over usable rows, and how many were excluded."""
    out = []
    for key, g in builds.groupby(list(by), sort=False, observed=True):
        ok = usable(g)
        out.append({**dict(zip(by, _key(key))), **describe(ok[metric].tolist()), "excluded": len(g) - len(ok)})
    return pd.DataFrame(out, columns=[*by, "n", "median", "q1", "q3", "iqr", "min", "max", "excluded"])


def median_interval(values: Sequence[float] | np.ndarray, confidence: float = CONFIDENCE) -> Interval:
    """The median with a range (n < 6) or a distribution-free order-statistics confidence interval."""
    a = np.sort(clean(values))
    n = int(a.size)
    if n == 0:
        return Interval(np.nan, np.nan, np.nan, SINGLE, 0)
    med = float(np.median(a))
    if n == 1:
        return Interval(med, np.nan, np.nan, SINGLE, 1)
    if np.ptp(a) == 0:
        return Interval(med, med, med, EXACT, n)
    # P(fewer than j of n values lie below the median) = Binomial(n, 1/2).cdf(j - 1)
    tail = sps.binom.cdf(np.arange(n), n, 0.5)
    j = int(np.searchsorted(tail, (1 - confidence) / 2, side="right"))  # order statistic x_(j), 1-based
    if n < MIN_CI_SAMPLES or j == 0:
        return Interval(med, float(a[0]), float(a[-1]), RANGE, n)
    return Interval(med, float(a[j - 1]), float(a[n - j]), ORDER_STATISTICS, n,
                    confidence=float(1 - 2 * tail[j - 1]))


def ratio_interval(
    sample: Sequence[float] | np.ndarray, baseline: Sequence[float] | np.ndarray, confidence: float = CONFIDENCE
) -> Interval:
    """median(sample)/median(baseline) with the interval its sample sizes allow (see the module docstring)."""
    a, b = clean(sample), clean(baseline)
    if a.size == 0 or b.size == 0:
        return Interval(np.nan, np.nan, np.nan, SINGLE, int(a.size), int(b.size))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = float(np.median(a) / np.median(b))
        if a.size < 2 or b.size < 2:
            return Interval(ratio, np.nan, np.nan, SINGLE, int(a.size), int(b.size))
        if np.ptp(a) == 0 and np.ptp(b) == 0:
            return Interval(ratio, ratio, ratio, EXACT, int(a.size), int(b.size))
        rng = Interval(ratio, float(a.min() / b.max()), float(a.max() / b.min()), RANGE, int(a.size), int(b.size))
    if min(a.size, b.size) < MIN_CI_SAMPLES or (a <= 0).any() or (b <= 0).any():
        return rng  # logs need positive values; a zero-second sample gets the plain range
    found = _moses(np.log(a), np.log(b), confidence)
    if found is None:
        return rng
    low, high, achieved = found
    return Interval(ratio, float(np.exp(low)), float(np.exp(high)), HODGES_LEHMANN, int(a.size), int(b.size),
                    confidence=achieved)


def _moses(la: np.ndarray, lb: np.ndarray, confidence: float) -> tuple[float, float, float] | None:
    """Moses' interval for the shift la - lb: order statistics of the pairwise differences."""
    diffs = np.sort(np.subtract.outer(la, lb).ravel())
    cdf = _mann_whitney_cdf(la.size, lb.size)
    # Largest c with P(U <= c - 1) <= alpha/2: the interval is [d_(c), d_(N+1-c)] (1-based).
    c = int(np.searchsorted(cdf, (1 - confidence) / 2, side="right"))
    if c == 0:
        return None
    return float(diffs[c - 1]), float(diffs[diffs.size - c]), float(1 - 2 * cdf[c - 1])


@lru_cache(maxsize=256)
def _mann_whitney_cdf(m: int, n: int) -> np.ndarray:
    """P(U <= u) for u = 0..m*n under the null (no ties), exact for small samples."""
    m, n = min(m, n), max(m, n)
    u = np.arange(m * n + 1)
    if m * n > EXACT_PAIRS:
        sd = math.sqrt(m * n * (m + n + 1) / 12)
        return np.asarray(sps.norm.cdf((u + 0.5 - m * n / 2) / sd))
    # p[i] holds the distribution of U for sizes (i, j) as j grows; P(i, j) mixes (i-1, j) shifted and (i, j-1).
    p = [np.zeros(m * n + 1) for _ in range(m + 1)]
    for row in p:
        row[0] = 1.0
    for j in range(1, n + 1):
        for i in range(1, m + 1):
            shifted = np.zeros(m * n + 1)
            shifted[j:] = p[i - 1][: m * n + 1 - j]
            p[i] = (i * shifted + j * p[i]) / (i + j)
    return np.minimum(np.cumsum(p[m]), 1.0)


def ratio_ci(sample: Sequence[float], baseline: Sequence[float], seed: int = 0) -> tuple[float, float, float]:
    """(ratio, low, high) of `ratio_interval`; (ratio, nan, nan) when n < 2 on a side.

    Kept for callers that want a plain tuple; `seed` is unused (the intervals are no longer
    resampled) and stays for compatibility. Use `ratio_interval` to know the method.
    """
    iv = ratio_interval(sample, baseline)
    return iv.estimate, iv.low, iv.high


def verdict_word(ratio: float, low: float, high: float) -> str:
    """`faster`/`slower`/`smaller`-neutral wording: `lower`, `higher`, `no clear difference` or `single sample`."""
    if np.isnan(low) or np.isnan(high):
        return "single sample"
    if low <= 1.0 <= high:
        return "no clear difference"
    return "lower" if high < 1.0 else "higher"


def compare_to_baseline(
    builds: pd.DataFrame, metric: str, baseline: str, by: str = "variant", seed: int = 0
) -> pd.DataFrame:
    """Per group: median of `metric`, ratio to the one baseline group's median, its interval, method and verdict."""
    groups = usable(builds).dropna(subset=[metric])[by].unique()
    return compare_paired(builds, metric, {g: baseline for g in groups}, by=by)


def compare_paired(builds: pd.DataFrame, metric: str, baseline_of: Mapping[str, str], by: str = "variant") -> pd.DataFrame:
    """Per group of `by` (in row order): median of `metric` and its ratio to its own baseline group.

    `baseline_of` maps each group to the group it is compared with, so that a variant is
    compared with like (the same values of every other axis); groups not in the map are
    left out. Columns: by, n, median, baseline, n_baseline, ratio, ci_low, ci_high, method,
    confidence, verdict.
    """
    rows = usable(builds).dropna(subset=[metric])
    values = {str(k): g[metric].to_numpy(dtype=float) for k, g in rows.groupby(by, sort=False, observed=True)}
    out = []
    for key, sample in values.items():
        if key not in baseline_of:
            continue
        base = baseline_of[key]
        iv = ratio_interval(sample, values.get(base, np.array([])))
        word = "baseline" if key == base else ("no baseline rows" if base not in values else
                                               verdict_word(iv.estimate, iv.low, iv.high))
        out.append({by: key, "n": int(sample.size), "median": float(np.median(sample)), "baseline": base,
                    "n_baseline": iv.n_baseline, "ratio": iv.estimate, "ci_low": iv.low, "ci_high": iv.high,
                    "method": iv.method, "confidence": iv.confidence, "verdict": word})
    cols = [by, "n", "median", "baseline", "n_baseline", "ratio", "ci_low", "ci_high", "method", "confidence", "verdict"]
    return pd.DataFrame(out, columns=cols)


def _key(k: object) -> tuple[Any, ...]:
    return k if isinstance(k, tuple) else (k,)
