"""What a job is, which host runs it, and what comes back. Plain data: it travels through Dask by pickle."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.errors import UsageError

RESOURCE_PREFIX = "host-"  # a worker owns `host-<name>=1`: the scheduler runs one job at a time per host
HOST_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
JOBS_FILE = "jobs.jsonl"  # in the sweep folder: one line per submitted and per returned job


def resource(host: str) -> str:
    """The Dask resource that stands for one build host."""
    if not HOST_RE.match(host):
        raise UsageError(f"host: {host!r} is not a valid host name (letters, digits, '.', '_', '-')")
    return RESOURCE_PREFIX + host


def hosts_of(resources: Sequence[str]) -> list[str]:
    """Host names from resource names (others are ignored), sorted."""
    return sorted(r.removeprefix(RESOURCE_PREFIX) for r in resources if r.startswith(RESOURCE_PREFIX))


def place(num: int, hosts: Sequence[str]) -> str:
    """The host of job `num`: round robin over the hosts in their given order.

    Fixed placement (not "whichever host is free") keeps a job's retries and resumes on the
    host that holds its partial run, and puts a sweep's same job on the same host every night,
    so its history stays comparable.
    """
    if not hosts:
        raise UsageError("no build host: start a worker per engine (python -m bench.distributed start --host NAME)")
    return hosts[num % len(hosts)]


@dataclass(frozen=True)
class JobSpec:
    """One run to execute on one host."""

    sweep_id: str  # unique per sweep; with `num`, names the run's folder on the host
    num: int
    host: str
    overrides: tuple[str, ...]
    submitted_at: float = field(default_factory=time.time)
    resume: bool = False  # finish the run already on the host (python -m bench resume=...)
    harness_commit: str = ""  # the submitter's, for the record

    @property
    def job_id(self) -> str:
        """`<sweep id>/<num>`: marks the job's processes and names its folder on the host."""
        return f"{self.sweep_id}/{self.num}"


@dataclass
class JobResult:
    """What a host sends back: the exit code, where the run is on the host, timings, the run folder as bytes."""

    num: int
    host: str
    exit_code: int
    local_dir: str
    docker_host: str
    worker_pid: int
    attempt: int
    started_at: float  # the job function began on the worker
    harness_started_at: float
    harness_ended_at: float
    packed_at: float
    archive: bytes = b""
    log_tail: str = ""

    def record(self) -> dict[str, Any]:
        """A JSON-ready dict without the archive."""
        out = asdict(self)
        out["archive_bytes"] = len(out.pop("archive"))
        return out


def append_record(sweep_dir: Path, record: dict[str, Any]) -> None:
    """One line in the sweep's jobs.jsonl (flushed: a later `resume` finds the host of every submitted job)."""
    sweep_dir.mkdir(parents=True, exist_ok=True)
    with open(sweep_dir / JOBS_FILE, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, sort_keys=True) + "\n")
        fh.flush()


def read_records(sweep_dir: Path) -> dict[int, dict[str, Any]]:
    """The last record of each job number in a sweep folder (later lines update earlier ones)."""
    path = sweep_dir / JOBS_FILE
    if not path.is_file():
        return {}
    merged: dict[int, dict[str, Any]] = {}
    for line in path.read_text().splitlines():
        if line.strip():
            rec = json.loads(line)
            merged.setdefault(int(rec["num"]), {}).update(rec)
    return merged
