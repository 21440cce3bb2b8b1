"""The result records: one flat row per build, one per Dockerfile step, and the schema version.

A row is self-describing: every axis value, the facts of the declared state, every
measurement (None where nothing was measured, never 0), every warning as a named kind.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 3

# Named warnings a row can carry; the detail of each goes to `notes`.
WARNINGS: dict[str, str] = {
    "change_unavailable": "the change could not be made for this project; the build was skipped",
    "proxy_unavailable": "the module proxy did not answer; the build was skipped",
    "prime_failed": "establishing the declared cache state failed",
    "image_missing": "the built image was not found in the image store",
    "startup_failed": "the image did not start",
    "legacy": "a warning of a schema 1 row (free text in notes)",
    "cache_export_failed": "exporting the cache failed; the priming build carried on without it (ignore-error)",
    "cache_import_failed": "importing the cache failed; the build ran without it",
}


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
    go: str  # the builder's Go minor version (project.go, auto resolved)
    go_version: str = ""  # the exact Go version that built the image
    attest: str = "default"
    fresh_runner: bool = False  # the cache mode behaves as a new CI runner
    expected_download: bool | None = None  # what the declared state means for the download step (None: either)
    started_at: str = ""
    change_detail: str = ""
    setup_s: float | None = None  # cache state and change, before the measured build
    wall_s: float | None = None  # the measured `docker buildx build`, timed around the CLI
    measure_s: float | None = None  # after the build: parsing, image inspection, start-up runs
    status: str = "ok"  # ok | failed | skipped | dry_run
    failure_class: str = ""  # network | checksum | compile | timeout | engine | other
    log_tail: str = ""
    steps_total: int | None = None
    steps_cached: int | None = None
    download_step_ran: bool | None = None
    download_s: float | None = None  # the download step's own seconds; None when it was cached or absent
    steps_busy_s: float | None = None  # seconds some Dockerfile step was running (overlapping stages counted once)
    image_export_s: float | None = None  # exporting the image (layers, manifest): no Dockerfile step shows it
    outside_steps_s: float | None = None  # wall_s minus steps and image export: CLI, context transfer, frontend
    image: str = ""
    image_media_type: str = ""
    dockerfile_aliases: str = ""  # your own Dockerfile: public images built from local ones (`name=local; ...`)
    dockerfile_frontend: str = ""  # `builtin` when its `# syntax=` line was dropped for the engine's own frontend  # an OCI image index (with an attestation) or a single manifest
    image_compressed_bytes: int | None = None
    image_unpacked_bytes: int | None = None
    image_layers: int | None = None
    startup_s: float | None = None  # median wall of `docker run --network=none <image> <startup_args>`
    startup_baseline_s: float | None = None  # the same for an empty container, timed interleaved in the same build
    startup_excess_s: float | None = None  # median of the paired differences: what the image costs over docker's own
    startup_excess_min_s: float | None = None  # the smallest and largest paired difference: 0 inside means no
    startup_excess_max_s: float | None = None  # measurable cost over an empty container
    process_s: float | None = None  # median of the container's own StartedAt -> FinishedAt
    startup_runs: int = 0
    # Both sides of a fresh-runner cache (None where not measured). The producer: the unchanged project
    # built cold, then rebuilt (a no-op) without and with --cache-to, in alternating order.
    cache_network: str = ""  # the proxy profile between the runner and the cache registry ("": loopback)
    cache_compression: str = ""  # the exported cache's layer compression (gzip, zstd)
    cache_compression_level: int | None = None  # None: BuildKit's default level
    prime_s: float | None = None  # the producer's build: the unchanged project, cold, without --cache-to
    noop_s: float | None = None  # right after it, a no-op rebuild without --cache-to
    noop_export_s: float | None = None  # ... and with it (inline: pushed with its inline cache)
    export_s: float | None = None  # noop_export_s - noop_s: what exporting the cache costs the producer
    export_progress_s: float | None = None  # the export's own span in the exporting build's progress
    cache_bytes: int | None = None  # the exported cache: its directory's size, or the bytes pushed to the registry
    import_s: float | None = None  # resolving and pulling the cache, from the measured build's own progress
    import_bytes: int | None = None  # cache layers the measured build pulled, by its progress
    cache_pulled_bytes: int | None = None  # bytes the cache registry sent during the measured build (on the wire)
    cache_mount_bytes: int | None = None  # a warm cache-mount row: what its mounts held after the prime
    floor_s: float | None = None  # `floor: true`: a no-op rebuild right after the build, timed as builds are
    floor_bare_s: float | None = None  # the same no-op as a bare `docker buildx build` (no progress stream, no metadata)
    valid: bool = True
    invalid_reason: str = ""
    warnings: list[str] = field(default_factory=list)  # kinds from WARNINGS
    notes: list[str] = field(default_factory=list)  # the details behind the warnings
    harness_version: str = ""
    harness_commit: str = ""
    schema_version: int = SCHEMA_VERSION
    mirror: dict[str, int | float] | None = None  # the mirror's counters over the build (None: no mirror measured)
    engine: dict[str, Any] = field(default_factory=dict)

    def warn(self, kind: str, detail: str = "") -> None:
        """Add a named warning (and its detail)."""
        if kind not in WARNINGS:
            raise ValueError(f"unknown warning kind {kind!r}")
        self.warnings.append(kind)
        if detail:
            self.notes.append(detail)

    def flat(self) -> dict[str, Any]:
        """The row as one flat dict; mirror counters become `mirror_*`, engine facts `engine_*` columns."""
        row = dataclasses.asdict(self)
        facts = row.pop("engine")
        row.update(row.pop("mirror") or {})
        row.update({k if k.startswith("engine_") else f"engine_{k}": v for k, v in facts.items()})
        return row


def columns(cls: type) -> list[str]:
    """The flat column names a record class always has (mirror and engine columns vary)."""
    return [f.name for f in dataclasses.fields(cls) if f.name not in ("engine", "mirror")]
