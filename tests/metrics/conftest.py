"""Fixtures of the metrics tests: the recorded runs, and real Prometheus/Pushgateway binaries on loopback.

The binaries come from Debian's `prometheus` and `prometheus-pushgateway` packages (installed
by setup). Without them these tests skip, or fail under --require-docker (CI), as engine tests do.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.results import Results, load

from . import servers

RECORDED = Path(__file__).resolve().parents[1] / "data" / "results"
RULES_DIR = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"


@pytest.fixture(scope="session")
def recorded() -> Results:
    """The real runs recorded by the harness in tests/data/results."""
    return load(RECORDED)


@pytest.fixture(scope="session")
def prom_binaries(request: pytest.FixtureRequest) -> None:
    """prometheus, promtool and prometheus-pushgateway on PATH; skip (or fail in CI) otherwise."""
    missing = servers.missing_binaries()
    if missing:
        message = f"not installed: {', '.join(missing)} (apt-get install prometheus prometheus-pushgateway)"
        if request.config.getoption("--require-docker") or os.environ.get("BENCH_REQUIRE_DOCKER") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@pytest.fixture
def pushgateway(prom_binaries: None, tmp_path: Path) -> Iterator[servers.Server]:
    """A real Pushgateway on 127.0.0.1:<free port>, stopped by pid after the test."""
    workdir = tmp_path / "pushgateway"
    workdir.mkdir()
    with servers.pushgateway(workdir) as server:
        yield server


@pytest.fixture
def prometheus(pushgateway: servers.Server, tmp_path: Path) -> Iterator[servers.Server]:
    """A real Prometheus on 127.0.0.1 scraping the Pushgateway every second, with bench's rules loaded."""
    workdir = tmp_path / "prometheus"
    workdir.mkdir()
    target = pushgateway.url.removeprefix("http://")
    with servers.prometheus(workdir, target, [RULES_DIR / "bench-rules.yml"]) as server:
        yield server
