"""`python -m bench.mirror`: corpus, profiles, projects --check, and serve as a process."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from bench.engine.gocmd import parse_timings, timed
from bench.mirror.corpus import Corpus

from .httphelp import get

CLI = [sys.executable, "-m", "bench.mirror"]


def test_corpus_command_writes_a_servable_corpus(tmp_path: Path) -> None:
    done = subprocess.run(
        [*CLI, "corpus", "--preset", "small", "--out", str(tmp_path / "c")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    made = Corpus.load(tmp_path / "c")
    assert len(made.modules) == 6 and "6 modules" in done.stdout


def test_corpus_command_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("")
    done = subprocess.run([*CLI, "corpus", "--preset", "small", "--out", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.startswith("error: ") and done.stderr.count("\n") == 1


def test_profiles_command_lists_them() -> None:
    done = subprocess.run([*CLI, "profiles"], capture_output=True, text=True, check=True)
    assert "flaky_pipe" in done.stdout and "upstream_golang" in done.stdout


def test_committed_projects_are_current() -> None:
    done = subprocess.run([*CLI, "projects", "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def test_serve_prints_goproxy_and_counters_on_sigterm(small_corpus: Corpus) -> None:
    proc = subprocess.Popen(
        [*CLI, "serve", str(small_corpus.root), "--profile", "lan"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("GOPROXY=http://127.0.0.1:")
        port = int(line.rsplit(":", 1)[1])
        path = next(iter(small_corpus.modules))
        assert get(port, f"/{path}/@v/list")[0] == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert "'requests_list': 1" in err


def test_timed_scripts_report_their_own_duration() -> None:
    script = timed("sleep 0")
    assert script.startswith("(") and script.endswith(")")  # the exit stays inside the subshell
    assert parse_timings("noise\nbench-elapsed-ns=1500000000\nbench-elapsed-ns=250000000\n") == [1.5, 0.25]
    assert parse_timings("") == []
