"""Network emulation applied by the mirror itself: latency, bandwidth, faults.

The model follows toxiproxy's: latency ± jitter, bandwidth in bytes per second on the body,
faults (502, TCP reset, stall-then-reset) each with a probability. Round trips are paid
`connect_rtts` times per new connection (TCP, plus TLS 1.3 for an HTTPS proxy) and once per
request. Bandwidth is one shared link per mirror: parallel downloads split it, as they would.

Faults are decided by a hash of (seed, request path, how many times that path was asked), not
by one random stream: the go command fetches in parallel, so arrival order varies run to run,
but the same requests still meet the same faults.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, replace
from enum import Enum


class Fault(Enum):
    """What goes wrong with one request."""

    HTTP_502 = "http_502"
    RESET = "reset"  # TCP RST before any answer
    STALL = "stall"  # half the body, a pause, then a TCP RST


@dataclass(frozen=True)
class Shape:
    """The numbers of a network profile the server needs (see ProxyProfile for their meaning)."""

    rtt_ms: float = 0.0
    jitter_ms: float = 0.0
    connect_rtts: int = 0
    bandwidth_mbit: float = 0.0  # 0: unlimited
    p_502: float = 0.0
    p_reset: float = 0.0
    p_stall: float = 0.0
    stall_ms: float = 0.0
    seed: int = 0

    @property
    def shaped(self) -> bool:
        """False when the profile adds nothing (the fast path: sendfile, no sleeps)."""
        return bool(self.rtt_ms or self.jitter_ms or self.bandwidth_mbit)

    @property
    def faulty(self) -> bool:
        """True when any fault has a non-zero probability."""
        return (self.p_502 + self.p_reset + self.p_stall) > 0


class Link:
    """A shared pipe of fixed rate: each chunk reserves the next free slot on it."""

    def __init__(self, bytes_per_second: float) -> None:
        self.rate = bytes_per_second
        self._free_at = 0.0
        self._lock = threading.Lock()

    def reserve(self, nbytes: int) -> float:
        """Seconds to wait before `nbytes` have gone through the link."""
        now = time.monotonic()
        with self._lock:
            start = max(now, self._free_at)
            self._free_at = start + nbytes / self.rate
            return self._free_at - now


class Shaper:
    """Latency, pacing and fault decisions of one mirror server."""

    CHUNK = 16 * 1024

    def __init__(self, shape: Shape) -> None:
        self.shape = shape
        self.link = Link(shape.bandwidth_mbit * 1e6 / 8) if shape.bandwidth_mbit > 0 else None
        self._base_seed = shape.seed
        self._jitter = random.Random(shape.seed)
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()

    def restart(self, round_key: str) -> None:
        """Start the fault and jitter sequences afresh for one round (e.g. `<run seed>|<repetition>`).

        Every build of a round then meets the same faults for the same requests, whatever
        was asked before: compared variants face the same network.
        """
        with self._lock:
            seed = random.Random(f"{self._base_seed}|{round_key}").getrandbits(31)
            self.shape = replace(self.shape, seed=seed)
            self._jitter = random.Random(seed)
            self._seen.clear()

    def _rtt(self) -> float:
        with self._lock:  # random.Random is not documented as thread-safe
            jitter = self._jitter.uniform(-self.shape.jitter_ms, self.shape.jitter_ms)
        return max(0.0, self.shape.rtt_ms + jitter) / 1000

    def connect_delay(self) -> float:
        """Seconds a new connection costs before its first request is read."""
        return sum(self._rtt() for _ in range(self.shape.connect_rtts)) if self.shape.rtt_ms else 0.0

    def request_delay(self) -> float:
        """Seconds one request/response round trip costs."""
        return self._rtt() if self.shape.rtt_ms or self.shape.jitter_ms else 0.0

    def fault_for(self, path: str) -> Fault | None:
        """The fault (if any) for this request; reproducible for a given seed and request multiset."""
        if not self.shape.faulty:
            return None
        with self._lock:
            self._seen[path] += 1
            nth = self._seen[path]
        u = random.Random(f"{self.shape.seed}|{path}|{nth}").random()
        for fault, p in (
            (Fault.HTTP_502, self.shape.p_502),
            (Fault.RESET, self.shape.p_reset),
            (Fault.STALL, self.shape.p_stall),
        ):
            if u < p:
                return fault
            u -= p
        return None

    def pace(self, nbytes: int) -> float:
        """Seconds to wait before sending the next `nbytes` of a body (0 when unlimited)."""
        return self.link.reserve(nbytes) if self.link else 0.0
