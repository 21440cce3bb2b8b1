"""Every script in scripts/ runs end to end (a crash in one of them is a bug like any other; issue 11).

The statistics scripts are run in tests/unit/test_analysis_scripts.py; these need the engine (or a
browser) and run with the smallest arguments that still exercise their whole path.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.paths import REPO_ROOT

pytestmark = pytest.mark.engine

SCRIPTS = REPO_ROOT / "scripts"
COVERED = {"bench_overhead.py", "bench_adaptive.py", "otel_spans.py", "bench_mirror.py", "report_screenshot.py",
           "interval_coverage.py", "power.py"}


def _run(*args: str, timeout: float = 900) -> str:
    done = subprocess.run([sys.executable, *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout,
                          check=False)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    return done.stdout


def test_every_script_is_smoke_tested() -> None:
    assert {p.name for p in SCRIPTS.glob("*.py")} == COVERED


def test_bench_overhead(base_images: object) -> None:
    out = _run("scripts/bench_overhead.py", "--project", "hello", "--pairs", "1")
    assert "median recorded wall" in out and "ratio" in out and "harness cost per build" in out


def test_bench_adaptive(base_images: object, tmp_path: Path) -> None:
    # the script's mechanics (two real runs, verdicts read back, builds counted) on one cold hello build each
    out = _run("scripts/bench_adaptive.py", "--scenario", "singlestage", "--fixed", "1", "--results", str(tmp_path),
               "project=hello", "compare.strategy=[multistage]", "startup_runs=0", "adaptive.min_repetitions=1",
               "adaptive.max_repetitions=1")
    assert "measured builds: fixed 1, auto 1" in out and "verdicts the same" in out


def test_otel_spans(base_images: object) -> None:
    out = _run("scripts/otel_spans.py")
    assert "spans from this engine's buildx" in out and "moby.buildkit.v1.Control/Solve" in out
    assert "RUN CGO_ENABLED=0 go build" in out


def test_bench_mirror(base_images: object) -> None:
    out = _run("scripts/bench_mirror.py", "--preset", "small", "--runs", "1", "--max-ratio", "100")
    assert "file://" in out and "ratio" in out


def test_report_screenshot(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    from bench.report import browser
    from tests.conftest import skip_or_fail

    if (reason := browser.missing()) is not None:
        skip_or_fail(request.config, reason)
    sample = next((REPO_ROOT / "results" / "samples").iterdir())
    _run("scripts/report_screenshot.py", str(sample), "--out", str(tmp_path / "shot.png"), timeout=300)
    assert (tmp_path / "shot.png").stat().st_size > 10_000
