"""Fixtures shared by the engine tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.mirror import corpus, examples
from bench.paths import PROJECTS_DIR


@pytest.fixture(scope="session")
def small_service(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example service, re-pointed at the `small` corpus so that builds take seconds, not a minute."""
    dest = tmp_path_factory.mktemp("small-service")
    shutil.copy(PROJECTS_DIR / "service" / "main.go", dest / "main.go")
    spec = corpus.load_spec("small")
    for name, data in examples.render("service", corpus.ensure(spec, Path.home() / ".cache" / "bench" / "corpus")).items():
        (dest / name).write_bytes(data)
    return dest
