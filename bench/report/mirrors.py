"""The module-mirror table: per profile, what the download step cost, and what its network should cost.

The expected columns come from `bench.netmodel`: each build's own mirror counters (requests,
connections, bytes) on its profile's link (RTT, connect round trips, bandwidth, read from the
run's manifest), plus the unshaped download of the same run as the go command's own work. They
stay empty when the run has no unshaped profile to stand for that work, or the build's profile
is itself unshaped: a reference measured elsewhere would make the comparison lie.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from bench import netmodel, stats
from bench.report.tables import MB, col, median_of

SPEC = "variant_specs.{variant}.proxy.profile.{field}"  # json_normalize flattens the manifest's specs


def proxy_table(b: pd.DataFrame, manifests: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """Per mirror profile: build and download time, expected download time, MB fetched, faults, failures."""
    if b["proxy"].nunique() < 2:
        return None
    sent, faults = col(b, "mirror_bytes_sent", "mirror_bytes"), col(b, "mirror_faults_total", "mirror_faults")
    expected = _expected(stats.usable(b), manifests)
    rows = []
    for proxy, g in b.groupby("proxy", sort=False, observed=True):
        ok = stats.usable(g)
        ran = g[g["status"].isin(["ok", "failed"])]
        d = stats.describe(ok["wall_s"].tolist())
        low, high = (expected.loc[ok.index.intersection(expected.index), c] for c in ("low", "high"))
        rows.append({"proxy": proxy, "build s median": d["median"], "IQR s": d["iqr"],
                     "download s median": median_of(ok, "download_s"),
                     "expected download s, overlapped": _median(low), "expected download s, serial": _median(high),
                     "mirror MB": median_of(ok, sent, MB),
                     "faults injected": float(pd.to_numeric(g[faults], errors="coerce").sum()) if faults else np.nan,
                     "failed": int((ran["status"] == "failed").sum()), "ran": len(ran),
                     "skipped": int((g["status"] == "skipped").sum())})
    return pd.DataFrame(rows).dropna(axis=1, how="all")


def _median(values: pd.Series) -> float:
    return stats.describe(values.tolist())["median"]  # NaN, not 0, when nothing was measured


def _expected(ok: pd.DataFrame, manifests: pd.DataFrame | None) -> pd.DataFrame:
    """Per usable shaped build: the (low, high) download time its traffic should take on its link."""
    out: dict[Any, tuple[float, float]] = {}
    if manifests is None or manifests.empty or "run_id" not in manifests or "download_s" not in ok:
        return pd.DataFrame(columns=["low", "high"])
    for run_id, rows in ok.groupby("run_id", sort=False):
        specs = manifests[manifests["run_id"] == run_id]
        if specs.empty:
            continue
        links = {v: _link(specs.iloc[0], str(v)) for v in rows["variant"].unique()}
        unshaped = [_unshaped(links[v]) for v in rows["variant"]]
        local_s = _median(rows.loc[unshaped, "download_s"])
        if np.isnan(local_s):
            continue
        for i, r in rows.iterrows():
            link = links[r["variant"]]
            if link is None or not link.shaped or pd.isna(r["download_s"]):
                continue
            out[i] = netmodel.expected_download(link, _traffic(r), local_s, _parallel(r))
    return pd.DataFrame.from_dict(out, orient="index", columns=["low", "high"])


def _link(spec: pd.Series, variant: str) -> netmodel.Link | None:
    """The variant's link, when its profile is one shaped mirror (chains and upstreams have no single link)."""
    def fact(field: str) -> Any:
        return spec.get(SPEC.format(variant=variant, field=field))

    if fact("kind") != "mirror" or fact("upstream"):
        return None
    rtt, bandwidth, connect = fact("rtt_ms"), fact("bandwidth_mbit"), fact("connect_rtts")
    if rtt is None or pd.isna(rtt):
        return None
    return netmodel.Link(float(rtt), int(connect or 0), float(bandwidth or 0.0))


def _unshaped(link: netmodel.Link | None) -> bool:
    return link is not None and not link.shaped


def _traffic(r: pd.Series) -> netmodel.Traffic:
    def n(name: str) -> int:
        v = r.get(name)
        return 0 if v is None or pd.isna(v) else int(v)

    return netmodel.Traffic(n("mirror_requests_total"), n("mirror_connections"), n("mirror_bytes_sent"))


def _parallel(r: pd.Series) -> int:
    cpus = r.get("engine_cpus")
    return netmodel.PARALLEL if cpus is None or pd.isna(cpus) else int(cpus)
