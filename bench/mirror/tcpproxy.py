"""A shaped TCP forwarder on 127.0.0.1: any TCP service (the cache registry) behind a network profile.

It applies the mirror's own model (`bench.mirror.shaping`), at the TCP level instead of per
HTTP response:

- a new connection waits `connect_rtts` round trips before its first byte moves (TCP, TLS);
- every chunk is delayed by half a round trip (± jitter) in its direction, pipelined: a chunk's
  delay runs while earlier chunks are still being sent, as on a real path, so latency is paid
  once per exchange, not once per chunk;
- bandwidth is paced per direction, each direction one link shared by all connections;
- faults are decided per connection from its first request line (the registry speaks plain
  HTTP), with the shaper's seeded decisions: the same requests meet the same faults whatever
  order they arrive in. `reset`: a TCP RST before anything is forwarded; `http_502`: a 502
  answer instead of the upstream's; `stall`: `stall_ms` of silence, then a RST.

Bytes are counted each way as they are forwarded: client to upstream is `up` (pushed),
upstream to client `down` (pulled).
"""

from __future__ import annotations

import logging
import queue
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, fields
from types import TracebackType

from bench.mirror.shaping import Fault, Link, Shape, Shaper

log = logging.getLogger(__name__)
CHUNK = 64 * 1024
QUEUE_CHUNKS = 64  # per direction: 4 MiB in flight at most, then the sender waits (TCP backpressure)
FIRST_READ_TIMEOUT = 30.0
_REQUEST_LINE = re.compile(rb"^[A-Z]+ \S+ HTTP/\d")
_BAD_GATEWAY = b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 30\r\nConnection: close\r\n\r\nbad gateway (injected fault)\n\n"


@dataclass(frozen=True)
class Traffic:
    """Counter values at one moment, or (by subtraction) over an interval."""

    up: int = 0  # bytes forwarded client -> upstream (pushed)
    down: int = 0  # bytes forwarded upstream -> client (pulled)
    connections: int = 0
    faults: int = 0
    delay_seconds: float = 0.0  # connect delays and stalls (per-chunk latency overlaps, so it is not summed)

    def __sub__(self, other: Traffic) -> Traffic:
        return Traffic(**{f.name: getattr(self, f.name) - getattr(other, f.name) for f in fields(self)})


class _Counters:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values = {f.name: 0.0 if f.type == "float" else 0 for f in fields(Traffic)}

    def add(self, name: str, amount: float = 1) -> None:
        with self._lock:
            self._values[name] += amount

    def snapshot(self) -> Traffic:
        with self._lock:
            return Traffic(**self._values)  # type: ignore[arg-type]


