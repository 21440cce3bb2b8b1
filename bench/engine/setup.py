"""Make sure a Docker engine with BuildKit and buildx answers: use the user's, start ours, or install ours.

Run as `python -m bench.engine.setup`. Idempotent: a second run on a ready machine
only probes. The engine we install comes from Debian trixie (docker.io 26.1, BuildKit
0.13, buildx 0.13) because bookworm's 20.10 can export only inline cache.

`--instance NAME` also starts a second, named engine on this machine (a rehearsal build
host, `bench.engine.instances`) with the main engine's base images copied in;
`--stop-instance NAME` stops it, ends and unmounts what it left, and removes its state.
"""

from __future__ import annotations

import argparse
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
from bench.engine import cli, instances
from bench.errors import UsageError, cli_entry
from bench.paths import state_dir

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


@dataclass
class SetupReport:
    """What setup found and what it did; `actions` is empty when nothing had to change."""

    engine: str = ""
    actions: list[str] = field(default_factory=list)


def probe() -> tuple[bool, str]:
    """(True, server version) when `docker info` answers, else (False, the reason)."""
    try:
        done = cli.run(["info", "--format", "{{json .ServerVersion}}"], timeout=20)
    except FileNotFoundError:
        return False, "the docker command is not installed"
    except cli.DockerTimeout:
        return False, "docker info did not answer within 20 s"
    except cli.DockerCLIError as err:
        return False, (err.stderr.strip().splitlines() or ["docker info failed"])[-1]
    return True, json.loads(done.stdout.strip() or '""')


def has_buildx() -> bool:
    """True when the docker CLI finds the buildx plugin."""
    try:
        cli.run(["buildx", "version"], timeout=30)
    except (FileNotFoundError, cli.DockerCLIError):
        return False
    return True


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


def start_instance(name: str, images: list[str], say: Callable[[str], None] = print,
                   tmpfs_gb: float = 0) -> instances.Instance:
    """The main engine ready, then engine `name` started with the main engine's daemon.json and images."""
    inst = instances.instance(name)
    ensure_engine(say)
    was = instances.pid(inst)
    started = instances.start(inst, DAEMON_CONFIG, tmpfs_gb=tmpfs_gb)
    say(f"instance {name}: dockerd {started} {'already running' if was == started else 'started'} (log {inst.log})")
    instances.copy_images(inst, images, say)
    return inst


def stop_instance(name: str, keep_data: bool = False) -> list[str]:
    """Stop engine `name`; unless `keep_data`, unmount and remove its state."""
    return instances.stop(instances.instance(name), remove=not keep_data)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.engine.setup", description=__doc__.splitlines()[0])
    p.add_argument("--instance", metavar="NAME", help="also start a second engine NAME on this machine")
    p.add_argument("--image", action="append", metavar="PATTERN",
                   help=f"images of the main engine to copy into the instance (default {instances.BASE_IMAGES})")
    p.add_argument("--tmpfs-gb", type=float, default=0, metavar="GB",
                   help="with --instance: keep its data in a tmpfs of at most GB (removed by an unmount, in no time)")
    p.add_argument("--stop-instance", metavar="NAME", help="stop engine NAME and remove its state")
    p.add_argument("--keep-data", action="store_true", help="with --stop-instance: keep its images and data")
    return p


@cli_entry
def main(argv: list[str] | None = None) -> None:
    """Command line: make sure the engine (or a named instance) is ready, or stop an instance; say what was done."""
    ns = _parser().parse_args(argv)
    start = time.monotonic()
    if ns.stop_instance:
        stopped = stop_instance(ns.stop_instance, ns.keep_data)
        print(f"instance {ns.stop_instance}: {', '.join(stopped) or 'not running, nothing left'}")
        return
    if ns.instance:
        inst = start_instance(ns.instance, ns.image or [instances.BASE_IMAGES], tmpfs_gb=ns.tmpfs_gb)
        print(f"instance {ns.instance} ready ({time.monotonic() - start:.1f} s): DOCKER_HOST={inst.docker_host}")
        return
    report = ensure_engine()
    done = ", ".join(report.actions) or "nothing to change"
    print(f"engine ready: {report.engine} ({done}; {time.monotonic() - start:.1f} s)")


if __name__ == "__main__":
    main()
