"""The report from recorded runs (tests/data/results, results/samples) and synthetic ones: summary, grids, tables, files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pandas as pd
import pytest

from bench import plots, report, stats
from bench.report import export
from bench.results import Results, load
from tests.sample import sample_run
from tests.unit.synthetic import change_wall, make_run

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "results"
SAMPLE = sample_run("multistage")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CHANGE_AXES = {"strategy": ["naive", "multistage", "multistage_cachemount"],
               "change": ["none", "source", "gomod_bump", "gomod_add"]}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[report.Report, Path]:
    out = tmp_path_factory.mktemp("report")
    return report.build(load(DATA), out), out


@pytest.fixture(scope="module")
def change(tmp_path_factory: pytest.TempPathFactory) -> tuple[report.Report, Path]:
    out = tmp_path_factory.mktemp("change")
    return report.build(make_run(CHANGE_AXES, 3, change_wall, scenario="change"), out), out


def _image_size_run() -> Results:
    axes = {"strategy": ["singlestage", "multistage"], "runtime": ["static", "scratch", "debian"]}
    return make_run(axes, 1, lambda c: 40.0 if c["strategy"] == "singlestage" else 30.0, scenario="image_size")


def test_recorded_runs_load_with_builds_and_steps() -> None:
    res = load(DATA)
    assert len(res.manifests) >= 2
    assert {"wall_s", "image_unpacked_bytes", "engine_image_store"} <= set(res.builds.columns)
    assert set(res.steps["build_id"]) <= set(res.builds["build_id"])


def test_every_table_has_its_rows_and_columns(built: tuple[report.Report, Path]) -> None:
    rep, _ = built
    res = load(DATA)
    image = rep.tables["Image size"]
    assert {"strategy", "runtime", "compressed MB", "unpacked MB", "cold build s", "start-up ms"} <= set(image.columns)
    assert set(image["strategy"]) >= {"singlestage", "multistage"}
    changes = rep.tables["Changes"]
    assert {"change", "strategy", "deps downloaded again %", "build s median", "n"} <= set(changes.columns)
    assert set(changes["change"]) >= {"none", "source"}
    cache = rep.tables["Cache modes"]
    assert set(cache["cache"]) == set(res.builds["cache"])
    assert {"build s median", "steps cached %", "fresh runner"} <= set(cache.columns)
    proxy = rep.tables["Module mirrors"]
    assert set(proxy["proxy"]) == set(res.builds["proxy"])
    assert {"mirror MB", "failed", "faults injected"} <= set(proxy.columns)
    # three scenarios with different axes: one like-with-like table each
    assert sum(t.startswith("Variants against the baseline") for t in rep.tables) == 3


def test_summary_and_caveats_come_from_the_numbers(built: tuple[report.Report, Path]) -> None:
    rep, _ = built
    text = "\n".join(rep.verdict)
    assert text.startswith("Project: ")
    assert "After a source edit: use " in text and "Smallest image: " in text and "x smaller than singlestage" in text
    caveats = "\n".join(rep.caveats)
    assert "Few repetitions" in caveats and "not confidence intervals" in caveats
    # the recorded runs hold one invalid and one failed build: both named with their reason
    assert "2 build(s) left out" in caveats and "1 invalid" in caveats and "1 failed: proxy=flaky_comma (network)" in caveats
    assert "Module mirror profiles compared: local, far_proxy, flaky_comma" in caveats


def test_change_scenario_is_a_grid_and_recommends_per_change(change: tuple[report.Report, Path]) -> None:
    rep, _ = change
    assert len(rep.grids) == 1  # image sizes do not vary with the change: no size grid
    g = rep.grids[0]
    assert (g.rows_axis, g.columns_axis) == ("strategy", "change")
    assert g.rows == CHANGE_AXES["strategy"] and g.columns == CHANGE_AXES["change"]
    assert g.best == {("multistage_cachemount", c) for c in ("source", "gomod_bump", "gomod_add")} | {("multistage", "none")}
    cell = g.cells[("naive", "gomod_bump")]
    assert cell.n == 3 and cell.method == stats.RANGE and cell.low <= cell.estimate <= cell.high
    recs = {r["change"]: r for r in rep.summary.recommendations}
    assert set(recs) == set(CHANGE_AXES["change"])
    bump = recs["gomod_bump"]
    assert bump["label"] == "multistage_cachemount" and bump["baseline"] == "strategy=naive,change=gomod_bump"
    assert bump["ratio"]["method"] == stats.RANGE and bump["ratio"]["n"] == 3 and bump["ratio"]["n_baseline"] == 3
    assert 0.04 < bump["ratio"]["estimate"] < 0.06  # 1/20 in change_wall, never the 70x of change=none
    assert any(s.startswith("After a go.mod version bump: use multistage_cachemount") for s in rep.verdict)


def test_like_with_like_table_has_no_cross_change_ratios(change: tuple[report.Report, Path]) -> None:
    rep, _ = change
    table = rep.tables[report.VARIANTS_TITLE]
    assert table["ratio"].max() < 1.3
    assert (table["baseline strategy"] == "naive").all()
    assert set(table["method"]) == {stats.RANGE}


def test_image_size_scenario_gives_the_strategy_by_runtime_size_grid(tmp_path: Path) -> None:
    rep = report.build(_image_size_run(), tmp_path)
    sizes = [g for g in rep.grids if g.metric.column == "image_unpacked_bytes"]
    assert len(sizes) == 1 and (sizes[0].rows_axis, sizes[0].columns_axis) == ("strategy", "runtime")
    assert sizes[0].cells[("singlestage", "static")].estimate == pytest.approx(892)
    assert sizes[0].best == {("multistage", r) for r in ("static", "scratch", "debian")}
    assert "| strategy \\ runtime | static | scratch | debian |" in (tmp_path / "report.md").read_text()


def test_single_axis_has_no_grid(tmp_path: Path) -> None:
    rep = report.build(load(SAMPLE), tmp_path)
    assert rep.grids == []
    assert report.VARIANTS_TITLE in rep.tables


def test_files_are_written_and_plots_are_real_pngs(built: tuple[report.Report, Path]) -> None:
    rep, out = built
    md = (out / "report.md").read_text()
    assert md.startswith("# bench report") and md.index("## Summary") < md.index("| strategy")
    page = (out / "report.html").read_text()
    assert page.index('id="summary"') < page.index('class="pivot"') < page.index("<img")
    assert '<details id="builds">' in page and 'id="facts"' in page
    names = {p.stem for p in rep.plots}
    assert {"build_times", "step_times", "image_sizes", "proxy_profiles"} <= names
    for p in rep.plots:
        data = p.read_bytes()
        assert data[:8] == PNG_MAGIC and len(data) > 10_000
        assert p.with_suffix(".svg").stat().st_size > 5_000
        assert f'src="{p.stem}.svg"' in page


@pytest.mark.parametrize("name", ["recorded", "sample", "change", "image_size", "20 variants"])
def test_report_json_validates_against_its_schema(name: str, tmp_path: Path) -> None:
    res = {"recorded": lambda: load(DATA), "sample": lambda: load(SAMPLE),
           "change": lambda: make_run(CHANGE_AXES, 3, change_wall), "image_size": _image_size_run,
           "20 variants": lambda: make_run({**CHANGE_AXES, "strategy": [f"s{i}" for i in range(5)]}, 5,
                                           lambda c: 10.0)}[name]()
    report.build(res, tmp_path)
    doc = json.loads((tmp_path / "report.json").read_text())
    jsonschema.Draft202012Validator(export.schema()).validate(doc)
    assert doc["version"] == export.VERSION
    assert doc["ratios"] and all(r["ratio"]["method"] in stats.METHOD_LABELS for r in doc["ratios"])
    titles = [t["title"] for t in doc["tables"]]
    assert "Every build" in titles and any(t.startswith(report.VARIANTS_TITLE) for t in titles)


def test_report_json_has_hodges_lehmann_intervals_with_enough_repetitions(tmp_path: Path) -> None:
    report.build(make_run(CHANGE_AXES, 6, change_wall), tmp_path)
    doc = json.loads((tmp_path / "report.json").read_text())
    ratios = [r["ratio"] for r in doc["ratios"]]
    assert {r["method"] for r in ratios} == {stats.HODGES_LEHMANN}
    assert all(0.95 <= r["confidence"] < 1 and r["low"] <= r["estimate"] <= r["high"] for r in ratios)
    assert "Few repetitions" not in " ".join(doc["summary"]["caveats"])


def test_the_schema_rejects_a_wrong_method() -> None:
    doc = {"estimate": 1.0, "low": 0.9, "high": 1.1, "method": "95% CI", "n": 3, "n_baseline": 3, "confidence": None}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, {**export.schema(), "$ref": "#/$defs/interval"})


@pytest.mark.parametrize("name", ["sample", "recorded", "20 variants"])
def test_reports_render_without_clipped_text(name: str, tmp_path: Path) -> None:
    res = {"sample": lambda: load(SAMPLE), "recorded": lambda: load(DATA),
           "20 variants": lambda: make_run({**CHANGE_AXES, "strategy": [f"strategy_{i}" for i in range(5)]}, 2,
                                           lambda c: 10.0 if c["change"] == "none" else 40.0)}[name]()
    rep = report.build(res, tmp_path)
    assert rep.plots
    figures = [plots.build_times_figure(res.builds), plots.step_times_figure(res.builds, res.steps),
               plots.image_sizes_figure(res.builds), plots.proxy_profiles_figure(res.builds)]
    for fig in [f for f in figures if f is not None]:
        assert plots.clipped_texts(fig) == [], fig.get_suptitle()


def test_rows_left_out_and_warnings_are_caveats(tmp_path: Path) -> None:
    res = make_run(CHANGE_AXES, 3, change_wall)
    b = res.builds.copy()
    b.loc[0, ["status", "failure_class", "wall_s"]] = ["failed", "network", None]
    b.loc[1, ["valid", "invalid_reason"]] = [False, "download step cached"]
    b.at[2, "warnings"] = ["startup_failed"]
    rep = report.build(Results(b, res.steps, res.manifests), tmp_path)
    text = " ".join(rep.caveats)
    assert "2 build(s) left out" in text and "(network)" in text and "(download step cached)" in text
    assert "1 build(s) carry warnings: startup_failed" in text
    assert "Module mirror profile: local (local mirror, no network emulation)" in text
    assert rep.excluded == 2


def test_report_cli_on_a_glob(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report.main([str(DATA / "*"), "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert "## Summary" in printed and str(tmp_path / "report.json") in printed


def test_report_cli_without_runs_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as err:
        report.main([str(tmp_path / "nothing-here")])
    assert err.value.code == 2
    assert capsys.readouterr().err.strip().startswith("error: no runs found")


def test_empty_builds_are_a_usage_error(tmp_path: Path) -> None:
    from bench.errors import UsageError

    with pytest.raises(UsageError):
        report.build(Results(pd.DataFrame(), pd.DataFrame(), pd.DataFrame()), tmp_path)


def test_a_cold_build_without_change_is_not_called_a_cached_rebuild(tmp_path: Path) -> None:
    cold = make_run({"strategy": ["naive", "multistage"], "cache": ["none"]}, 3, lambda c: 30.0)
    warm = make_run({"strategy": ["naive", "multistage"], "cache": ["warm"]}, 3, lambda c: 1.0)
    assert any("after a cold build (empty builder cache)" .lower() in s.lower() for s in report.build(cold, tmp_path / "c").verdict)
    assert any("after no change (a cached rebuild)" .lower() in s.lower() for s in report.build(warm, tmp_path / "w").verdict)
