"""The result record, written row by row as builds finish, and loaded back into pandas.

A run directory holds `manifest.json` (config, engine facts, start/end, schema version),
`builds.jsonl` (one flat row per build) and `steps.jsonl` (one row per Dockerfile step).
Rows are appended and fsync'ed the moment a build ends, so a crash loses at most the
build in flight.
"""

from __future__ import annotations

import dataclasses
import glob
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
BUILDS = "builds.jsonl"
STEPS = "steps.jsonl"


@dataclass
class StepRow:
    """One Dockerfile step of one build."""

    build_id: str
    index: int
    stage: str
    step: int
    steps_in_stage: int
    instruction: str
    started_s: float | None
    ended_s: float | None
    duration_s: float | None
    cached: bool
    error: str = ""


@dataclass
class BuildRow:
    """One build: every axis value, every measurement, every warning. Flat, so it is one DataFrame row."""

    build_id: str
    run_id: str
    scenario: str
    variant: str
    repetition: int
    project: str
    strategy: str
    cache: str
    proxy: str
    change: str
    base: str
    runtime: str
    go: str
    started_at: str = ""
    change_detail: str = ""
    setup_s: float | None = None  # cache state and change, before the measured build
    wall_s: float | None = None  # the measured `docker buildx build`, timed around the CLI
    measure_s: float | None = None  # after the build: parsing, image inspection, start-up runs
    status: str = "ok"  # ok | failed | skipped
    failure_class: str = ""  # network | checksum | compile | timeout | engine | other
    log_tail: str = ""
    steps_total: int = 0
    steps_cached: int = 0
    download_step_ran: bool | None = None
    download_s: float | None = None
    image: str = ""
    image_compressed_bytes: int | None = None
    image_unpacked_bytes: int | None = None
    image_layers: int | None = None
    startup_s: float | None = None
    startup_runs: int = 0
    mirror_requests: int = 0
    mirror_list: int = 0
    mirror_info: int = 0
    mirror_mod: int = 0
    mirror_zip: int = 0
    mirror_bytes: int = 0
    mirror_faults: int = 0
    mirror_unauthorized: int = 0  # 401 answers of a private mirror (the go command then sends .netrc)
    mirror_seconds: float = 0.0
    valid: bool = True
    invalid_reason: str = ""
    warnings: str = ""
    harness_version: str = ""
    harness_commit: str = ""
    schema_version: int = SCHEMA_VERSION
    engine: dict[str, Any] = field(default_factory=dict)

    def flat(self) -> dict[str, Any]:
        """The row as one flat dict; engine facts become `engine_*` columns."""
        row = dataclasses.asdict(self)
        facts = row.pop("engine")
        row.update({k if k.startswith("engine_") else f"engine_{k}": v for k, v in facts.items()})
        return row


class RunWriter:
    """Appends rows to a run directory as builds finish."""

    def __init__(self, run_dir: Path) -> None:
        self.dir = Path(run_dir)
        self.dir.mkdir(parents=True, exist_ok=True)

    def write_manifest(self, manifest: Mapping[str, Any]) -> None:
        """Write (or rewrite) the manifest atomically, with the schema version."""
        data = {"schema_version": SCHEMA_VERSION, **manifest}
        tmp = self.dir / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(data, indent=2, default=str) + "\n")
        os.replace(tmp, self.dir / MANIFEST)

    def append(self, build: BuildRow, steps: Iterable[StepRow] = ()) -> None:
        """Append a build and its steps; on disk when this returns."""
        _append_lines(self.dir / STEPS, (dataclasses.asdict(s) for s in steps))
        _append_lines(self.dir / BUILDS, [build.flat()])

    def completed_build_ids(self) -> set[str]:
        """Build ids already on disk (for resuming an interrupted run)."""
        path = self.dir / BUILDS
        if not path.exists():
            return set()
        return {r["build_id"] for r in _read_lines(path)}


def _append_lines(path: Path, rows: Iterable[Mapping[str, Any]]) -> None:
    lines = "".join(json.dumps(r, default=str) + "\n" for r in rows)
    if not lines:
        return
    if _ends_mid_line(path):
        lines = "\n" + lines  # a crash cut the last line short: never glue a new row onto it
    with open(path, "a", encoding="utf-8") as f:
        f.write(lines)
        f.flush()
        os.fsync(f.fileno())


def _ends_mid_line(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) != b"\n"


def _read_lines(path: Path) -> list[dict[str, Any]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line cut short by a crash: the build in flight, not counted
    return rows


@dataclass
class Results:
    """Builds, steps and manifests of any number of runs."""

    builds: pd.DataFrame
    steps: pd.DataFrame
    manifests: pd.DataFrame


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
    manifests, builds, steps = [], [], []
    for d in run_dirs(paths):
        m = json.loads((d / MANIFEST).read_text())
        if not _selected(m, scenario, since, until, commit):
            continue
        m["run_dir"] = str(d)
        manifests.append(m)
        b = _read_lines(d / BUILDS) if (d / BUILDS).exists() else []
        builds.extend({**r, "run_dir": str(d)} for r in b)
        ids = {r["build_id"] for r in b}
        if (d / STEPS).exists():
            steps.extend({**s, "run_id": m.get("run_id", "")} for s in _read_lines(d / STEPS) if s["build_id"] in ids)
    return Results(
        builds=pd.DataFrame(builds, columns=_columns(BuildRow) if not builds else None),
        steps=pd.DataFrame(steps, columns=_columns(StepRow) if not steps else None),
        manifests=pd.json_normalize(manifests) if manifests else pd.DataFrame(),
    )


def _columns(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls) if f.name != "engine"]


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
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)
