"""Recorded runs pushed to a real Pushgateway, scraped by a real Prometheus, read back through its HTTP API."""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bench import metrics, stats
from bench.results import Results

from . import servers
from .servers import Server, api, query_until

HOST = "bench-ci"


def on_host(res: Results, host: str = HOST) -> Results:
    """The same runs, recorded as made on `host` (the manifest's `host` field)."""
    return Results(res.builds, res.steps, res.manifests.assign(host=host))


def run_of(res: Results, scenario: str) -> Results:
    """One scenario's run out of the recorded ones."""
    m = res.manifests[res.manifests["scenario"] == scenario]
    return Results(res.builds[res.builds["run_id"].isin(m["run_id"])], res.steps, m)


def median_wall(builds: pd.DataFrame, **axes: str) -> float:
    """What bench.stats says the median build time of the usable rows with these axis values is."""
    rows = builds[(builds[list(axes)] == pd.Series(axes)).all(axis=1)]
    return stats.describe(stats.usable(rows)["wall_s"].tolist())["median"]


def value(result: list[dict[str, Any]]) -> float:
    """The single value of an instant-query result."""
    assert len(result) == 1, result
    return float(result[0]["value"][1])


def test_a_pushed_run_is_scraped_and_read_back(recorded: Results, pushgateway: Server, prometheus: Server) -> None:
    lines = metrics.publish(on_host(recorded), pushgateway=pushgateway.url)
    assert len(lines) == 3 and all(line.startswith("metrics: pushed ") for line in lines)
    promql = 'bench_build_duration_median_seconds{scenario="strategies",strategy="multistage",change="source"}'
    result = query_until(prometheus, promql)
    assert value(result) == median_wall(recorded.builds, scenario="strategies", strategy="multistage", change="source")
    labels = result[0]["metric"]
    assert (labels["job"], labels["host"], labels["go"], labels["cache"]) == ("bench", HOST, "1.23", "warm")
    scenarios = query_until(prometheus, "count by (scenario) (bench_last_run_timestamp_seconds)", want=3)
    assert sorted(r["metric"]["scenario"] for r in scenarios) == ["caches", "proxies", "strategies"]


def test_each_night_stays_in_prometheus_history(recorded: Results, pushgateway: Server, prometheus: Server) -> None:
    night1 = on_host(run_of(recorded, "caches"))
    # the next night: the same scenario and host, made of the first repetitions of the same real rows
    later = night1.manifests.assign(run_id="night-2", started_at="2026-11-28T23:52:10+00:00",
                                    ended_at="2026-11-28T23:53:10+00:00")
    night2 = Results(night1.builds[night1.builds["repetition"] == 1].assign(run_id="night-2"), night1.steps, later)
    v1 = median_wall(night1.builds, cache="none")
    v2 = median_wall(night2.builds, cache="none")
    assert v1 != v2
    metrics.publish(on_host(run_of(recorded, "strategies")), pushgateway=pushgateway.url)
    promql = 'bench_build_duration_median_seconds{scenario="caches",cache="none"}'
    for night, want in ((night1, v1), (night2, v2)):
        metrics.publish(night, pushgateway=pushgateway.url)
        assert _until(lambda: query_until(prometheus, promql), want) == want
    # the Pushgateway holds only the newest night of the group; Prometheus holds both
    pushed = _pushed_values(pushgateway, "bench_build_duration_median_seconds", scenario="caches", cache="none")
    assert pushed == [v2]
    assert value(query_until(prometheus, f"max_over_time({promql}[10m])")) == max(v1, v2)
    assert value(query_until(prometheus, f"min_over_time({promql}[10m])")) == min(v1, v2)
    info = query_until(prometheus, 'bench_run_info{scenario="caches"}')
    assert [r["metric"]["run_id"] for r in info] == ["night-2"]  # the replaced night is stale, not current
    assert query_until(prometheus, 'bench_run_info{scenario="strategies"}')  # other groups untouched


def test_rules_evaluate_and_a_real_failed_build_fires_the_alert(recorded: Results, pushgateway: Server,
                                                                prometheus: Server) -> None:
    metrics.publish(on_host(recorded), pushgateway=pushgateway.url)
    proxies = run_of(recorded, "proxies").builds
    ran = proxies[proxies["status"].isin(["ok", "failed"])]
    share = float((ran["status"] == "failed").mean())
    assert share > 0.05  # the recorded flaky_comma build failed
    deadline = time.monotonic() + 30
    while True:
        alerts = [a for a in api(prometheus, "alerts")["alerts"] if a["state"] == "firing"]
        if alerts or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert [(a["labels"]["alertname"], a["labels"]["scenario"], a["labels"]["host"]) for a in alerts] == [
        ("BenchFailureShareHigh", "proxies", HOST)]
    assert float(alerts[0]["value"]) == pytest.approx(share, rel=1e-9)
    assert value(query_until(prometheus, 'bench:build_failure:ratio{scenario="strategies"}')) == 0.0
    rules = [r for g in api(prometheus, "rules")["groups"] for r in g["rules"]]
    assert len(rules) == 6 and {r["health"] for r in rules} == {"ok"}


def _until(query: Any, want: float, timeout: float = 30.0) -> float | None:
    """The query's single value once it equals `want` (a new push reaches Prometheus with the next scrape)."""
    deadline = time.monotonic() + timeout
    got = None
    while time.monotonic() < deadline:
        result = query()
        got = float(result[0]["value"][1]) if len(result) == 1 else None
        if got == want:
            break
        time.sleep(0.5)
    return got


def _pushed_values(pushgateway: Server, name: str, **labels: str) -> list[float]:
    """Values of `name` with these labels that the Pushgateway serves right now."""
    text = servers.get(f"{pushgateway.url}/metrics").decode()
    return [s.value for fam in text_string_to_metric_families(text) for s in fam.samples
            if s.name == name and labels.items() <= s.labels.items()]
