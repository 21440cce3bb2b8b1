"""The GOPROXY server over real HTTP on 127.0.0.1: protocol, 404s, traversal, counters."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.mirror import modpath
from bench.mirror.corpus import Corpus
from bench.mirror.server import MirrorServer

from .httphelp import get, raw

SECRET = b"secret-outside-the-corpus"


@pytest.fixture(scope="module")
def served(small_corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[MirrorServer, Corpus]]:
    """The small corpus copied next to a secret file, with a symlink pointing at it, served locally."""
    base = tmp_path_factory.mktemp("served")
    (base / "secret.txt").write_bytes(SECRET)
    root = base / "corpus"
    shutil.copytree(small_corpus.root, root)
    evil = root / "example.com" / "evil" / "@v"
    evil.mkdir(parents=True)
    os.symlink(base / "secret.txt", evil / "v1.0.0.mod")
    os.symlink(base / "secret.txt", evil / "list")
    with MirrorServer(root) as server:
        yield server, Corpus.load(root)


def _wire(path: str) -> str:
    # The go command sends `!` percent-encoded.
    return modpath.escape(path).replace("!", "%21")


def test_serves_every_endpoint(served: tuple[MirrorServer, Corpus]) -> None:
    server, c = served
    path = next(p for p in c.modules if p != p.lower())  # the case-encoded one
    versions = c.versions(path)
    assert get(server.port, f"/{_wire(path)}/@v/list") == (200, "".join(v + "\n" for v in versions).encode())
    status, info = get(server.port, f"/{_wire(path)}/@v/{versions[0]}.info")
    assert status == 200 and json.loads(info)["Version"] == versions[0]
    assert get(server.port, f"/{_wire(path)}/@v/{versions[0]}.mod")[1].startswith(f"module {path}\n".encode())
    status, data = get(server.port, f"/{_wire(path)}/@v/{versions[0]}.zip")
    assert status == 200 and data == (c.module_dir(path) / f"{versions[0]}.zip").read_bytes()
    status, latest = get(server.port, f"/{_wire(path)}/@latest")
    assert status == 200 and json.loads(latest)["Version"] == versions[-1]


def test_unescaped_bang_also_works(served: tuple[MirrorServer, Corpus]) -> None:
    server, c = served
    path = next(p for p in c.modules if p != p.lower())
    assert get(server.port, f"/{modpath.escape(path)}/@v/list")[0] == 200


@pytest.mark.parametrize(
    "suffix",
    [
        "/@v/list",
        "/@v/v1.0.0.info",
        "/@v/v1.0.0.mod",
        "/@v/v1.0.0.zip",
        "/@latest",
        "/@v/v9.9.9.zip",
        "/@v/master.info",
    ],
)
def test_missing_things_are_404_never_5xx(served: tuple[MirrorServer, Corpus], suffix: str) -> None:
    server, c = served
    some = next(iter(c.modules))
    # The go command probes every prefix of an import path; each must be a clean "not here".
    for prefix in ("example.com", some.rsplit("/", 1)[0], some + "/model", "example.org/nothing"):
        assert get(server.port, "/" + _wire(prefix) + suffix)[0] == 404, prefix + suffix


TRAVERSALS = [
    "/../secret.txt",
    "/example.com/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/%2E%2E/secret.txt",
    "/.%2e/secret.txt",
    "/example.com/evil/@v/..%2f..%2f..%2f..%2fsecret.txt",
    "/example.com/evil/@v/%2e%2e%2f%2e%2e%2fsecret.zip",
    "/example.com/evil/@v/..",
    "/example.com/evil/@v/../../../../secret.txt",
    "/%252e%252e/%252e%252e/secret.txt",
    "/..%5c..%5csecret.txt",
    "/example.com/evil/@v/v1.0.0.mod%00",
    "/example.com/%2e/evil/@v/list",
    "//secret.txt",
    "/example.com//evil/@v/list",
    "/example.com/evil/@v/%ff.info",
    "/example.com/evil/@v/v1.0.0.ziphash",
    "/secret.txt",
    "/example.com/Evil/@v/list",
    "/example.com/evil/@v/v1.0.zip",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_traversal_and_malformed_paths_get_400(served: tuple[MirrorServer, Corpus], target: str) -> None:
    server, _ = served
    status, body = get(server.port, target)
    assert status == 400
    assert SECRET not in body


def test_absolute_form_traversal_gets_400(served: tuple[MirrorServer, Corpus]) -> None:
    server, _ = served
    answer = raw(server.port, f"GET http://127.0.0.1:{server.port}/../secret.txt HTTP/1.1".encode())
    assert answer.startswith(b"HTTP/1.1 400") and SECRET not in answer


def test_symlink_out_of_the_tree_is_not_followed(served: tuple[MirrorServer, Corpus]) -> None:
    server, _ = served
    for target in ("/example.com/evil/@v/v1.0.0.mod", "/example.com/evil/@v/list", "/example.com/evil/@latest"):
        status, body = get(server.port, target)
        assert status == 404 and SECRET not in body


def test_read_only(served: tuple[MirrorServer, Corpus]) -> None:
    server, c = served
    for method in ("PUT", "POST", "DELETE"):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        conn.request(method, f"/{_wire(next(iter(c.modules)))}/@v/list", body=b"x")
        assert conn.getresponse().status == 501
        conn.close()


def test_counters_attribute_requests_to_one_measurement(served: tuple[MirrorServer, Corpus]) -> None:
    server, c = served
    path = next(iter(c.modules))
    v = c.versions(path)[0]
    zip_size = (c.module_dir(path) / f"{v}.zip").stat().st_size
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)  # one keep-alive connection
    with server.measure() as m:
        get(server.port, f"/{_wire(path)}/@v/list", conn)
        get(server.port, f"/{_wire(path)}/@v/{v}.zip", conn)
        get(server.port, f"/{_wire(path)}/@v/{v}.zip", conn)
        get(server.port, "/example.com/@v/list", conn)
        get(server.port, "/../x", conn)
    conn.close()
    r = m.result
    assert r is not None
    assert r.requests == {"list": 2, "info": 0, "mod": 0, "zip": 2, "latest": 0}
    assert (r.not_found, r.bad_requests, r.connections) == (1, 1, 1)
    assert r.bytes_sent > 2 * zip_size
    assert r.busy_seconds > 0 and r.total_faults == 0
    row = r.as_row()
    assert row["mirror_requests_zip"] == 2 and row["mirror_bytes_sent"] == r.bytes_sent


def test_reset_zeroes_counters(small_corpus: Corpus) -> None:
    with MirrorServer(small_corpus.root) as server:
        get(server.port, "/example.com/@v/list")
        assert server.counters.snapshot().not_found == 1
        server.counters.reset()
        assert server.counters.snapshot().total_requests == 0


def test_refuses_to_listen_beyond_loopback(small_corpus: Corpus) -> None:
    with pytest.raises(ValueError):
        MirrorServer(small_corpus.root, host="0.0.0.0")


def test_stop_is_prompt_and_closes_idle_keepalive_connections(small_corpus: Corpus) -> None:
    server = MirrorServer(small_corpus.root).start()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    get(server.port, "/example.com/@v/list", conn)  # leaves an idle keep-alive connection
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 2  # not the 30 s idle timeout
    assert conn.sock is not None
    conn.sock.settimeout(2)
    assert conn.sock.recv(1) == b""  # the server closed its end
    conn.close()


def test_serves_a_module_cache_layout(tmp_path: Path, small_corpus: Corpus) -> None:
    from bench.mirror.stack import servable_root

    download = tmp_path / "gomodcache" / "cache" / "download"
    shutil.copytree(small_corpus.root, download)
    (download / "x.lock").write_text("")
    assert servable_root(tmp_path / "gomodcache") == download
    path = next(iter(small_corpus.modules))
    with MirrorServer(servable_root(tmp_path / "gomodcache")) as server:
        assert get(server.port, f"/{_wire(path)}/@v/list")[0] == 200
