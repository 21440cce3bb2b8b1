"""Run the real `go` command inside the builder image (the mirror's tests and benchmark need it).

Goes through `bench.engine.cli.run`, the one choke point for the docker CLI.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bench.engine import cli

# Exit codes of `docker run` itself (daemon error, cannot invoke, not found): the go command never ran.
_DOCKER_RUN_FAILURES = {125, 126, 127}
_ELAPSED = re.compile(r"^bench-elapsed-ns=(\d+)$", re.MULTILINE)
CONTAINER_LABEL = "bench.role=gocmd"


@dataclass(frozen=True)
class GoRun:
    """The outcome of a script run in the builder; `timings` are the `timed()` parts, measured inside."""

    returncode: int
    stdout: str
    stderr: str
    timings: list[float] = field(default_factory=list)

    @property
    def seconds(self) -> float | None:
        """The last timed part's duration (None when the script timed nothing)."""
        return self.timings[-1] if self.timings else None

    @property
    def ok(self) -> bool:
        """True when the script exited 0."""
        return self.returncode == 0


@dataclass(frozen=True)
class GoEnv:
    """The module-related environment of a go command run (GOSUMDB off: no sumdb is reachable offline)."""

    goproxy: str = "off"
    goflags: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)

    def as_env(self) -> dict[str, str]:
        """The variables to pass with `docker run -e`."""
        env = {"GOPROXY": self.goproxy, "GOSUMDB": "off", "GOTOOLCHAIN": "local", "GOFLAGS": self.goflags}
        return {**env, **self.extra}


def timed(command: str) -> str:
    """Wrap a shell command so the container reports its own wall time (no container start-up in it)."""
    # A subshell, so the `exit` keeps the command's status without ending the caller's script.
    return f'(s=$(date +%s%N); {command}; rc=$?; e=$(date +%s%N); echo "bench-elapsed-ns=$((e - s))" >&2; exit $rc)'


def run_go(
    image: str,
    script: str,
    *,
    env: GoEnv,
    mounts: Mapping[Path, str] | None = None,
    workdir: str | None = None,
    network: str = "host",
    timeout: float = 900,
    check: bool = True,
) -> GoRun:
    """Run `sh -c script` in `image` with `mounts` (host dir -> container dir).

    With check=False a failing script is returned, not raised; a failure of docker itself
    (exit 125-127, or a timeout) is always raised as DockerCLIError.
    """
    args = ["run", "--rm", f"--network={network}", "--label", CONTAINER_LABEL]
    for host, inside in (mounts or {}).items():
        args += ["-v", f"{Path(host).resolve()}:{inside}"]
    for key, value in env.as_env().items():
        args += ["-e", f"{key}={value}"]
    if workdir:
        args += ["-w", workdir]
    args += [image, "sh", "-c", script]
    try:
        done = cli.run(args, timeout=timeout, check=True)
    except cli.DockerTimeout:
        raise
    except cli.DockerCLIError as err:
        if check or err.returncode in _DOCKER_RUN_FAILURES:
            raise
        return GoRun(err.returncode, err.stdout, err.stderr, parse_timings(err.stderr))
    return GoRun(0, done.stdout, done.stderr, parse_timings(done.stderr))


def parse_timings(stderr: str) -> list[float]:
    """The durations `timed()` parts reported on stderr, in seconds."""
    return [int(ns) / 1e9 for ns in _ELAPSED.findall(stderr)]


def quote(*words: str) -> str:
    """Shell-quote words for a script line."""
    return shlex.join(words)
