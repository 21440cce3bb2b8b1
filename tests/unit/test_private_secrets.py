"""Private-module builds, without an engine: the rendered Dockerfiles, the secrets and build args the
executor passes, the strategy checks, and the leak checker over hand-made `docker save` archives."""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
import re
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import options, plan, strategies, validate
from bench.engine import leaks
from bench.errors import UsageError
from bench.execute import inputs
from bench.execute.inputs import private_inputs
from bench.mirror import corpus
from bench.mirror.profiles import ProxyProfile
from bench.mirror.server import MirrorServer
from bench.mirror.stack import ProxyStack

TOKEN = "tok-3f9a1c77e2"


def _strategy(name: str = "singlestage", **fields: object) -> object:
    return dataclasses.replace(options.load("strategy", name), **fields)


def _cfg(**strategy: object) -> plan.VariantSpec:
    from tests import configs

    spec = configs.spec("strategy=singlestage", "project.modules=small")
    return dataclasses.replace(spec, strategy=_strategy(**strategy))  # type: ignore[arg-type]


def _render(name: str, private: str, **fields: object) -> strategies.Rendered:
    flags = {"secret": {"private_secret": True}, "build_arg": {"private_unsafe_build_arg": True}}[private]
    return strategies.render(_strategy(name, **flags, **fields), builder="B", runtime="R")  # type: ignore[arg-type]


@pytest.fixture
def private_stack(tmp_path: Path) -> Iterator[ProxyStack]:
    server = MirrorServer(tmp_path, credentials=("bench", TOKEN), tls=True, name="private").start()
    try:
        yield ProxyStack(ProxyProfile(name="private"), server.url, {"private": server})
    finally:
        server.stop()


@pytest.mark.parametrize("strategy", ["singlestage", "naive", "multistage", "multistage_cachemount"])
def test_secret_mode_mounts_netrc_in_the_download_step_only(strategy: str) -> None:
    text = _render(strategy, "secret").text
    mounted = [ln for ln in text.splitlines() if "id=netrc" in ln]
    assert len(mounted) == 1 and "target=/root/.netrc" in mounted[0] and "go mod download" in mounted[0]
    assert "NETRC_TOKEN" not in text and "\nENV " not in text and ".netrc >" not in text
    assert "ARG GONOPROXY" in text and "id=mirror_ca" in mounted[0]


def test_retried_download_also_gets_the_secret() -> None:
    text = _render("naive", "secret", download_retries=2).text
    assert re.search(r"RUN --mount=type=secret,id=mirror_ca\S* --mount=type=secret,id=netrc\S* set -e;", text)


def test_unsafe_mode_writes_the_token_from_a_build_arg() -> None:
    text = _render("singlestage", "build_arg").text
    assert "ARG NETRC_TOKEN" in text and '"$NETRC_TOKEN"' in text and "> /root/.netrc" in text
    assert "id=netrc" not in text
    assert text.index("> /root/.netrc") < text.index("go mod download")


def test_executor_passes_the_token_only_as_a_secret_file_outside_the_context(
    tmp_path: Path, private_stack: ProxyStack
) -> None:
    work = tmp_path / "work"
    (work / "src").mkdir(parents=True)
    secrets, args = private_inputs(_cfg(private_secret=True), private_stack, work)
    namespace = corpus.load_spec("small").namespace()
    assert args == {"GOPRIVATE": namespace, "GONOSUMDB": namespace, "GONOPROXY": "none"}
    assert secrets == [f"id=mirror_ca,src={work / 'mirror-ca.pem'}", f"id=netrc,src={work / 'netrc'}"]
    netrc = work / "netrc"
    assert netrc.stat().st_mode & 0o777 == 0o600 and f"password {TOKEN}" in netrc.read_text()
    assert f"machine 127.0.0.1:{private_stack.servers['private'].port} " in netrc.read_text()
    assert not any((work / "src").iterdir())  # nothing lands in the build context
    declared = _render("singlestage", "secret").declared_args
    build_args = inputs.build_args(_cfg(private_secret=True), private_stack.goproxy, declared, args)
    assert TOKEN not in json.dumps(build_args)
    assert build_args["GOPROXY"].startswith("https://") and build_args["GONOPROXY"] == "none"


