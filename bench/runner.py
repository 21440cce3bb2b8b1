"""Runs planned builds in order, makes each row, checks it against the declared state, writes it at once.

Only the runner knows the order of things. The work of one build (cache state, change,
build, measurements) sits behind the `Executor` interface, so scheduling, interleaving and
postconditions are tested with a fake executor.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from bench import axes, logs
from bench.logs import Log
from bench.plan import PlannedBuild
from bench.rows import BuildRow, StepRow
from bench.writer import RunWriter


@dataclass
class Outcome:
    """What an executor measured for one build."""

    row: BuildRow
    steps: list[StepRow] = field(default_factory=list)
    reproduce: str | None = None  # a script that rebuilds the variant as measured (saved beside its Dockerfile)


class Executor(Protocol):
    """Does one build in its declared state and measures it; failures are rows, not exceptions."""

    def execute(self, build: PlannedBuild, row: BuildRow) -> Outcome:
        """Fill in `row` (and steps) for `build`."""
        ...


class DryRunExecutor:
    """Builds nothing: records each planned build as `dry_run`, to check a plan (and sweeps) without an engine."""

    def execute(self, build: PlannedBuild, row: BuildRow) -> Outcome:
        """Return the row untouched but for its status."""
        row.status = "dry_run"
        return Outcome(row)


@dataclass(frozen=True)
class RowFactory:
    """Makes the row of a planned build: the one place rows are created."""

    run_id: str
    scenario: str
    harness_version: str = ""
    harness_commit: str = ""
    engine: dict[str, Any] = field(default_factory=dict)

    def __call__(self, build: PlannedBuild) -> BuildRow:
        """A row with every axis value and the facts of the declared state, nothing measured yet."""
        c, s, df = build.variant.choices, build.variant.spec, build.variant.dockerfile
        return BuildRow(
            build_id=build.build_id, run_id=self.run_id, scenario=self.scenario, variant=build.variant.label,
            repetition=build.repetition, project=c["project"], strategy=c["strategy"], cache=c["cache"],
            proxy=c["proxy"], change=c["change"], base=c["base"], runtime=c["runtime"], go=s.project.go,
            attest=c.get("attest", s.attest.name), go_version=s.go_version,
            dockerfile_aliases=df.aliases if df else "", dockerfile_frontend=df.frontend if df else "",
            fresh_runner=s.cache.fresh_runner,
            expected_download=axes.expected_download(s.strategy, s.cache, s.change),
            started_at=now_iso(), harness_version=self.harness_version, harness_commit=self.harness_commit,
            engine=dict(self.engine),
        )


def now_iso() -> str:
    """UTC now, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def check_postconditions(row: BuildRow) -> None:
    """Mark a row invalid (kept, with the reason) when what the build showed contradicts the declared state."""
    if row.status != "ok":
        return
    if not row.steps_total:
        row.valid, row.invalid_reason = False, "no build step was parsed from the engine's progress output"
        return
    expected = row.expected_download
    if expected is None or row.download_step_ran is None or expected == row.download_step_ran:
        return
    row.valid = False
    seen = "executed" if row.download_step_ran else "cached"
    want = "executed" if expected else "cached"
    row.invalid_reason = f"download step {seen}, but cache={row.cache} change={row.change} means {want}"


@dataclass
class RunSummary:
    """Counts of a finished (or interrupted) run."""

    planned: int = 0
    done: int = 0
    skipped_done: int = 0
    failed: int = 0
    skipped: int = 0
    invalid: int = 0
    interrupted: bool = False
    engine_stopped: bool = False
    rows: list[BuildRow] = field(default_factory=list)

    def count(self, row: BuildRow) -> None:
        """Account one recorded row."""
        self.rows.append(row)
        self.done += 1
        self.failed += row.status == "failed"
        self.skipped += row.status == "skipped"
        self.invalid += not row.valid


