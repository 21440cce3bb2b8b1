"""Progress for long steps: a live status line on a terminal, a heartbeat line elsewhere (CI logs)."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

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
    """Show `label` with elapsed time while the block runs, then how long it took."""
    console = console or Console(stderr=True)
    step = Step(label)
    if console.is_terminal:
        with console.status(label) as status:
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
        print(f"{label} ...", file=sys.stderr, flush=True)
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(HEARTBEAT_SECONDS):
                print(f"  ... {label}: {step.elapsed():.0f} s, {step.last}", file=sys.stderr, flush=True)

        t = threading.Thread(target=beat, daemon=True)
        t.start()
        try:
            yield step
        finally:
            stop.set()
            t.join()
    console.print(f"{label}: done in {step.elapsed():.1f} s", highlight=False, soft_wrap=True)
