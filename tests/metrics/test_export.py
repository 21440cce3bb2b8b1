"""What bench exports, from the recorded runs: every value equals what bench.stats computes from the same rows."""

from __future__ import annotations

import math
import os
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bench import metrics, stats
from bench.errors import UsageError
from bench.metrics.__main__ import main as metrics_main
from bench.results import Results

from .servers import PROMTOOL, free_port

AXES = ("scenario", "project", "strategy", "cache", "proxy", "change", "base", "runtime", "go")
Key = tuple[str, frozenset[tuple[str, str]]]


def exported(path: Path) -> dict[Key, float]:
    """Every sample of a textfile, keyed by name and labels."""
    out = {}
    for fam in text_string_to_metric_families(path.read_text()):
        for s in fam.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def expected(res: Results) -> dict[Key, float]:
    """The samples bench.stats gives for each variant of each run (NaN left out), without the run-level ones."""
    out: dict[Key, float] = {}

    def put(name: str, labels: dict[str, str], value: Any) -> None:
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            out[(name, frozenset(labels.items()))] = float(value)

    manifests = res.manifests.set_index("run_id")
    for run_id, b in res.builds.groupby("run_id"):
        cmp = stats.compare_to_baseline(b, "wall_s", manifests.loc[run_id, "variants"][0]).set_index("variant")
        for variant, g in b.groupby("variant"):
            labels = {**{k: str(g.iloc[0][k]) for k in AXES}, "host": ""}
            ok = stats.usable(g)
            for stem, column in (("build_duration", "wall_s"), ("download_duration", "download_s")):
                d = stats.describe(ok[column].tolist())
                for stat in ("median", "q1", "q3"):
                    put(f"bench_{stem}_{stat}_seconds", labels, d[stat])
            for name, column in (("image_unpacked_bytes", "image_unpacked_bytes"),
                                 ("image_compressed_bytes", "image_compressed_bytes"),
                                 ("mirror_fetched_bytes", "mirror_bytes_sent")):
                put(f"bench_{name}", labels, stats.describe(ok[column].tolist())["median"])
            failed, skipped = int((g["status"] == "failed").sum()), int((g["status"] == "skipped").sum())
            invalid = len(g) - len(ok) - failed - skipped
            for outcome, n in (("ok", len(ok)), ("invalid", invalid), ("failed", failed), ("skipped", skipped)):
                put("bench_variant_builds", {**labels, "outcome": outcome}, n)
            put("bench_build_failure_ratio", labels, failed / (len(g) - skipped) if len(g) > skipped else None)
            if variant in cmp.index:
                c = cmp.loc[variant]
                put("bench_build_duration_vs_baseline_ratio", labels, c["ratio"])
                put("bench_build_duration_vs_baseline_low_ratio", {**labels, "interval": c["method"]}, c["ci_low"])
                put("bench_build_duration_vs_baseline_high_ratio", {**labels, "interval": c["method"]}, c["ci_high"])
    return out


def test_every_variant_value_is_what_bench_stats_computes(recorded: Results, tmp_path: Path) -> None:
    path = tmp_path / "bench.prom"
    metrics.write_textfile(metrics.registry(metrics.newest_runs(recorded)), path)
    got = exported(path)
    want = expected(recorded)
    per_variant = {k: v for k, v in got.items() if not k[0].startswith(("bench_run", "bench_last_run"))}
    assert per_variant == want
    assert len(want) > 100  # three runs, ten variants: the comparison covers real data


def test_unmeasured_values_are_left_out_not_zero(recorded: Results, tmp_path: Path) -> None:
    path = tmp_path / "bench.prom"
    metrics.write_textfile(metrics.registry(metrics.newest_runs(recorded)), path)
    got = exported(path)
    assert not any(math.isnan(v) for v in got.values())
    failed = {k[0]: v for k, v in got.items() if ("proxy", "flaky_comma") in k[1] and ("outcome", "ok") not in k[1]}
    # the flaky_comma build failed: no time, size or ratio; its failure share and counts are measured
    assert set(failed) == {"bench_build_failure_ratio", "bench_variant_builds"}
    assert failed["bench_build_failure_ratio"] == 1.0
    # a single usable build has no interval: ratio only, no bounds (the invalid repetition is left out)
    one = {k[0] for k in got if {("scenario", "strategies"), ("strategy", "multistage"), ("change", "source")} <= k[1]}
    assert "bench_build_duration_vs_baseline_ratio" in one
    assert "bench_build_duration_vs_baseline_low_ratio" not in one


