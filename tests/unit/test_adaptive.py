"""`repetitions=auto` stops when every comparison is settled, and not before."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bench import adaptive


@pytest.mark.parametrize(
    ("ratio", "low", "high", "expected"),
    [
        (1.5, 1.3, 1.7, True),  # clearly slower
        (0.5, 0.45, 0.55, True),  # clearly faster
        (1.0, 0.98, 1.03, True),  # no difference, and the interval is narrow
        (1.05, 0.9, 1.2, False),  # could be either
        (1.2, 1.04, 1.4, False),  # not clearly beyond 5%
        (1.0, float("nan"), float("nan"), False),  # a single sample decides nothing
    ],
)
def test_settled(ratio: float, low: float, high: float, expected: bool) -> None:
    assert adaptive.settled(ratio, low, high, threshold=0.05, target_width=0.10) is expected


def _rows(walls: dict[str, list[float]]) -> pd.DataFrame:
    recs = [{"scenario": "s", "variant": v, "wall_s": w, "status": "ok", "valid": True}
            for v, ws in walls.items() for w in ws]
    return pd.DataFrame(recs)


def test_unsettled_until_the_samples_say_enough() -> None:
    rng = np.random.default_rng(1)
    planned = ["strategy=a", "strategy=b", "strategy=c"]
    noise = lambda n, m, sd=0.03: list(m * (1 + rng.normal(0, sd, n)))  # noqa: E731
    few = _rows({"strategy=a": noise(3, 30, 0.1), "strategy=b": noise(3, 15, 0.1), "strategy=c": noise(3, 31, 0.1)})
    assert adaptive.unsettled(few, planned, 0.05, 0.10) == ["strategy=c"]  # 3% apart in 10% noise: not yet
    many = _rows({"strategy=a": noise(12, 30), "strategy=b": noise(12, 15), "strategy=c": noise(12, 30)})
    assert adaptive.unsettled(many, planned, 0.05, 0.10) == []
    assert adaptive.unsettled(many.iloc[:0], planned, 0.05, 0.10) == planned
