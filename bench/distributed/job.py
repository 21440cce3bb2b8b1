"""The function a build host's worker runs for one job: the whole harness, locally, in a subprocess.

The run is written on the host (`<host root>/runs/<sweep id>/<num>`, rows fsync'ed per build as
always) and sent back packed. A job that runs again on its host (Dask reschedules it after the
worker died, or `python -m bench.distributed resume` asks for it) first ends whatever the
earlier attempt left running, then finishes the same run with `python -m bench resume=<dir>`,
so no build is recorded twice. A job whose run had already finished only sends it again.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.distributed import archive
from bench.distributed.spec import JobResult, JobSpec
from bench.paths import REPO_ROOT, state_root

JOB_MARK = "BENCH_JOB_ID"  # in the environment of a job's harness and everything it starts
HOST_MARK = "BENCH_JOB_HOST"
HOST_ROOT_ENV = "BENCH_HOST_ROOT"  # where this host keeps its runs (the worker's environment sets it)
LOG_TAIL = 3000


class HostBusy(RuntimeError):
    """Another job holds this engine: two workers were bound to one engine."""


def host_root(host: str) -> Path:
    """Where this host keeps its runs: $BENCH_HOST_ROOT, else <BENCH_STATE>/hosts/<host>."""
    return Path(os.environ.get(HOST_ROOT_ENV) or state_root() / "hosts" / host)


def run(spec: JobSpec) -> JobResult:
    """Run (or finish, or resend) one job's run on this host; never raises for a failed run."""
    started = time.time()
    runs = host_root(spec.host) / "runs" / spec.sweep_id
    local, sidecar = runs / str(spec.num), runs / f"{spec.num}.job.json"
    end_processes(JOB_MARK, spec.job_id)  # an earlier attempt's harness, orphaned when its worker died
    state = _read(sidecar)
    attempt = int(state.get("attempt", 0)) + 1
    docker_host = os.environ.get("DOCKER_HOST", "")
    with engine_lock(docker_host):
        h0 = time.time()
        if state.get("exit_code") is not None and not spec.resume:
            code, tail = int(state["exit_code"]), "finished in an earlier attempt; sent again"
        else:
            _write(sidecar, {**state, "attempt": attempt, "exit_code": None, "overrides": list(spec.overrides)})
            code, tail = _harness(spec, local, runs / f"{spec.num}.log")
            _write(sidecar, {**state, "attempt": attempt, "exit_code": code, "overrides": list(spec.overrides)})
        h1 = time.time()
    data = archive.pack(local) if local.is_dir() else b""
    return JobResult(
        num=spec.num, host=spec.host, exit_code=code, local_dir=str(local), docker_host=docker_host,
        worker_pid=os.getpid(), attempt=attempt, started_at=started, harness_started_at=h0,
        harness_ended_at=h1, packed_at=time.time(), archive=data, log_tail=tail,
    )


def harness_argv(spec: JobSpec, local: Path) -> list[str]:
    """A fresh run into `local`, or the resume of the run already there."""
    if spec.resume or (local / "manifest.json").is_file():
        return [sys.executable, "-m", "bench", f"resume={local}"]
    return [sys.executable, "-m", "bench", *spec.overrides, f"hydra.run.dir={local}"]


def _harness(spec: JobSpec, local: Path, log_path: Path) -> tuple[int, str]:
    """The harness as a subprocess in its own session, marked with the job's id; its exit code and log tail."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, JOB_MARK: spec.job_id, HOST_MARK: spec.host}
    with open(log_path, "ab") as log:
        log.write(f"--- {time.strftime('%Y-%m-%dT%H:%M:%S')} {' '.join(harness_argv(spec, local))}\n".encode())
        log.flush()
        proc = subprocess.Popen(harness_argv(spec, local), cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        code = proc.wait()
    return code, log_path.read_text(errors="replace")[-LOG_TAIL:]


def end_processes(mark: str, value: str) -> list[int]:
    """SIGKILL every process whose environment has `mark=value` (a dead worker's harness and its docker CLI)."""
    needle = f"{mark}={value}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    for pid in found:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(p) for p in found):
        time.sleep(0.1)
    return found


@contextmanager
def engine_lock(docker_host: str) -> Iterator[None]:
    """One job at a time on this engine. The scheduler already ensures it (a resource of 1 per host); the
    lock turns a misconfiguration (two workers bound to one engine) into a failed job, not a mixed timing."""
    locks = state_root() / "hosts" / ".locks"
    locks.mkdir(parents=True, exist_ok=True)
    path = locks / (hashlib.sha256((docker_host or "default").encode()).hexdigest()[:16] + ".lock")
    with open(path, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise HostBusy(f"another job is building on engine {docker_host or 'default'}: "
                           "bind one worker per engine") from None
        yield


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _read(path: Path) -> dict[str, Any]:
    try:
        return dict(json.loads(path.read_text()))
    except (OSError, ValueError):
        return {}


def _write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, sort_keys=True) + "\n")
    os.replace(tmp, path)
