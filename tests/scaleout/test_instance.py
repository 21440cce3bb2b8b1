"""Real engines: a second dockerd SIGKILLed in the middle of a build leaves its data root mounted and a build
container running; stopping the instance ends them, unmounts, and removes its folder. The main engine never
notices."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bench import bases
from bench.engine import cli, instances, leftovers, setup
from bench.paths import REPO_ROOT

from .helpers import mounts_under, wait_for

pytestmark = pytest.mark.engine
NAME = "scaleout-kill"


def _build_containers(inst: instances.Instance) -> list[int]:
    return [p for p in leftovers.processes_under(inst.dir) if Path(f"/proc/{p}/comm").read_text().strip() == "sleep"]


def test_teardown_after_sigkill_unmounts_then_removes(base_images: object, tmp_path: Path) -> None:
    inst = instances.instance(NAME)
    instances.stop(inst)
    image = bases.RECIPES["runtime-static"].image
    setup.start_instance(NAME, [image], say=lambda _m: None)  # on disk: the data root is a real mount of its own
    (tmp_path / "Dockerfile").write_text(f"FROM {image}\nRUN sleep 120\n")
    build = subprocess.Popen(["docker", "buildx", "build", "--network=none", "--progress=plain", str(tmp_path)],
                             env={**os.environ, **inst.env()}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: _build_containers(inst), 120, "the RUN step's container")
        dockerd = instances.pid(inst)
        assert dockerd is not None
        os.kill(dockerd, signal.SIGKILL)
        wait_for(lambda: instances.pid(inst) is None, 30, "dockerd to die")
        assert mounts_under(inst.dir / "data"), "expected the data root still mounted after the SIGKILL"
        stopped = subprocess.run([sys.executable, "-m", "bench.engine.setup", "--stop-instance", NAME], cwd=REPO_ROOT,
                                 capture_output=True, text=True, timeout=300)
    finally:
        build.kill()
        build.wait()
    assert stopped.returncode == 0, stopped.stderr
    assert "unmounted" in stopped.stdout and "removed" in stopped.stdout, stopped.stdout
    assert not inst.dir.exists() and not mounts_under(inst.dir)
    assert not _build_containers(inst)
    cli.run(["info", "--format", "{{.ID}}"], timeout=30)  # the main engine still answers
