"""Caching mode: answer from a local store, filling it from an upstream GOPROXY on a miss.

The store is an ordinary GOPROXY-layout directory, so it can later be served on its own.
`list` is cached too: a benchmark wants a frozen snapshot, not today's version list, and a
second build must not need the upstream at all.
"""

from __future__ import annotations

import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from bench.mirror.layout import Request
from bench.mirror.store import Body, DirectoryStore, UpstreamError

NOT_THERE = (404, 410)  # the only answers that mean "this proxy does not have it"


class CachingStore:
    """A DirectoryStore over `store_dir` that fetches misses from `upstream` (a GOPROXY base URL)."""

    def __init__(
        self,
        upstream: str,
        store_dir: Path,
        *,
        timeout: float = 30.0,
        on_fetch: Callable[[int], None] | None = None,
    ) -> None:
        store_dir.mkdir(parents=True, exist_ok=True)
        self.upstream = upstream.rstrip("/")
        self.local = DirectoryStore(store_dir)
        self.timeout = timeout
        self.on_fetch = on_fetch  # told of every upstream request and its body size (the server's counters)

    def get(self, req: Request) -> Body | None:
        """See Store.get: the local copy, else the upstream's answer (stored first)."""
        hit = self.local.get(req)
        if hit is not None:
            return hit
        # @latest is derived from the cached list, so only the list is fetched for it.
        fetch = Request("list", req.escaped_module) if req.kind == "latest" else req
        data = self._fetch(fetch)
        if data is None:
            return None
        self._store(fetch.relpath(), data)
        return self.local.get(req)

    def _fetch(self, req: Request) -> bytes | None:
        url = self.upstream + req.url_path()
        data = b""
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as resp:
                data = bytes(resp.read())
        except urllib.error.HTTPError as err:
            if err.code in NOT_THERE:
                return None
            raise UpstreamError(f"{url}: HTTP {err.code}") from None
        except (urllib.error.URLError, OSError) as err:
            raise UpstreamError(f"{url}: {getattr(err, 'reason', err)}") from None
        finally:
            if self.on_fetch:
                self.on_fetch(len(data))
        return data

    def _store(self, relpath: str, data: bytes) -> None:
        # Write then rename: a concurrent reader sees the whole file or none of it.
        target = self.local.root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
