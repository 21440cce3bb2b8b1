"""The "does it pay" table, the attestation and floor tables, on synthetic rows whose truth the test knows."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from bench import stats
from bench.report import cachepay, render
from tests.unit.synthetic import make_run

MB = 1_000_000
WALL = {"none": 30.0, "warm": 5.0, "registry_max": 20.0, "local_max": 30.0, "inline": 36.0}
EXPORT = {"registry_max": 25.0, "local_max": 3.0, "inline": 1.0}


def _cache_rows(reps: int = 6) -> pd.DataFrame:
    b = make_run({"cache": list(WALL)}, reps, lambda c: WALL[c["cache"]], sigma=0.02, seed=3).builds
    fresh = b["cache"].isin(list(EXPORT))
    b["fresh_runner"] = fresh
    b["export_s"] = [EXPORT.get(c, np.nan) + 0.1 * (r % 3) if f else None
                     for c, r, f in zip(b["cache"], b["repetition"], fresh)]
    b["cache_bytes"] = [300 * MB if f else None for f in fresh]
    b["cache_pulled_bytes"] = [40 * MB if c in ("registry_max", "inline") else None for c in b["cache"]]
    b["import_bytes"] = [40 * MB if f else None for f in fresh]
    b["import_s"] = [2.0 if f else None for f in fresh]
    return b


@pytest.mark.parametrize(("export", "saved", "builds"), [
    (25.0, 10.0, 3.0), (30.0, 10.0, 3.0), (0.5, 10.0, 1.0), (-0.4, 10.0, 1.0), (math.nan, 10.0, 0.0),
    (25.0, 0.0, math.nan), (25.0, -3.0, math.nan), (25.0, math.nan, math.nan),
])
def test_break_even_is_the_export_over_the_saving_rounded_up(export: float, saved: float, builds: float) -> None:
    got = cachepay.break_even(export, saved)
    assert (math.isnan(got) and math.isnan(builds)) or got == builds


def test_pay_table_per_cache_mode() -> None:
    table = cachepay.pay_table(_cache_rows())
    assert table is not None
    t = table.set_index("cache")
    assert list(t.index) == ["warm", "registry_max", "local_max", "inline"]  # the cold baseline is not a row
    reg = t.loc["registry_max"]
    assert reg["n"] == 6 and reg["saved s"] == pytest.approx(10.0, rel=0.05)
    assert reg["ratio"] == pytest.approx(2 / 3, rel=0.05) and reg["high"] < 1 and reg["method"] == stats.HODGES_LEHMANN
    assert reg["export s"] == pytest.approx(25.1) and reg["export range s"] == "25.00 to 25.20"
    assert reg["break-even builds"] == math.ceil(25.1 / reg["saved s"]) == 3 and reg["pays"] == "yes, after 3 builds"
    assert reg["pushed MB"] == 300 and reg["pulled MB"] == 40 and reg["import s"] == 2.0
    assert t.loc["warm", "break-even builds"] == 0 and t.loc["warm", "pays"] == "yes, no export to pay for"
    assert t.loc["local_max", "pays"] == "not shown (interval includes no saving)"
    assert t.loc["inline", "pays"] == "no: not faster than cold" and pd.isna(t.loc["inline", "break-even builds"])


def test_pay_table_compares_like_with_like_and_renders() -> None:
    walls = {("none", "multistage"): 30.0, ("registry_max", "multistage"): 20.0,
             ("none", "naive"): 60.0, ("registry_max", "naive"): 30.0}
    b = make_run({"cache": ["none", "registry_max"], "strategy": ["multistage", "naive"]}, 3,
                 lambda c: walls[(c["cache"], c["strategy"])], sigma=0.01).builds
    b["export_s"] = [12.0 if c == "registry_max" else None for c in b["cache"]]
    table = cachepay.pay_table(b)
    assert table is not None and list(table["strategy"]) == ["multistage", "naive"]
    assert list(table["break-even builds"]) == [2.0, 1.0]  # 12 s over a 10 s saving; over a 30 s saving
    assert list(table["method"]) == [stats.RANGE, stats.RANGE]  # 3 builds each: a range, said so
    header, rows = render.display(table)
    assert "interval" in header and all("(range)" in r[header.index("interval")] for r in rows)


def test_no_pay_table_without_a_cold_baseline() -> None:
    b = _cache_rows()
    assert cachepay.pay_table(b[b["cache"] != "none"]) is None


def test_attest_table_and_floor_table() -> None:
    b = make_run({"attest": ["none", "default"], "strategy": ["multistage", "naive"]}, 3,
                 lambda c: {"none": 10.0, "default": 11.0}[c["attest"]], sigma=0.01).builds
    b["image_media_type"] = ["application/vnd.oci.image.index.v1+json" if a == "default"
                             else "application/vnd.oci.image.manifest.v1+json" for a in b["attest"]]
    b["image_export_s"] = [0.6 if a == "default" else 0.3 for a in b["attest"]]
    b["floor_s"] = [2.4 if s == "naive" else 0.6 for s in b["strategy"]]
    b["floor_bare_s"] = [2.1 if s == "naive" else 0.4 for s in b["strategy"]]
    att = cachepay.attest_table(b)
    assert att is not None
    d = att[(att["attest"] == "default") & (att["strategy"] == "multistage")].iloc[0]
    assert d["ratio"] == pytest.approx(1.1, rel=0.03) and d["media type"] == "index" and d["image export s"] == 0.6
    assert set(att.loc[att["attest"] == "none", "media type"]) == {"manifest"}
    floors = cachepay.floor_table(b)
    assert floors is not None
    f = floors.set_index("strategy")
    assert f.loc["naive", "flag"] == "floor over 2 s" and f.loc["multistage", "flag"] == ""
    assert f.loc["naive", "harness adds s"] == pytest.approx(0.3)
    caveat = cachepay.floor_caveat(b)
    assert caveat is not None and "naive (2.40 s; bare buildx 2.10 s)" in caveat and "multistage" not in caveat
    assert cachepay.floor_table(b.drop(columns=["floor_s", "floor_bare_s"])) is None


def test_pay_sentence_and_payoff_plot(tmp_path: object) -> None:
    from pathlib import Path

    from bench import plots

    b = _cache_rows()
    sentence = cachepay.pay_sentence(b)
    assert sentence is not None and "registry_max saves 10." in sentence and "yes, after 3 builds" in sentence
    assert "inline costs " in sentence and "no: not faster than cold" in sentence
    fig = plots.cache_payoff_figure(cachepay.pay_table(b))
    assert fig is not None and plots.clipped_texts(fig) == []
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    reg = lines["registry_max"]
    ys = reg.get_ydata()
    assert ys[0] == pytest.approx(-25.1) and ys[3] > 0 > ys[2]  # below 0 until the third consuming build
    assert lines["local_max"].get_linestyle() == "--" and reg.get_linestyle() == "-"
    assert plots.cache_payoff(cachepay.pay_table(b), Path(str(tmp_path)) / "pay") is not None
    assert plots.cache_payoff(None, Path(str(tmp_path)) / "none") is None


def test_cache_caveats_say_how_producer_and_consumer_were_measured() -> None:
    b = _cache_rows()
    b["cache_network"] = ["ci_to_registry" if c in ("registry_max", "inline") else ("" if f else None)
                          for c, f in zip(b["cache"], b["fresh_runner"])]
    lines = cachepay.cache_caveats(b)
    assert len(lines) == 3 and "without and with --cache-to" in lines[0]
    assert lines[1].startswith("Cache registry network: ci_to_registry (")  # the empty (local) network is not named
    assert "local cache" in lines[2]
    assert cachepay.cache_caveats(b.drop(columns=["export_s"])) == []
    assert len(cachepay.cache_caveats(b.drop(columns=["cache_network", "import_bytes"]))) == 1
    b["cache_compression"] = ["zstd" if c == "local_max" else "gzip" for c in b["cache"]]
    assert any("compression=zstd compresses the cache layers the build made" in ln for ln in cachepay.cache_caveats(b))
