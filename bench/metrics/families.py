"""Prometheus metric families from saved results: the newest run of each scenario and host, per variant.

Every number comes from bench.stats over the saved rows (the same functions the report
uses). A value that was not measured (no usable build, NaN, None) is left out, never
exported as 0. Series carry no run id: each variant keeps one series across nights, so
Prometheus holds its history and rules can compare a night with the week before; the run
id lives in `bench_run_info`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import pandas as pd
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from bench import stats
from bench.results import Results

PREFIX = "bench"
VARIANT_LABELS = ("scenario", "project", "strategy", "cache", "proxy", "change", "base", "runtime", "go", "host")
RUN_LABELS = ("scenario", "host")
OUTCOMES = ("ok", "invalid", "failed", "skipped")
# Where a run's host name may be recorded, first found wins.
HOST_KEYS = ("host", "engine.hostname")
# (metric stem, column, what it measures): median and quartiles over usable builds
TIMED = (
    ("build_duration", "wall_s", "build time (the measured docker buildx build)"),
    ("download_duration", "download_s", "download-step time (go mod download)"),
)
STATS = (("median", "median"), ("q1", "first quartile"), ("q3", "third quartile"))
# (metric name, column, what it measures): median over usable builds
SIZES = (
    ("image_unpacked_bytes", "image_unpacked_bytes", "unpacked image size (sum of history layer sizes)"),
    ("image_compressed_bytes", "image_compressed_bytes", "compressed image content size"),
    ("mirror_fetched_bytes", "mirror_bytes_sent", "bytes the module mirror served during the build"),
)
# The ratio's bounds are what bench.stats gives for the sample sizes: a 95% confidence
# interval with 5+ builds per side, else the min-max range; the `interval` label says which.
RATIOS = (("", "ratio", ""),
          ("_low", "ci_low", ": low end of its interval (label interval: range, exact or hodges_lehmann)"),
          ("_high", "ci_high", ": high end of its interval (label interval: range, exact or hodges_lehmann)"))


@dataclass(frozen=True)
class Run:
    """One run: its manifest (a row of Results.manifests), its build rows and its host."""

    manifest: Mapping[str, Any]
    builds: pd.DataFrame
    host: str

    @property
    def scenario(self) -> str:
        """The run's scenario name."""
        return str(self.manifest.get("scenario", ""))


def host_of(manifest: Mapping[str, Any]) -> str:
    """The host a run was made on (manifest `host`, else engine facts' `hostname`), or '' when not recorded."""
    for key in HOST_KEYS:
        value = manifest.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def newest_runs(res: Results) -> list[Run]:
    """The newest run of each (scenario, host) in `res`: one set of series per scenario and host."""
    if res.manifests.empty:
        return []
    newest: dict[tuple[str, str], dict[str, Any]] = {}
    for record in res.manifests.sort_values("started_at", kind="stable").to_dict("records"):
        m = {str(k): v for k, v in record.items()}
        newest[(str(m.get("scenario", "")), host_of(m))] = m
    out = []
    for (_, host), m in sorted(newest.items()):
        builds = res.builds[res.builds["run_id"] == m["run_id"]] if not res.builds.empty else res.builds
        out.append(Run(m, builds, host))
    return out


class _Families:
    """The metric families of some runs, built once; `registry` holds them for exposition and pushing."""

    def __init__(self) -> None:
        self.gauges: dict[str, GaugeMetricFamily] = {}
        self.infos: dict[str, InfoMetricFamily] = {}

    def gauge(self, name: str, doc: str, labels: Iterable[str], values: Iterable[str], value: Any) -> None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return  # unmeasured: no sample, never 0
        fam = self.gauges.setdefault(name, GaugeMetricFamily(f"{PREFIX}_{name}", doc, labels=list(labels)))
        fam.add_metric([str(v) for v in values], float(value))

    def info(self, name: str, doc: str, values: Mapping[str, str]) -> None:
        fam = self.infos.setdefault(name, InfoMetricFamily(f"{PREFIX}_{name}", doc, labels=[]))
        fam.add_metric([], {k: str(v) for k, v in values.items()})

    def collect(self) -> Iterator[Metric]:
        yield from self.infos.values()
        yield from self.gauges.values()


def registry(runs: Iterable[Run]) -> CollectorRegistry:
    """A CollectorRegistry holding the metrics of `runs` (at most one run per scenario and host)."""
    fams = _Families()
    for run in runs:
        _run_metrics(fams, run)
        for _, rows in run.builds.groupby("variant", sort=False):
            _variant_metrics(fams, run, rows)
        _verdict_metrics(fams, run)
    reg = CollectorRegistry(auto_describe=False)
    reg.register(cast(Collector, fams))  # a Collector by protocol: it has collect()
    return reg


