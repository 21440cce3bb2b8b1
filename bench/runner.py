"""Plans the builds of a run, interleaves variants across repetitions, and writes each row as it ends.

Only the runner knows the order of things. The work of one build (cache state, change,
build, measurements) sits behind the `Executor` interface, so scheduling, interleaving and
postconditions are tested with a fake executor.
"""

from __future__ import annotations

import itertools
import signal
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from omegaconf import DictConfig, OmegaConf
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from bench import config
from bench.results import BuildRow, RunWriter, StepRow

AXIS_ORDER = ("project", "strategy", "cache", "proxy", "change", "base", "runtime")


@dataclass(frozen=True)
class Variant:
    """One combination of axis options; `cfg` is the full config with those options applied."""

    label: str
    choices: Mapping[str, str]
    cfg: DictConfig = field(compare=False, hash=False)


@dataclass(frozen=True)
class PlannedBuild:
    """One measured build: a variant and its repetition number (1-based)."""

    index: int
    variant: Variant
    repetition: int

    @property
    def build_id(self) -> str:
        """Stable across resumes: the variant label and repetition."""
        return f"{self.variant.label}#r{self.repetition}"


@dataclass
class Outcome:
    """What an executor measured for one build."""

    row: BuildRow
    steps: list[StepRow] = field(default_factory=list)


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

    def close(self) -> None:
        """Nothing to release."""


def variants(cfg: DictConfig, choices: Mapping[str, str]) -> list[Variant]:
    """The cross product of `compare`, in declared order; the first is the baseline."""
    axes = [a for a in AXIS_ORDER if cfg.compare.get(a)]
    combos = itertools.product(*(list(cfg.compare[a]) for a in axes)) if axes else [()]
    out = []
    for combo in combos:
        picked = dict(zip(axes, combo))
        vcfg = OmegaConf.create(OmegaConf.to_container(cfg, resolve=True))
        for axis, option in picked.items():
            vcfg[axis] = config.load_option(axis, option)
        full = {**{a: str(choices.get(a, vcfg[a].get("name", ""))) for a in AXIS_ORDER}, **picked}
        label = ",".join(f"{a}={picked[a]}" for a in axes) or "default"
        out.append(Variant(label, full, vcfg))
    return out


def plan(vs: Sequence[Variant], repetitions: int) -> list[PlannedBuild]:
    """Interleave: A B C A B C ..., so drift in machine state spreads over every variant."""
    builds = []
    for rep in range(1, repetitions + 1):
        for v in vs:
            builds.append(PlannedBuild(len(builds), v, rep))
    return builds


def expected_download(cache: str, change: str, strategy: str) -> bool | None:
    """Whether the declared state means the dependency download must run (True), be cached (False), or either."""
    if strategy == "vendor":
        return None
    if cache == "none":
        return True
    if change == "none" and cache in ("warm", "local_max", "registry_max"):
        return False
    if change == "source" and cache == "warm":
        return {"naive": True, "singlestage": True, "multistage": False, "multistage_cachemount": False}.get(strategy)
    if change in ("gomod_bump", "gomod_add") and cache == "warm":
        return True
    return None


def check_postconditions(row: BuildRow) -> None:
    """Mark a row invalid (kept, with the reason) when the cache state was not what was declared."""
    if row.status != "ok" or row.download_step_ran is None:
        return
    expected = expected_download(row.cache, row.change, row.strategy)
    if expected is None or expected == row.download_step_ran:
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
    invalid: int = 0
    interrupted: bool = False
    engine_stopped: bool = False
    rows: list[BuildRow] = field(default_factory=list)


def run(
    builds: Sequence[PlannedBuild],
    executor: Executor,
    writer: RunWriter,
    new_row: Callable[[PlannedBuild], BuildRow],
    console: Console | None = None,
) -> RunSummary:
    """Execute planned builds in order, writing each row the moment it is measured.

    Builds already on disk (a resumed run) are skipped. Ctrl-C ends the run after the
    build in flight has been recorded or abandoned; rows already written stay.
    """
    console = console or Console(stderr=True)
    summary = RunSummary(planned=len(builds))
    done_ids = writer.completed_build_ids()
    started = time.monotonic()
    with _progress(console) as progress, _interrupt_flag() as interrupted:
        task = progress.add_task("builds", total=len(builds))
        for build in builds:
            if interrupted():
                summary.interrupted = True
                break
            if build.build_id in done_ids:
                summary.skipped_done += 1
                progress.advance(task)
                continue
            progress.update(
                task,
                description=f"{build.variant.label} rep {build.repetition}/{_reps(builds)}",
            )
            outcome = executor.execute(build, new_row(build))
            if interrupted() and outcome.row.status == "failed":
                # Ctrl-C reached the build too: not a measurement; a resumed run redoes it.
                summary.interrupted = True
                break
            check_postconditions(outcome.row)
            writer.append(outcome.row, outcome.steps)
            summary.rows.append(outcome.row)
            summary.done += 1
            summary.failed += outcome.row.status == "failed"
            summary.invalid += not outcome.row.valid
            progress.advance(task)
            position = f"[{build.index + 1}/{len(builds)}, {_eta(started, summary.done, len(builds) - build.index - 1)}]"
            console.print(f"{position} {_line(outcome.row)}", highlight=False, soft_wrap=True)
            if outcome.row.failure_class == "engine":
                # Every later build would fail the same way: stop, keep what is measured.
                summary.engine_stopped = True
                break
    return summary


def _reps(builds: Sequence[PlannedBuild]) -> int:
    return max((b.repetition for b in builds), default=0)


def _eta(started: float, done: int, left: int) -> str:
    elapsed = time.monotonic() - started
    guess = f", about {elapsed / done * left / 60:.1f} min left" if done else ""
    return f"{elapsed / 60:.1f} min elapsed{guess}"


def _line(row: BuildRow) -> str:
    wall = f"{row.wall_s:.1f} s" if row.wall_s is not None else "-"
    extra = f" FAILED ({row.failure_class})" if row.status == "failed" else ""
    extra += f" INVALID: {row.invalid_reason}" if not row.valid else ""
    return (
        f"  {row.variant} r{row.repetition}: {wall}, {row.steps_cached}/{row.steps_total} steps cached, "
        f"mirror {row.mirror_requests} requests, {row.mirror_bytes / 1e3:.1f} kB{extra}"
    )


@contextmanager
def _progress(console: Console) -> Iterator[Progress]:
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("elapsed"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
        disable=not console.is_terminal,
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
