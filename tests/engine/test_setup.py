"""Setup is idempotent and fast when everything is in place; a stopped engine is one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from bench import bases
from bench.engine import sdk

pytestmark = pytest.mark.engine


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=300,
        env={**os.environ, **(env or {})}, check=False,
    )


def test_second_setup_changes_nothing_and_is_fast(base_images: object) -> None:
    defaults = {k: bases.RECIPES[k] for k in bases.default_keys()}  # what `make setup` builds
    ids_before = {k: sdk.image_info(r.image).id for k, r in defaults.items()}  # type: ignore[union-attr]
    start = time.monotonic()
    engine = _run("-m", "bench.engine.setup")
    images = _run("-m", "bench.bases", "build")
    elapsed = time.monotonic() - start
    assert engine.returncode == 0, engine.stderr
    assert "nothing to change" in engine.stdout
    assert images.returncode == 0, images.stderr
    assert "nothing built" in images.stdout
    assert {k: sdk.image_info(r.image).id for k, r in defaults.items()} == ids_before  # type: ignore[union-attr]
    assert elapsed < 10, f"second setup took {elapsed:.1f} s"


@pytest.mark.parametrize("module", ["bench.bases", "bench.engine.facts", "bench.engine.setup"])
def test_stopped_engine_is_one_line_exit_2(docker_engine: str, module: str, tmp_path: object) -> None:
    # A socket nobody listens on is exactly what the harness sees when the engine is stopped.
    dead = f"unix://{tmp_path}/nobody.sock"
    proc = _run("-m", module, env={"DOCKER_HOST": dead})
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and "Traceback" not in proc.stderr
    assert "engine" in lines[0] or "DOCKER_HOST" in lines[0]
