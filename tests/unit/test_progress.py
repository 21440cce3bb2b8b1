"""Long phases are visible in a log that is not a terminal, and quiet on a terminal (the live bar shows them)."""

from __future__ import annotations

import io
import time

from rich.console import Console

from bench import progress


def test_a_long_phase_beats_and_says_how_long_it_took_in_a_log() -> None:
    out = io.StringIO()
    with progress.phase("priming strategy=multistage", Console(file=out, force_terminal=False), heartbeat=0.2):
        time.sleep(2.3)
    lines = out.getvalue().splitlines()
    assert any(ln.startswith("  ... priming strategy=multistage: ") for ln in lines)
    assert lines[-1].startswith("  priming strategy=multistage: 2.") and lines[-1].endswith(" s")


def test_a_short_phase_prints_nothing_and_a_terminal_gets_nothing() -> None:
    out = io.StringIO()
    with progress.phase("pruning", Console(file=out, force_terminal=False), heartbeat=5):
        pass
    term = io.StringIO()
    with progress.phase("pruning", Console(file=term, force_terminal=True), heartbeat=0.1):
        time.sleep(0.3)
    assert out.getvalue() == "" and term.getvalue() == ""
