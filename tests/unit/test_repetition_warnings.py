"""Reading aids: outlier and slow-first-repetition warnings, on synthetic data with exact numbers."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest

from bench import report
from bench.report import export, warnings
from bench.results import Results, load
from tests.sample import sample_run
from tests.unit.synthetic import make_run

SAMPLE = sample_run("multistage")


def test_fences_are_tukeys_far_out_fences() -> None:
    # numpy's linear quartiles of 10, 10.1, 10.2, 10.3, 20: q1 = 10.1, q3 = 10.3, IQR 0.2
    low, high = warnings.fences([10.0, 10.2, 10.1, 10.3, 20.0])
    assert (low, high) == pytest.approx((10.1 - 0.6, 10.3 + 0.6))
    assert warnings.outliers([10.0, 10.2, 10.1, 10.3, 20.0]) == [4]
    assert warnings.outliers([10.0, 10.2, 10.1, 10.3, 10.8]) == []  # inside the fence (10.9)
    assert warnings.outliers([3.0, 10.2, 10.1, 10.3, 10.4]) == [0]  # a fast one counts too


def test_three_values_never_have_an_outlier() -> None:
    # With 3 values the largest can never pass Q3 + 3 IQR: the check needs 4 or more.
    assert warnings.outliers([1.0, 1.0, 1000.0]) == []


def test_first_slower_needs_two_later_repetitions() -> None:
    assert warnings.first_slower([12.0, 10.0, 11.0])
    assert not warnings.first_slower([12.0, 12.5, 11.0])
    assert not warnings.first_slower([12.0, 10.0])
    assert not warnings.first_slower([12.0, 12.0, 11.0])  # a tie with a later one is not "slower than every"


def test_chance_of_a_count_is_a_poisson_binomial_tail() -> None:
    # 3 or more of 4 variants with 3 repetitions each: 4 (1/3)^3 (2/3) + (1/3)^4 = 9/81
    assert warnings.chance_at_least(3, [1 / 3] * 4) == pytest.approx(9 / 81)
    assert warnings.chance_at_least(0, [0.5, 0.2]) == pytest.approx(1.0)
    assert warnings.chance_at_least(2, [0.5, 0.2]) == pytest.approx(0.1)
    assert warnings.chance_at_least(1, [0.5, 0.2]) == pytest.approx(1 - 0.5 * 0.8)


def _rows(data: dict[str, list[float]], run: str = "r1") -> pd.DataFrame:
    return pd.DataFrame([{"run_id": run, "variant": v, "repetition": i + 1, "wall_s": x, "status": "ok", "valid": True}
                         for v, xs in data.items() for i, x in enumerate(xs)])


def test_warnings_name_the_repetition_and_its_size() -> None:
    b = _rows({"A": [10.0, 10.1, 10.2, 10.3, 20.0], "B": [10.6, 10.0, 10.5, 10.2, 10.4]})
    found = {(w.kind, w.variant): w for w in warnings.repetition_warnings(b)}
    assert set(found) == {("outlier", "A"), ("first_slower", "B")}
    odd = found[("outlier", "A")]
    assert (odd.repetition, odd.value, odd.n) == (5, 20.0, 5)
    assert odd.reference == pytest.approx(10.9) and odd.ratio == pytest.approx(20.0 / 10.15)
    first = found[("first_slower", "B")]
    assert first.repetition == 1 and first.reference == pytest.approx(10.3) and first.ratio == pytest.approx(10.6 / 10.3)


def test_a_far_out_first_repetition_is_one_warning_not_two() -> None:
    found = warnings.repetition_warnings(_rows({"B": [13.0, 10.0, 10.5, 10.2, 10.4]}))  # also beyond Q3 + 3 IQR
    assert [(w.kind, w.repetition) for w in found] == [("first_slower", 1)]


def test_repetition_order_not_row_order_and_unusable_rows_left_out() -> None:
    b = _rows({"A": [10.0, 10.5, 12.0]})
    b["repetition"] = [3, 2, 1]  # the 12 s build was the first
    assert [w.kind for w in warnings.repetition_warnings(b)] == ["first_slower"]
    b.loc[2, "status"] = "failed"
    assert warnings.repetition_warnings(b) == []


def test_a_first_slower_in_every_variant_is_called_a_warm_up_effect() -> None:
    b = _rows({f"V{i}": [12.0, 10.0, 10.1, 10.2, 9.9] for i in range(6)})
    found = warnings.repetition_warnings(b)
    text = " ".join(warnings.caveats(found, warnings.eligible_for_first_slower(b)))
    assert "in 6 of 6 variant(s)" in text and "probability 1/5" in text
    assert "p=6.4e-05" in text and "a warm-up effect" in text and "not clearly" not in text


def test_one_variant_of_four_is_not() -> None:
    b = _rows({"A": [12.0, 10.0, 10.1], "B": [10.0, 10.2, 10.1], "C": [10.0, 10.4, 10.1], "D": [10.0, 10.1, 10.3]})
    text = " ".join(warnings.caveats(warnings.repetition_warnings(b), warnings.eligible_for_first_slower(b)))
    assert "in 1 of 4 variant(s)" in text and "not clearly a warm-up effect" in text
    p = 1 - (2 / 3) ** 4
    assert f"p={p:.2g}" in text


def test_the_report_carries_them_as_caveats_and_json_records(tmp_path: Path) -> None:
    res = make_run({"strategy": ["naive", "multistage"]}, 6, lambda c: 30.0, sigma=0.01, seed=4)
    b = res.builds.copy()
    row = b.index[(b["variant"] == "strategy=naive") & (b["repetition"] == 4)][0]
    b.loc[row, "wall_s"] = 60.0  # one build twice as slow as its siblings
    rep = report.build(Results(b, res.steps, res.manifests), tmp_path)
    text = " ".join(rep.caveats)
    assert "1 outlier repetition(s)" in text and "strategy=naive r4 60.00 s" in text
    doc = json.loads((tmp_path / "report.json").read_text())
    jsonschema.Draft202012Validator(export.schema()).validate(doc)
    kinds = {(w["kind"], w["variant"], w["repetition"]) for w in doc["summary"]["warnings"]}
    assert ("outlier", "strategy=naive", 4) in kinds
    assert "1 outlier repetition(s)" in (tmp_path / "report.md").read_text()


def test_the_committed_sample_shows_its_slow_first_repetitions(tmp_path: Path) -> None:
    res = load(SAMPLE)
    walls = res.builds.sort_values("repetition").groupby("variant", observed=True)["wall_s"].apply(list)
    expected = sum(warnings.first_slower(np.array(v)) for v in walls)  # read from the rows, not typed in
    rep = report.build(res, tmp_path)
    doc = json.loads((tmp_path / "report.json").read_text())
    assert len([w for w in doc["summary"]["warnings"] if w["kind"] == "first_slower"]) == expected
    if expected:
        assert any(f"in {expected} of {len(walls)} variant(s)" in c for c in rep.caveats)
