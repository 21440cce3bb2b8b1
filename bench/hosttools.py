"""Debian packages the test suite and the benchmark scripts need on the host, installed once, idempotently.

`python -m bench.hosttools` installs what is missing (root on Debian). Services these
packages would start (Prometheus, the Pushgateway, ...) are kept from starting during the
install: the tests start their own on 127.0.0.1 and stop them by pid.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench import debian
from bench.errors import UsageError, cli_entry

# command on PATH -> the Debian package that provides it
TEST_TOOLS = {
    "chromium": "chromium",  # the report's browser test
    "chromedriver": "chromium-driver",
    "prometheus": "prometheus",  # metrics tests (promtool comes with it)
    "promtool": "prometheus",
    "prometheus-pushgateway": "prometheus-pushgateway",
    "hyperfine": "hyperfine",  # benchmark scripts time whole commands side by side
}
POLICY_RC = Path("/usr/sbin/policy-rc.d")


def missing(tools: dict[str, str] = TEST_TOOLS) -> list[str]:
    """Packages whose command is not installed."""
    found = lambda cmd: shutil.which(cmd) or Path(f"/usr/bin/{cmd}").exists()  # noqa: E731
    return sorted({pkg for cmd, pkg in tools.items() if not found(cmd)})


@contextmanager
def _no_service_starts() -> Iterator[None]:
    """invoke-rc.d and deb-systemd-invoke ask policy-rc.d; exit 101 means 'do not start'."""
    if POLICY_RC.exists():
        yield
        return
    POLICY_RC.write_text("#!/bin/sh\n# bench: no service starts while installing test tools\nexit 101\n")
    POLICY_RC.chmod(0o755)
    try:
        yield
    finally:
        POLICY_RC.unlink(missing_ok=True)


def ensure(tools: dict[str, str] = TEST_TOOLS) -> list[str]:
    """Install the missing packages; returns what was installed."""
    need = missing(tools)
    if not need:
        return []
    if os.geteuid() != 0 or not debian.is_debian():
        raise UsageError(f"missing test tools: {', '.join(need)}; install them (Debian: apt-get install {' '.join(need)})")
    with _no_service_starts():
        debian.install(need)
    return need


@cli_entry
def main() -> None:
    """Command line: install what is missing and say what was done."""
    start = time.monotonic()
    done = ensure()
    print(f"test tools: {'installed ' + ', '.join(done) if done else 'all present'} ({time.monotonic() - start:.1f} s)")


if __name__ == "__main__":
    main()
