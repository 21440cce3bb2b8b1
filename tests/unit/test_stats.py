"""Statistics against exact hand-computed numbers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from bench import stats
from bench.layout import Layout
from tests.unit.synthetic import change_wall, make_run


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


def test_usable_reads_nullable_columns() -> None:
    df = pd.DataFrame({"status": ["ok", "ok", "failed"], "valid": pd.array([True, pd.NA, True], dtype="boolean"),
                       "wall_s": [1.0, 2.0, 3.0]})
    assert stats.usable(df)["wall_s"].tolist() == [1.0]


def test_ratio_single_sample_has_no_interval() -> None:
    r, lo, hi = stats.ratio_ci([6.0], [3.0, 4.0])
    assert r == pytest.approx(6.0 / 3.5) and math.isnan(lo) and math.isnan(hi)
    assert stats.verdict_word(r, lo, hi) == "single sample"
    assert stats.ratio_interval([6.0], [3.0, 4.0]).method == stats.SINGLE


def test_ratio_without_spread_is_exact() -> None:
    assert stats.ratio_ci([2.0, 2.0, 2.0], [4.0, 4.0]) == (0.5, 0.5, 0.5)
    assert stats.ratio_interval([2.0, 2.0, 2.0], [4.0, 4.0]).method == stats.EXACT


def test_three_samples_give_a_range_not_a_confidence_interval() -> None:
    # The old percentile bootstrap returned exactly [min/max, max/min] here and called it a 95% CI.
    iv = stats.ratio_interval([30.0, 31.0, 33.0], [36.0, 38.0, 42.0])
    assert iv.method == stats.RANGE and iv.confidence is None
    assert (iv.low, iv.high) == pytest.approx((30 / 42, 33 / 36))
    assert iv.estimate == pytest.approx(31 / 38)
    assert "range" in iv.text() and "CI" not in iv.text()


def test_mann_whitney_null_distribution_is_exact() -> None:
    # sizes 5 and 5: 252 orderings; U <= 0, 1, 2, 3 in 1, 2, 4, 7 of them (partitions of u into <= 5 parts <= 5)
    cdf = stats._mann_whitney_cdf(5, 5)
    assert cdf[:4] * 252 == pytest.approx([1, 2, 4, 7])
    assert cdf[-1] == pytest.approx(1.0)


def test_five_per_side_give_the_rank_interval_with_its_level() -> None:
    a = [2.0, 2.1, 2.2, 1.9, 2.05]
    b = [1.0, 1.1, 0.9, 1.05, 0.95]
    iv = stats.ratio_interval(a, b)
    assert iv.method == stats.HODGES_LEHMANN and iv.n == 5 and iv.n_baseline == 5
    assert iv.confidence == pytest.approx(1 - 2 * 4 / 252)  # P(U <= 2) = 4/252 on each side
    # The 3rd smallest and 3rd largest of the 25 pairwise log ratios.
    ratios = np.sort(np.divide.outer(np.array(a), np.array(b)).ravel())
    assert (iv.low, iv.high) == pytest.approx((ratios[2], ratios[-3]))
    assert 2.2 / 0.9 > iv.high and iv.low > 1.9 / 1.1  # narrower than the range


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


def test_median_interval_by_sample_size() -> None:
    assert stats.median_interval([3.0, 1.0, 2.0]).method == stats.RANGE
    five = stats.median_interval([5.0, 1.0, 4.0, 2.0, 3.0])
    assert five.method == stats.RANGE and (five.low, five.high) == (1.0, 5.0)  # 93.8% only: not a 95% CI
    ten = stats.median_interval(list(range(1, 11)))
    # Binomial(10, 1/2): P(X <= 1) = 11/1024 <= 0.025 < P(X <= 2): x_(2) and x_(9)
    assert ten.method == stats.ORDER_STATISTICS and (ten.low, ten.high) == (2.0, 9.0)
    assert ten.confidence == pytest.approx(1 - 2 * 11 / 1024)


def test_compare_to_baseline_marks_each_variant() -> None:
    df = _builds({"base": [10.0, 10.1, 9.9, 10.0], "fast": [5.0, 5.1, 4.9, 5.0], "same": [10.0, 9.8, 10.2, 10.1]})
    c = stats.compare_to_baseline(df, "wall_s", "base").set_index("variant")
    assert c.loc["base", "verdict"] == "baseline" and c.loc["base", "ratio"] == 1.0
    assert c.loc["fast", "ratio"] == pytest.approx(0.5) and c.loc["fast", "verdict"] == "lower"
    assert c.loc["same", "verdict"] == "no clear difference"
    assert set(c["method"]) == {stats.RANGE}


def test_two_axes_compare_like_with_like() -> None:
    axes = {"strategy": ["naive", "multistage", "multistage_cachemount"], "change": ["none", "source", "gomod_bump"]}
    res = make_run(axes, 3, change_wall, sigma=0.02)
    # The old way: every variant against the run's first variant (naive, change=none): 70x-style ratios.
    old = stats.compare_to_baseline(res.builds, "wall_s", "strategy=naive,change=none").set_index("variant")
    assert old.loc["strategy=multistage,change=gomod_bump", "ratio"] > 50
    lay = Layout.of(list(res.manifests["variants"].iloc[0]))
    assert lay.baseline_of("strategy=multistage,change=gomod_bump") == "strategy=naive,change=gomod_bump"
    new = stats.compare_paired(res.builds, "wall_s", lay.baselines()).set_index("variant")
    row = new.loc["strategy=multistage,change=gomod_bump"]
    assert row["baseline"] == "strategy=naive,change=gomod_bump"
    assert row["ratio"] == pytest.approx(0.9, rel=0.08)  # the truth in change_wall: multistage is 0.9x naive
    assert new.loc["strategy=multistage_cachemount,change=source", "ratio"] == pytest.approx(0.05, rel=0.1)
    assert new["ratio"].max() < 1.2
    assert (new.loc[[v for v in new.index if v.startswith("strategy=naive")], "verdict"] == "baseline").all()