def test_run_metrics_name_the_run_and_its_end(recorded: Results, tmp_path: Path) -> None:
    path = tmp_path / "bench.prom"
    metrics.write_textfile(metrics.registry(metrics.newest_runs(recorded)), path)
    got = exported(path)
    for _, m in recorded.manifests.iterrows():
        key = frozenset({"scenario": m["scenario"], "host": ""}.items())
        assert got[("bench_last_run_timestamp_seconds", key)] == pd.Timestamp(m["ended_at"]).timestamp()
        info = [k for k in got if k[0] == "bench_run_info" and ("run_id", m["run_id"]) in k[1]]
        assert len(info) == 1 and ("baseline", m["variants"][0]) in info[0][1]


def test_promtool_accepts_the_textfile_and_rejects_a_bad_one(recorded: Results, tmp_path: Path,
                                                             prom_binaries: None) -> None:
    path = tmp_path / "bench.prom"
    metrics.write_textfile(metrics.registry(metrics.newest_runs(recorded)), path)
    good = subprocess.run([PROMTOOL, "check", "metrics"], input=path.read_bytes(), capture_output=True, timeout=60,
                          check=False)
    assert good.returncode == 0, good.stdout + good.stderr
    assert good.stdout.strip() == b"" and good.stderr.strip() == b""
    # the same check on names that break the conventions fails: the check above can fail
    bad_text = path.read_text().replace("bench_build_duration_median_seconds", "bench_buildDuration_median_ms")
    bad = subprocess.run([PROMTOOL, "check", "metrics"], input=bad_text.encode(), capture_output=True, timeout=60,
                         check=False)
    assert bad.returncode != 0 and b"camelCase" in bad.stdout + bad.stderr


def test_textfile_is_replaced_by_rename(recorded: Results, tmp_path: Path) -> None:
    path = tmp_path / "bench.prom"
    runs = metrics.newest_runs(recorded)
    metrics.write_textfile(metrics.registry(runs[:1]), path)
    first_inode, first = os.stat(path).st_ino, path.read_text()
    metrics.write_textfile(metrics.registry(runs), path)
    assert os.stat(path).st_ino != first_inode  # a new file renamed over the old, not rewritten in place
    assert path.read_text() != first and len(path.read_text()) > len(first)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bench.prom"]  # no temporary file left behind


def test_newest_run_per_scenario_and_host(recorded: Results) -> None:
    m = recorded.manifests
    strategies = m[m["scenario"] == "strategies"].iloc[0]
    later = strategies.copy()
    later["run_id"], later["started_at"] = "later", "2030-01-01T00:00:00+00:00"
    other_host = strategies.copy()
    other_host["run_id"], other_host["host"] = "elsewhere", "ci-2"
    manifests = pd.DataFrame([*m.to_dict("records"), later.to_dict(), other_host.to_dict()])
    runs = metrics.newest_runs(Results(recorded.builds, recorded.steps, manifests))
    picked = {(r.scenario, r.host): r.manifest["run_id"] for r in runs}
    assert picked[("strategies", "")] == "later"
    assert picked[("strategies", "ci-2")] == "elsewhere"
    assert len(picked) == 4


def test_unreachable_pushgateway_is_one_line_and_the_textfile_is_still_written(recorded: Results,
                                                                               tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    path = tmp_path / "bench.prom"
    with pytest.raises(metrics.PublishError) as err:
        metrics.publish(recorded, pushgateway=url, textfile=path)
    message = str(err.value)
    assert "\n" not in message and message.startswith(f"metrics.pushgateway: push to {url} failed")
    assert "results are saved in" in message and "refused" in message.lower()
    assert path.exists() and err.value.done == [f"metrics: wrote {path}"]


def test_textfile_in_a_missing_directory_is_a_publish_error(recorded: Results, tmp_path: Path) -> None:
    with pytest.raises(metrics.PublishError, match=r"^metrics.textfile: directory .*nowhere does not exist"):
        metrics.publish(recorded, textfile=tmp_path / "nowhere" / "bench.prom")


@pytest.mark.parametrize(("pushgateway", "textfile", "message"), [
    ("localhost:9091", None, r"^metrics.pushgateway: 'localhost:9091' is not an http\(s\) URL"),
    ("ftp://127.0.0.1:9091", None, r"^metrics.pushgateway: .* is not an http\(s\) URL"),
    (None, "bench.txt", r"^metrics.textfile: 'bench.txt' must end in .prom"),
    (None, "/nonexistent-dir/bench.prom", r"^metrics.textfile: directory /nonexistent-dir does not exist"),
])
def test_bad_outputs_name_the_key(pushgateway: str | None, textfile: str | None, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        metrics.validate(pushgateway, textfile)


def test_cli_without_an_output_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        metrics_main(["tests/data/results"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.strip() == "error: give --pushgateway URL, --textfile PATH, or both"
