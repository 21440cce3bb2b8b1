"""Progress for long steps: a live status line on a terminal, a heartbeat line elsewhere (CI logs)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

from bench import logs
from bench.logs import Log

HEARTBEAT_SECONDS = 15.0


class Step:
    """A long step in progress; `note(line)` shows the latest thing it printed."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.last = ""
        self.started = time.monotonic()

    def note(self, line: str) -> None:
        """Remember the latest output line of the step (shown on the status line)."""
        if line.strip():
            self.last = line.strip()[:100]

    def elapsed(self) -> float:
        """Seconds since the step started."""
        return time.monotonic() - self.started


@contextmanager
def long_step(label: str, console: Console | None = None) -> Iterator[Step]:
    """Show `label` with elapsed time while the block runs, then how long it took (a heartbeat line in a log)."""
    out = Log(console) if console is not None else logs.current()
    step = Step(label)
    if out.live:
        with out.console.status(label) as status:
            stop = threading.Event()

            def refresh() -> None:
                while not stop.wait(0.5):
                    status.update(f"{label} [{step.elapsed():.0f} s] {step.last}")

            t = threading.Thread(target=refresh, daemon=True)
            t.start()
            try:
                yield step
            finally:
                stop.set()
                t.join()
    else:
        out(f"{label} ...", event="phase", phase=label, state="start")
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(HEARTBEAT_SECONDS):
                out(f"  ... {label}: {step.elapsed():.0f} s, {step.last}", event="phase", phase=label,
                    state="running", elapsed_s=round(step.elapsed(), 1), last=step.last)

        t = threading.Thread(target=beat, daemon=True)
        t.start()
        try:
            yield step
        finally:
            stop.set()
            t.join()
    out(f"{label}: done in {step.elapsed():.1f} s", event="phase", phase=label, state="done",
        elapsed_s=round(step.elapsed(), 1))


QUIET_SECONDS = 2.0  # phases shorter than this get no line of their own


@contextmanager
def phase(label: str, log: Log | Console | None = None, heartbeat: float = HEARTBEAT_SECONDS) -> Iterator[Step]:
    """A phase of a run (priming, exporting, pruning) made visible where the live bar is not.

    In a log that is not a terminal (CI) a phase beats every `heartbeat` seconds while it
    runs and says how long it took when that was more than a couple of seconds; on a
    terminal the run's live bar is the display, so this prints nothing. With
    `log_format=json` each line is an event (`phase`, with the label and seconds).
    """
    out = log if isinstance(log, Log) else Log(log) if log is not None else logs.current()
    step = Step(label)
    if out.live:
        yield step
        return
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(heartbeat):
            out(f"  ... {label}: {step.elapsed():.0f} s", event="phase", phase=label, elapsed_s=round(step.elapsed(), 1),
                state="running")

    t = threading.Thread(target=beat, daemon=True)
    t.start()
    try:
        yield step
    finally:
        stop.set()
        t.join()
        if step.elapsed() >= QUIET_SECONDS:
            out(f"  {label}: {step.elapsed():.1f} s", event="phase", phase=label, elapsed_s=round(step.elapsed(), 1),
                state="done")
