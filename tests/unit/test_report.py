"""Tables, verdict and plots from small recorded results (tests/data/results, produced by the harness)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import report
from bench.results import load

DATA = Path(__file__).parent.parent / "data" / "results"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[report.Report, Path]:
    out = tmp_path_factory.mktemp("report")
    return report.build(load(DATA), out), out


def test_recorded_runs_load_with_builds_and_steps() -> None:
    res = load(DATA)
    assert len(res.manifests) >= 2
    assert {"wall_s", "image_unpacked_bytes", "mirror_bytes", "engine_image_store"} <= set(res.builds.columns)
    assert set(res.steps["build_id"]) <= set(res.builds["build_id"])


def test_every_table_has_its_rows_and_columns(built: tuple[report.Report, Path]) -> None:
    rep, _ = built
    res = load(DATA)
    image = rep.tables["Image size"]
    assert {"strategy", "runtime", "compressed MB", "unpacked MB", "cold build s", "start-up ms"} <= set(image.columns)
    assert set(image["strategy"]) >= {"singlestage", "multistage"}
    change = rep.tables["Changes"]
    assert {"change", "strategy", "deps downloaded again", "build s median [IQR]", "n"} <= set(change.columns)
    assert set(change["change"]) >= {"none", "source"}
    cache = rep.tables["Cache modes"]
    assert set(cache["cache"]) == set(res.builds["cache"])
    assert {"build s median [IQR]", "steps cached", "fresh runner"} <= set(cache.columns)
    proxy = rep.tables["Module mirrors"]
    assert set(proxy["proxy"]) == set(res.builds["proxy"])
    assert {"mirror MB", "failed", "faults injected"} <= set(proxy.columns)


def test_verdict_is_generated_from_the_numbers(built: tuple[report.Report, Path]) -> None:
    rep, _ = built
    text = "\n".join(rep.verdict)
    assert text.startswith("Project: ")
    assert "Fastest after change=source" in text
    assert "Smallest image: " in text and "x smaller than singlestage" in text


def test_files_are_written_and_plots_are_real_pngs(built: tuple[report.Report, Path]) -> None:
    rep, out = built
    md = (out / "report.md").read_text()
    assert md.startswith("## Verdict") and "| strategy" in md
    assert "<table" in (out / "report.html").read_text()
    names = {p.stem for p in rep.plots}
    assert {"build_times", "step_times", "image_sizes", "proxy_profiles"} <= names
    for p in rep.plots:
        data = p.read_bytes()
        assert data[:8] == PNG_MAGIC and len(data) > 10_000
        assert p.with_suffix(".svg").stat().st_size > 5_000


def test_report_cli_on_a_glob(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report.main([str(DATA / "*"), "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert "## Verdict" in printed and str(tmp_path / "report.md") in printed


def test_report_cli_without_runs_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as err:
        report.main([str(tmp_path / "nothing-here")])
    assert err.value.code == 2
    assert capsys.readouterr().err.strip().startswith("error: no runs found")
