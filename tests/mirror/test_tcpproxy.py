"""The shaped TCP forwarder against loopback servers: bytes counted, bandwidth and latency within tolerance, faults."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from bench.mirror.shaping import Shape
from bench.mirror.tcpproxy import Forwarder

MB = 1_000_000


@contextmanager
def server(handle: object) -> Iterator[tuple[str, int]]:
    """A loopback TCP server calling `handle(conn)` per connection in its own thread."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)

    def accept() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            threading.Thread(target=_run, args=(handle, conn), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield sock.getsockname()
    finally:
        sock.close()


def _run(handle: object, conn: socket.socket) -> None:
    with conn:
        try:
            handle(conn)  # type: ignore[operator]
        except OSError:
            pass


def echo(conn: socket.socket) -> None:
    while data := conn.recv(65536):
        conn.sendall(data)


def source(conn: socket.socket) -> None:
    """Reads one line `<n>\\n`, answers n bytes."""
    n = int(conn.recv(64).split(b"\n")[0])
    conn.sendall(b"x" * n)
    conn.shutdown(socket.SHUT_WR)


def sink(conn: socket.socket) -> None:
    """Reads until EOF, answers with the count."""
    total = 0
    while data := conn.recv(65536):
        total += len(data)
    conn.sendall(str(total).encode())


def recv_all(sock: socket.socket) -> bytes:
    out = bytearray()
    while data := sock.recv(65536):
        out += data
    return bytes(out)


def test_unshaped_forwarding_counts_bytes_each_way_exactly() -> None:
    payload = bytes(range(256)) * 4000  # 1,024,000 bytes
    with server(echo) as up, Forwarder(up) as fwd:
        before = fwd.traffic()
        with socket.create_connection(("127.0.0.1", fwd.port)) as c:
            threading.Thread(target=lambda: (c.sendall(payload), c.shutdown(socket.SHUT_WR)), daemon=True).start()
            back = recv_all(c)
        time.sleep(0.05)  # the counters are updated right after each send
        moved = fwd.traffic() - before
    assert back == payload
    assert (moved.up, moved.down, moved.connections, moved.faults) == (len(payload), len(payload), 1, 0)


def test_bandwidth_paces_the_way_down() -> None:
    size = 1 * MB
    with server(source) as up, Forwarder(up, Shape(bandwidth_mbit=16)) as fwd:  # 2 MB/s: 0.5 s for 1 MB
        with socket.create_connection(("127.0.0.1", fwd.port)) as c:
            start = time.monotonic()
            c.sendall(f"{size}\n".encode())
            got = recv_all(c)
            took = time.monotonic() - start
        time.sleep(0.05)
        assert fwd.traffic().down == size
    assert len(got) == size
    assert 0.45 <= took <= 0.8, took


def test_bandwidth_paces_the_way_up() -> None:
    size = 1 * MB
    with server(sink) as up, Forwarder(up, Shape(bandwidth_mbit=16)) as fwd:
        with socket.create_connection(("127.0.0.1", fwd.port)) as c:
            start = time.monotonic()
            c.sendall(b"y" * size)
            c.shutdown(socket.SHUT_WR)
            answer = recv_all(c)
            took = time.monotonic() - start
        time.sleep(0.05)
        assert fwd.traffic().up == size
    assert int(answer) == size
    assert 0.45 <= took <= 0.8, took


def test_latency_is_paid_per_connection_and_per_exchange_not_per_chunk() -> None:
    with server(echo) as up, Forwarder(up, Shape(rtt_ms=100, connect_rtts=1)) as fwd:
        start = time.monotonic()
        with socket.create_connection(("127.0.0.1", fwd.port)) as c:
            c.sendall(b"ping")
            assert c.recv(16) == b"ping"
            first = time.monotonic() - start  # connect (1 RTT) + one exchange (1 RTT)
            # 40 chunks in flight at once: pipelined, so about one more round trip, not 40.
            start = time.monotonic()
            blob = b"z" * (40 * 65536)
            threading.Thread(target=lambda: (c.sendall(blob), c.shutdown(socket.SHUT_WR)), daemon=True).start()
            back = recv_all(c)
            burst = time.monotonic() - start
    assert back == blob
    assert 0.19 <= first <= 0.4, first
    assert 0.09 <= burst <= 0.5, burst


@pytest.mark.parametrize(("shape", "expect"), [
    (Shape(p_reset=1.0, seed=3), "reset"),
    (Shape(p_502=1.0, seed=3), "502"),
    (Shape(p_stall=1.0, stall_ms=200, seed=3), "reset"),
])
def test_faults_end_the_connection_and_are_counted(shape: Shape, expect: str) -> None:
    with server(echo) as up, Forwarder(up, shape) as fwd:
        start = time.monotonic()
        with socket.create_connection(("127.0.0.1", fwd.port)) as c:
            c.sendall(b"GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n")
            if expect == "reset":
                with pytest.raises(ConnectionResetError):
                    recv_all(c)
            else:
                assert recv_all(c).startswith(b"HTTP/1.1 502 ")
        took = time.monotonic() - start
        moved = fwd.traffic()
    assert moved.faults == 1 and moved.up == 0 and moved.down == 0
    if shape.p_stall:
        assert took >= 0.2


def test_faults_are_seeded_by_request_not_by_arrival_order() -> None:
    shape = Shape(p_reset=0.5, seed=11)
    lines = [f"GET /v2/r/blobs/{i} HTTP/1.1" for i in range(40)]

    def outcome(order: list[str]) -> dict[str, bool]:
        with server(echo) as up, Forwarder(up, shape) as fwd:
            fwd.shaper.restart("round-1")
            got = {}
            for line in order:
                with socket.create_connection(("127.0.0.1", fwd.port)) as c:
                    c.sendall(line.encode() + b"\r\n\r\n")
                    try:
                        got[line] = bool(c.recv(1024))
                    except ConnectionResetError:
                        got[line] = False
            return got

    forward, backward = outcome(lines), outcome(lines[::-1])
    assert forward == backward
    assert 0 < sum(forward.values()) < len(lines)  # some reset, some not
