"""The Docker SDK, for inspecting, listing and pruning (it cannot run BuildKit builds: docker/docker-py#2230)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import docker
import docker.errors

from bench.errors import UsageError


class EngineUnavailable(UsageError):
    """No Docker engine answers."""


@functools.cache
def client() -> docker.DockerClient:
    """A connected client (API version negotiated); EngineUnavailable with one line when none answers."""
    try:
        c = docker.from_env(timeout=120)
        c.ping()
    except docker.errors.DockerException as err:
        reason = str(err).splitlines()[0][:200]
        raise EngineUnavailable(
            f"no Docker engine answers ({reason}); run `make setup` to start one"
        ) from None
    return c


@dataclass(frozen=True)
class ImageInfo:
    """What the harness needs to know of a local image.

    `size_compressed` is the API's `Size`, which on the containerd image store is the
    compressed content size (moby#43862); `size_unpacked` sums the layer sizes of the
    image history, which are unpacked sizes.
    """

    name: str
    id: str
    labels: dict[str, str]
    size_compressed: int
    size_unpacked: int
    layers: int


def image_info(name: str) -> ImageInfo | None:
    """Inspect a local image; None when it does not exist."""
    try:
        image = client().images.get(name)
    except docker.errors.ImageNotFound:
        return None
    attrs: dict[str, Any] = image.attrs
    history = image.history()
    return ImageInfo(
        name=name,
        id=image.id or "",
        labels=dict(image.labels or {}),
        size_compressed=int(attrs.get("Size") or 0),
        size_unpacked=sum(int(h.get("Size") or 0) for h in history),
        layers=len((attrs.get("RootFS") or {}).get("Layers") or []),
    )


def answers() -> bool:
    """True when the engine answers a ping now (after a failure: was it the build or the engine?)."""
    try:
        return bool(client().ping())
    except Exception:  # DockerException, UsageError, or requests' errors when the socket vanished mid-run
        return False


def engine_info() -> dict[str, Any]:
    """The engine's `docker info` answer."""
    return dict(client().info())


def engine_version() -> dict[str, Any]:
    """The engine's `docker version` answer."""
    return dict(client().version())


_NANOS = re.compile(r"(\.\d{6})\d+")


def _timestamp(value: str) -> datetime | None:
    if not value or value.startswith("0001-01-01"):
        return None
    return datetime.fromisoformat(_NANOS.sub(r"\1", value).replace("Z", "+00:00"))


def container_times(name: str) -> tuple[datetime | None, datetime | None]:
    """A finished container's StartedAt and FinishedAt (the engine's own record of the process)."""
    state = client().api.inspect_container(name).get("State") or {}
    return _timestamp(state.get("StartedAt", "")), _timestamp(state.get("FinishedAt", ""))


@dataclass(frozen=True)
class CacheRecord:
    """One record of the engine's build cache (what `docker buildx du --verbose` lists)."""

    id: str
    type: str  # regular, source.local, exec.cachemount, ...
    description: str  # for a cache mount: `cached mount <target> from exec <command> ...`
    size: int
    in_use: bool
    parents: tuple[str, ...]


def build_cache() -> list[CacheRecord]:
    """The engine's build-cache records, from the API's df (a record's parents key may arrive as " Parents")."""
    records = client().df().get("BuildCache") or []
    return [
        CacheRecord(
            id=str(r.get("ID", "")), type=str(r.get("Type", "")), description=str(r.get("Description", "")),
            size=int(r.get("Size") or 0), in_use=bool(r.get("InUse")),
            parents=tuple(r.get("Parents") or r.get(" Parents") or ()),
        )
        for r in records
    ]
