"""One variant's rows against earlier rows of it: the rule the regression check and the two-run comparison share.

A timing change is a regression when its interval (the ratio new/old of medians,
`bench.stats.ratio_interval`) lies wholly above 1 + threshold: a slowdown of at least the
threshold, beyond the noise. With one sample on a side there is no interval: the ratio must
exceed the threshold and the new value lie above every earlier one. Image sizes and bytes
fetched are deterministic: a ratio threshold. The share of builds that measured nothing
usable is compared as a difference.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from bench import stats

TIMED = ("wall_s", "download_s")
DETERMINISTIC = ("image_unpacked_bytes", "mirror_bytes_sent")
TRACKED = (*TIMED, *DETERMINISTIC, "failure_share")


@dataclass(frozen=True)
class Finding:
    """One metric of one variant: the newest value against the earlier rows (a window of runs, or a base run).

    `verdict` is set by the two-run comparison (`bench.compare_runs`): slower, faster, ...
    """

    scenario: str
    variant: str
    metric: str
    baseline: float
    newest: float
    ratio: float
    ci_low: float
    ci_high: float
    regression: bool
    note: str = ""
    method: str = ""
    host: str = ""
    newest_run: str = ""
    verdict: str = ""

    def sentence(self) -> str:
        """One line naming the metric and the size of the change."""
        tag = "REGRESSION" if self.regression else "ok"
        note = f"; {self.note}" if self.note else ""
        if math.isnan(self.ratio):
            return f"{tag}: {self.scenario} {self.variant} {self.metric}{note}"
        change = (self.ratio - 1.0) * 100
        interval = "" if math.isnan(self.ci_low) else f", {self.method} {self.ci_low:.2f}-{self.ci_high:.2f}"
        return (
            f"{tag}: {self.scenario} {self.variant} {self.metric} {change:+.0f}% "
            f"({fmt(self.metric, self.baseline)} -> {fmt(self.metric, self.newest)}, ratio {self.ratio:.2f}{interval}){note}"
        )

    def record(self) -> dict[str, object]:
        """A JSON-ready dict (NaN becomes None)."""
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in asdict(self).items()}


def fmt(metric: str, value: float) -> str:
    """A metric's value with its unit: seconds, MB, or a share in percent."""
    if math.isnan(value):
        return "-"
    if metric.endswith("_bytes") or metric.endswith("_sent"):
        return f"{value / 1e6:.2f} MB"
    if metric == "failure_share":
        return f"{value:.0%}"
    return f"{value:.2f} s"


def nothing_usable(scenario: str, variant: str, rows: pd.DataFrame, tag: dict[str, str]) -> Finding:
    """The finding for a variant whose newest rows measured nothing."""
    kinds = ", ".join(f"{k} {v}" for k, v in rows["status"].value_counts().items())
    return Finding(scenario, variant, "usable_builds", math.nan, 0.0, math.nan, math.nan, math.nan, True,
                   note=f"no usable build in the newest run ({kinds or 'no rows'})", **tag)


def variant_findings(
    scenario: str, variant: str, new: pd.DataFrame, old: pd.DataFrame,
    threshold: float, size_threshold: float, failure_threshold: float,
) -> list[Finding]:
    """Every tracked metric of one variant, `new` rows against `old` rows."""
    out = []
    for metric in TIMED:
        a, b = values(new, metric), values(old, metric)
        if a.size and b.size and np.median(b) > 0:
            out.append(_timed(scenario, variant, metric, a, b, threshold))
    for metric in DETERMINISTIC:
        a, b = values(new, metric), values(old, metric)
        if a.size and b.size and np.median(b) > 0:
            ratio = float(np.median(a) / np.median(b))
            out.append(Finding(scenario, variant, metric, float(np.median(b)), float(np.median(a)), ratio,
                               math.nan, math.nan, ratio > 1 + size_threshold))
    out.append(_failures(scenario, variant, new, old, failure_threshold))
    return out


def values(rows: pd.DataFrame, metric: str) -> np.ndarray:
    """The metric's values over the usable rows, NaN left out."""
    ok = stats.usable(rows)
    return ok[metric].dropna().to_numpy(dtype=float) if metric in ok else np.array([])


def _timed(scenario: str, variant: str, metric: str, a: np.ndarray, b: np.ndarray, threshold: float) -> Finding:
    iv = stats.ratio_interval(a, b)
    if math.isnan(iv.low):
        regression = iv.estimate > 1 + threshold and float(a.max()) > float(b.max())
        note = "single sample: ratio and window range only"
    else:
        regression = iv.low > 1 + threshold
        note = "" if regression or iv.high <= 1 + threshold else "may exceed the threshold, but not clearly"
    return Finding(scenario, variant, metric, float(np.median(b)), float(np.median(a)), iv.estimate, iv.low, iv.high,
                   regression, note, iv.method)


def failure_share(rows: pd.DataFrame) -> float:
    """Share of builds that measured nothing usable: failed, skipped, or ok but invalid (dry runs left out)."""
    ran = rows[rows["status"].isin(["ok", "failed", "skipped"])]
    if not len(ran):
        return 0.0
    return float(1 - len(stats.usable(ran)) / len(ran))


def _failures(scenario: str, variant: str, new: pd.DataFrame, old: pd.DataFrame, limit: float) -> Finding:
    s_new, s_old = failure_share(new), failure_share(old)
    ratio = s_new / s_old if s_old else (math.inf if s_new else 1.0)
    return Finding(scenario, variant, "failure_share", s_old, s_new, ratio, math.nan, math.nan, s_new - s_old > limit)
