"""Measuring as pure functions: a build result, image facts and mirror counters in, row fields out."""

from __future__ import annotations

import statistics
from datetime import datetime
from typing import Any

from bench.engine import cli, rawjson
from bench.engine.build import BuildResult, StartupRun
from bench.engine.sdk import ImageInfo
from bench.failures import classify, log_tail
from bench.mirror.counters import Snapshot
from bench.rows import BuildRow, StepRow

DOWNLOAD = "go mod download"


def build_fields(result: BuildResult, steps: list[rawjson.Vertex], engine_alive: bool = True) -> dict[str, Any]:
    """Wall time, step counts, the download step, and for a failure its class and log tail."""
    fields: dict[str, Any] = {
        "wall_s": round(result.wall_s, 3),
        "steps_total": len(steps),
        "steps_cached": sum(v.cached for v in steps),
    }
    download = [v for v in steps if DOWNLOAD in v.name]
    if download:
        ran = [v for v in download if not v.cached]
        fields["download_step_ran"] = bool(ran)
        # A cached step's few milliseconds are a cache lookup, not a download: unmeasured is None.
        fields["download_s"] = sum(v.duration or 0.0 for v in ran) if ran else None
    descriptor = result.metadata.get("containerimage.descriptor")
    if isinstance(descriptor, dict):
        fields["image_media_type"] = str(descriptor.get("mediaType", ""))
    if not result.ok:
        timed_out = isinstance(result.error, cli.DockerTimeout)
        vertices = rawjson.parse(result.rawjson)
        fields["status"] = "failed"
        # A build that broke because the engine went away is the engine's failure, not the project's.
        fields["failure_class"] = "engine" if not (timed_out or engine_alive) else classify(result.rawjson, vertices, timed_out)
        fields["log_tail"] = log_tail(result.rawjson, vertices)
    return fields


def timing_fields(wall_s: float, vertices: list[rawjson.Vertex], steps: list[rawjson.Vertex]) -> dict[str, Any]:
    """Where the wall time went outside the steps: exporting the image, and everything else."""
    export = [v.duration for v in vertices if v.name.startswith("exporting to") and v.duration is not None]
    busy = union_seconds([(v.started, v.completed) for v in steps if v.started and v.completed and not v.cached])
    image_export = sum(export) if export else None
    return {
        "steps_busy_s": round(busy, 4),
        "image_export_s": round(image_export, 4) if image_export is not None else None,
        "outside_steps_s": round(max(0.0, wall_s - busy - (image_export or 0.0)), 4),
    }


def union_seconds(spans: list[tuple[datetime | None, datetime | None]]) -> float:
    """Seconds covered by the spans, overlaps counted once (spans missing an end are left out)."""
    total, end = 0.0, None
    for a, b in sorted((a, b) for a, b in spans if a and b):
        if end is None or a > end:
            total += (b - a).total_seconds()
            end = b
        elif b > end:
            total += (b - end).total_seconds()
            end = b
    return total


def startup_fields(pairs: list[tuple[StartupRun, StartupRun]]) -> dict[str, Any]:
    """Start-up of the image, of an empty container timed beside it, their paired difference, the process itself."""
    if not pairs:
        return {}
    walls = [a.wall_s for a, _ in pairs]
    base = [b.wall_s for _, b in pairs]
    process = [a.process_s for a, _ in pairs if a.process_s is not None]
    excess = [a - b for a, b in zip(walls, base)]
    return {
        "startup_s": round(statistics.median(walls), 4),
        "startup_baseline_s": round(statistics.median(base), 4),
        "startup_excess_s": round(statistics.median(excess), 4),
        "startup_excess_min_s": round(min(excess), 4),
        "startup_excess_max_s": round(max(excess), 4),
        "process_s": round(statistics.median(process), 4) if process else None,
        "startup_runs": len(pairs),
    }


def image_fields(info: ImageInfo) -> dict[str, Any]:
    """Image id, sizes (compressed: the store's content size; unpacked: sum of layers) and layer count."""
    return {
        "image": info.id,
        "image_compressed_bytes": info.size_compressed,
        "image_unpacked_bytes": info.size_unpacked,
        "image_layers": info.layers,
    }


def mirror_fields(snapshot: Snapshot | None) -> dict[str, int | float] | None:
    """The mirror's counters over the build, under the mirror's own column names; None when nothing was measured."""
    return snapshot.as_row() if snapshot is not None else None


def apply(row: BuildRow, fields: dict[str, Any]) -> None:
    """Set measured fields on a row (only names the row has)."""
    for key, value in fields.items():
        if not hasattr(row, key):
            raise AttributeError(f"BuildRow has no field {key!r}")
        setattr(row, key, value)


def step_rows(build_id: str, steps: list[rawjson.Vertex]) -> list[StepRow]:
    """One row per Dockerfile step, times relative to the first step's start."""
    starts = [v.started for v in steps if v.started]
    origin = min(starts) if starts else None
    out = []
    for i, v in enumerate(steps):
        stage, n, total, instr = v.step or ("", 0, 0, v.name)
        out.append(
            StepRow(
                build_id=build_id, index=i, stage=stage, step=n, steps_in_stage=total, instruction=instr[:300],
                started_s=_rel(v.started, origin), ended_s=_rel(v.completed, origin),
                duration_s=round(v.duration, 4) if v.duration is not None else None,
                cached=v.cached, error=v.error[:500],
            )
        )
    return out


def _rel(t: datetime | None, origin: datetime | None) -> float | None:
    return round((t - origin).total_seconds(), 4) if t and origin else None
