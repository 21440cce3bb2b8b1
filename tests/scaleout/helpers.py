"""Helpers of the scale-out tests: run a distributed sweep, read what came back, find a build in flight."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.distributed import cluster, job, spec
from bench.paths import REPO_ROOT

HOST_B = "scaleout-b"
SMALL = ["project=hello", "startup_runs=0", "cache=warm", "min_free_gb=1"]  # a tmpfs engine of a few GB


def sweep_argv(c: cluster.Cluster, results: Path, hosts: list[str], *overrides: str) -> list[str]:
    """`python -m bench -m hydra/launcher=dask ...` against this session's cluster."""
    return [sys.executable, "-m", "bench", "-m", "hydra/launcher=dask",
            f"hydra.launcher.scheduler_file={c.scheduler_file}", f"hydra.launcher.hosts=[{','.join(hosts)}]",
            f"results_dir={results}", *overrides]


def start_sweep(argv: list[str]) -> subprocess.Popen[str]:
    """The sweep as a background process (its output captured)."""
    return subprocess.Popen(argv, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def sweep_dir(results: Path) -> Path:
    """The one sweep folder under a results folder."""
    (found,) = [p.parent for p in results.rglob(spec.JOBS_FILE)]
    return found


def rows(run_dir: Path) -> list[dict[str, Any]]:
    """The build rows of a run."""
    return [json.loads(x) for x in (run_dir / "builds.jsonl").read_text().splitlines() if x.strip()]


def manifest(run_dir: Path) -> dict[str, Any]:
    """The manifest of a run."""
    return dict(json.loads((run_dir / "manifest.json").read_text()))


def wait_for(cond: Callable[[], Any], timeout: float, what: str, proc: subprocess.Popen[str] | None = None) -> Any:
    """Poll until `cond()` is truthy; fail with `what` (and the sweep's output) after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = cond()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the sweep ended before {what}:\n{(proc.stdout.read() if proc.stdout else '')[-3000:]}")
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def local_run(c: cluster.Cluster, host: str, since: float) -> Path | None:
    """The run folder a host's worker started writing after `since` (time.time()), if any."""
    found = [p.parent for p in (c.host_root(host) / "runs").glob("*/*/manifest.json") if p.stat().st_mtime >= since]
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def measured_build(host: str, min_age: float = 1.5) -> int | None:
    """The pid of a measured `docker buildx build` (not a cache-priming one) of `host`'s job, running for
    at least `min_age` seconds: a build in flight, the moment to kill something."""
    mark = f"{job.HOST_MARK}={host}".encode()
    tick = os.sysconf("SC_CLK_TCK")
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            if b"build" not in argv or not any(a.endswith(b"buildx") for a in argv[:2]):
                continue
            if mark not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            tag = argv[argv.index(b"-t") + 1]
            started = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[19]) / tick
        except (OSError, ValueError, IndexError):
            continue
        if not tag.endswith(b"-prime") and uptime - started >= min_age:
            return int(entry.name)
    return None


def mounts_under(folder: Path) -> list[str]:
    """Mount points at or under a folder."""
    return [ln.split()[4] for ln in Path("/proc/self/mountinfo").read_text().splitlines()
            if ln.split()[4] == str(folder) or ln.split()[4].startswith(f"{folder}/")]


def records(sweep: Path) -> dict[int, dict[str, Any]]:
    """The sweep's jobs.jsonl, merged per job."""
    return spec.read_records(sweep)
