"""Per-build accounting of what went over the emulated network: requests, bytes, faults, time."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from typing import Any

from bench.mirror.layout import KINDS

FAULTS = ("http_502", "reset", "stall")
_SCALARS = (
    "not_found",
    "bad_requests",
    "unauthorized",
    "upstream_errors",
    "bytes_sent",
    "connections",
    "busy_seconds",
    "delay_seconds",
    "upstream_requests",
    "upstream_bytes",
)


@dataclass(frozen=True)
class Snapshot:
    """Counter values at one moment, or (by subtraction) over an interval."""

    requests: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    not_found: int = 0  # answered 404
    bad_requests: int = 0  # answered 400
    unauthorized: int = 0  # answered 401 (a private mirror asked without valid credentials)
    upstream_errors: int = 0  # caching mode: answered 502 because the upstream failed
    faults: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FAULTS, 0))
    bytes_sent: int = 0  # response bodies
    connections: int = 0
    busy_seconds: float = 0.0  # summed request handling time, shaping included
    delay_seconds: float = 0.0  # summed injected latency, pacing and stalls
    upstream_requests: int = 0
    upstream_bytes: int = 0

    def _combine(self, other: Snapshot, sign: int) -> Snapshot:
        def op(a: Any, b: Any) -> Any:
            if isinstance(a, dict):
                return {k: a.get(k, 0) + sign * b.get(k, 0) for k in {**a, **b}}
            return a + sign * b

        return replace(self, **{f.name: op(getattr(self, f.name), getattr(other, f.name)) for f in fields(self)})

    def __sub__(self, other: Snapshot) -> Snapshot:
        return self._combine(other, -1)

    def __add__(self, other: Snapshot) -> Snapshot:
        return self._combine(other, 1)

    @property
    def total_requests(self) -> int:
        """Requests of every kind plus malformed ones."""
        return sum(self.requests.values()) + self.bad_requests

    @property
    def total_faults(self) -> int:
        """Faults injected, all kinds."""
        return sum(self.faults.values())

    def as_row(self, prefix: str = "mirror_") -> dict[str, int | float]:
        """A flat dict for a result row (`mirror_requests_zip`, `mirror_faults_reset`, ...).

        This is the one mapping from counters to result columns: rows, the CLI and the
        report all use these names (`mirror_bytes_sent`, `mirror_requests_total`, ...).
        """
        row: dict[str, int | float] = {
            f"{prefix}requests_total": self.total_requests,
            f"{prefix}faults_total": self.total_faults,
        }
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, dict):
                row.update({f"{prefix}{f.name}_{k}": v for k, v in value.items()})
            else:
                row[f"{prefix}{f.name}"] = round(value, 6) if isinstance(value, float) else value
        return row


class Measurement:
    """Filled when its `measure()` block ends: `result` is the counters' change over the block."""

    result: Snapshot | None = None


class Counters:
    """Thread-safe counters of one mirror server (plain numbers under a lock: cheap per request)."""

    SETTLE_SECONDS = 2.0

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._inflight = 0
        self.reset()

    def reset(self) -> None:
        """Zero everything."""
        with self._lock:
            self._requests = dict.fromkeys(KINDS, 0)
            self._faults = dict.fromkeys(FAULTS, 0)
            self._n: dict[str, float] = dict.fromkeys(_SCALARS, 0)

    def begin(self) -> None:
        """A request is being answered (its numbers arrive with `request`)."""
        with self._lock:
            self._inflight += 1

    def request(self, kind: str, status: int, nbytes: int, seconds: float) -> None:
        """Account one answered request (ends what `begin` started)."""
        with self._lock:
            self._inflight -= 1
            self._lock.notify_all()
            if kind in self._requests:
                self._requests[kind] += 1
            n = self._n
            n["bytes_sent"] += nbytes
            n["busy_seconds"] += seconds
            if status == 404:
                n["not_found"] += 1
            elif status == 400:
                n["bad_requests"] += 1
            elif status == 401:
                n["unauthorized"] += 1

    def _add(self, name: str, amount: float = 1) -> None:
        with self._lock:
            self._n[name] += amount

    def upstream_error(self) -> None:
        """Account one request the caching mode could not answer because the upstream failed."""
        self._add("upstream_errors")

    def fault(self, name: str) -> None:
        """Account one injected fault."""
        with self._lock:
            self._faults[name] += 1

    def connection(self) -> None:
        """Account one accepted TCP connection."""
        self._add("connections")

    def delay(self, seconds: float) -> None:
        """Account injected delay."""
        self._add("delay_seconds", seconds)

    def upstream(self, nbytes: int) -> None:
        """Account one request the caching mode sent upstream."""
        with self._lock:
            self._n["upstream_requests"] += 1
            self._n["upstream_bytes"] += nbytes

    def snapshot(self, settle: float = SETTLE_SECONDS) -> Snapshot:
        """The counters (an immutable copy), once answers in flight are counted (waits at most `settle` s).

        A client has the last byte of an answer a moment before the server has counted it;
        without the wait, a build's last request could be missing from its row.
        """
        with self._lock:
            self._lock.wait_for(lambda: self._inflight == 0, settle)
            scalars = {k: (v if "seconds" in k else int(v)) for k, v in self._n.items()}
            return Snapshot(requests=dict(self._requests), faults=dict(self._faults), **scalars)  # type: ignore[arg-type]

    @contextmanager
    def measure(self) -> Iterator[Measurement]:
        """Count one build: `with counters.measure() as m: ...` then read `m.result`.

        Works by difference, so measurements may overlap and nothing is reset.
        """
        m = Measurement()
        before = self.snapshot()
        try:
            yield m
        finally:
            m.result = self.snapshot() - before
