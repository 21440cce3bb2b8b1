"""Statistics as small pure functions over a builds DataFrame.

Only rows that measured something count: status `ok` and `valid`; the others are left
out and counted. Ratios compare medians against a baseline variant, with a 95% bootstrap
confidence interval (scipy.stats.bootstrap, percentile method, seeded); with a single
sample on either side the ratio stands alone, as in asv's compare.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

CONFIDENCE = 0.95
RESAMPLES = 2000


def usable(builds: pd.DataFrame) -> pd.DataFrame:
    """Rows that measured something: status ok and valid."""
    if builds.empty:
        return builds
    return builds[(builds["status"] == "ok") & (builds["valid"].astype(bool))]


def describe(values: Sequence[float]) -> dict[str, float]:
    """n, median, quartiles, IQR, min and max of one sample (NaN-free)."""
    a = np.asarray([v for v in values if v is not None and not pd.isna(v)], dtype=float)
    if a.size == 0:
        return {"n": 0, "median": np.nan, "q1": np.nan, "q3": np.nan, "iqr": np.nan, "min": np.nan, "max": np.nan}
    q1, med, q3 = np.percentile(a, [25, 50, 75])
    return {"n": int(a.size), "median": float(med), "q1": float(q1), "q3": float(q3),
            "iqr": float(q3 - q1), "min": float(a.min()), "max": float(a.max())}


def summarize(builds: pd.DataFrame, metric: str, by: Sequence[str] = ("variant",)) -> pd.DataFrame:
    """Per group of `by`: n, median, q1, q3, iqr, min, max of `metric` over usable rows, and how many were excluded."""
    out = []
    for key, g in builds.groupby(list(by), sort=False):
        ok = usable(g)
        out.append({**dict(zip(by, _key(key))), **describe(ok[metric].tolist()), "excluded": len(g) - len(ok)})
    return pd.DataFrame(out, columns=[*by, "n", "median", "q1", "q3", "iqr", "min", "max", "excluded"])


def ratio_ci(sample: Sequence[float], baseline: Sequence[float], seed: int = 0) -> tuple[float, float, float]:
    """median(sample)/median(baseline) with a 95% bootstrap interval; (ratio, nan, nan) when n < 2 on a side."""
    a = np.asarray(sample, dtype=float)
    b = np.asarray(baseline, dtype=float)
    ratio = float(np.median(a) / np.median(b))
    if a.size < 2 or b.size < 2:
        return ratio, np.nan, np.nan
    if np.ptp(a) == 0 and np.ptp(b) == 0:
        return ratio, ratio, ratio  # no spread: every resample gives the same ratio
    res = sps.bootstrap(
        (a, b),
        lambda x, y, axis=-1: np.median(x, axis=axis) / np.median(y, axis=axis),
        n_resamples=RESAMPLES,
        confidence_level=CONFIDENCE,
        method="percentile",
        vectorized=True,
        paired=False,
        random_state=np.random.default_rng(seed),
    )
    return ratio, float(res.confidence_interval.low), float(res.confidence_interval.high)


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
    """Per group: median of `metric`, ratio to the baseline group's median, its 95% CI, and a verdict."""
    rows = usable(builds).dropna(subset=[metric])
    base = rows.loc[rows[by] == baseline, metric].to_numpy()
    out = []
    for key, g in rows.groupby(by, sort=False):
        if base.size == 0:
            r = low = high = np.nan
        else:
            r, low, high = ratio_ci(g[metric].to_numpy(), base, seed)
        out.append({by: key, "n": len(g), "median": float(np.median(g[metric])), "ratio": r, "ci_low": low,
                    "ci_high": high, "verdict": "baseline" if key == baseline else verdict_word(r, low, high)})
    return pd.DataFrame(out, columns=[by, "n", "median", "ratio", "ci_low", "ci_high", "verdict"])


def _key(k: object) -> tuple:
    return k if isinstance(k, tuple) else (k,)
