"""Real faults on a real second engine: its dockerd SIGKILLed mid-build, and a worker SIGKILLed mid-run.

The dead engine is a dead engine (not a cut connection): the build in flight is an `engine` row, that run
stops with exit 3, the other host's run finishes, and a resume on the same host completes the run. A dead
worker is restarted by its Nanny, Dask gives the job to it again, and the job resumes its own run: every
planned build is recorded exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from bench.distributed import cluster
from bench.engine import cli, instances, setup
from bench.paths import REPO_ROOT
from bench.results import load

from .helpers import (
    HOST_B,
    SMALL,
    local_run,
    manifest,
    measured_build,
    records,
    rows,
    start_sweep,
    sweep_argv,
    sweep_dir,
    wait_for,
)

pytestmark = pytest.mark.engine


def test_engine_killed_mid_build_then_resumed(dask_cluster: cluster.Cluster, engine_b: instances.Instance,
                                              tmp_path: Path) -> None:
    results, started = tmp_path / "results", time.time()
    # job 0 (no change: cached builds) on the main engine, job 1 (a source edit: compiles) on HOST_B
    proc = start_sweep(sweep_argv(dask_cluster, results, [cluster.DEFAULT_HOST, HOST_B], *SMALL, "repetitions=3",
                                  "change=none,source"))
    try:
        run_b = wait_for(lambda: (r := local_run(dask_cluster, HOST_B, started)) and (r / "builds.jsonl").exists() and r,
                         600, "the first row on host B", proc)
        wait_for(lambda: measured_build(HOST_B), 600, "a measured build in flight on host B", proc)
        dockerd = instances.pid(engine_b)
        assert dockerd is not None
        os.kill(dockerd, signal.SIGKILL)
        out, _ = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out[-3000:]  # a sweep records its jobs' exit codes; it does not fail for them
    sweep = sweep_dir(results)
    jobs = records(sweep)
    assert (jobs[0]["host"], jobs[0]["exit_code"]) == (cluster.DEFAULT_HOST, 0), jobs[0]
    assert (jobs[1]["host"], jobs[1]["exit_code"]) == (HOST_B, 3), jobs[1]
    assert [r["status"] for r in rows(sweep / "0")] == ["ok"] * 3  # the other host's run finished
    killed = rows(sweep / "1")
    assert killed[0]["status"] == "ok" and 2 <= len(killed) < 3
    assert killed[-1]["status"] == "failed" and killed[-1]["failure_class"] == "engine"
    assert manifest(sweep / "1")["status"] == "engine stopped"
    assert killed == rows(run_b)  # what came back is what the host wrote
    cli.run(["info", "--format", "{{.ID}}"], timeout=30)  # the main engine never noticed

    setup.start_instance(HOST_B, [], say=lambda _m: None, tmpfs_gb=6)  # after a SIGKILL: leftovers ended, data kept
    resumed = subprocess.run([sys.executable, "-m", "bench.distributed", "--state", str(dask_cluster.state), "resume",
                              str(sweep / "1")], cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)
    assert resumed.returncode == 0, resumed.stdout[-2000:] + resumed.stderr[-2000:]
    done = rows(sweep / "1")
    assert done[: len(killed)] == killed  # the rows from before the kill are intact (the file is append-only)
    # the build the engine died under measured nothing: the resume builds it again, then the rest
    assert [r["build_id"] for r in done[len(killed):]] == [killed[-1]["build_id"], "default#r3"]
    loaded = load(sweep / "1").builds
    assert sorted(loaded["build_id"]) == ["default#r1", "default#r2", "default#r3"]  # each counts once
    assert set(loaded["status"]) == {"ok"}  # the redone row replaced the engine row
    assert manifest(sweep / "1")["status"] == "complete"
    assert records(sweep)[1]["host"] == HOST_B and records(sweep)[1]["exit_code"] == 0


def test_worker_killed_mid_run_is_retried_and_resumed(dask_cluster: cluster.Cluster, engine_b: instances.Instance,
                                                      tmp_path: Path) -> None:
    results, started = tmp_path / "results", time.time()
    proc = start_sweep(sweep_argv(dask_cluster, results, [HOST_B], *SMALL, "repetitions=2", "change=source"))
    try:
        wait_for(lambda: (r := local_run(dask_cluster, HOST_B, started)) and (r / "builds.jsonl").exists(), 600,
                 "the first row on host B", proc)
        wait_for(lambda: measured_build(HOST_B), 600, "a measured build in flight on host B", proc)
        worker = cluster.worker_process(dask_cluster, HOST_B)
        assert worker is not None
        os.kill(worker, signal.SIGKILL)  # the worker process dies; its Nanny starts a new one
        out, _ = proc.communicate(timeout=900)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out[-3000:]
    sweep = sweep_dir(results)
    (job,) = records(sweep).values()
    assert job["exit_code"] == 0 and job["attempt"] == 2, job  # Dask ran it again, on the same host
    assert job["worker_pid"] != worker
    ids = Counter(r["build_id"] for r in rows(sweep / "0"))
    assert ids == {"default#r1": 1, "default#r2": 1}, ids  # no duplicate, none missing
    assert all(r["status"] == "ok" for r in rows(sweep / "0"))
    assert manifest(sweep / "0")["status"] == "complete"
    assert measured_build(HOST_B, min_age=0) is None  # no orphaned build of the killed attempt is left
