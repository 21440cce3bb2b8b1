"""Real engine: when the engine goes away mid-run, the build in flight is an engine failure, the run stops
with one line (exit 3), and the rows already measured are intact.

The engine is not really stopped (other tests need it): the harness reaches it through a unix-socket
forwarder that the test closes, which is exactly what the harness sees when dockerd dies.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bench.paths import REPO_ROOT
from tests.conftest import skip_or_fail

pytestmark = pytest.mark.engine
# The engine this session reaches (a second dockerd via DOCKER_HOST included): never another one behind its back.
ENGINE_SOCKET = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock").removeprefix("unix://")


class Forwarder:
    """Accepts on `path` and relays each connection to the engine's socket until stopped."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(64)
        self.open: list[socket.socket] = []
        self.stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(ENGINE_SOCKET)
            self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        """The engine 'dies': no new connections, every open one cut."""
        self.stopped.set()
        self.server.close()
        self.path.unlink(missing_ok=True)
        for s in self.open:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass


def test_engine_gone_mid_run_stops_with_rows_intact(
    base_images: object, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if not Path(ENGINE_SOCKET).exists():
        skip_or_fail(request.config, "the engine is not on the default socket")
    fwd = Forwarder(tmp_path / "docker.sock")
    results = tmp_path / "results"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench", "project=hello", "cache=none", "repetitions=4", "startup_runs=0",
         f"results_dir={results}"],
        cwd=REPO_ROOT, env={**os.environ, "DOCKER_HOST": f"unix://{fwd.path}"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not list(results.rglob("builds.jsonl")):
            time.sleep(0.2)
        time.sleep(3)  # the second build is under way
        fwd.stop()
        _, stderr = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 3, stderr[-2000:]
    assert "Traceback" not in stderr
    assert "error: the Docker engine stopped answering" in stderr
    (builds,) = list(results.rglob("builds.jsonl"))
    rows = [json.loads(x) for x in builds.read_text().splitlines()]
    assert rows[0]["status"] == "ok"
    assert rows[-1]["status"] == "failed" and rows[-1]["failure_class"] == "engine"
    assert len(rows) < 4
    manifest = json.loads((builds.parent / "manifest.json").read_text())
    assert manifest["status"] == "engine stopped"


def test_ctrl_c_finishes_cleanly_and_a_resume_completes_the_run(base_images: object, tmp_path: Path) -> None:
    import signal

    results = tmp_path / "results"
    args = [sys.executable, "-m", "bench", "project=hello", "cache=warm", "change=source", "repetitions=3",
            "startup_runs=0", f"results_dir={results}"]
    proc = subprocess.Popen(args, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not list(results.rglob("builds.jsonl")):
            time.sleep(0.2)
        proc.send_signal(signal.SIGINT)  # during the second build
        _, stderr = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr[-2000:]
    assert "Traceback" not in stderr and "finish with: python -m bench resume=" in stderr
    (run,) = [p.parent for p in results.rglob("manifest.json")]
    done = [json.loads(x) for x in (run / "builds.jsonl").read_text().splitlines()]
    assert 1 <= len(done) < 3 and all(r["status"] == "ok" for r in done)  # no half-measured row
    assert json.loads((run / "manifest.json").read_text())["status"] == "interrupted"
    assert not list((run / "work").glob("*")) if (run / "work").exists() else True  # scratch copies cleaned
    resumed = subprocess.run([sys.executable, "-m", "bench", f"resume={run}"], cwd=REPO_ROOT,
                             capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    ids = [json.loads(x)["build_id"] for x in (run / "builds.jsonl").read_text().splitlines()]
    assert sorted(ids) == ["default#r1", "default#r2", "default#r3"]
