"""Fixtures of the mirror tests: one corpus per preset per session, the real go command."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.engine import gocmd
from bench.engine.gocmd import GoRun
from bench.mirror import corpus
from bench.mirror.corpus import Corpus

from .helpers import GoRunner


@pytest.fixture(scope="session")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where this session's corpora are generated (each preset once)."""
    return tmp_path_factory.mktemp("corpora")


@pytest.fixture(scope="session")
def small_corpus(corpora: Path) -> Corpus:
    """The `small` preset, default seed."""
    return corpus.ensure(corpus.load_spec("small"), corpora)


@pytest.fixture(scope="session")
def medium_corpus(corpora: Path) -> Corpus:
    """The `medium` preset, default seed (what scenarios/projects/service builds on)."""
    return corpus.ensure(corpus.load_spec("medium"), corpora)


@pytest.fixture(scope="session")
def large_corpus(corpora: Path) -> Corpus:
    """The `large` preset, default seed (what scenarios/projects/large builds on)."""
    return corpus.ensure(corpus.load_spec("large"), corpora)


@pytest.fixture(scope="session")
def go(builder_image: str, tmp_path_factory: pytest.TempPathFactory) -> GoRunner:
    """The real go command in the builder, network=host, GOSUMDB off, a fresh module cache per run.

    The build cache is shared by the whole session: the standard library (most of a cold
    net/http build) compiles once, while every run still downloads its modules anew.
    """
    gocache = tmp_path_factory.mktemp("gocache")

    def run(script: str, *, goproxy: str, mounts: dict[Path, str] | None = None) -> GoRun:
        mounts = {gocache: "/root/.cache/go-build", **(mounts or {})}
        env = gocmd.GoEnv(goproxy=goproxy)
        return gocmd.run_go(builder_image, script, env=env, mounts=mounts, check=False, timeout=600)

    return run
