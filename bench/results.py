"""Saved runs loaded back into pandas: any number of run directories, selected by scenario, date, commit.

Rows written by older versions of the harness are upgraded on load, step by step (asv's
way): `migrate` brings each row to the current `SCHEMA_VERSION`.
"""

from __future__ import annotations

import dataclasses
import glob
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from bench.rows import SCHEMA_VERSION, BuildRow, StepRow, columns
from bench.writer import BUILDS, MANIFEST, STEPS, read_lines

FRESH_RUNNER_V1 = ("inline", "local_max", "registry_max")  # the fresh-runner modes before options said so


@dataclass
class Results:
    """Builds, steps and manifests of any number of runs."""

    builds: pd.DataFrame
    steps: pd.DataFrame
    manifests: pd.DataFrame


def _v1_to_v2(row: dict[str, Any]) -> dict[str, Any]:
    """Schema 2: mirror columns named by the mirror's own mapping, warnings as a list of kinds."""
    renames = {"mirror_list": "mirror_requests_list", "mirror_info": "mirror_requests_info",
               "mirror_mod": "mirror_requests_mod", "mirror_zip": "mirror_requests_zip",
               "mirror_requests": "mirror_requests_total", "mirror_bytes": "mirror_bytes_sent",
               "mirror_faults": "mirror_faults_total", "mirror_seconds": "mirror_busy_seconds"}
    out = {renames.get(k, k): v for k, v in row.items()}
    text = out.get("warnings") or ""
    out["warnings"], out["notes"] = (["legacy"], [text]) if text else ([], [])
    out.setdefault("fresh_runner", out.get("cache") in FRESH_RUNNER_V1)
    if out.get("proxy", "").startswith("upstream_"):  # v1 wrote 0 where no mirror measured anything
        out = {k: (None if k.startswith("mirror_") else v) for k, v in out.items()}
    out["schema_version"] = 2
    return out


def _v2_to_v3(row: dict[str, Any]) -> dict[str, Any]:
    """Schema 3: download_s only when the step ran (a cached step's milliseconds are not a download time)."""
    out = dict(row)
    out.setdefault("attest", "default")  # every earlier build had buildx's default provenance attestation
    if out.get("download_step_ran") is False:
        out["download_s"] = None
    out["schema_version"] = 3
    return out


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2, 2: _v2_to_v3}


def migrate(row: dict[str, Any]) -> dict[str, Any]:
    """Bring a stored build row to the current schema version."""
    version = int(row.get("schema_version") or 1)
    if version > SCHEMA_VERSION:
        raise ValueError(f"a row of schema {version} is newer than this harness ({SCHEMA_VERSION}); upgrade bench")
    while version < SCHEMA_VERSION:
        row = MIGRATIONS[version](row)
        version = row["schema_version"]
    return row


def run_dirs(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """Run directories under the given paths or globs (any folder holding a manifest)."""
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    found: set[Path] = set()
    for item in items:
        for match in glob.glob(str(item)) or []:
            p = Path(match)
            if (p / MANIFEST).exists():
                found.add(p)
            elif p.is_dir():
                found.update(m.parent for m in p.rglob(MANIFEST))
    return sorted(found)


def load(
    paths: str | Path | Iterable[str | Path] = "results",
    *,
    scenario: str | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    commit: str | None = None,
) -> Results:
    """Load runs into DataFrames, optionally selecting by scenario, start date range and project commit."""
    manifests: list[dict[str, Any]] = []
    builds: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    for d in run_dirs(paths):
        m = json.loads((d / MANIFEST).read_text())
        if not _selected(m, scenario, since, until, commit):
            continue
        m["run_dir"] = str(d)
        manifests.append(m)
        b = [migrate(r) for r in read_lines(d / BUILDS)] if (d / BUILDS).exists() else []
        b = list({r["build_id"]: r for r in b}.values())  # a build redone by a resume: its newer row counts
        builds.extend({**r, "run_dir": str(d)} for r in b)
        ids = {r["build_id"] for r in b}
        if (d / STEPS).exists():
            steps.extend({**s, "run_id": m.get("run_id", "")} for s in read_lines(d / STEPS) if s["build_id"] in ids)
    frame = pd.DataFrame(builds, columns=columns(BuildRow) if not builds else None)
    return Results(
        builds=typed_builds(frame, [v for m in manifests for v in (m.get("variants") or [])]),
        steps=pd.DataFrame(steps, columns=columns(StepRow) if not steps else None),
        manifests=pd.json_normalize(manifests) if manifests else pd.DataFrame(),
    )


AXIS_COLUMNS = ("project", "strategy", "cache", "proxy", "change", "base", "runtime", "attest")
BOOL_COLUMNS = ("valid", "download_step_ran", "expected_download", "fresh_runner")


def typed_builds(b: pd.DataFrame, plan_order: list[str]) -> pd.DataFrame:
    """Columns with the types their values have: nullable integers and booleans (unmeasured stays NA),
    UTC datetimes, and the variant and axes as categoricals in plan order (the baseline first)."""
    b = b.copy()
    ints = [f.name for f in dataclasses.fields(BuildRow) if f.type in ("int", "int | None")]
    ints += [c for c in b.columns if c.startswith("mirror_") and not c.endswith("seconds")]
    for col in ints:
        if col in b:
            b[col] = pd.to_numeric(b[col], errors="coerce").astype("Int64")
    for col in BOOL_COLUMNS:
        if col in b:
            b[col] = b[col].astype("boolean")
    if "started_at" in b:
        b["started_at"] = pd.to_datetime(b["started_at"], utc=True, errors="coerce", format="ISO8601")
    order = list(dict.fromkeys([*plan_order, *b.get("variant", pd.Series(dtype=str)).dropna()]))
    if "variant" in b:
        b["variant"] = pd.Categorical(b["variant"], categories=[v for v in order if v in set(b["variant"])])
    for col in AXIS_COLUMNS:
        if col in b:
            b[col] = pd.Categorical(b[col], categories=list(dict.fromkeys(b[col].dropna())))
    return b


def _selected(m: Mapping[str, Any], scenario: str | None, since: Any, until: Any, commit: str | None) -> bool:
    if scenario is not None and m.get("scenario") != scenario:
        return False
    if commit is not None and not str(m.get("project_commit", "")).startswith(commit):
        return False
    started = _as_time(m.get("started_at"))
    if since is not None and (started is None or started < _as_time(since)):  # type: ignore[operator]
        return False
    if until is not None and (started is None or started > _as_time(until)):  # type: ignore[operator]
        return False
    return True


def _as_time(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    t = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=UTC)
