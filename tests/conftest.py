"""Shared fixtures. Engine tests need a real Docker engine; under --require-docker (CI) they fail instead of skipping."""

from __future__ import annotations

import os

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--require-docker",
        action="store_true",
        default=False,
        help="fail, rather than skip, tests that need a Docker engine when none answers (set in CI)",
    )


def _require_docker(config: pytest.Config) -> bool:
    return bool(config.getoption("--require-docker")) or os.environ.get("BENCH_REQUIRE_DOCKER") == "1"


def skip_or_fail(config: pytest.Config, message: str) -> None:
    """Skip locally; under --require-docker (CI) a test that cannot run is a failure, not a skip."""
    if _require_docker(config):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def docker_engine(request: pytest.FixtureRequest) -> str:
    """The running engine's server version; skips (or fails under --require-docker) when none answers."""
    from bench.engine.setup import has_buildx, probe

    ok, detail = probe()
    if ok and not has_buildx():
        ok, detail = False, "docker buildx plugin missing"
    if not ok:
        message = f"no Docker engine with buildx: {detail} (run `make setup`)"
        if _require_docker(request.config):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return detail


@pytest.fixture(scope="session")
def base_images(docker_engine: str) -> object:
    """The local base images, built if missing (normally `make setup` built them already)."""
    from bench import bases

    return bases.ensure_all(say=lambda _msg: None)


@pytest.fixture(scope="session")
def builder_image(base_images: object) -> str:
    """Name of the local Go 1.23 builder image."""
    from bench import bases

    return bases.image_for("builder", go="1.23")
