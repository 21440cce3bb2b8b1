"""The statistics scripts run end to end on a few trials and print their tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> str:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    return done.stdout


def test_interval_coverage_prints_every_method() -> None:
    out = _run("scripts/interval_coverage.py", "--trials", "40")
    for word in ("range", "hodges_lehmann", "percentile bootstrap", "order_statistics"):
        assert word in out
    assert "5 vs 5" in out and "20 vs 20" in out


def test_power_measures_noise_and_prints_the_table() -> None:
    out = _run("scripts/power.py", "--trials", "20")
    assert "pooled sigma" in out and "strategy=multistage_cachemount" in out
    assert out.count("repetitions for 80% power") == 3
    assert "power t=0.2" in out and "false alarm t=0.05" in out
