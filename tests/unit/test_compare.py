"""The regression check on synthetic histories (rows written with the harness's own writer)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench import compare
from bench.results import BuildRow, RunWriter, load

RNG_SEED = 3


def _night(root: Path, day: int, walls: list[float], size: int = 10_000_000, failed: int = 0) -> None:
    run_id = f"2026-11-{day:02d}-nightly"
    w = RunWriter(root / run_id)
    w.write_manifest({"run_id": run_id, "scenario": "nightly", "started_at": f"2026-11-{day:02d}T02:00:00+00:00",
                      "variants": ["strategy=multistage"]})
    for i, wall in enumerate(walls + [None] * failed):
        row = BuildRow(
            build_id=f"strategy=multistage#r{i + 1}", run_id=run_id, scenario="nightly", variant="strategy=multistage",
            repetition=i + 1, project="service", strategy="multistage", cache="warm", proxy="local", change="source",
            base="local", runtime="static", go="1.23", wall_s=wall, download_s=0.5 if wall else None,
            image_unpacked_bytes=size if wall else None, mirror_bytes=400_000 if wall else 0,
        )
        if wall is None:
            row.status, row.failure_class = "failed", "network"
        w.append(row)


def _history(root: Path, nights: list[int], base: float, noise: float, rng: np.random.Generator) -> None:
    for day in nights:
        _night(root, day, list(base * (1 + rng.normal(0, noise, 5))))


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


def test_a_10_percent_wobble_within_noise_is_not(tmp_path: Path) -> None:
    rng = np.random.default_rng(RNG_SEED)
    _history(tmp_path, [1, 2, 3, 4, 5], 30.0, 0.12, rng)
    _night(tmp_path, 6, list(33.0 * (1 + rng.normal(0, 0.12, 5))))
    assert _regressions(_findings(tmp_path)) == {}


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
    assert {f.metric for f in findings} >= {"wall_s", "image_unpacked_bytes", "mirror_bytes", "failure_share"}
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