class Forwarder:
    """Listens on 127.0.0.1:<free port> and forwards each connection to `upstream`, shaped; a context manager."""

    def __init__(self, upstream: tuple[str, int], shape: Shape | None = None, name: str = "forwarder") -> None:
        self.upstream = upstream
        self.name = name
        self.shaper = Shaper(shape or Shape())
        rate = self.shaper.shape.bandwidth_mbit * 1e6 / 8
        self.up_link = Link(rate) if rate > 0 else None  # the shaper's own link paces the way down
        self._counters = _Counters()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()

    @property
    def port(self) -> int:
        """The bound port (after start)."""
        if self._sock is None:
            raise RuntimeError(f"forwarder {self.name} is not running")
        return int(self._sock.getsockname()[1])

    @property
    def address(self) -> str:
        """host:port to connect to (or to put in an image reference)."""
        return f"127.0.0.1:{self.port}"

    def traffic(self) -> Traffic:
        """The counters now; subtract two snapshots for an interval."""
        return self._counters.snapshot()

    def start(self) -> Forwarder:
        """Bind, listen and accept in a background thread."""
        if self._sock is not None:
            return self
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        self._sock = sock
        self._thread = threading.Thread(target=self._accept, args=(sock,), name=f"fwd-{self.name}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting and drop open connections (idempotent)."""
        sock, self._sock = self._sock, None
        if sock is None:
            return
        try:
            sock.shutdown(socket.SHUT_RDWR)  # wakes accept()
        except OSError:
            pass
        sock.close()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            _close(conn, shutdown=True)
        if self._thread:
            self._thread.join(5)

    def __enter__(self) -> Forwarder:
        return self.start()

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def _accept(self, sock: socket.socket) -> None:
        while True:
            try:
                client, _ = sock.accept()
            except OSError:
                return  # stopped
            threading.Thread(target=self._serve, args=(client,), name=f"fwd-{self.name}-conn", daemon=True).start()

    def _track(self, *conns: socket.socket, add: bool = True) -> None:
        with self._lock:
            for c in conns:
                (self._conns.add if add else self._conns.discard)(c)

    def _serve(self, client: socket.socket) -> None:
        self._counters.add("connections")
        self._track(client)
        upstream: socket.socket | None = None
        try:
            self._sleep(self.shaper.connect_delay())
            first = self._first_chunk(client)
            if first is None or self._faulted(client, first):
                return
            upstream = socket.create_connection(self.upstream, timeout=30)
            upstream.settimeout(None)
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._track(upstream)
            self._relay(client, upstream, first)
        except OSError:
            log.debug("forwarder %s: a connection ended with an error", self.name, exc_info=True)
        finally:
            self._track(client, *([upstream] if upstream else []), add=False)
            _close(client)
            if upstream is not None:
                _close(upstream)

    def _first_chunk(self, client: socket.socket) -> bytes | None:
        """The connection's first bytes (its first request line, for the fault decision); None when it closed."""
        client.settimeout(FIRST_READ_TIMEOUT)
        try:
            data = client.recv(CHUNK)
        except (TimeoutError, OSError):
            return None
        client.settimeout(None)
        return data or None

    def _faulted(self, client: socket.socket, first: bytes) -> bool:
        """Apply the fault this connection meets, if any; True when nothing is to be forwarded."""
        line = first.split(b"\r\n", 1)[0]
        # A client may try TLS first (containerd does with a registry on 127.0.0.1): its random
        # hello is no key for a reproducible decision, so every such attempt shares one.
        key = line.decode("latin-1") if _REQUEST_LINE.match(line) else "(not an HTTP request)"
        fault = self.shaper.fault_for(key)
        if fault is None:
            return False
        self._counters.add("faults")
        if fault is Fault.HTTP_502:
            client.sendall(_BAD_GATEWAY)
        else:
            if fault is Fault.STALL:
                self._sleep(self.shaper.shape.stall_ms / 1000)
            _reset(client)
        return True

    def _relay(self, client: socket.socket, upstream: socket.socket, first: bytes) -> None:
        shaped = self.shaper.shape.shaped
        ways = [
            (client, upstream, "up", self.up_link, first),
            (upstream, client, "down", self.shaper.link, b""),
        ]
        threads = [
            threading.Thread(target=self._pipe if shaped else self._copy, args=w, daemon=True) for w in ways[1:]
        ]
        for t in threads:
            t.start()
        (self._pipe if shaped else self._copy)(*ways[0])
        for t in threads:
            t.join()

    def _copy(self, src: socket.socket, dst: socket.socket, way: str, _link: Link | None, first: bytes) -> None:
        """Unshaped: forward as fast as the sockets go, counting."""
        try:
            data = first or src.recv(CHUNK)
            while data:
                dst.sendall(data)
                self._counters.add(way, len(data))
                data = src.recv(CHUNK)
            dst.shutdown(socket.SHUT_WR)  # pass the half-close on
        except OSError:
            _close(src, shutdown=True)
            _close(dst, shutdown=True)

    def _pipe(self, src: socket.socket, dst: socket.socket, way: str, link: Link | None, first: bytes) -> None:
        """Shaped: a reader stamps each chunk's arrival; this thread sends it half a round trip later, paced."""
        chunks: queue.Queue[tuple[float, bytes] | None] = queue.Queue(QUEUE_CHUNKS)

        def read() -> None:
            try:
                data = first or src.recv(CHUNK)
                while data:
                    chunks.put((time.monotonic() + self.shaper.request_delay() / 2, data))
                    data = src.recv(CHUNK)
            except OSError:
                pass
            chunks.put(None)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        item = chunks.get()
        try:
            while item is not None:
                due, data = item
                time.sleep(max(0.0, due - time.monotonic()))
                if link is not None:
                    time.sleep(link.reserve(len(data)))
                dst.sendall(data)
                self._counters.add(way, len(data))
                item = chunks.get()
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            _close(src, shutdown=True)
            _close(dst, shutdown=True)
            while item is not None:  # let the reader finish
                item = chunks.get()
        reader.join()

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)
            self._counters.add("delay_seconds", seconds)


def _reset(sock: socket.socket) -> None:
    # SO_LINGER with a zero timeout makes close() send RST instead of FIN ("connection reset by peer").
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _close(sock: socket.socket, shutdown: bool = False) -> None:
    try:
        if shutdown:
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()
    except OSError:
        pass
