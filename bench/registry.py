"""A throwaway image registry on 127.0.0.1 (Debian's docker-registry, distribution 2.8) for fresh-runner cache modes.

The packaged service listens on all interfaces and wants htpasswd, and its postinst would
start it, so setup only unpacks the binary into our state directory and we run it with a
config of our own: loopback, filesystem storage in a directory of ours, no auth.

Builds reach it through endpoints: a shaped TCP forwarder per network profile
(`bench.mirror.tcpproxy`), which also counts the bytes pushed and pulled. The registry's own
accounts (its access log, its stored blobs) are here too, to check those counts against.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType

from bench import debian
from bench.errors import UsageError
from bench.mirror.shaping import Shape
from bench.mirror.tcpproxy import Forwarder
from bench.paths import state_dir

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
        self._endpoints: dict[str, Forwarder] = {}

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

    @property
    def data(self) -> Path:
        """The root of the registry's filesystem storage."""
        return self.storage / "data"

    @property
    def log(self) -> Path:
        """The registry's log: its access log lines (combined format) among its own."""
        return self.storage / "registry.log"

    def endpoint(self, name: str, shape: Shape | None = None) -> Forwarder:
        """The forwarder in front of the registry for network profile `name` ("" = unshaped); started once."""
        if name not in self._endpoints:
            target = ("127.0.0.1", self.port)
            self._endpoints[name] = Forwarder(target, shape, name=f"registry-{name or 'loopback'}").start()
        return self._endpoints[name]

    def wipe(self) -> None:
        """Forget every stored repository and blob (between exports: each starts from an empty registry)."""
        shutil.rmtree(self.data / "docker", ignore_errors=True)

    def stored_bytes(self, repository: str) -> int:
        """The registry's own count of what a repository holds: its linked layers and manifests, in bytes."""
        repo = self.data / "docker" / "registry" / "v2" / "repositories" / repository
        digests = {p.parent.name for p in repo.glob("_layers/sha256/*/link")}
        digests |= {p.parent.name for p in repo.glob("_manifests/revisions/sha256/*/link")}
        blobs = self.data / "docker" / "registry" / "v2" / "blobs" / "sha256"
        return sum((blobs / d[:2] / d / "data").stat().st_size for d in digests if (blobs / d[:2] / d / "data").exists())

    def log_offset(self) -> int:
        """Where the log ends now (for `served_bytes` over an interval)."""
        return self.log.stat().st_size if self.log.exists() else 0

    def served_bytes(self, since: int = 0) -> int:
        """Bytes of GET response bodies the registry says it wrote after log offset `since`."""
        with self.log.open("rb") as f:
            f.seek(since)
            text = f.read().decode(errors="replace")
        return sum(int(m["bytes"]) for m in _ACCESS.finditer(text) if m["status"].startswith("2"))

    def stop(self) -> None:
        """Stop the process we started (by its pid), and its endpoints."""
        for fwd in self._endpoints.values():
            fwd.stop()
        self._endpoints.clear()
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


_ACCESS = re.compile(r'"GET \S+ HTTP/[\d.]+" (?P<status>\d{3}) (?P<bytes>\d+)')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
