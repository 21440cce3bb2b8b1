"""The lean HTTP/1.1 layer: request heads, keep-alive rules, malformed input, pipelining."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator

import pytest

from bench.mirror import http11
from bench.mirror.corpus import Corpus
from bench.mirror.server import MirrorServer


def _head(raw: bytes) -> http11.RequestHead | None:
    return http11.read_request(io.BytesIO(raw))


def test_http11_keeps_alive_unless_told_to_close() -> None:
    assert _head(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n") == http11.RequestHead("GET", "/a", "HTTP/1.1", True)
    assert _head(b"GET /a HTTP/1.1\r\nConnection: close\r\n\r\n").keep_alive is False  # type: ignore[union-attr]
    assert _head(b"GET /a HTTP/1.0\r\n\r\n").keep_alive is False  # type: ignore[union-attr]
    assert _head(b"GET /a HTTP/1.0\r\nconnection: Keep-Alive\r\n\r\n").keep_alive is True  # type: ignore[union-attr]


def test_closed_connection_reads_as_none() -> None:
    assert _head(b"") is None
    assert _head(b"\r\n\r\n") is None


@pytest.mark.parametrize(
    "raw",
    [
        b"GET /a\r\n\r\n",
        b"GET /a HTTP/2.0\r\n\r\n",
        b"GET /a b HTTP/1.1\r\n\r\n",
        b"GET /a HTTP/1.1\r\nno colon here\r\n\r\n",
        b"GET /a HTTP/1.1\r\n Folded: x\r\n\r\n",
        b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n\r\n",
        b"GET /a HTTP/1.1\r\n" + b"X: y\r\n" * 101 + b"\r\n",
    ],
)
def test_malformed_heads_are_refused(raw: bytes) -> None:
    with pytest.raises(http11.MalformedRequest):
        _head(raw)


def test_response_head_is_complete() -> None:
    head = http11.response_head(404, "text/plain", 12, close=True).decode()
    assert head.startswith("HTTP/1.1 404 Not Found\r\n") and head.endswith("\r\n\r\n")
    assert "Content-Length: 12\r\n" in head and "Connection: close\r\n" in head and "Date: " in head


@pytest.fixture(scope="module")
def server(small_corpus: Corpus) -> Iterator[MirrorServer]:
    with MirrorServer(small_corpus.root) as s:
        yield s


def _exchange(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_pipelined_requests_are_answered_in_order(server: MirrorServer) -> None:
    answer = _exchange(server.port, b"GET /example.com/a/@v/list HTTP/1.1\r\n\r\nGET /../x HTTP/1.1\r\n\r\n")
    assert answer.index(b"HTTP/1.1 404") < answer.index(b"HTTP/1.1 400")


def test_malformed_request_gets_400_and_close(server: MirrorServer) -> None:
    with server.measure() as m:
        answer = _exchange(server.port, b"BROKEN\r\n\r\nGET /example.com/a/@v/list HTTP/1.1\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400") and b"Connection: close" in answer
    assert answer.count(b"HTTP/1.1 ") == 1  # nothing after it is read
    assert m.result is not None and m.result.bad_requests == 1


def test_http10_gets_its_answer_then_close(server: MirrorServer) -> None:
    answer = _exchange(server.port, b"GET /example.com/a/@v/list HTTP/1.0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 404") and b"Connection: close" in answer
