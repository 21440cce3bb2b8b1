"""More Docker engines on one machine: a named dockerd with its own everything, for rehearsing several build hosts.

An instance `NAME` keeps all its state under `<BENCH_STATE>/instances/NAME/`: data root, exec root
(where its own managed containerd runs), a unix socket (no TCP: nothing listens on the network),
pid file, log, and the same daemon.json as the main engine. Its containerd namespaces are
`bench-NAME` and `bench-NAME-plugins` (moby/moby#41640). A new instance has no images:
`copy_images` loads the main engine's `bench-base/*` images into it with
`docker save | docker -H ... load`, labels included, so `bench.bases` finds them current there.

A dockerd that was SIGKILLed leaves its data root mounted onto itself and its containerd
running: `stop` (and `start`, before starting again) ends what is left by pid and unmounts
every mount under the instance's folder, deepest first, before anything is removed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from bench.engine import cli, leftovers
from bench.errors import UsageError
from bench.paths import state_root

NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,23}$")
RESERVED = ("default",)  # the main engine's name in host lists
SOCKET_MAX = 100  # unix socket paths are limited to 108 bytes; containerd's sockets live under the exec root
BASE_IMAGES = "bench-base/*"
RECIPE_LABEL = "bench.recipe"  # what bench.bases compares (kept by save/load)

Say = Callable[[str], None]


@dataclass(frozen=True)
class Instance:
    """Where one named engine keeps its state, and how to reach it."""

    name: str

    @property
    def dir(self) -> Path:
        """Everything of this instance lives here."""
        return state_root() / "instances" / self.name

    @property
    def socket(self) -> Path:
        """The engine's API socket (the only place it listens)."""
        return self.dir / "docker.sock"

    @property
    def docker_host(self) -> str:
        """DOCKER_HOST for clients and workers of this engine."""
        return f"unix://{self.socket}"

    @property
    def pidfile(self) -> Path:
        """dockerd's pid file."""
        return self.dir / "dockerd.pid"

    @property
    def log(self) -> Path:
        """dockerd's log (and its containerd's)."""
        return self.dir / "dockerd.log"

    @property
    def exec_root(self) -> Path:
        """dockerd's exec root: its managed containerd's sockets and pid file are under it."""
        return self.dir / "exec"

    def argv(self, dockerd: str) -> list[str]:
        """The dockerd command line of this instance."""
        ns = "bench-" + self.name.removeprefix("bench-")
        return [
            dockerd, "--config-file", str(self.dir / "daemon.json"), "-H", self.docker_host,
            "--data-root", str(self.dir / "data"), "--exec-root", str(self.exec_root),
            "--pidfile", str(self.pidfile), "--containerd-namespace", ns,
            "--containerd-plugins-namespace", f"{ns}-plugins",
        ]

    def env(self) -> dict[str, str]:
        """Environment additions that point the docker CLI and SDK at this engine."""
        return {"DOCKER_HOST": self.docker_host}


def instance(name: str) -> Instance:
    """A checked instance name; bad names are one line (UsageError)."""
    if not NAME_RE.match(name) or name in RESERVED:
        raise UsageError(f"instance: {name!r} is not allowed; use 1-24 of a-z, 0-9 and '-', starting with a letter, "
                         f"not {', '.join(RESERVED)}")
    inst = Instance(name)
    longest = inst.exec_root / "containerd" / "containerd.sock.ttrpc"
    if len(str(longest)) > SOCKET_MAX:
        raise UsageError(f"instance: {longest} is longer than {SOCKET_MAX} bytes (unix socket limit); "
                         "set BENCH_STATE to a shorter folder")
    return inst


def pid(inst: Instance) -> int | None:
    """The pid of the instance's running dockerd, or None."""
    return leftovers.live_pid(inst.pidfile, "dockerd")


def answers(inst: Instance) -> bool:
    """True when the instance's engine answers `docker info`."""
    try:
        cli.run(["info", "--format", "{{.ID}}"], env=inst.env(), timeout=20)
    except (cli.DockerCLIError, FileNotFoundError):
        return False
    return True


