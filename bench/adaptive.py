"""When `repetitions=auto` may stop: every comparison with its baseline is settled.

A comparison (a variant's build time over its like-with-like baseline's) is settled when its
interval lies wholly outside 1 +- threshold (a clear difference) or is narrower than the
target width (no difference of that size can hide in it). Until every one is, another round
is built, up to the maximum. Pure: saved rows in, a decision out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from bench import stats
from bench.layout import groups


def unsettled(builds: pd.DataFrame, planned: Sequence[str], threshold: float, target_width: float) -> list[str]:
    """The variants whose comparison is not settled yet (empty: stop)."""
    if builds.empty:
        return list(planned)
    open_: list[str] = []
    for _, layout, rows in groups(builds, planned):
        table = stats.compare_paired(rows, "wall_s", layout.baselines())
        missing = set(layout.variants) - set(table["variant"])
        open_ += sorted(missing)
        for _, r in table.iterrows():
            if r["variant"] != r["baseline"] and not settled(r["ratio"], r["ci_low"], r["ci_high"], threshold, target_width):
                open_.append(str(r["variant"]))
    return open_


def settled(ratio: float, low: float, high: float, threshold: float, target_width: float) -> bool:
    """A clear difference, or an interval too narrow to hide one."""
    if any(math.isnan(x) for x in (ratio, low, high)) or ratio <= 0:
        return False
    clear = low > 1 + threshold or high < 1 - threshold
    return clear or (high - low) / ratio < target_width