def run(
    builds: Iterable[PlannedBuild],
    executor: Executor,
    writer: RunWriter,
    new_row: Callable[[PlannedBuild], BuildRow],
    console: Console | Log | None = None,
    total: int | None = None,
) -> RunSummary:
    """Execute planned builds in order, writing each row the moment it is measured.

    `builds` may be a generator (adaptive repetitions); `total` is then its upper bound.
    Warm-up builds are built and not recorded. Builds already on disk (a resumed run) are
    skipped. Ctrl-C ends the run after the build in flight has been recorded or abandoned.
    """
    log = console if isinstance(console, Log) else Log(console) if console is not None else logs.current()
    planned = builds if isinstance(builds, Sequence) else None
    summary = RunSummary(planned=total if total is not None else len(planned or []))
    done_ids = writer.completed_build_ids()
    started = time.monotonic()
    with _progress(log) as progress, _interrupt_flag() as interrupted:
        task = progress.add_task("builds", total=summary.planned or None)
        for build in builds:
            if interrupted():
                summary.interrupted = True
                break
            if build.build_id in done_ids:
                summary.skipped_done += 1
                progress.advance(task)
                continue
            progress.update(task, description=f"{build.variant.label} {'warm-up' if build.warmup else 'rep'} {build.repetition}")
            outcome = executor.execute(build, new_row(build))
            if interrupted() and outcome.row.status == "failed":
                # Ctrl-C reached the build too: not a measurement; a resumed run redoes it.
                summary.interrupted = True
                break
            if build.warmup:
                log(f"[warm-up] {_line(outcome.row)} (not recorded)", event="warmup", **_numbers(outcome.row))
            else:
                _record(outcome, build, writer, summary)
                progress.advance(task)
                left = max(summary.planned - summary.done - summary.skipped_done, 0)
                log(f"[{summary.done + summary.skipped_done}/{summary.planned}, {_eta(started, summary.done, left)}] "
                    f"{_line(outcome.row)}", event="build", level="warning" if outcome.row.status != "ok" else "info",
                    **_numbers(outcome.row))
            if outcome.row.failure_class == "engine":
                # Every later build would fail the same way: stop, keep what is measured.
                summary.engine_stopped = True
                break
    return summary


def _record(outcome: Outcome, build: PlannedBuild, writer: RunWriter, summary: RunSummary) -> None:
    check_postconditions(outcome.row)
    writer.append(outcome.row, outcome.steps)
    if outcome.reproduce:
        writer.write_reproduce(build.variant.label, outcome.reproduce)
    summary.count(outcome.row)


def _eta(started: float, done: int, left: int) -> str:
    elapsed = time.monotonic() - started
    guess = f", about {elapsed / done * left / 60:.1f} min left" if done else ""
    return f"{elapsed / 60:.1f} min elapsed{guess}"


def _line(row: BuildRow) -> str:
    wall = f"{row.wall_s:.1f} s" if row.wall_s is not None else "-"
    extra = f" FAILED ({row.failure_class})" if row.status == "failed" else ""
    extra += " SKIPPED" if row.status == "skipped" else ""
    extra += f" INVALID: {row.invalid_reason}" if not row.valid else ""
    cached = f"{row.steps_cached}/{row.steps_total} steps cached" if row.steps_total is not None else "no steps"
    mirror = row.mirror or {}
    fetched = (
        f"mirror {mirror.get('mirror_requests_total', 0)} requests, {mirror.get('mirror_bytes_sent', 0) / 1e3:.1f} kB"
        if row.mirror is not None else "no mirror"
    )
    return f"  {row.variant} r{row.repetition}: {wall}, {cached}, {fetched}{extra}"


def _numbers(row: BuildRow) -> dict[str, Any]:
    """The numbers of a build event in a JSON log."""
    keys = ("build_id", "variant", "repetition", "status", "failure_class", "valid", "invalid_reason", "wall_s",
            "setup_s", "download_s", "steps_total", "steps_cached", "image_unpacked_bytes", "startup_excess_s")
    out = {k: getattr(row, k) for k in keys}
    if row.mirror is not None:
        out.update(mirror_bytes_sent=row.mirror.get("mirror_bytes_sent"), mirror_requests=row.mirror.get("mirror_requests_total"))
    return out


@contextmanager
def _progress(log: Log) -> Iterator[Progress]:
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("elapsed"),
        TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
        console=log.console, transient=False, disable=not log.live,
    )
    with progress:
        yield progress


@contextmanager
def _interrupt_flag() -> Iterator[Callable[[], bool]]:
    """First Ctrl-C: finish recording the build in flight, then stop. Second: stop at once."""
    state = {"hit": False}
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum: int, frame: Any) -> None:
        if state["hit"]:
            signal.signal(signal.SIGINT, previous)
            raise KeyboardInterrupt
        state["hit"] = True

    try:
        signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread (e.g. under some launchers): plain Ctrl-C behaviour
        yield lambda: False
        return
    try:
        yield lambda: state["hit"]
    finally:
        signal.signal(signal.SIGINT, previous)
