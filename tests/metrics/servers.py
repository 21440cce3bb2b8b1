"""Real Prometheus and Pushgateway (Debian's packages) started on loopback for a test, stopped by pid."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROMETHEUS = "prometheus"
PUSHGATEWAY = "prometheus-pushgateway"
PROMTOOL = "promtool"
PACKAGES = {PROMETHEUS: "prometheus", PROMTOOL: "prometheus", PUSHGATEWAY: "prometheus-pushgateway"}
# Never through a proxy from the environment: everything here is on 127.0.0.1.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class Server:
    """A started server: its URL and process."""

    url: str
    proc: subprocess.Popen[bytes]
    log: Path


def free_port() -> int:
    """A loopback port nobody listens on right now (bound then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def missing_binaries() -> list[str]:
    """Which of the binaries these tests run are not on PATH, as 'binary (package)'."""
    return [f"{b} ({pkg})" for b, pkg in PACKAGES.items() if shutil.which(b) is None]


def get(url: str, timeout: float = 5.0) -> bytes:
    """The body of a GET (loopback, no proxy)."""
    with _OPENER.open(url, timeout=timeout) as resp:
        return bytes(resp.read())


@contextmanager
def started(argv: Sequence[str], url: str, log: Path, timeout: float = 30.0) -> Iterator[Server]:
    """Run `argv` until `<url>/-/ready` answers; terminate it (by pid) on exit; the log tail on failure."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(list(argv), stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{argv[0]} exited with {proc.returncode}: {_tail(log)}")
            try:
                get(f"{url}/-/ready", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{argv[0]} not ready after {timeout:.0f} s: {_tail(log)}") from None
                time.sleep(0.2)
        yield Server(url, proc, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextmanager
def pushgateway(workdir: Path) -> Iterator[Server]:
    """A Pushgateway on 127.0.0.1, persisting into `workdir` (not /var/lib)."""
    port = free_port()
    argv = [PUSHGATEWAY, f"--web.listen-address=127.0.0.1:{port}",
            f"--persistence.file={workdir / 'pushgateway.data'}", "--log.level=warn"]
    with started(argv, f"http://127.0.0.1:{port}", workdir / "pushgateway.log") as server:
        yield server


@contextmanager
def prometheus(workdir: Path, scrape: str, rule_files: Sequence[Path] = ()) -> Iterator[Server]:
    """A Prometheus on 127.0.0.1 scraping `scrape` (host:port) every second with honor_labels, data in `workdir`."""
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(p) for p in rule_files],
        "scrape_configs": [{"job_name": "pushgateway", "honor_labels": True,
                            "static_configs": [{"targets": [scrape]}]}],
    }
    (workdir / "prometheus.yml").write_text(json.dumps(config, indent=2))  # JSON is YAML
    port = free_port()
    argv = [PROMETHEUS, f"--config.file={workdir / 'prometheus.yml'}", f"--storage.tsdb.path={workdir / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"]
    with started(argv, f"http://127.0.0.1:{port}", workdir / "prometheus.log") as server:
        yield server


def api(server: Server, path: str, **params: str) -> Any:
    """The `data` of a Prometheus HTTP API answer (raises on status error)."""
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    answer = json.loads(get(f"{server.url}/api/v1/{path}{query}"))
    if answer.get("status") != "success":
        raise RuntimeError(f"{path}: {answer}")
    return answer["data"]


def query_until(server: Server, promql: str, want: int = 1, timeout: float = 30.0) -> list[dict[str, Any]]:
    """The instant-query result of `promql` once it has at least `want` series (scrapes take a moment)."""
    deadline = time.monotonic() + timeout
    while True:
        result: list[dict[str, Any]] = api(server, "query", query=promql)["result"]
        if len(result) >= want or time.monotonic() > deadline:
            return result
        time.sleep(0.5)


def _tail(log: Path, lines: int = 5) -> str:
    text = log.read_text(errors="replace").strip().splitlines() if log.exists() else []
    return " | ".join(text[-lines:]) or "(no output)"
