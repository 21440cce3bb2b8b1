"""Two runs side by side (`bench-compare --base RUN --new RUN`) and the history plots of the regression check."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from bench import compare, compare_runs, plots, trend
from bench.results import load
from bench.rows import BuildRow
from bench.writer import RunWriter

SCHEMA = json.loads((Path(compare.__file__).parent / "compare.schema.json").read_text())
VARIANTS = ("strategy=naive", "strategy=multistage")


def _run(root: Path, name: str, walls: dict[str, list[float]], *, day: int = 1, host: str = "vm",
         size: int = 10_000_000, failed: int = 0) -> Path:
    run_id = f"2026-11-{day:02d}-{name}"
    w = RunWriter(root / run_id)
    w.write_manifest({
        "run_id": run_id, "scenario": "pair", "started_at": f"2026-11-{day:02d}T02:00:00+00:00", "status": "complete",
        "variants": list(walls), "host": host, "choices": {"project": "service"},
        "config": {"project": {"name": "service"}, "compare": {"strategy": [v.split("=")[1] for v in walls]}},
        "engine": {"hostname": host, "cpu_model": "AMD EPYC", "engine_version": "26.1.5"},
    })
    for variant, xs in walls.items():
        for i, wall in enumerate([*xs, *[None] * failed]):
            row = BuildRow(build_id=f"{variant}#r{i + 1}", run_id=run_id, scenario="pair", variant=variant,
                           repetition=i + 1, project="service", strategy=variant.split("=")[1], cache="warm",
                           proxy="local", change="source", base="local", runtime="static", go="1.23", wall_s=wall,
                           image_unpacked_bytes=size if wall else None)
            if wall is None:
                row.status, row.failure_class = "failed", "network"
            w.append(row)
    return root / run_id


def _walls(median: float, n: int = 6, noise: float = 0.02, seed: int = 0) -> list[float]:
    return list(median * (1 + np.random.default_rng(seed).normal(0, noise, n)))


def _compare(base: Path, new: Path) -> compare_runs.RunComparison:
    return compare_runs.compare_runs(compare_runs.one_run(base, "--base"), compare_runs.one_run(new, "--new"))


def _by(cmp: compare_runs.RunComparison) -> dict[tuple[str, str], object]:
    return {(f.variant, f.metric): f for f in cmp.findings}


def test_every_common_variant_gets_a_ratio_interval_method_and_verdict(tmp_path: Path) -> None:
    base = _run(tmp_path, "base", {VARIANTS[0]: _walls(30, seed=1), VARIANTS[1]: _walls(20, seed=2)})
    new = _run(tmp_path, "new", {VARIANTS[0]: _walls(39, seed=3), VARIANTS[1]: _walls(20, seed=4)}, day=2,
               size=12_000_000)
    found = _by(_compare(base, new))
    slow, same = found[(VARIANTS[0], "wall_s")], found[(VARIANTS[1], "wall_s")]
    assert slow.verdict == "slower" and slow.regression and slow.method == "hodges_lehmann"
    assert 1.2 < slow.ci_low <= slow.ratio <= slow.ci_high < 1.45
    assert same.verdict == "no clear difference" and not same.regression and same.ci_low < 1 < same.ci_high
    assert found[(VARIANTS[0], "image_unpacked_bytes")].verdict == "larger"
    assert found[(VARIANTS[0], "failure_share")].verdict == "same"


def test_faster_within_threshold_and_single_sample(tmp_path: Path) -> None:
    base = _run(tmp_path, "base", {VARIANTS[0]: _walls(30, seed=1), VARIANTS[1]: [20.0]})
    new = _run(tmp_path, "new", {VARIANTS[0]: _walls(21, seed=2), VARIANTS[1]: [20.5]}, day=2)
    found = _by(_compare(base, new))
    assert found[(VARIANTS[0], "wall_s")].verdict == "faster"
    single = found[(VARIANTS[1], "wall_s")]
    assert single.verdict == "single sample" and single.ratio == pytest.approx(20.5 / 20) and np.isnan(single.ci_low)
    f = compare_runs.verdict(single.__class__(**{**single.__dict__, "ci_low": 1.01, "ci_high": 1.04}), 0.05, 0.05, 0.2)
    assert f == "within threshold"  # the interval excludes 1 but not the 5% threshold


def test_differences_between_the_runs_are_caveats(tmp_path: Path) -> None:
    base = _run(tmp_path, "base", {VARIANTS[0]: _walls(30), VARIANTS[1]: _walls(20)})
    new = _run(tmp_path, "new", {VARIANTS[0]: _walls(30), "strategy=vendor": _walls(25)}, day=2, host="other")
    cmp = _compare(base, new)
    assert {f.variant for f in cmp.findings} == {VARIANTS[0]}
    text = " ".join(cmp.caveats)
    assert "hostname vm -> other" in text and "base strategy=multistage; new strategy=vendor" in text


def test_cli_writes_markdown_html_json_and_exits_1_on_a_regression(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    base = _run(tmp_path, "base", {VARIANTS[0]: _walls(30, seed=1)})
    new = _run(tmp_path, "new", {VARIANTS[0]: _walls(45, seed=2)}, day=2)
    with pytest.raises(SystemExit) as err:
        compare.main(["--base", str(base), "--new", str(new)] + ["--out", str(tmp_path / "out")])
    assert err.value.code == 1
    printed = capsys.readouterr().out
    assert "REGRESSION: pair strategy=naive wall_s +" in printed and "| verdict" in printed
    doc = json.loads((tmp_path / "out" / "compare.json").read_text())
    jsonschema.validate(doc, SCHEMA)
    assert doc["mode"] == "runs" and doc["base_run"] == "2026-11-01-base" and doc["new_run"] == "2026-11-02-new"
    assert {f["verdict"] for f in doc["findings"]} >= {"slower", "same"}
    assert "<table" in (tmp_path / "out" / "compare.html").read_text()
    compare.main(["--base", str(base), "--new", str(base), "--out", str(tmp_path / "same")])  # no change: exit 0


@pytest.mark.parametrize(("args", "message"), [
    (["--base", "{base}"], "--base and --new go together"),
    (["--base", "{root}", "--new", "{base}"], "--base: {root} holds 2 runs; give one run directory"),
    (["--base", "{root}/nothing", "--new", "{base}"], "holds no run"),
])
def test_bad_pairs_are_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                       message: str) -> None:
    base = _run(tmp_path, "base", {VARIANTS[0]: [1.0]})
    _run(tmp_path, "new", {VARIANTS[0]: [1.0]}, day=2)
    fill = {"base": str(base), "root": str(tmp_path)}
    with pytest.raises(SystemExit) as err:
        compare.main([a.format(**fill) for a in args] + ["--out", str(tmp_path / "out")])
    assert err.value.code == 2
    assert message.format(**fill) in capsys.readouterr().err


def test_history_points_are_medians_with_their_intervals(tmp_path: Path) -> None:
    for day, median in enumerate([30.0, 31.0, 29.0], start=1):
        _run(tmp_path, "night", {VARIANTS[0]: [median - 1, median, median + 1, median + 2, median - 2, median]},
             day=day)
    res = load(tmp_path)
    df = trend.points(res.builds, res.manifests, sorted(res.manifests["run_id"]), "wall_s")
    assert df["median"].tolist() == [30.0, 31.0, 29.0]
    assert df["method"].unique().tolist() == ["order_statistics"]  # n=6: a 95% CI of the median
    assert (df["low"] < df["median"]).all() and (df["high"] > df["median"]).all()
    fail = trend.points(res.builds, res.manifests, sorted(res.manifests["run_id"]), "failure_share")
    assert fail["median"].tolist() == [0.0, 0.0, 0.0] and fail["low"].isna().all()


def test_compare_html_shows_a_history_plot_per_metric(tmp_path: Path) -> None:
    for day in range(1, 5):
        _run(tmp_path / "r", "night", {VARIANTS[0]: _walls(30, seed=day), VARIANTS[1]: _walls(20, seed=10 + day)},
             day=day, failed=1 if day == 3 else 0)
    compare.main([str(tmp_path / "r"), "--out", str(tmp_path / "out")])
    html = (tmp_path / "out" / "compare.html").read_text()
    made = sorted(p.name for p in (tmp_path / "out").glob("history-*.png"))
    assert made == ["history-pair-0-failure_share.png", "history-pair-0-image_unpacked_bytes.png",
                    "history-pair-0-wall_s.png"]  # no download_s or mirror bytes were recorded
    for name in made:
        assert (tmp_path / "out" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f'src="{name.replace(".png", ".svg")}"' in html
    assert "![history-pair-0-wall_s](history-pair-0-wall_s.png)" in (tmp_path / "out" / "compare.md").read_text()


def test_history_figure_has_every_label_inside(tmp_path: Path) -> None:
    for day in range(1, 4):
        _run(tmp_path, "night", {f"strategy=variant_with_a_long_name_{i}": _walls(10 + i, seed=day + i)
                                 for i in range(5)}, day=day)
    res = load(tmp_path)
    df = trend.points(res.builds, res.manifests, sorted(res.manifests["run_id"]), "wall_s")
    fig = trend.history_figure(df)
    assert fig is not None and plots.clipped_texts(fig) == []
    assert trend.history(df.iloc[0:0], tmp_path / "empty") is None
