"""The `private` mirror (basic auth, HTTPS, 401 counted) and the `tampered` one (zips no go.sum matches)."""

from __future__ import annotations

import base64
import http.client
import io
import json
import ssl
import zipfile
from pathlib import Path

import pytest

from bench import options
from bench.errors import UsageError
from bench.mirror import auth, gosum, modpath, stack
from bench.mirror.corpus import Corpus
from bench.mirror.profiles import ProxyProfile
from bench.mirror.server import MirrorServer


def _request(
    server: MirrorServer, target: str, header: str | None = None, tls: ssl.SSLContext | None = None
) -> tuple[int, bytes, http.client.HTTPResponse]:
    conn: http.client.HTTPConnection
    if tls is not None:
        conn = http.client.HTTPSConnection("127.0.0.1", server.port, timeout=10, context=tls)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.putrequest("GET", target, skip_accept_encoding=True)
    if header is not None:
        conn.putheader("Authorization", header)
    conn.endheaders()
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, body, resp


def _list_path(c: Corpus) -> str:
    return f"/{modpath.escape(c.top()[0]).replace('!', '%21')}/@v/list"


def test_private_mirror_answers_401_without_credentials_and_200_with(small_corpus: Corpus) -> None:
    target = _list_path(small_corpus)
    with MirrorServer(small_corpus.root, credentials=("bench", "s3cret-token")) as server, server.measure() as m:
        status, _, resp = _request(server, target)
        assert status == 401 and resp.getheader("WWW-Authenticate") == 'Basic realm="bench-mirror"'
        assert _request(server, target, auth.basic_header("bench", "wrong-token"))[0] == 401
        assert _request(server, target, auth.basic_header("other", "s3cret-token"))[0] == 401
        assert _request(server, target, "Bearer s3cret-token")[0] == 401
        assert _request(server, target, "Basic !!not-base64!!")[0] == 401
        status, body, _ = _request(server, target, auth.basic_header("bench", "s3cret-token"))
        assert status == 200 and body.startswith(b"v1.")
    assert m.result is not None
    assert m.result.unauthorized == 5 and m.result.requests["list"] == 6
    assert m.result.as_row()["mirror_unauthorized"] == 5


def test_an_open_mirror_ignores_authorization(small_corpus: Corpus) -> None:
    with MirrorServer(small_corpus.root) as server:
        assert _request(server, _list_path(small_corpus))[0] == 200
        assert _request(server, _list_path(small_corpus), auth.basic_header("x", "y"))[0] == 200
        assert server.counters.snapshot().unauthorized == 0


def test_private_profile_serves_https_with_a_certificate_for_127_0_0_1(small_corpus: Corpus) -> None:
    with stack.start(options.proxy_setup("private"), small_corpus.root) as proxy:
        assert proxy.goproxy.startswith("https://127.0.0.1:")
        assert proxy.credentials == ("bench", "bench-test-token-not-a-secret")
        trust = ssl.create_default_context(cadata=proxy.ca_pem.decode())  # type: ignore[union-attr]
        server = proxy.servers["private"]
        assert _request(server, _list_path(small_corpus), tls=trust)[0] == 401
        status, body, _ = _request(server, _list_path(small_corpus), auth.basic_header(*proxy.credentials), tls=trust)
        assert status == 200 and body.startswith(b"v1.")
        with pytest.raises(ssl.SSLCertVerificationError):  # untrusted without the mirror's certificate
            _request(server, _list_path(small_corpus), tls=ssl.create_default_context())
        netrc = proxy.netrc()
        port = server.port
        assert netrc == (
            f"machine 127.0.0.1:{port} login bench password bench-test-token-not-a-secret\n"
            "machine 127.0.0.1 login bench password bench-test-token-not-a-secret\n"
        )


def test_token_comes_from_the_environment_when_set(monkeypatch: pytest.MonkeyPatch) -> None:
    prof = options.load("proxy", "private", key="proxy")
    monkeypatch.delenv(prof.auth_token_env, raising=False)
    assert prof.credentials() == ("bench", prof.auth_token)
    monkeypatch.setenv(prof.auth_token_env, "from-env-token")
    assert prof.credentials() == ("bench", "from-env-token")
    assert ProxyProfile(name="open").credentials() is None


@pytest.mark.parametrize(
    "body, message",
    [
        ("name: bad\nauth_user: u\n", "auth_user needs"),
        ("name: bad\nauth_token: t\n", "need auth_user"),
        ("name: bad\ntamper: everything\n", "tamper must be"),
        ("name: bad\nkind: upstream\nurl: direct\ntls: true\n", "kind mirror only"),
    ],
)
def test_bad_private_or_tamper_profiles_fail_clearly(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "bad.yaml").write_text(body)
    with pytest.raises(UsageError, match=message):
        options.load("proxy", "bad", key="proxy", directory=tmp_path)


def test_secret_files_are_owner_only(tmp_path: Path) -> None:
    path = auth.write_secret_file(tmp_path / "netrc", "machine x login a password b\n")
    assert path.stat().st_mode & 0o777 == 0o600
    auth.write_secret_file(path, b"again")
    assert path.read_bytes() == b"again" and path.stat().st_mode & 0o777 == 0o600


def test_tampered_profile_serves_valid_zips_whose_hash_go_sum_rejects(small_corpus: Corpus) -> None:
    path = small_corpus.top()[0]
    version = small_corpus.versions(path)[0]
    base = f"/{modpath.escape(path).replace('!', '%21')}/@v/{version}"
    expected = small_corpus.sums[f"{path}@{version}"]
    with stack.start(options.proxy_setup("tampered"), small_corpus.root) as proxy:
        server = proxy.servers["tampered"]
        status, data, _ = _request(server, base + ".zip")
        assert status == 200 and data != (small_corpus.module_dir(path) / f"{version}.zip").read_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as zf:  # still a well-formed module zip ...
            assert zf.testzip() is None
            assert all(n.startswith(f"{path}@{version}/") for n in zf.namelist())
        assert gosum.hash_zip(data) != expected["zip"]  # ... whose hash go.sum does not pin
        status, mod, _ = _request(server, base + ".mod")  # go.mod and .info stay intact
        assert status == 200 and gosum.hash_gomod(mod) == expected["mod"]
        assert json.loads(_request(server, base + ".info")[1])["Version"] == version
        assert _request(server, base + ".zip")[1] == data  # the same tampered bytes each time


def test_basic_header_roundtrip() -> None:
    header = auth.basic_header("bench", "tok:en")
    assert base64.b64decode(header.split()[1]) == b"bench:tok:en"
    assert auth.authorized(header, "bench", "tok:en") and not auth.authorized(header, "bench", "tok")
