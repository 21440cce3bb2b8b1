"""The little HTTP/1.1 a GOPROXY server needs: GET request heads in, fixed-length answers out.

http.server parses every request's headers with the email package and builds answers in
several writes; that Python work per request made `go mod download` through the mirror
20% slower than from a file:// GOPROXY. Here a head is read line by line, only
`Connection` and `Authorization` are looked at, and an answer's head and body leave in one write.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.utils import formatdate
from typing import Protocol

MAX_LINE = 8192
MAX_HEADERS = 100
REASONS = {
    200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 501: "Not Implemented", 502: "Bad Gateway"
}
_BLANK = (b"\r\n", b"\n")


class Readable(Protocol):
    """A buffered binary stream (a socket file, or BytesIO in tests)."""

    def readline(self, size: int = -1, /) -> bytes: ...


class MalformedRequest(ValueError):
    """A request head that is not HTTP/1.x: answered 400, then the connection is closed."""


@dataclass(frozen=True)
class RequestHead:
    """The parts of a request head the mirror uses."""

    method: str
    target: str
    version: str
    keep_alive: bool
    authorization: str = ""  # the Authorization header as sent ("" when absent)


def _line(rfile: Readable) -> bytes:
    line = rfile.readline(MAX_LINE + 1)
    if len(line) > MAX_LINE:
        raise MalformedRequest("line too long")
    return line


def _headers(rfile: Readable) -> tuple[str, str]:
    """(Connection lowercased, Authorization) of the rest of a head."""
    connection = authorization = ""
    for _ in range(MAX_HEADERS):
        line = _line(rfile)
        if line in _BLANK or not line:
            return connection, authorization
        name, sep, rest = line.decode("latin-1").partition(":")
        if not sep or not name or name != name.strip():
            raise MalformedRequest(f"bad header line {line[:40]!r}")
        lower = name.lower()
        if lower == "connection":
            connection = rest.strip().lower()
        elif lower == "authorization":
            authorization = rest.strip()
    raise MalformedRequest("too many headers")


def read_request(rfile: Readable) -> RequestHead | None:
    """The next request head on a connection, or None when the client closed it."""
    line = _line(rfile)
    while line in _BLANK:  # RFC 9112 2.2: ignore empty lines before a request line
        line = _line(rfile)
    if not line:
        return None
    parts = line.decode("latin-1").split()
    if len(parts) != 3 or parts[2] not in ("HTTP/1.0", "HTTP/1.1"):
        raise MalformedRequest(f"bad request line {line[:80]!r}")
    method, target, version = parts
    connection, authorization = _headers(rfile)
    keep_alive = "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
    return RequestHead(method, target, version, keep_alive, authorization)


_date_cache: tuple[int, str] = (0, "")


def _date() -> str:
    # An origin server with a clock sends Date; formatting it once a second is enough.
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, formatdate(now, usegmt=True))
    return _date_cache[1]


def response_head(
    status: int, content_type: str, length: int, *, close: bool = False, extra: tuple[str, ...] = ()
) -> bytes:
    """Status line and headers of a fixed-length answer; `extra` are whole header lines."""
    lines = [
        f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}",
        "Server: bench-mirror",
        f"Date: {_date()}",
        f"Content-Type: {content_type}",
        f"Content-Length: {length}",
    ]
    lines += extra
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
