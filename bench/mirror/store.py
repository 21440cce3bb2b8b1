"""Where a mirror's answers come from: a directory in GOPROXY layout (a corpus, a module cache's `cache/download`)."""

from __future__ import annotations

import io
import json
import os
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bench.mirror.layout import Request
from bench.mirror.modpath import latest

CONTENT_TYPES = {
    "list": "text/plain; charset=utf-8",
    "info": "application/json",
    "latest": "application/json",
    "mod": "text/plain; charset=utf-8",
    "zip": "application/zip",
}


@dataclass(frozen=True)
class Body:
    """An answer: in memory, or (big zips) a file to send with sendfile."""

    content_type: str
    data: bytes | None = None
    path: Path | None = None

    @property
    def size(self) -> int:
        """Length in bytes."""
        return len(self.data) if self.data is not None else self.path.stat().st_size  # type: ignore[union-attr]


# Answers up to this size are read and sent with their headers in one write; bigger zips go
# out with sendfile. For the ~20 kB zips of a corpus, one write beat sendfile's extra calls.
INLINE_LIMIT = 1 << 20
MEMORY_BUDGET = 256 << 20  # small answers kept in memory per store (a corpus is a few MB)


class UpstreamError(Exception):
    """A caching store could not reach its upstream (answered as HTTP 502)."""


class Store(Protocol):
    """Answers requests; None means "not here" (HTTP 404)."""

    def get(self, req: Request) -> Body | None:
        """The answer to `req`, or None; raises UpstreamError when a source it depends on failed."""
        ...


class DirectoryStore:
    """Read-only answers from a GOPROXY-layout directory; never a file outside it."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        if not self.root.is_dir():
            raise NotADirectoryError(f"{root}: not a directory")
        # The tree is read-only, so what was found once stays valid: resolved paths and small
        # answers are kept (resolving costs a syscall per path component, reading four more).
        # Misses are not remembered: a caching store adds files.
        self._found: dict[str, Path] = {}
        self._bodies: dict[str, Body] = {}
        self._kept = 0
        self._lock = threading.Lock()

    def file(self, relpath: str) -> Path | None:
        """The regular file at `relpath` if it resolves inside the root (symlinks out are refused)."""
        if relpath in self._found:
            return self._found[relpath]
        candidate = Path(os.path.realpath(self.root / relpath))
        if not candidate.is_relative_to(self.root) or not candidate.is_file():
            return None
        self._found[relpath] = candidate
        return candidate

    def get(self, req: Request) -> Body | None:
        """See Store.get; `@latest` is the .info of the highest version in `list`."""
        if req.kind == "latest":
            return self._latest(req)
        relpath = req.relpath()
        return self._bodies.get(relpath) or self._load(req.kind, relpath)

    def _load(self, kind: str, relpath: str) -> Body | None:
        found = self.file(relpath)
        if found is None:
            return None
        size = found.stat().st_size
        if size > INLINE_LIMIT:
            return Body(CONTENT_TYPES[kind], path=found)
        body = Body(CONTENT_TYPES[kind], data=found.read_bytes())
        with self._lock:
            if self._kept + size <= MEMORY_BUDGET:
                self._bodies[relpath] = body
                self._kept += size
        return body

    def _latest(self, req: Request) -> Body | None:
        listing = self.file(req.relpath())
        versions = listing.read_text().split() if listing else []
        best = latest(versions)
        if best is None:
            return None
        info = self.file(f"{req.escaped_module}/@v/{best}.info")
        data = info.read_bytes() if info else json.dumps({"Version": best}).encode()
        return Body(CONTENT_TYPES["latest"], data=data)


TAMPER_NOTE = b"\n// tampered with by the bench mirror (profile tamper)\n"


def tamper_zip(data: bytes) -> bytes:
    """The same module zip with one file's content changed: still a valid zip, but its h1 hash differs."""
    src = zipfile.ZipFile(io.BytesIO(data))
    infos = src.infolist()
    victim = next((i for i in infos if i.filename.endswith(".go")), None) or next(
        (i for i in infos if not i.is_dir()), None
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for info in infos:
            content = src.read(info)
            out.writestr(info, content + TAMPER_NOTE if info is victim else content)
        if victim is None:  # an empty zip: add a file instead
            out.writestr("tampered.go", TAMPER_NOTE)
    return buf.getvalue()


class TamperingStore:
    """Answers of another store with every module zip (`mode` "zip") or go.mod (`mode` "mod") modified.

    What a compromised mirror or a man in the middle would serve: the go command must refuse
    it with its checksum error (go.sum pins every zip and go.mod by hash).
    """

    def __init__(self, inner: Store, mode: str = "zip") -> None:
        if mode not in ("zip", "mod"):
            raise ValueError(f"tamper mode must be 'zip' or 'mod', not {mode!r}")
        self.inner = inner
        self.mode = mode
        self._done: dict[str, Body] = {}
        self._lock = threading.Lock()

    def get(self, req: Request) -> Body | None:
        """See Store.get."""
        body = self.inner.get(req)
        if body is None or req.kind != self.mode:
            return body
        key = req.relpath()
        with self._lock:
            if key not in self._done:
                data = body.data if body.data is not None else body.path.read_bytes()  # type: ignore[union-attr]
                changed = tamper_zip(data) if self.mode == "zip" else data + TAMPER_NOTE.lstrip(b"\n")
                self._done[key] = Body(body.content_type, data=changed)
            return self._done[key]
