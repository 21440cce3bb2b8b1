"""A nightly-style run with both metric outputs lands in a real Prometheus on loopback (issue 17's Done-when).

`python -m bench ... metrics.pushgateway=<url> metrics.textfile=<path>` against the real engine;
Prometheus scrapes the Pushgateway; the value read back through its query API is what
bench.stats computes from the rows the run wrote; the textfile passes `promtool check metrics`;
with `log_format=json` every line the run logged parses as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import stats
from bench.paths import REPO_ROOT
from bench.results import load

from . import servers

pytestmark = pytest.mark.engine


def test_a_nightly_run_lands_in_prometheus_and_its_log_is_json(
    base_images: object, prometheus: servers.Server, pushgateway: servers.Server, tmp_path: Path
) -> None:
    textfile = tmp_path / "textfile" / "bench_nightly.prom"
    textfile.parent.mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "name=nightly", "project=hello", "strategy=multistage", "cache=warm",
         "change=none", "repetitions=2", "startup_runs=0", f"results_dir={tmp_path / 'results'}",
         f"metrics.pushgateway={pushgateway.url}", f"metrics.textfile={textfile}", "log_format=json"],
        capture_output=True, text=True, timeout=900, cwd=REPO_ROOT, env={**os.environ}, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    events = [json.loads(line) for line in proc.stderr.splitlines() if line.strip()]  # every line is JSON
    assert {e["event"] for e in events} >= {"message", "build"}
    builds = [e for e in events if e["event"] == "build"]
    assert len(builds) == 2 and all(e["run_id"] and e["wall_s"] > 0 for e in builds)
    rows = load(tmp_path / "results").builds
    expected = stats.describe(stats.usable(rows)["wall_s"].tolist())["median"]
    found = servers.query_until(prometheus, 'bench_build_duration_median_seconds{scenario="nightly",project="hello"}')
    assert float(found[0]["value"][1]) == pytest.approx(expected, rel=1e-6)
    check = subprocess.run(["promtool", "check", "metrics"], input=textfile.read_text(), capture_output=True,
                           text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
