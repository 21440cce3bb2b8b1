"""Facts about the engine and machine, recorded with every result so numbers can be compared honestly."""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import socket
from typing import Any

from bench import debian
from bench.engine import cli, sdk
from bench.errors import cli_entry

PACKAGES = ("docker.io", "containerd", "docker-buildx", "runc")


def collect() -> dict[str, Any]:
    """A flat dict: engine and package versions, BuildKit, buildx, image store, CPUs, memory, kernel, free disk."""
    info = sdk.engine_info()
    version = sdk.engine_version()
    driver_status = dict((k, v) for k, v in info.get("DriverStatus") or [])
    snapshotter = driver_status.get("driver-type", "")
    root = str(info.get("DockerRootDir") or "")
    facts: dict[str, Any] = {
        "engine_version": version.get("Version", ""),
        "engine_api_version": version.get("ApiVersion", ""),
        "buildkit_version": buildkit_version(),
        "buildx_version": buildx_version(),
        "image_store": "containerd" if "containerd" in snapshotter else "classic",
        "storage_driver": info.get("Driver", ""),
        "snapshotter": snapshotter,
        "engine_cpus": int(info.get("NCPU") or 0),
        "engine_mem_bytes": int(info.get("MemTotal") or 0),
        "kernel": info.get("KernelVersion", "") or platform.release(),
        "os": info.get("OperatingSystem", ""),
        "docker_root": root,
        "disk_free_bytes": _free(root),
        "host_cpus": os.cpu_count() or 0,
        "hostname": socket.gethostname(),
        "engine_id": info.get("ID", ""),  # unique per daemon: two engines on one machine are two hosts
        "docker_host": os.environ.get("DOCKER_HOST", ""),
        "cpu_model": cpu_model(),
    }
    for pkg in PACKAGES:
        facts[f"pkg_{pkg.replace('-', '_').replace('.', '_')}"] = debian.installed_version(pkg) or ""
    return facts


def cpu_model() -> str:
    """The CPU model name (part of a host's identity: results of different hardware are never compared)."""
    try:
        text = open("/proc/cpuinfo", encoding="utf-8", errors="replace").read()
    except OSError:
        return platform.processor()
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
    return match.group(1).strip() if match else platform.processor()


def buildx_version() -> str:
    """`docker buildx version`, e.g. `0.13.1+ds1`."""
    out = cli.run(["buildx", "version"], timeout=30).stdout.split()
    return out[1] if len(out) > 1 else " ".join(out)


def buildkit_version() -> str:
    """The BuildKit version of the default builder (Debian's build says v0.0.0+unknown; see the package versions)."""
    out = cli.run(["buildx", "inspect"], timeout=60).stdout
    match = re.search(r"BuildKit version:\s*(\S+)", out)
    return match.group(1) if match else ""


def _free(path: str) -> int:
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return shutil.disk_usage("/").free


@cli_entry
def main() -> None:
    """Print the facts as JSON."""
    print(json.dumps(collect(), indent=2))


if __name__ == "__main__":
    main()
