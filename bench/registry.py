"""A throwaway image registry on 127.0.0.1 (Debian's docker-registry, distribution 2.8) for fresh-runner cache modes.

The packaged service listens on all interfaces and wants htpasswd, and its postinst would
start it, so setup only unpacks the binary into our state directory and we run it with a
config of our own: loopback, filesystem storage in a directory of ours, no auth.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType

from bench import debian
from bench.engine.setup import state_dir
from bench.errors import UsageError

PACKAGE = "docker-registry"


def binary_path() -> Path:
    """Where setup unpacks the registry binary."""
    return state_dir().parent / "registry" / "usr" / "bin" / "docker-registry"


def ensure_binary() -> bool:
    """Unpack the docker-registry binary from Debian's package if it is missing. True when it was fetched."""
    if binary_path().exists():
        return False
    if os.geteuid() != 0 or not debian.is_debian():
        raise UsageError("the registry cache modes need Debian's docker-registry; run `make setup` as root on Debian")
    root = binary_path().parents[2]
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        deb = debian.download(PACKAGE, Path(tmp))
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True, capture_output=True)
    return True


class Registry:
    """A registry process on 127.0.0.1:<free port>, storage under `storage`; a context manager."""

    def __init__(self, storage: Path) -> None:
        self.storage = Path(storage)
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        """host:port to put in image references."""
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> Registry:
        """Start the registry and wait until /v2/ answers."""
        ensure_binary()
        self.storage.mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        cfg = self.storage / "config.yml"
        cfg.write_text(
            "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n"
            f"    rootdirectory: {self.storage / 'data'}\n  delete:\n    enabled: true\n"
            f"http:\n  addr: {self.address}\n"
        )
        log = open(self.storage / "registry.log", "ab")
        self._proc = subprocess.Popen(
            [str(binary_path()), "serve", str(cfg)], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"http://{self.address}/v2/", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise UsageError(f"the local registry did not start on {self.address}; see {self.storage / 'registry.log'}")

    def stop(self) -> None:
        """Stop the process we started (by its pid)."""
        if self._proc and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None

    def __enter__(self) -> Registry:
        return self.start()

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
