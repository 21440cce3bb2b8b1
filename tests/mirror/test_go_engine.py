"""The real go command (builder image, --network=host) against the real mirror on 127.0.0.1."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench import options
from bench.engine.gocmd import GoRun, timed
from bench.mirror import examples, modzip, stack
from bench.mirror.corpus import Corpus
from bench.mirror.counters import Snapshot
from bench.mirror.profiles import ProxyProfile
from bench.mirror.server import MirrorServer

from .helpers import GoRunner, write_consumer

pytestmark = pytest.mark.engine

BUILD = "go build -o /tmp/app . && /tmp/app -healthcheck"
COPY_MODCACHE = 'cp -r "$(go env GOMODCACHE)/cache/download" /out/'
# go.mod and go.sum are exactly what `go mod tidy` writes: the corpus and the project agree.
TIDY_UNCHANGED = (
    "cp -r /src /tmp/tidy && cd /tmp/tidy && go mod tidy && diff -u /src/go.mod go.mod && diff -u /src/go.sum go.sum"
)


def _fails_with(run: GoRun, *needles: str) -> bool:
    return run.returncode != 0 and all(n in run.stderr for n in needles)


def test_go_downloads_every_corpus_version_and_verifies_it(go: GoRunner, small_corpus: Corpus, tmp_path: Path) -> None:
    consumer = write_consumer(tmp_path / "consumer", small_corpus, small_corpus.all_versions())
    gosum_before = (consumer / "go.sum").read_text()
    everything = " ".join(f"{p}@{v}" for p, v in small_corpus.all_versions())
    with stack.start(options.proxy_setup("local"), small_corpus.root) as proxy, proxy.measure() as m:
        run = go(
            f"cd /src && go mod download {everything} && go mod verify",
            goproxy=proxy.goproxy,
            mounts={consumer: "/src:ro"},
        )
    assert run.ok, run.stderr[-2000:]
    assert "all modules verified" in run.stdout
    snap = m.result["local"]
    assert snap.requests["zip"] == len(small_corpus.all_versions())
    assert snap.bad_requests == 0
    assert (consumer / "go.sum").read_text() == gosum_before  # every line was there and matched


def test_corrupted_zip_fails_with_gos_checksum_error(go: GoRunner, small_corpus: Corpus, tmp_path: Path) -> None:
    tampered = tmp_path / "tampered"
    shutil.copytree(small_corpus.root, tampered)
    path = small_corpus.top()[0]
    version = small_corpus.versions(path)[-1]
    zpath = tampered / small_corpus.module_dir(path).relative_to(small_corpus.root) / f"{version}.zip"
    prefix = f"{path}@{version}/"
    with zipfile.ZipFile(zpath) as zf:
        files = {n[len(prefix) :]: zf.read(n) for n in zf.namelist()}
    files["README.md"] += b"one changed byte is enough\n"
    zpath.write_bytes(modzip.create(path, version, files))  # still a valid zip, other bits
    consumer = write_consumer(tmp_path / "consumer", small_corpus)
    with stack.start(options.proxy_setup("local"), tampered) as proxy:
        run = go("cd /src && go mod download", goproxy=proxy.goproxy, mounts={consumer: "/src:ro"})
    assert _fails_with(run, "SECURITY ERROR", "checksum mismatch", path), run.stderr[-2000:]


def _download(
    go: GoRunner, profile: str, c: Corpus, consumer: Path, seed: int | None = None
) -> tuple[GoRun, dict[str, Snapshot]]:
    with stack.start(options.proxy_setup(profile), c.root, seed=seed) as proxy, proxy.measure() as m:
        run = go(timed("cd /src && go mod download"), goproxy=proxy.goproxy, mounts={consumer: "/src:ro"})
    return run, m.result


def test_far_proxy_is_measurably_slower_than_local(go: GoRunner, small_corpus: Corpus, tmp_path: Path) -> None:
    consumer = write_consumer(tmp_path / "consumer", small_corpus)
    local, _ = _download(go, "local", small_corpus, consumer)
    far, counts = _download(go, "far_proxy", small_corpus, consumer)
    assert local.ok and far.ok, far.stderr[-2000:]
    assert local.seconds and far.seconds
    assert far.seconds / local.seconds > 3.0, (far.seconds, local.seconds)
    assert counts["far_proxy"].delay_seconds > 1.0


FAULT_SEED = 7


def test_flaky_comma_fails_while_flaky_pipe_succeeds(go: GoRunner, small_corpus: Corpus, tmp_path: Path) -> None:
    consumer = write_consumer(tmp_path / "consumer", small_corpus)
    comma, comma_counts = _download(go, "flaky_comma", small_corpus, consumer, seed=FAULT_SEED)
    pipe, pipe_counts = _download(go, "flaky_pipe", small_corpus, consumer, seed=FAULT_SEED)
    assert comma_counts["flaky"].total_faults > 0
    assert comma.returncode != 0
    assert any(s in comma.stderr for s in ("502 Bad Gateway", "connection reset", "unexpected EOF")), comma.stderr[
        -2000:
    ]
    assert pipe.ok, pipe.stderr[-2000:]
    assert pipe_counts["flaky"].total_faults > 0
    assert pipe_counts["near_mirror"].total_requests > 0  # the fallback did the work the faults refused


@dataclass
class Built:
    """One build of an example project through a local mirror."""

    run: GoRun
    counts: Snapshot | None
    modcache: Path  # the builder's module cache download dir, copied out after the build


@pytest.fixture(scope="session")
def build_project(
    go: GoRunner, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], Built]:
    """Build an example project once per session (read-only sources, go.sum as committed)."""
    done: dict[str, Built] = {}

    def build(name: str) -> Built:
        if name not in done:
            out = tmp_path_factory.mktemp(f"modcache-{name}")
            mounts = {examples.project_dir(name): "/src:ro", out: "/out"}
            script = f"cd /src && {BUILD} && {COPY_MODCACHE} && {TIDY_UNCHANGED}"
            preset = examples.project_corpus(name)
            if preset is None:
                run, counts = go(f"cd /src && {BUILD} && {TIDY_UNCHANGED}", goproxy="off", mounts=mounts), None
            else:
                c: Corpus = request.getfixturevalue(f"{preset}_corpus")
                with stack.start(options.proxy_setup("local"), c.root) as proxy, proxy.measure() as m:
                    run = go(script, goproxy=proxy.goproxy, mounts=mounts)
                counts = m.result["local"]
            done[name] = Built(run, counts, out / "download")
        return done[name]

    return build


@pytest.mark.parametrize("name", ["hello", "service", "large"])
def test_example_project_builds_through_the_mirror_and_is_tidy(
    build_project: Callable[[str], Built], name: str, request: pytest.FixtureRequest
) -> None:
    built = build_project(name)
    assert built.run.ok, (built.run.stdout[-3000:], built.run.stderr[-3000:])
    preset = examples.project_corpus(name)
    if preset is not None:
        c: Corpus = request.getfixturevalue(f"{preset}_corpus")
        assert built.counts is not None
        direct, indirect = examples.requirements(c)
        assert built.counts.requests["zip"] == len({**direct, **indirect})  # the whole build list, each zip once
        assert built.counts.bad_requests == 0


def _rebuild_service(go: GoRunner, goproxy: str) -> GoRun:
    return go(f"cd /src && {BUILD}", goproxy=goproxy, mounts={examples.project_dir("service"): "/src:ro"})


def test_service_rebuilds_from_its_copied_module_cache_alone(
    go: GoRunner, build_project: Callable[[str], Built]
) -> None:
    first = build_project("service")
    assert first.run.ok and any(first.modcache.rglob("*.zip"))
    with stack.start(options.proxy_setup("local"), first.modcache) as proxy, proxy.measure() as m:
        again = _rebuild_service(go, proxy.goproxy)
    assert again.ok, again.stderr[-3000:]
    assert m.result["local"].requests["zip"] == first.counts.requests["zip"]  # type: ignore[union-attr]


def test_caching_mirror_needs_no_upstream_on_the_second_build(
    go: GoRunner, medium_corpus: Corpus, tmp_path: Path
) -> None:
    with MirrorServer(medium_corpus.root, name="upstream") as upstream:
        caching = ProxyProfile(name="cached", upstream=upstream.url)
        with stack.start(caching, store_dir=tmp_path / "store") as proxy:
            with upstream.measure() as up1, proxy.measure() as m1:
                first = _rebuild_service(go, proxy.goproxy)
            with upstream.measure() as up2, proxy.measure() as m2:
                second = _rebuild_service(go, proxy.goproxy)
    assert first.ok and second.ok, (first.stderr[-2000:], second.stderr[-2000:])
    assert up1.result is not None and up2.result is not None
    build_list = len({**examples.requirements(medium_corpus)[0], **examples.requirements(medium_corpus)[1]})
    assert up1.result.requests["zip"] == build_list
    assert m1.result["cached"].upstream_requests == up1.result.total_requests - up1.result.bad_requests
    assert up2.result.total_requests == 0  # served from the store alone
    assert m2.result["cached"].upstream_requests == 0
    assert m2.result["cached"].requests["zip"] == build_list
