"""Processes and mounts an engine instance leaves behind: found by pid, command line, root file system, mount table.

A SIGKILLed dockerd leaves its data root mounted onto itself, overlay mounts of builds in flight, and the
containers of RUN steps (their root is a snapshot under the instance's folder, their command line names
nothing of it). `bench.engine.instances` ends and unmounts them with these before restarting or removing.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def live_pid(pidfile: Path, comm: str) -> int | None:
    """The pid in `pidfile` when that process is alive (not a zombie) and named `comm`, else None."""
    try:
        value = int(pidfile.read_text().strip())
        name = Path(f"/proc/{value}/comm").read_text().strip()
    except (OSError, ValueError):
        return None
    return value if name == comm and not zombie(value) else None


def terminate(proc_pid: int, grace: float) -> bool:
    """SIGTERM, wait, SIGKILL; True when it ended by itself."""
    try:
        os.kill(proc_pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not Path(f"/proc/{proc_pid}").exists() or zombie(proc_pid):
            return True
        time.sleep(0.2)
    kill(proc_pid)
    return False


def kill(proc_pid: int) -> None:
    """SIGKILL and wait (up to 10 s) until it is gone."""
    try:
        os.kill(proc_pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{proc_pid}").exists() and not zombie(proc_pid):
        time.sleep(0.1)


def zombie(proc_pid: int) -> bool:
    """True when the process is a zombie or gone."""
    try:
        return Path(f"/proc/{proc_pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def processes_under(folder: Path) -> list[int]:
    """Processes of the instance: their command line names `folder` (containerd, shims, runc), or their root
    file system is a snapshot in it (a RUN step's container, which outlives a SIGKILLed dockerd)."""
    needle = str(folder) + "/"
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            root = next((ln for ln in (entry / "mountinfo").read_text().splitlines() if ln.split()[4] == "/"), "")
        except (OSError, IndexError):
            continue
        if (needle in cmdline or needle in root) and not zombie(int(entry.name)):
            found.append(int(entry.name))
    return found


def mounts_under(folder: Path) -> list[str]:
    """Mount points at or under `folder`, from this process's mount table."""
    root = str(folder.resolve()) if folder.exists() else str(folder)
    points = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = line.split()[4].encode().decode("unicode_escape")  # spaces are written as \040
        if point == root or point.startswith(root + "/"):
            points.append(point)
    return points