def _run_metrics(fams: _Families, run: Run) -> None:
    key = (run.scenario, run.host)
    m = run.manifest
    fams.info("run", "The run whose numbers the bench_* series of this scenario and host show.", {
        "scenario": run.scenario, "host": run.host, "run_id": _text(m.get("run_id")), "status": _text(m.get("status")),
        "baseline": baseline_of(run), "harness_version": _text(m.get("harness_version")),
        "harness_commit": _text(m.get("harness_commit")), "project_commit": _text(m.get("project_commit")),
    })
    started, ended = _epoch(m.get("started_at")), _last_time(run)
    fams.gauge("last_run_timestamp_seconds", "When the newest run of this scenario on this host ended (Unix time).",
               RUN_LABELS, key, ended)
    duration = ended - started if ended is not None and started is not None else None
    fams.gauge("run_duration_seconds", "Wall time of the newest run, from its start to its end.", RUN_LABELS, key,
               duration)


def _variant_metrics(fams: _Families, run: Run, rows: pd.DataFrame) -> None:
    labels = variant_labels(run, rows.iloc[0].to_dict())
    ok = stats.usable(rows)
    for stem, column, what in TIMED:
        d = stats.describe(_values(ok, column))
        for stat, word in STATS:
            fams.gauge(f"{stem}_{stat}_seconds", f"{word.capitalize()} of the {what} over usable builds of a variant.",
                       VARIANT_LABELS, labels, d[stat])
    for name, column, what in SIZES:
        fams.gauge(name, f"Median over usable builds of a variant: {what}.", VARIANT_LABELS, labels,
                   stats.describe(_values(ok, column))["median"])
    counts = _outcomes(rows)
    for outcome in OUTCOMES:
        fams.gauge("variant_builds", "Builds of a variant in the run, by outcome (ok = usable; invalid = cache state "
                   "not as declared).", (*VARIANT_LABELS, "outcome"), (*labels, outcome), counts[outcome])
    ran = counts["ok"] + counts["invalid"] + counts["failed"]
    share = counts["failed"] / ran if ran else None
    fams.gauge("build_failure_ratio", "Share of a variant's builds that failed (failed / (ok + failed); skipped left "
               "out).", VARIANT_LABELS, labels, share)


def _verdict_metrics(fams: _Families, run: Run) -> None:
    """Median wall time of each variant over the baseline's, with the interval bench.stats gives."""
    base = baseline_of(run)
    if run.builds.empty or not base:
        return
    cmp = stats.compare_to_baseline(run.builds, "wall_s", base)
    first = run.builds.drop_duplicates("variant").set_index("variant")
    for _, c in cmp.iterrows():
        labels = variant_labels(run, first.loc[c["variant"]].to_dict())
        for suffix, column, what in RATIOS:
            names, values = (VARIANT_LABELS, labels) if not suffix else ((*VARIANT_LABELS, "interval"),
                                                                          (*labels, c["method"]))
            fams.gauge(f"build_duration_vs_baseline{suffix}_ratio", f"Median build time of a variant over the "
                       f"median of the run's baseline variant{what}.", names, values, c[column])


def baseline_of(run: Run) -> str:
    """The run's baseline variant: the first planned variant that has rows (as the report takes it)."""
    planned = run.manifest.get("variants")
    order = [*(planned if isinstance(planned, list) else []), *run.builds.get("variant", pd.Series(dtype=str))]
    present = set(run.builds["variant"]) if not run.builds.empty else set()
    return next((v for v in order if v in present), "")


def variant_labels(run: Run, row: Mapping[Any, Any]) -> tuple[str, ...]:
    """Label values of one variant, in VARIANT_LABELS order."""
    return tuple(run.host if k == "host" else _text(row.get(k)) for k in VARIANT_LABELS)


def _values(rows: pd.DataFrame, column: str) -> list[Any]:
    """A column's values; none when the rows do not have it (a schema without that measurement)."""
    return rows[column].tolist() if column in rows.columns else []


def _outcomes(rows: pd.DataFrame) -> dict[str, int]:
    valid = rows["valid"].astype(bool)
    ok = rows["status"] == "ok"
    return {"ok": int((ok & valid).sum()), "invalid": int((ok & ~valid).sum()),
            "failed": int((rows["status"] == "failed").sum()), "skipped": int((rows["status"] == "skipped").sum())}


def _last_time(run: Run) -> float | None:
    """The run's end (manifest ended_at), else the start of its last build, else its start."""
    builds = [t for t in map(_epoch, run.builds.get("started_at", pd.Series(dtype=object))) if t is not None]
    for t in (_epoch(run.manifest.get("ended_at")), max(builds, default=None), _epoch(run.manifest.get("started_at"))):
        if t is not None:
            return t
    return None


def _epoch(value: Any) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    t = datetime.fromisoformat(value)  # Python 3.11 reads a trailing Z too
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).timestamp()


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
