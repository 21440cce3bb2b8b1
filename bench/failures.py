"""Failure classes of a build, from what the engine and the go command printed."""

from __future__ import annotations

import re

from bench.engine.rawjson import Vertex

CHECKSUM = re.compile(r"SECURITY ERROR|checksum mismatch|verifying (module|go\.mod)")
NETWORK = re.compile(
    r"dial tcp|connection reset|connection refused|502 Bad Gateway|50[034] |unexpected EOF|i/o timeout|"
    r"TLS handshake|no such host|reading https?://|Get \"https?://",
)
ENGINE = re.compile(r"Cannot connect to the Docker daemon|error during connect|daemon is not running|failed to dial")
CLASSES = ("network", "checksum", "compile", "timeout", "engine", "other")


def classify(stderr: str, vertices: list[Vertex], timed_out: bool = False) -> str:
    """One of CLASSES for a failed build."""
    if timed_out:
        return "timeout"
    failed = [v for v in vertices if v.error]
    text = "\n".join("".join(v.logs) for v in failed) + "\n" + stderr
    if CHECKSUM.search(text):
        return "checksum"
    if not vertices and ENGINE.search(stderr):
        return "engine"
    instr = failed[0].name if failed else ""
    if "go mod download" in instr or NETWORK.search(text):
        return "network"
    if "go build" in instr:
        return "compile"
    if ENGINE.search(stderr):
        return "engine"
    return "other"


def log_tail(stderr: str, vertices: list[Vertex], lines: int = 20) -> str:
    """The last lines the failing step printed, else the last lines of the CLI's own output."""
    failed = [v for v in vertices if v.error]
    text = "".join(failed[0].logs) if failed and failed[0].logs else ""
    if not text.strip():
        text = "\n".join(ln for ln in stderr.splitlines() if not ln.startswith((" ", "{", "}", "\t", '"')))
    return "\n".join(text.strip().splitlines()[-lines:])
