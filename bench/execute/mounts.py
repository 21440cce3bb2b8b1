"""Warm cache mounts, verified: a warm row of a strategy with `RUN --mount=type=cache` checks, right before
its measured build, that the engine's cache-mount records for its targets hold data.

`--cache-to` never exports cache mounts (moby/buildkit#1512), and any prune empties them; a
"warm" cache-mount build on empty mounts would measure a cold one under the wrong name.
"""

from __future__ import annotations

import re

from bench.engine.sdk import CacheRecord

EMPTY_DIR_BYTES = 4096  # what the engine reports for a cache mount holding an empty directory (seen on overlayfs)
_CACHE_MOUNT = re.compile(r"--mount=(?=[^\s]*type=cache)[^\s]*?target=([^,\s]+)")


def mount_targets(dockerfile: str) -> list[str]:
    """The targets of the `RUN --mount=type=cache,...` mounts of a Dockerfile, in order, each once."""
    return list(dict.fromkeys(_CACHE_MOUNT.findall(dockerfile)))


def mount_problem(records: list[CacheRecord], targets: list[str]) -> tuple[int, str]:
    """The bytes the engine's cache mounts for `targets` hold, and why that is not warm ("" when it is).

    Warm means: every mount has its record (a prune removes them), and they hold more than empty
    directories (a mount can legitimately stay empty, as the module cache of a project without
    dependencies does, but not all of them: the compile always fills the build cache).
    """
    sizes = {t: sum(r.size for r in records if r.type == "exec.cachemount"
                    and r.description.startswith(f"cached mount {t} ")) for t in targets}
    total = sum(sizes.values())
    missing = [t for t, size in sizes.items() if size <= 0]
    if missing:
        return total, f"cache mount {', '.join(missing)} held no data after the prime (no record): not a warm cache"
    if targets and all(size <= EMPTY_DIR_BYTES for size in sizes.values()):
        return total, (f"cache mounts {', '.join(targets)} held nothing but empty directories after the prime: "
                       "not a warm cache")
    return total, ""
