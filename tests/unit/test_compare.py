"""The regression check on synthetic histories (rows written with the harness's own writer)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench import compare
from bench.results import load
from bench.rows import BuildRow
from bench.writer import RunWriter

RNG_SEED = 3


REPS = 6  # the nightly matrix's repetitions (conf/scenario/matrix.yaml)


def _night(
    root: Path, day: int, walls: list[float | None], size: int = 10_000_000, failed: int = 0, *,
    project: str = "service", host: str = "vm", dry: bool = False, status: str = "complete", run: str = "nightly",
) -> Path:
    run_id = f"2026-11-{day:02d}-{run}"
    w = RunWriter(root / run_id)
    w.write_manifest({
        "run_id": run_id, "scenario": "nightly", "started_at": f"2026-11-{day:02d}T02:00:00+00:00",
        "variants": ["strategy=multistage"], "dry_run": dry, "status": status, "host": host,
        "choices": {"project": project, "strategy": "multistage"},
        "config": {"project": {"name": project}, "compare": {"strategy": ["multistage"]}},
        "engine": {"hostname": host, "cpu_model": "AMD EPYC", "engine_version": "26.1.5"},
    })
    rng = np.random.default_rng(day)
    for i, wall in enumerate(walls + [None] * failed):
        row = BuildRow(
            build_id=f"strategy=multistage#r{i + 1}", run_id=run_id, scenario="nightly", variant="strategy=multistage",
            repetition=i + 1, project=project, strategy="multistage", cache="warm", proxy="local", change="source",
            base="local", runtime="static", go="1.23", wall_s=wall,
            download_s=float(0.5 * (1 + rng.normal(0, 0.05))) if wall else None,
            image_unpacked_bytes=size if wall else None, mirror={"mirror_bytes_sent": 400_000} if wall else None,
        )
        if dry:
            row.status, row.wall_s = "dry_run", None
        elif wall is None:
            row.status, row.failure_class = "failed", "network"
        w.append(row)
    return root / run_id


def _history(root: Path, nights: list[int], base: float, noise: float, rng: np.random.Generator) -> None:
    for day in nights:
        _night(root, day, list(base * (1 + rng.normal(0, noise, REPS))))


def _findings(root: Path, **kw: float) -> list[compare.Finding]:
    res = load(root)
    return compare.check(res.builds, res.manifests, **kw)


def _regressions(findings: list[compare.Finding]) -> dict[str, compare.Finding]:
    return {f.metric: f for f in findings if f.regression}


def test_a_30_percent_slowdown_with_low_noise_is_flagged(tmp_path: Path) -> None:
    rng = np.random.default_rng(RNG_SEED)
    _history(tmp_path, [1, 2, 3, 4, 5], 30.0, 0.02, rng)
    _night(tmp_path, 6, list(39.0 * (1 + rng.normal(0, 0.02, 5))))
    bad = _regressions(_findings(tmp_path))
    assert set(bad) == {"wall_s"}
    assert 1.25 < bad["wall_s"].ratio < 1.35 and bad["wall_s"].ci_low > 1.0
    assert "wall_s +3" in bad["wall_s"].sentence() and "REGRESSION" in bad["wall_s"].sentence()


def test_a_wobble_within_noise_is_not(tmp_path: Path) -> None:
    rng = np.random.default_rng(RNG_SEED)
    _history(tmp_path, [1, 2, 3, 4, 5], 30.0, 0.12, rng)
    _night(tmp_path, 6, list(30.0 * (1 + rng.normal(0, 0.12, 5))))  # the same machine, 12% noise
    assert _regressions(_findings(tmp_path)) == {}


def test_a_10_percent_slowdown_counts_only_beyond_the_threshold(tmp_path: Path) -> None:
    rng = np.random.default_rng(RNG_SEED)
    _history(tmp_path, [1, 2, 3, 4, 5], 30.0, 0.02, rng)
    _night(tmp_path, 6, list(33.0 * (1 + rng.normal(0, 0.02, 6))))
    assert set(_regressions(_findings(tmp_path))) == {"wall_s"}  # clearly above 5%
    assert _regressions(_findings(tmp_path, threshold=0.2)) == {}  # not clearly above 20%


def test_an_image_one_layer_larger_is_flagged(tmp_path: Path) -> None:
    rng = np.random.default_rng(RNG_SEED)
    for day in [1, 2, 3]:
        _night(tmp_path, day, list(30 * (1 + rng.normal(0, 0.02, 3))))
    _night(tmp_path, 4, list(30 * (1 + rng.normal(0, 0.02, 3))), size=10_000_000 + 2_300_000)  # one more 2.3 MB layer
    bad = _regressions(_findings(tmp_path))
    assert set(bad) == {"image_unpacked_bytes"}
    assert "image_unpacked_bytes +23%" in bad["image_unpacked_bytes"].sentence()


def test_a_missing_night_does_not_break_the_window(tmp_path: Path) -> None:
    rng = np.random.default_rng(RNG_SEED)
    _history(tmp_path, [1, 2, 4, 5], 30.0, 0.02, rng)  # night 3 never ran
    _night(tmp_path, 6, list(30.0 * (1 + rng.normal(0, 0.02, 5))))
    findings = _findings(tmp_path)
    assert {f.metric for f in findings} >= {"wall_s", "image_unpacked_bytes", "mirror_bytes_sent", "failure_share"}
    assert _regressions(findings) == {}


def test_failures_appearing_are_flagged(tmp_path: Path) -> None:
    rng = np.random.default_rng(RNG_SEED)
    _history(tmp_path, [1, 2], 30.0, 0.02, rng)
    _night(tmp_path, 3, list(30.0 * (1 + rng.normal(0, 0.02, 3))), failed=2)
    bad = _regressions(_findings(tmp_path))
    assert set(bad) == {"failure_share"} and bad["failure_share"].newest == pytest.approx(0.4)


def test_cli_exit_codes_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(RNG_SEED)
    _history(tmp_path / "r", [1, 2, 3], 30.0, 0.02, rng)
    compare.main([str(tmp_path / "r"), "--out", str(tmp_path / "out")])  # no regression: returns normally
    _night(tmp_path / "r", 4, list(45.0 * (1 + rng.normal(0, 0.02, 5))))
    with pytest.raises(SystemExit) as err:
        compare.main([str(tmp_path / "r"), "--out", str(tmp_path / "out")])
    assert err.value.code == 1
    assert "REGRESSION: nightly strategy=multistage wall_s +" in capsys.readouterr().out
    assert "<table" in (tmp_path / "out" / "compare.html").read_text()


def test_only_like_is_compared_and_dry_runs_sweeps_and_samples_are_not_history(tmp_path: Path) -> None:
    rng = np.random.default_rng(RNG_SEED)
    _history(tmp_path, [1, 2, 3, 4, 5], 30.0, 0.02, rng)
    _night(tmp_path, 6, list(90.0 * (1 + rng.normal(0, 0.02, REPS))), project="large", run="sweep")  # a one-off
    _night(tmp_path, 7, [], dry=True, run="dry")  # planned, measured nothing
    _night(tmp_path, 8, list(60.0 * (1 + rng.normal(0, 0.02, REPS))), host="other-host", run="elsewhere")
    _night(tmp_path / "samples", 9, list(45.0 * (1 + rng.normal(0, 0.02, REPS))), run="sample")
    findings = _findings(tmp_path)
    assert _regressions(findings) == {}  # large vs service, another host, the sample: none is compared
    newest = {f.newest_run for f in findings if f.metric == "wall_s"}
    assert newest == {"2026-11-05-nightly"}  # the nightly group's newest, compared with its own window
    assert "2026-11-07-dry" not in {f.newest_run for f in findings}
    with_samples = _regressions(_findings(tmp_path, include_samples=True))
    assert set(with_samples) == {"wall_s"}  # the sample is like the nightly (same host): 1.5x, flagged


def test_a_variant_with_no_usable_build_is_a_finding(tmp_path: Path) -> None:
    rng = np.random.default_rng(RNG_SEED)
    _history(tmp_path, [1, 2], 30.0, 0.02, rng)
    _night(tmp_path, 3, [], failed=REPS)
    bad = _regressions(_findings(tmp_path))
    assert "usable_builds" in bad and "failed 6" in bad["usable_builds"].note


def test_skipped_and_invalid_rows_count_in_the_failure_share() -> None:
    import pandas as pd

    rows = pd.DataFrame({"status": ["ok", "ok", "skipped", "failed", "ok", "dry_run"],
                         "valid": [True, False, True, True, True, True]})
    assert compare.failure_share(rows) == pytest.approx(3 / 5)


def test_expect_newest_fails_when_the_nightly_did_not_land(tmp_path: Path) -> None:
    rng = np.random.default_rng(RNG_SEED)
    _history(tmp_path, [1, 2, 3], 30.0, 0.02, rng)
    mine = _night(tmp_path, 4, [], dry=True, run="tonight")  # tonight's job measured nothing
    with pytest.raises(SystemExit) as err:
        compare.main([str(tmp_path), "--expect-newest", str(mine), "--out", str(tmp_path / "out")])
    assert err.value.code == 2
    ok = _night(tmp_path, 5, list(30.0 * (1 + rng.normal(0, 0.02, REPS))), run="tonight")
    compare.main([str(tmp_path), "--expect-newest", str(ok), "--out", str(tmp_path / "out")])
    import json

    import jsonschema

    doc = json.loads((tmp_path / "out" / "compare.json").read_text())
    assert doc["version"] == 1 and doc["findings"] and doc["regressions"] == []
    schema = json.loads((Path(compare.__file__).parent / "compare.schema.json").read_text())
    jsonschema.validate(doc, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**doc, "version": 2}, schema)


def test_expect_newest_judges_by_run_identity(tmp_path: Path) -> None:
    rng = np.random.default_rng(RNG_SEED)
    _history(tmp_path, [1, 2, 3], 30.0, 0.02, rng)
    mine = _night(tmp_path, 4, list(30.0 * (1 + rng.normal(0, 0.02, REPS))), run="tonight")
    # A later ad-hoc run of the same scenario on another project: another identity, not what tonight compares with.
    _night(tmp_path, 5, list(60.0 * (1 + rng.normal(0, 0.02, REPS))), project="large", run="adhoc")
    compare.main([str(tmp_path), "--expect-newest", str(mine), "--out", str(tmp_path / "out")])
    later = _night(tmp_path, 6, list(30.0 * (1 + rng.normal(0, 0.02, REPS))), run="later")  # same identity, newer
    with pytest.raises(SystemExit) as err:
        compare.main([str(tmp_path), "--expect-newest", str(mine), "--out", str(tmp_path / "out")])
    assert err.value.code == 2 and later.exists()
