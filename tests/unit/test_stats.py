"""Statistics against exact hand-computed numbers."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from bench import stats


def _builds(data: dict[str, list[float]], failed: dict[str, int] | None = None) -> pd.DataFrame:
    rows = [{"variant": v, "wall_s": x, "status": "ok", "valid": True} for v, xs in data.items() for x in xs]
    for v, n in (failed or {}).items():
        rows += [{"variant": v, "wall_s": None, "status": "failed", "valid": True}] * n
    return pd.DataFrame(rows)


def test_describe_exact() -> None:
    d = stats.describe([4.0, 1.0, 3.0, 2.0])
    # numpy's linear percentiles of 1,2,3,4: q1 = 1.75, median 2.5, q3 = 3.25
    assert d == {"n": 4, "median": 2.5, "q1": 1.75, "q3": 3.25, "iqr": 1.5, "min": 1.0, "max": 4.0}


def test_summarize_counts_excluded_rows() -> None:
    df = _builds({"A": [10, 12, 11], "B": [20]}, failed={"B": 2})
    df.loc[0, "valid"] = False  # A's 10 s is invalid: left out
    s = stats.summarize(df, "wall_s").set_index("variant")
    assert s.loc["A", "n"] == 2 and s.loc["A", "median"] == 11.5 and s.loc["A", "excluded"] == 1
    assert s.loc["B", "n"] == 1 and s.loc["B", "median"] == 20 and s.loc["B", "excluded"] == 2


def test_ratio_single_sample_has_no_interval() -> None:
    r, lo, hi = stats.ratio_ci([6.0], [3.0, 4.0])
    assert r == pytest.approx(6.0 / 3.5) and math.isnan(lo) and math.isnan(hi)
    assert stats.verdict_word(r, lo, hi) == "single sample"


def test_ratio_without_spread_is_exact() -> None:
    assert stats.ratio_ci([2.0, 2.0, 2.0], [4.0, 4.0]) == (0.5, 0.5, 0.5)


def test_clear_and_unclear_differences() -> None:
    fast = [10.0, 10.2, 9.9, 10.1, 10.0, 9.8]
    slow = [20.0, 20.5, 19.7, 20.2, 20.1, 19.9]
    r, lo, hi = stats.ratio_ci(slow, fast, seed=1)
    assert r == pytest.approx(20.05 / 10.0)
    assert 1.9 < lo <= r <= hi < 2.1
    assert stats.verdict_word(r, lo, hi) == "higher"
    noisy = [9.0, 11.0, 10.5, 9.5, 10.0, 10.2]
    r2, lo2, hi2 = stats.ratio_ci(noisy, fast, seed=1)
    assert lo2 < 1.0 < hi2
    assert stats.verdict_word(r2, lo2, hi2) == "no clear difference"


def test_compare_to_baseline_marks_each_variant() -> None:
    df = _builds({"base": [10.0, 10.1, 9.9, 10.0], "fast": [5.0, 5.1, 4.9, 5.0], "same": [10.0, 9.8, 10.2, 10.1]})
    c = stats.compare_to_baseline(df, "wall_s", "base").set_index("variant")
    assert c.loc["base", "verdict"] == "baseline" and c.loc["base", "ratio"] == 1.0
    assert c.loc["fast", "ratio"] == pytest.approx(0.5) and c.loc["fast", "verdict"] == "lower"
    assert c.loc["same", "verdict"] == "no clear difference"