def test_unsafe_control_passes_the_token_as_a_build_arg(tmp_path: Path, private_stack: ProxyStack) -> None:
    secrets, args = private_inputs(_cfg(private_unsafe_build_arg=True, private_modules="corp.example/*"), private_stack, tmp_path)
    assert args["NETRC_TOKEN"] == TOKEN and args["GOPRIVATE"] == "corp.example/*"
    assert secrets == [f"id=mirror_ca,src={tmp_path / 'mirror-ca.pem'}"]


def test_without_private_options_nothing_changes(tmp_path: Path, private_stack: ProxyStack) -> None:
    assert private_inputs(_cfg(), private_stack, tmp_path) == ([], {})
    assert not any(tmp_path.glob("*netrc*"))


@pytest.mark.parametrize(
    "strategy, message",
    [
        ({"private_secret": True, "private_unsafe_build_arg": True}, "exclude each other"),
        ({"name": "vendor", "private_secret": True}, "vendor"),
        ({"name": "own", "private_unsafe_build_arg": True}, "not own"),
        ({"private_secret": True, "private_modules": "a b"}, "comma-separated"),
    ],
)
def test_bad_private_strategy_options_are_one_clear_error(strategy: dict[str, object], message: str) -> None:
    name = str(strategy.pop("name", "singlestage"))
    with pytest.raises(UsageError, match=message):
        validate.option("strategy", _strategy(name, **strategy))


# ---------------------------------------------------------------- leak checker on hand-made archives


def _tar(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _archive(tmp_path: Path, layer_files: dict[str, bytes], env: list[str], compress: bool = True) -> Path:
    layer = _tar(layer_files)
    blob = gzip.compress(layer) if compress else layer
    cfg = json.dumps({"config": {"Env": env}, "rootfs": {"type": "layers", "diff_ids": []}}).encode()
    path = tmp_path / "image.tar"
    path.write_bytes(_tar({"blobs/sha256/" + "a" * 64: blob, "blobs/sha256/" + "b" * 64: cfg, "index.json": b"{}"}))
    return path


def test_leak_checker_finds_a_secret_in_a_layer_file_and_in_the_config(tmp_path: Path) -> None:
    big = b"x" * (leaks.CHUNK - 3) + TOKEN.encode() + b"y" * 100  # straddles a chunk boundary
    found = leaks.scan_archive(
        _archive(tmp_path, {"root/.netrc": f"password {TOKEN}\n".encode(), "usr/big": big, "etc/ok": b"fine"},
                 [f"T={TOKEN}"]),
        [TOKEN, "never-there"],
    )
    where = sorted((f.where, f.location.split(":", 2)[-1], f.secret) for f in found)
    assert where == [("config", "bbbbbbbbbbbb (config blob)", 0), ("layer", "root/.netrc", 0), ("layer", "usr/big", 0)]
    assert all(TOKEN not in str(f) for f in found)


def test_leak_checker_reports_nothing_for_a_clean_image(tmp_path: Path) -> None:
    assert leaks.scan_archive(_archive(tmp_path, {"app": b"binary"}, ["PATH=/bin"], compress=False), [TOKEN]) == []


def test_leak_checker_finds_secrets_in_file_names(tmp_path: Path) -> None:
    found = leaks.scan_archive(_archive(tmp_path, {f"tmp/{TOKEN}.txt": b""}, []), [TOKEN])
    assert [f.where for f in found] == ["layer"] and "name or header" in found[0].location


def test_leak_checker_refuses_to_claim_absence_for_an_unreadable_layer(tmp_path: Path) -> None:
    path = tmp_path / "image.tar"
    path.write_bytes(_tar({"blobs/sha256/" + "c" * 64: b"\x28\xb5\x2f\xfd" + b"\0" * 600}))
    with pytest.raises(leaks.LeakScanError, match="zstd"):
        leaks.scan_archive(path, [TOKEN])
    with pytest.raises(ValueError):
        leaks.scan_image("any", ["abc"])  # too short to mean anything; checked before any engine call
