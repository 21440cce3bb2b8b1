"""A Dask scheduler and one worker per engine, started and stopped on this machine by pid.

On a real fleet the platform team runs `dask scheduler` once and, on every build host,
`python -m bench.distributed worker --scheduler tcp://SCHEDULER:8786 --name HOST --listen HOST_IP`
(the same argv as below, in the foreground, e.g. under systemd). Here, `start` runs them all on
127.0.0.1 for the one-machine rehearsal: host `default` is the engine this shell reaches, any other
host name is an engine instance of `python -m bench.engine.setup --instance NAME`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.distributed import spec
from bench.distributed.hostagent import HOST_NAME_ENV
from bench.distributed.job import HOST_MARK, HOST_ROOT_ENV, end_processes
from bench.engine import instances
from bench.errors import UsageError
from bench.paths import state_root

DEFAULT_HOST = "default"
SCHEDULER = "scheduler"
Say = Callable[[str], None]


@dataclass(frozen=True)
class Cluster:
    """Where the services of one rehearsal cluster keep their pid files, logs and the scheduler's address."""

    state: Path

    @property
    def scheduler_file(self) -> Path:
        """Written by the scheduler: its address, read by workers and clients."""
        return self.state / "scheduler.json"

    def pidfile(self, name: str) -> Path:
        """The pid of the scheduler (`scheduler`) or of a host's worker (its Nanny)."""
        return self.state / f"{name}.pid"

    def log(self, name: str) -> Path:
        """The log of the scheduler or of a host's worker."""
        return self.state / f"{name}.log"

    def host_root(self, host: str) -> Path:
        """Where a host's worker keeps its runs."""
        return self.state / "hosts" / host


def default_cluster() -> Cluster:
    """The cluster of `python -m bench.distributed start` without --state."""
    return Cluster(state_root() / "cluster")


def scheduler_argv(c: Cluster) -> list[str]:
    """`dask scheduler` on loopback, port chosen by the system, address written to the scheduler file."""
    return [sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", "0",
            "--scheduler-file", str(c.scheduler_file), "--no-dashboard", "--dashboard-address", "127.0.0.1:0"]


def worker_argv(scheduler: list[str], host: str, listen: str = "127.0.0.1", scratch: Path | None = None) -> list[str]:
    """One worker for one build host: one process, one thread, and the resource `host-<name>=1`."""
    argv = [sys.executable, "-m", "dask", "worker", *scheduler, "--name", host, "--nworkers", "1", "--nthreads", "1",
            "--resources", f"{spec.resource(host)}=1", "--memory-limit", "0", "--no-dashboard", "--dashboard-address", f"{listen}:0", "--host", listen,
            "--death-timeout", "120", "--preload", "bench.distributed.hostagent"]
    return argv + (["--local-directory", str(scratch)] if scratch else [])


def worker_env(host: str, root: Path) -> dict[str, str]:
    """The worker's environment: DOCKER_HOST of its engine, its host name, where it keeps runs."""
    env = {**os.environ, HOST_NAME_ENV: host, HOST_ROOT_ENV: str(root)}
    if host != DEFAULT_HOST:
        inst = instances.instance(host)
        if not instances.answers(inst):
            raise UsageError(f"host {host}: its engine does not answer; start it: python -m bench.engine.setup --instance {host}")
        env.update(inst.env())
    return env


def start(c: Cluster, hosts: list[str], say: Say = print, timeout: float = 90.0) -> str:
    """Start the scheduler and a worker per host unless running; wait until every host's worker is there."""
    envs = {host: worker_env(host, c.host_root(host)) for host in hosts}  # every host checked before anything starts
    c.state.mkdir(parents=True, exist_ok=True)
    if _pid(c, SCHEDULER) is None:
        c.scheduler_file.unlink(missing_ok=True)
        _spawn(c, SCHEDULER, scheduler_argv(c), dict(os.environ))
        _wait(lambda: c.scheduler_file.is_file(), timeout, f"the scheduler did not start (log {c.log(SCHEDULER)})")
    for host in hosts:
        if _pid(c, host) is None:
            argv = worker_argv(["--scheduler-file", str(c.scheduler_file)], host, scratch=c.state / "dask-scratch")
            _spawn(c, host, argv, envs[host])
    address = str(json.loads(c.scheduler_file.read_text())["address"])
    _wait(lambda: set(hosts) <= set(connected(c)), timeout, f"workers {hosts} did not all connect (logs in {c.state})")
    say(f"cluster: scheduler {address}; hosts {', '.join(connected(c))}")
    return address


def connected(c: Cluster) -> list[str]:
    """Hosts whose worker is connected to the scheduler now (none when no scheduler was started)."""
    from distributed import Client

    if _pid(c, SCHEDULER) is None or not c.scheduler_file.is_file():
        return []
    with Client(scheduler_file=str(c.scheduler_file), timeout=10, set_as_default=False) as client:
        workers = client.scheduler_info(n_workers=-1)["workers"].values()
        return spec.hosts_of([r for w in workers for r in (w.get("resources") or {})])


def stop(c: Cluster, grace: float = 20.0) -> list[str]:
    """Stop every worker, then the scheduler (SIGTERM, then SIGKILL); returns what was stopped."""
    names = sorted((p.stem for p in c.state.glob("*.pid") if p.stem != SCHEDULER), key=str) + [SCHEDULER]
    stopped = []
    for name in names:
        pid = _pid(c, name)
        if pid is not None:
            _end(pid, grace)
            stopped.append(f"{name} ({pid})")
        if name != SCHEDULER:
            end_processes(HOST_MARK, name)  # a job's harness runs in its own session: end it too
        c.pidfile(name).unlink(missing_ok=True)
    return stopped


def worker_process(c: Cluster, host: str) -> int | None:
    """The pid of a host's worker process (the Nanny's child that runs the jobs), for fault tests."""
    nanny = _pid(c, host)
    if nanny is None:
        return None
    for task in Path(f"/proc/{nanny}/task").iterdir():  # any of the Nanny's threads may have started it
        for child in (task / "children").read_text().split():
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                return int(child)
    return None


def _spawn(c: Cluster, name: str, argv: list[str], env: dict[str, str]) -> None:
    with open(c.log(name), "ab") as log:
        proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)  # outlives this command; stopped by pid
    c.pidfile(name).write_text(f"{proc.pid}\n")


def _pid(c: Cluster, name: str) -> int | None:
    try:
        pid = int(c.pidfile(name).read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if b"dask" in cmdline and _state_of(pid) != "Z" else None


def _state_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


def _end(pid: int, grace: float) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and _state_of(pid) != "Z":
        time.sleep(0.2)
    if _state_of(pid) != "Z":
        os.killpg(pid, signal.SIGKILL)  # the Nanny and its worker: started as a session of their own


def _wait(ready: Callable[[], bool], timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except (OSError, ValueError, TimeoutError):
            pass
        time.sleep(0.5)
    raise UsageError(message)
