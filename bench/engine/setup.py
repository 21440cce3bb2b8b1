"""Make sure a Docker engine with BuildKit and buildx answers: use the user's, start ours, or install ours.

Run as `python -m bench.engine.setup`. Idempotent: a second run on a ready machine
only probes. The engine we install comes from Debian trixie (docker.io 26.1, BuildKit
0.13, buildx 0.13) because bookworm's 20.10 can export only inline cache.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import debian
from bench.errors import UsageError, cli_entry

TRIXIE_PACKAGES = ["docker.io", "containerd", "docker-cli", "docker-buildx"]
# trixie's runc and tini need libc 2.38; bookworm's own builds work with this engine.
BOOKWORM_PACKAGES = ["runc", "tini"]
HOST_TOOLS = {"debootstrap": "debootstrap", "openssl": "openssl"}  # command -> package: local base images; the private mirror's TLS
MIN_ENGINE_MAJOR = 23  # the containerd image store (cache export with mode=max) needs a current engine

DAEMON_CONFIG = {
    # The containerd image store lets the docker driver export local and registry cache with mode=max.
    "features": {"containerd-snapshotter": True},
    # Loopback only: no bridge, no NAT rules. Builds run with --network=host or --network=none.
    "bridge": "none",
    "iptables": False,
    "ip6tables": False,
    "ip-masq": False,
}


def state_dir() -> Path:
    """Where the engine we start keeps its pid file, log and config (BENCH_STATE overrides)."""
    base = os.environ.get("BENCH_STATE") or os.path.join(
        os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state"), "bench"
    )
    return Path(base) / "engine"


@dataclass
class SetupReport:
    """What setup found and what it did; `actions` is empty when nothing had to change."""

    engine: str = ""
    actions: list[str] = field(default_factory=list)


def probe() -> tuple[bool, str]:
    """(True, server version) when `docker info` answers, else (False, the reason)."""
    try:
        proc = subprocess.run(
            ["docker", "info", "--format", "{{json .ServerVersion}}"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except FileNotFoundError:
        return False, "the docker command is not installed"
    except subprocess.TimeoutExpired:
        return False, "docker info did not answer within 20 s"
    if proc.returncode != 0:
        reason = (proc.stderr.strip().splitlines() or ["docker info failed"])[-1]
        return False, reason
    return True, json.loads(proc.stdout.strip() or '""')


def has_buildx() -> bool:
    """True when the docker CLI finds the buildx plugin."""
    proc = subprocess.run(["docker", "buildx", "version"], capture_output=True, text=True, check=False)
    return proc.returncode == 0


def ensure_engine(say: Callable[[str], None] = print) -> SetupReport:
    """Return when an engine with buildx answers; start or install ours when needed."""
    report = SetupReport()
    ok, version = probe()
    if ok:
        if not has_buildx():
            raise UsageError(
                f"Docker {version} answers but the buildx plugin is missing: install docker-buildx "
                "(Debian/Ubuntu: apt-get install docker-buildx; Docker CE: docker-buildx-plugin) and run setup again"
            )
        report.engine = f"existing engine {version}"
        _ensure_host_tools(report, say)
        return report
    host = os.environ.get("DOCKER_HOST", "")
    if host and host != "unix:///var/run/docker.sock":
        raise UsageError(f"DOCKER_HOST={host} does not answer ({version}); start that engine, or unset DOCKER_HOST")
    if not _engine_installed():
        _require_root_debian(version)
        say("setup: installing Docker engine 26.1 with BuildKit 0.13 from Debian trixie (about a minute)")
        _install_engine()
        report.actions.append("installed engine")
    _ensure_host_tools(report, say)
    say("setup: starting dockerd (log in %s)" % (state_dir() / "dockerd.log"))
    start_dockerd()
    report.actions.append("started dockerd")
    ok, version = probe()
    if not ok:
        raise UsageError(f"dockerd started but docker info fails: {version}")
    if not has_buildx():
        raise UsageError("dockerd runs but the docker CLI does not find the buildx plugin; install docker-buildx")
    report.engine = f"our engine {version}"
    return report


def _engine_installed() -> bool:
    dockerd = shutil.which("dockerd") or (Path("/usr/sbin/dockerd").exists() and "/usr/sbin/dockerd")
    version = debian.installed_version("docker.io")
    if not dockerd:
        return False
    if version is None:
        return True  # a dockerd from elsewhere (Docker CE, a tarball): use it, do not reinstall
    major = int(version.split(".")[0].split(":")[-1] or 0)
    return major >= MIN_ENGINE_MAJOR and debian.installed_version("docker-buildx") is not None


def _require_root_debian(reason: str) -> None:
    if os.geteuid() != 0 or not debian.is_debian():
        raise UsageError(
            f"no Docker engine answers ({reason}); start Docker with BuildKit and buildx yourself, "
            "or run setup as root on Debian so it can install one"
        )


def _install_engine() -> None:
    work = state_dir() / "apt-trixie"
    debs = debian.download_from_suite("trixie", TRIXIE_PACKAGES, work, work / "debs")
    debian.install([str(p) for p in debs] + BOOKWORM_PACKAGES)


def _ensure_host_tools(report: SetupReport, say: Callable[[str], None]) -> None:
    from bench import registry  # the registry is a host process, not part of the engine

    if os.geteuid() == 0 and debian.is_debian() and registry.ensure_binary():
        report.actions.append("unpacked docker-registry")
    missing = [pkg for cmd, pkg in HOST_TOOLS.items() if shutil.which(cmd) is None and not Path(f"/usr/sbin/{cmd}").exists()]
    if not missing:
        return
    if os.geteuid() != 0 or not debian.is_debian():
        say(f"setup: {', '.join(missing)} missing; local base images cannot be built (base=registry still works)")
        return
    say(f"setup: installing {', '.join(missing)}")
    debian.install(missing)
    report.actions.append(f"installed {', '.join(missing)}")


def start_dockerd(timeout: float = 60.0) -> int:
    """Start dockerd in the background with our config; wait until it answers. Returns its pid."""
    state = state_dir()
    state.mkdir(parents=True, exist_ok=True)
    config = state / "daemon.json"
    config.write_text(json.dumps(DAEMON_CONFIG, indent=2) + "\n")
    log_path = state / "dockerd.log"
    dockerd = shutil.which("dockerd") or "/usr/sbin/dockerd"
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [dockerd, "--config-file", str(config), "--pidfile", str(state / "dockerd.pid")],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives this process: later commands use the same engine
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        if probe()[0]:
            return proc.pid
        time.sleep(0.5)
    tail = "".join(log_path.read_text(errors="replace").splitlines(keepends=True)[-15:])
    print(tail, file=sys.stderr)
    raise UsageError(f"dockerd did not come up within {timeout:.0f} s; its log tail is above ({log_path})")


@cli_entry
def main() -> None:
    """Command line: make sure the engine is ready and say what was done."""
    start = time.monotonic()
    report = ensure_engine()
    done = ", ".join(report.actions) or "nothing to change"
    print(f"engine ready: {report.engine} ({done}; {time.monotonic() - start:.1f} s)")


if __name__ == "__main__":
    main()
