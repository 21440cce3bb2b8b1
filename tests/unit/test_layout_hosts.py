"""Rows of two build hosts never share a ratio (issue 15): the layout splits a scenario per engine."""

from __future__ import annotations

import pandas as pd

from bench.layout import groups


def test_two_engines_are_two_groups() -> None:
    rows = pd.DataFrame({
        "scenario": ["m"] * 4, "variant": ["strategy=a", "strategy=b"] * 2, "wall_s": [1.0, 2.0, 10.0, 20.0],
        "engine_engine_id": ["E1", "E1", "E2", "E2"], "engine_hostname": ["vm", "vm", "vm", "vm"],
    })
    found = [(name, list(part["wall_s"])) for name, _, part in groups(rows)]
    assert found == [("m on vm (1)", [1.0, 2.0]), ("m on vm (2)", [10.0, 20.0])]
    one = rows.assign(engine_engine_id="E1")
    assert [name for name, _, _ in groups(one)] == ["m"]
