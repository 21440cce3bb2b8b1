"""The module-mirror table: measured download time beside what the profile's network should cost."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest

from bench import netmodel
from bench.report.mirrors import SPEC, proxy_table

LINKS = {"local": (0.0, 2, 0.0), "far_proxy": (180.0, 2, 20.0), "near_mirror": (10.0, 2, 200.0)}
TRAFFIC = {"mirror_requests_total": 345, "mirror_connections": 2, "mirror_bytes_sent": 100_231_428}


def _rows(downloads: dict[str, list[float]], run_id: str = "r1") -> pd.DataFrame:
    rows = []
    for proxy, times in downloads.items():
        for i, t in enumerate(times):
            rows.append({"build_id": f"{proxy}#r{i + 1}", "run_id": run_id, "variant": f"proxy={proxy}",
                         "proxy": proxy, "status": "ok", "valid": True, "wall_s": 150.0 + t, "download_s": t,
                         "engine_cpus": 2, "mirror_faults_total": 0, **TRAFFIC})
    return pd.DataFrame(rows)


def _manifest(proxies: list[str], run_id: str = "r1", **overrides: Any) -> pd.DataFrame:
    m: dict[str, Any] = {"run_id": run_id}
    for proxy in proxies:
        rtt, connect, bandwidth = LINKS[proxy]
        facts = {"kind": "mirror", "upstream": "", "rtt_ms": rtt, "connect_rtts": connect, "bandwidth_mbit": bandwidth}
        facts.update(overrides.get(proxy, {}))
        m.update({SPEC.format(variant=f"proxy={proxy}", field=k): v for k, v in facts.items()})
    return pd.DataFrame([m])


def _row(table: pd.DataFrame, proxy: str) -> dict[str, Any]:
    return table.set_index("proxy").loc[proxy].to_dict()


def test_the_expected_download_is_the_network_model_over_the_runs_own_local_download() -> None:
    b = _rows({"local": [8.0, 9.0, 10.0], "far_proxy": [100.0, 104.0, 108.0]})
    table = proxy_table(b, _manifest(["local", "far_proxy"]))
    assert table is not None
    far = _row(table, "far_proxy")
    # by hand: 9 s local + (345 requests + 2 connections x 2) x 180 ms / 2 = 31.41 s of round trips,
    # 100.23 MB x 8 / 20 Mbit/s = 40.09 s of transfer
    assert far["expected download s, overlapped"] == pytest.approx(9.0 + 40.0926, abs=0.01)
    assert far["expected download s, serial"] == pytest.approx(9.0 + 31.41 + 40.0926, abs=0.01)
    assert far["download s median"] == 104.0
    assert far["mirror MB"] == pytest.approx(100.23, abs=0.01)
    # the unshaped reference has no expectation of its own: it would only restate itself
    assert math.isnan(_row(table, "local")["expected download s, overlapped"])


def test_without_an_unshaped_profile_in_the_run_nothing_is_expected() -> None:
    """A local download from another run would carry that run's load and cache state: leave it unmeasured."""
    b = _rows({"near_mirror": [12.0, 13.0], "far_proxy": [100.0, 104.0]})
    table = proxy_table(b, _manifest(["near_mirror", "far_proxy"]))
    assert table is not None
    assert "expected download s, serial" not in table.columns
    assert _row(table, "far_proxy")["download s median"] == 102.0


def test_each_run_uses_its_own_reference() -> None:
    quiet = _rows({"local": [5.0], "far_proxy": [90.0]}, run_id="quiet")
    loaded = _rows({"local": [25.0], "far_proxy": [120.0]}, run_id="loaded")
    manifests = pd.concat([_manifest(["local", "far_proxy"], "quiet"), _manifest(["local", "far_proxy"], "loaded")])
    table = proxy_table(pd.concat([quiet, loaded], ignore_index=True), manifests)
    assert table is not None
    far = _row(table, "far_proxy")
    link = netmodel.Link(180.0, 2, 20.0)
    traffic = netmodel.Traffic(345, 2, 100_231_428)
    per_run = [netmodel.expected_download(link, traffic, local)[1] for local in (5.0, 25.0)]
    assert far["expected download s, serial"] == pytest.approx(sum(per_run) / 2)


def test_a_failed_build_is_not_part_of_the_expectation_and_a_chain_has_none() -> None:
    b = _rows({"local": [8.0], "far_proxy": [100.0, 300.0]})
    b.loc[b["build_id"] == "far_proxy#r2", "status"] = "failed"
    manifest = _manifest(["local", "far_proxy"], far_proxy={"kind": "chain"})
    table = proxy_table(b, manifest)
    assert table is not None
    far = _row(table, "far_proxy")
    assert far["download s median"] == 100.0 and far["failed"] == 1
    assert "expected download s, serial" not in table.columns


def test_the_model_overlaps_round_trips_with_transfer_at_most() -> None:
    link, traffic = netmodel.Link(100.0, 2, 8.0), netmodel.Traffic(10, 1, 1_000_000)
    low, high = netmodel.expected_download(link, traffic, 2.0, parallel=2)
    assert (low, high) == pytest.approx((2.0 + 1.0, 2.0 + 0.6 + 1.0))
    assert netmodel.expected_download(netmodel.Link(0.0), traffic, 2.0) == (2.0, 2.0)


def test_the_change_table_gives_the_download_step_only_where_it_ran() -> None:
    from bench.report.tables import change_table

    rows = []
    for change, download in (("none", None), ("source", None), ("gomod_bump", 40.0), ("gomod_bump", 44.0)):
        rows.append({"change": change, "strategy": "multistage", "status": "ok", "valid": True, "wall_s": 50.0,
                     "download_step_ran": download is not None, "download_s": download,
                     "mirror_requests_zip": 1 if download else 0, "mirror_bytes_sent": 10**8 if download else 0})
    table = change_table(pd.DataFrame(rows)).set_index("change")  # type: ignore[union-attr]
    assert table.loc["gomod_bump", "download s median"] == 42.0
    assert math.isnan(table.loc["source", "download s median"])  # not 0: no download was measured
