"""The GOPROXY HTTP server: threaded, loopback only, read-only, shaped by a network profile.

    with MirrorServer(DirectoryStore(corpus_dir), shape=Shape(rtt_ms=10)) as mirror:
        with mirror.measure() as m:
            ...  # run a build with GOPROXY=mirror.url
        print(m.result.as_row())

A thread per connection (socketserver), a lean HTTP/1.1 reader (http11), small answers
kept in memory by the store, head and body in one write, big zips with sendfile: with
http.server's own request parsing the mirror was 1.2x a file:// GOPROXY, now about 1.1x
(scripts/bench_mirror.py).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import socketserver
import ssl
import struct
import threading
import time
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType

from bench.mirror import auth, http11, layout
from bench.mirror.counters import Counters, Measurement
from bench.mirror.shaping import Fault, Shape, Shaper
from bench.mirror.store import Body, DirectoryStore, Store, UpstreamError

log = logging.getLogger(__name__)
IDLE_TIMEOUT = 30.0  # seconds an idle keep-alive connection is kept; a vanished client frees its thread
TEXT = "text/plain; charset=utf-8"
UNAUTHORIZED_HEADERS = ('WWW-Authenticate: Basic realm="bench-mirror"',)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for clients' idle keep-alive connections
    allow_reuse_address = True
    request_queue_size = 128  # the go command opens many connections at once
    mirror: MirrorServer

    def get_request(self) -> tuple[socket.socket, tuple[str, int]]:
        sock, addr = super().get_request()
        tls = self.mirror.tls_context
        if tls is not None:  # the handshake happens in the connection's own thread (handle)
            sock = tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        # Clients that hang up or reset mid-request are normal under fault injection: no stderr noise.
        log.debug("connection from %s ended with an error", client_address, exc_info=True)


class _Handler(socketserver.StreamRequestHandler):
    """One client connection: requests answered in turn while it keeps the connection alive."""

    timeout = IDLE_TIMEOUT
    # Nagle would hold a small answer back until the client's delayed ACK: 40 ms a request.
    disable_nagle_algorithm = True
    server: _Server
    path = ""
    authorization = ""
    close_connection = False

    def setup(self) -> None:
        super().setup()
        self.server.mirror._on_connect(self)

    def handle(self) -> None:
        if isinstance(self.connection, ssl.SSLSocket):
            try:
                self.connection.do_handshake()
            except OSError:  # a client that does not trust the certificate, or is not speaking TLS
                return
        while not self.close_connection:
            try:
                head = http11.read_request(self.rfile)
            except http11.MalformedRequest as err:
                self.close_connection = True
                self.server.mirror._malformed(self, str(err))
                return
            except OSError:  # idle timeout, reset, or the server stopping
                return
            if head is None:
                return
            self.close_connection = not head.keep_alive
            self.path = head.target
            self.authorization = head.authorization
            self.server.mirror._handle(self, head.method)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:  # a connection we reset on purpose, or a client that left
            pass
        finally:
            self.server.mirror._on_disconnect(self)


class MirrorServer:
    """A GOPROXY server on 127.0.0.1 (a free port unless given), started and stopped from Python.

    `credentials` (user, token): every request needs them as HTTP basic auth, else 401.
    `tls`: serve HTTPS with a self-signed certificate made at start (`ca_pem` is its PEM).
    """

    def __init__(
        self,
        store: Store | Path,
        *,
        shape: Shape | None = None,
        name: str = "mirror",
        host: str = "127.0.0.1",
        port: int = 0,
        credentials: tuple[str, str] | None = None,
        tls: bool = False,
    ) -> None:
        if not ipaddress.ip_address(host).is_loopback or ":" in host:
            raise ValueError(f"{host}: the mirror listens on IPv4 loopback only")
        self.store: Store = DirectoryStore(store) if isinstance(store, Path) else store
        self.shaper = Shaper(shape or Shape())
        self.name = name
        self.counters = Counters()
        self._address = (host, port)
        self._tcp: _Server | None = None
        self._thread: threading.Thread | None = None
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.credentials = credentials
        self.tls = tls
        self.tls_context: ssl.SSLContext | None = None
        self.ca_pem: bytes | None = None  # the certificate clients must trust (tls only)

    # ------------------------------------------------------------ lifecycle

    def start(self) -> MirrorServer:
        """Bind and serve in a background thread; returns self."""
        if self._tcp is not None:
            return self
        if self.tls and self.tls_context is None:
            self.tls_context, self.ca_pem = auth.self_signed(self._address[0])
        tcp = _Server(self._address, _Handler)
        tcp.mirror = self
        self._tcp = tcp
        self._thread = threading.Thread(
            target=tcp.serve_forever, kwargs={"poll_interval": 0.05}, name=f"mirror-{self.name}", daemon=True
        )
        self._thread.start()
        log.info("mirror %s serving on %s", self.name, self.url)
        return self

    def stop(self) -> None:
        """Stop serving and drop open connections (idempotent)."""
        tcp, self._tcp = self._tcp, None
        if tcp is None:
            return
        tcp.shutdown()
        tcp.server_close()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:  # wake threads blocked on idle keep-alive reads
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread:
            self._thread.join(5)

    def __enter__(self) -> MirrorServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port (after start)."""
        if self._tcp is None:
            raise RuntimeError(f"mirror {self.name} is not running")
        return int(self._tcp.server_address[1])

    @property
    def url(self) -> str:
        """The GOPROXY entry for this server, e.g. `http://127.0.0.1:40123` (https with tls)."""
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def measure(self) -> AbstractContextManager[Measurement]:
        """Shortcut for `self.counters.measure()`: `with mirror.measure() as m: ...; m.result`."""
        return self.counters.measure()

    # ------------------------------------------------------------ connections

    def _on_connect(self, h: _Handler) -> None:
        with self._lock:
            self._conns.add(h.connection)
        self.counters.connection()
        self._sleep(self.shaper.connect_delay())

    def _on_disconnect(self, h: _Handler) -> None:
        with self._lock:
            self._conns.discard(h.connection)

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)
            self.counters.delay(seconds)

    # ------------------------------------------------------------ requests

    def _handle(self, h: _Handler, method: str) -> None:
        started = time.monotonic()
        self.counters.begin()
        kind, status, sent = "bad", 0, 0
        try:
            if method == "GET":
                kind, status, sent = self._answer(h)
            else:  # read-only; a body may follow the head, so the connection cannot be reused
                h.close_connection = True
                kind, status, sent = "other", 501, self._send(h, 501, Body(TEXT, data=b"read-only mirror\n"))
        finally:
            self.counters.request(kind, status, sent, time.monotonic() - started)

    def _malformed(self, h: _Handler, reason: str) -> None:
        self.counters.begin()
        sent = self._send(h, 400, Body(TEXT, data=f"bad request: {reason}\n".encode()))
        self.counters.request("bad", 400, sent, 0.0)

    def _answer(self, h: _Handler) -> tuple[str, int, int]:
        try:
            req = layout.parse(h.path)
        except layout.BadRequest as err:
            return "bad", 400, self._send(h, 400, Body(TEXT, data=f"bad request: {err}\n".encode()))
        if self.credentials is not None and not auth.authorized(h.authorization, *self.credentials):
            sent = self._send(h, 401, Body(TEXT, data=b"unauthorized\n"), extra=UNAUTHORIZED_HEADERS)
            return req.kind, 401, sent
        fault = self.shaper.fault_for(h.path)
        self._sleep(self.shaper.request_delay())
        if fault is not None:
            self.counters.fault(fault.value)
        if fault is Fault.HTTP_502:
            return req.kind, 502, self._send(h, 502, Body(TEXT, data=b"bad gateway (injected fault)\n"))
        if fault is Fault.RESET:
            self._reset(h)
            return req.kind, 0, 0
        try:
            body = self.store.get(req)
        except UpstreamError as err:
            self.counters.upstream_error()
            return req.kind, 502, self._send(h, 502, Body(TEXT, data=f"upstream failed: {err}\n".encode()))
        if body is None:
            return req.kind, 404, self._send(h, 404, Body(TEXT, data=f"not found: {req.relpath()}\n".encode()))
        return req.kind, 200, self._send(h, 200, body, stall=fault is Fault.STALL)

    def _send(
        self, h: _Handler, status: int, body: Body, *, stall: bool = False, extra: tuple[str, ...] = ()
    ) -> int:
        head = http11.response_head(status, body.content_type, body.size, close=h.close_connection, extra=extra)
        try:
            if stall or self.shaper.shape.shaped:
                h.connection.sendall(head)
                return self._send_paced(h, body, stall)
            if body.data is not None:
                h.connection.sendall(head + body.data)
                return len(body.data)
            h.connection.sendall(head)
            with body.path.open("rb") as f:  # type: ignore[union-attr]
                return int(h.connection.sendfile(f))
        except OSError:  # the client went away; nothing to tell it
            h.close_connection = True
            return 0

    def _send_paced(self, h: _Handler, body: Body, stall: bool) -> int:
        data = body.data if body.data is not None else body.path.read_bytes()  # type: ignore[union-attr]
        if stall:
            data = data[: max(1, len(data) // 2)]
        sent = 0
        for start in range(0, len(data), Shaper.CHUNK):
            chunk = data[start : start + Shaper.CHUNK]
            self._sleep(self.shaper.pace(len(chunk)))
            h.connection.sendall(chunk)
            sent += len(chunk)
        if stall:
            self._sleep(self.shaper.shape.stall_ms / 1000)
            self._reset(h)
        return sent

    @staticmethod
    def _reset(h: _Handler) -> None:
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN: the client
        # sees "connection reset by peer", like a middlebox dropping the flow.
        h.close_connection = True
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.connection.close()
