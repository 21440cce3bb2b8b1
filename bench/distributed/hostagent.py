"""Preloaded by every build-host worker (`dask worker --preload bench.distributed.hostagent`).

When a worker process dies (SIGKILL, out of memory), its Nanny starts a new one; the harness the
old one was running is orphaned and would keep building beside the next job. A new worker has
no job yet, so every process still marked with this host's name is such an orphan: end it.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from bench.distributed.job import HOST_MARK, end_processes

HOST_NAME_ENV = "BENCH_HOST_NAME"
log = logging.getLogger(__name__)


def dask_setup(worker: Any) -> None:
    """Dask's preload hook: runs once in each new worker process, before it takes a task."""
    host = os.environ.get(HOST_NAME_ENV) or str(worker.name)
    ended = end_processes(HOST_MARK, host)
    if ended:
        log.warning("bench: ended %d orphaned process(es) of host %s left by a dead worker: %s", len(ended), host, ended)
