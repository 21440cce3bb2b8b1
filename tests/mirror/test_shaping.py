"""Network emulation: latency per request and per connection, bandwidth, reproducible faults."""

from __future__ import annotations

import http.client
import os
import time
from collections import Counter
from pathlib import Path

import pytest

from bench.mirror import modzip
from bench.mirror.server import MirrorServer
from bench.mirror.shaping import Fault, Link, Shape, Shaper

from .httphelp import get

PATHS = [f"/example.com/m{i}/@v/v1.0.0.zip" for i in range(200)]


def _faults(shape: Shape, paths: list[str]) -> list[Fault | None]:
    shaper = Shaper(shape)
    return [shaper.fault_for(p) for p in paths]


def test_fault_sequence_is_reproducible_for_a_seed() -> None:
    shape = Shape(p_502=0.2, p_reset=0.1, p_stall=0.05, seed=11)
    assert _faults(shape, PATHS) == _faults(shape, PATHS)
    assert _faults(shape, PATHS) != _faults(Shape(p_502=0.2, p_reset=0.1, p_stall=0.05, seed=12), PATHS)


def test_faults_do_not_depend_on_arrival_order() -> None:
    # The go command fetches in parallel: the same requests in another order meet the same faults.
    shape = Shape(p_502=0.3, seed=3)
    forward = dict(zip(PATHS, _faults(shape, PATHS)))
    backward = dict(zip(reversed(PATHS), _faults(shape, list(reversed(PATHS)))))
    assert forward == backward


def test_fault_shares_follow_the_probabilities() -> None:
    counts = Counter(_faults(Shape(p_502=0.2, p_reset=0.1, p_stall=0.05, seed=1), PATHS * 10))
    n = len(PATHS) * 10
    assert 0.15 < counts[Fault.HTTP_502] / n < 0.25
    assert 0.06 < counts[Fault.RESET] / n < 0.14
    assert 0.02 < counts[Fault.STALL] / n < 0.08


def test_a_repeated_request_gets_a_fresh_draw() -> None:
    shaper = Shaper(Shape(p_502=0.5, seed=2))
    draws = {shaper.fault_for(PATHS[0]) for _ in range(40)}
    assert draws == {Fault.HTTP_502, None}


def test_link_serialises_parallel_chunks() -> None:
    link = Link(bytes_per_second=1000)
    waits = [link.reserve(100) for _ in range(5)]  # 5 x 100 B on a 1000 B/s link
    assert waits[-1] == pytest.approx(0.5, abs=0.05)


@pytest.fixture
def blob_tree(tmp_path: Path) -> tuple[Path, str, int]:
    """A one-module tree whose zip is about 125 kB of incompressible data."""
    data = modzip.create(
        "example.com/blob", "v1.0.0", {"go.mod": b"module example.com/blob\n", "blob.bin": os.urandom(125_000)}
    )
    vdir = tmp_path / "example.com" / "blob" / "@v"
    vdir.mkdir(parents=True)
    (vdir / "v1.0.0.zip").write_bytes(data)
    (vdir / "list").write_text("v1.0.0\n")
    return tmp_path, "/example.com/blob/@v/v1.0.0.zip", len(data)


def test_latency_is_paid_per_connection_and_per_request(blob_tree: tuple[Path, str, int]) -> None:
    root, _, _ = blob_tree
    with MirrorServer(root, shape=Shape(rtt_ms=100, connect_rtts=2)) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        t0 = time.monotonic()
        assert get(0, "/example.com/blob/@v/list", conn)[0] == 200
        first = time.monotonic() - t0
        t1 = time.monotonic()
        assert get(0, "/example.com/blob/@v/list", conn)[0] == 200  # same keep-alive connection
        second = time.monotonic() - t1
        conn.close()
        assert first >= 0.29  # 2 handshake round trips + 1 request round trip
        assert 0.09 <= second < 0.25  # only the request round trip
        assert server.counters.snapshot().delay_seconds == pytest.approx(0.4, abs=0.05)


def test_bandwidth_paces_the_body(blob_tree: tuple[Path, str, int]) -> None:
    root, target, size = blob_tree
    with MirrorServer(root, shape=Shape(bandwidth_mbit=2)) as server:  # 250 kB/s
        t0 = time.monotonic()
        status, body = get(server.port, target)
        elapsed = time.monotonic() - t0
    assert status == 200 and len(body) == size
    assert elapsed >= 0.9 * size / 250_000


def test_unshaped_is_fast(blob_tree: tuple[Path, str, int]) -> None:
    root, target, _ = blob_tree
    with MirrorServer(root) as server:
        t0 = time.monotonic()
        for _ in range(20):
            assert get(server.port, target)[0] == 200
        assert time.monotonic() - t0 < 1.0


def test_502_fault_answers_502(blob_tree: tuple[Path, str, int]) -> None:
    root, target, _ = blob_tree
    with MirrorServer(root, shape=Shape(p_502=1.0)) as server:
        assert get(server.port, target)[0] == 502
        assert server.counters.snapshot().faults["http_502"] == 1


def test_reset_fault_resets_the_connection(blob_tree: tuple[Path, str, int]) -> None:
    root, target, _ = blob_tree
    with MirrorServer(root, shape=Shape(p_reset=1.0)) as server:
        with pytest.raises(ConnectionResetError):
            get(server.port, target)
        assert server.counters.snapshot().faults["reset"] == 1


def test_stall_fault_sends_part_then_stalls_then_resets(blob_tree: tuple[Path, str, int]) -> None:
    root, target, _ = blob_tree
    with MirrorServer(root, shape=Shape(p_stall=1.0, stall_ms=300)) as server:
        t0 = time.monotonic()
        with pytest.raises((ConnectionResetError, http.client.IncompleteRead)):
            get(server.port, target)
        assert time.monotonic() - t0 >= 0.3
        snap = server.counters.snapshot()
        assert snap.faults["stall"] == 1 and 0 < snap.bytes_sent < 125_000
