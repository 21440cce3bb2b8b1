"""What the harness tells the user while it works: readable lines, or one JSON object per line (`log_format=json`).

A nightly's log can then go to Loki or ELK as it is: every line has a timestamp, a level,
the run id, an event name, the message, and the numbers of that event (a build's id,
variant and measurements; a phase's label and seconds). On a terminal, text and the live
progress bar stay as they are.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rich.console import Console

FORMATS = ("text", "json")


@dataclass
class Log:
    """A `say(message)` that can also carry an event name and numbers."""

    console: Console = field(default_factory=lambda: Console(stderr=True))
    json: bool = False
    run_id: str = ""

    @property
    def live(self) -> bool:
        """True when a live display (progress bar, status line) may be drawn: a terminal, text format."""
        return self.console.is_terminal and not self.json

    def __call__(self, message: str, event: str = "message", level: str = "info", **fields: Any) -> None:
        """Log one line."""
        if not self.json:
            self.console.print(message, highlight=False, soft_wrap=True)
            return
        record = {"ts": datetime.now(UTC).isoformat(timespec="milliseconds"), "level": level,
                  "run_id": self.run_id, "event": event, "message": message, **fields}
        stream = self.console.file
        stream.write(json.dumps(record, default=str) + "\n")
        stream.flush()


_current: list[Log] = []


def current() -> Log:
    """The log of the run in progress (a plain text log on stderr outside a run)."""
    return _current[-1] if _current else Log()


@contextmanager
def use(log: Log) -> Iterator[Log]:
    """Make `log` the one every part of the harness writes to, for the duration of a run."""
    _current.append(log)
    try:
        yield log
    finally:
        _current.remove(log)


def for_format(fmt: str, stream: Any = None) -> Log:
    """A Log for `log_format` (text or json) on stderr."""
    return Log(Console(file=stream or sys.stderr), json=fmt == "json")
