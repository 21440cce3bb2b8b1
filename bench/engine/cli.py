"""The one choke point for running the docker / buildx command line."""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)


class DockerCLIError(Exception):
    """A docker CLI command failed; carries what is needed to understand why."""

    def __init__(self, argv: Sequence[str], returncode: int, stdout: str, stderr: str) -> None:
        self.argv = list(argv)
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        tail = stderr.strip().splitlines()[-1:] or ["(no stderr)"]
        super().__init__(f"{shlex.join(self.argv)} exited {returncode}: {tail[0]}")


class DockerTimeout(DockerCLIError):
    """A docker CLI command ran past its timeout and was killed."""


@dataclass(frozen=True)
class Completed:
    """Output of a finished docker command."""

    argv: list[str]
    stdout: str
    stderr: str


def run(
    args: Sequence[str],
    *,
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
    input: str | None = None,
    cwd: str | None = None,
    check: bool = True,
    on_stderr_line: Callable[[str], None] | None = None,
) -> Completed:
    """Run `docker <args>`, capture its output, and raise DockerCLIError on failure.

    `env` is added to the current environment (so DOCKER_HOST and friends carry over).
    `on_stderr_line` sees each stderr line as it arrives (progress of long builds);
    the whole stderr is still captured.
    """
    argv = ["docker", *args]
    log.debug("run: %s", shlex.join(argv))
    full_env = {**os.environ, **env} if env else None
    if on_stderr_line is not None:
        return _run_streaming(argv, timeout, full_env, input, cwd, check, on_stderr_line)
    try:
        proc = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=full_env,
            input=input,
            cwd=cwd,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise DockerTimeout(argv, -1, _text(exc.stdout), _text(exc.stderr)) from None
    if check and proc.returncode != 0:
        raise DockerCLIError(argv, proc.returncode, proc.stdout, proc.stderr)
    return Completed(argv, proc.stdout, proc.stderr)


def _text(data: str | bytes | None) -> str:
    if data is None:
        return ""
    return data.decode(errors="replace") if isinstance(data, bytes) else data


def _run_streaming(
    argv: list[str],
    timeout: float | None,
    env: Mapping[str, str] | None,
    input: str | None,
    cwd: str | None,
    check: bool,
    on_line: Callable[[str], None],
) -> Completed:
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=cwd,
    )
    out: list[str] = []
    err: list[str] = []

    def pump_stdout() -> None:
        assert proc.stdout is not None
        out.append(proc.stdout.read())

    def pump_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            err.append(line)
            on_line(line.rstrip("\n"))

    threads = [threading.Thread(target=f, daemon=True) for f in (pump_stdout, pump_stderr)]
    for t in threads:
        t.start()
    if input is not None:
        assert proc.stdin is not None
        proc.stdin.write(input)
        proc.stdin.close()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        for t in threads:
            t.join(5)
        raise DockerTimeout(argv, -1, "".join(out), "".join(err)) from None
    for t in threads:
        t.join()
    if check and proc.returncode != 0:
        raise DockerCLIError(argv, proc.returncode, "".join(out), "".join(err))
    return Completed(argv, "".join(out), "".join(err))
