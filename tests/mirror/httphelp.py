"""A raw HTTP GET that sends the request target exactly as given (urllib would normalise it)."""

from __future__ import annotations

import http.client
import socket


def get(port: int, target: str, conn: http.client.HTTPConnection | None = None) -> tuple[int, bytes]:
    """(status, body) of `GET target`; reuses `conn` (keep-alive) when given, and then ignores `port`."""
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.putrequest("GET", target, skip_accept_encoding=True)
    c.endheaders()
    resp = c.getresponse()
    body = resp.read()
    if conn is None:
        c.close()
    return resp.status, body


def raw(port: int, request_line: bytes) -> bytes:
    """The whole answer to one hand-written request line (for targets http.client refuses)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request_line + b"\r\nHost: x\r\nConnection: close\r\n\r\n")
        chunks = []
        while data := s.recv(65536):
            chunks.append(data)
    return b"".join(chunks)


def closed_port() -> int:
    """A loopback port nobody listens on (bound then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