def start(inst: Instance, daemon_config: dict[str, object], timeout: float = 60.0, tmpfs_gb: float = 0) -> int:
    """Start the instance's dockerd (cleaning up after a killed one first) and wait until it answers.

    With `tmpfs_gb`, the instance's folder is a tmpfs of at most that size: removing the instance is
    then an unmount, not a delete of every file of every image (minutes on a busy disk).
    """
    running = pid(inst)
    if running and answers(inst):
        return running
    end_leftovers(inst)
    inst.dir.mkdir(parents=True, exist_ok=True)
    if tmpfs_gb and str(inst.dir) not in leftovers.mounts_under(inst.dir):
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={int(tmpfs_gb * 1024)}m,mode=0711", f"bench-{inst.name}",
                        str(inst.dir)], check=True, capture_output=True)
    (inst.dir / "daemon.json").write_text(json.dumps(daemon_config, indent=2) + "\n")
    dockerd = shutil.which("dockerd") or "/usr/sbin/dockerd"
    with open(inst.log, "ab") as log:
        proc = subprocess.Popen(inst.argv(dockerd), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)  # outlives this command, like the main engine
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if answers(inst):
            return proc.pid
        time.sleep(0.3)
    tail = inst.log.read_text(errors="replace").splitlines()[-5:] if inst.log.exists() else []
    raise UsageError(f"instance {inst.name}: dockerd did not come up within {timeout:.0f} s "
                     f"(log {inst.log}: {' | '.join(tail)[-400:]})")


def stop(inst: Instance, remove: bool = True, grace: float = 20.0) -> list[str]:
    """Stop the instance's dockerd (SIGTERM, then SIGKILL), end what it left, unmount, and remove its folder.

    Returns what was done, one phrase each. Stopping an instance that is not running only cleans up.
    """
    done: list[str] = []
    running = pid(inst)
    if running:
        done.append(f"stopped dockerd {running}" if leftovers.terminate(running, grace) else f"killed dockerd {running}")
    done += end_leftovers(inst, folder_too=remove)
    if remove and inst.dir.exists():
        shutil.rmtree(inst.dir)
        done.append(f"removed {inst.dir}")
    return done


def end_leftovers(inst: Instance, folder_too: bool = False) -> list[str]:
    """After a dockerd died: end its containerd, shims and build containers by pid, then unmount everything
    under the folder (the folder itself too, when it is a tmpfs and `folder_too`)."""
    done = []
    for proc_pid in leftovers.processes_under(inst.dir):
        leftovers.kill(proc_pid)
        done.append(f"ended leftover process {proc_pid}")
    points = [p for p in leftovers.mounts_under(inst.dir) if folder_too or p != str(inst.dir)]
    for point in sorted(points, key=lambda p: p.count("/"), reverse=True):
        if subprocess.run(["umount", point], capture_output=True, check=False).returncode != 0:
            subprocess.run(["umount", "-l", point], capture_output=True, check=False)  # busy: detach now, free later
        done.append(f"unmounted {point}")
    return done


def copy_images(inst: Instance, patterns: Iterable[str] = (BASE_IMAGES,), say: Say = print) -> list[str]:
    """Load the main engine's images matching `patterns` into the instance, when missing or of another recipe.

    The main engine is the one the caller's environment reaches (DOCKER_HOST unset: the default socket).
    """
    pats = list(patterns)
    listed = cli.run(["images", "--format", "{{.Repository}}:{{.Tag}}"], timeout=60).stdout.split()
    wanted = sorted(i for i in listed if any(fnmatch(i, p) for p in pats) and not i.endswith(":<none>"))
    stale = [i for i in wanted if _label(i, {}) != _label(i, inst.env())]
    if not stale:
        return []
    started = time.monotonic()
    save = subprocess.Popen(["docker", "save", *stale], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    load = subprocess.run(["docker", "load", "-q"], stdin=save.stdout, capture_output=True,
                          env={**os.environ, **inst.env()}, check=False)
    assert save.stdout is not None
    save.stdout.close()
    saved_err = save.communicate()[1].decode(errors="replace")
    if save.returncode or load.returncode:
        raise cli.DockerCLIError(["save", *stale, "|", "load"], save.returncode or load.returncode,
                                 load.stdout.decode(errors="replace"), saved_err + load.stderr.decode(errors="replace"))
    say(f"instance {inst.name}: copied {', '.join(stale)} in {time.monotonic() - started:.0f} s")
    return stale


def _label(image: str, env: dict[str, str]) -> str | None:
    """The image's recipe label on one engine (its id when unlabelled), or None when the engine lacks it."""
    done = cli.run(["image", "inspect", "--format", "{{json .Config.Labels}}|{{.Id}}", image], env=env, timeout=60,
                   check=False)
    if not done.stdout.strip():
        return None
    labels, _, image_id = done.stdout.strip().partition("|")
    return str((json.loads(labels) or {}).get(RECIPE_LABEL) or image_id)
