"""How a priming build exports its cache: one function per `export` kind (EXPORTERS), and the priming build itself."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bench.config import CacheConfig
from bench.engine import build as engine_build
from bench.execute.resources import RunResources
from bench.mirror.tcpproxy import Forwarder


@dataclass(frozen=True)
class Export:
    """What an exporter needs: the priming request, where to work, a key for this variant, the cache option."""

    request: engine_build.BuildRequest
    work: Path
    key: str
    cache: CacheConfig
    res: RunResources
    endpoint: Forwarder | None = None  # the registry as the runner reaches it (registry-backed exports)

    @property
    def mode(self) -> str:
        """min or max."""
        return self.cache.export_mode


@dataclass(frozen=True)
class Exported:
    """What an exporter made: the --cache-from values, the exporting build, the cache's size in bytes."""

    cache_from: list[str]
    result: engine_build.BuildResult
    cache_bytes: int | None


def prime(request: engine_build.BuildRequest, work: Path, keep: bool = False, **changes: Any) -> engine_build.BuildResult:
    """Build the unchanged project (not measured) so its cache exists; `changes` replace request fields.

    `keep`: leave the image (the next `cold` removes it with the run's label), so that nothing its
    cache records refer to is collected while the producer still rebuilds and exports it.
    """
    primer = replace(request, **{"tag": request.tag + "-prime", **changes})
    result = engine_build.buildx_build(primer, work / "prime-metadata.json")
    if result.ok and not primer.push and not keep:
        engine_build.remove_image(primer.tag)
    return result


def why(result: engine_build.BuildResult) -> str:
    """The last words of a failed build (buildx ends its output with `ERROR: ...`)."""
    lines = [ln.strip() for ln in (result.error.stderr if result.error else "").splitlines() if ln.strip()]
    return next((ln for ln in reversed(lines) if ln.startswith("ERROR")), lines[-1] if lines else "")[:500]


def cache_to_attrs(cache: CacheConfig) -> str:
    """The `--cache-to` attributes after type and destination: mode, compression, and ignore-error.

    ignore-error: a cache that fails to export must not fail the producing build, as in CI; the
    row says it failed (`cache_export_failed`).
    """
    attrs = f",mode={cache.export_mode}"
    if cache.compression != "gzip" or cache.compression_level is not None:
        attrs += f",compression={cache.compression}"
    if cache.compression_level is not None:
        attrs += f",compression-level={cache.compression_level}"
    return attrs + ",ignore-error=true"


def _local(e: Export) -> Exported:
    dest = e.res.ctx.run_dir / "cache" / e.key
    shutil.rmtree(dest, ignore_errors=True)
    result = prime(e.request, e.work, keep=True, cache_to=[f"type=local,dest={dest}{cache_to_attrs(e.cache)}"])
    size = sum(p.stat().st_size for p in dest.rglob("*") if p.is_file()) if dest.is_dir() else None
    return Exported([f"type=local,src={dest}"], result, size)


def _registry(e: Export) -> Exported:
    assert e.endpoint is not None
    ref = f"{e.endpoint.address}/bench-cache-{e.key}:cache"
    before = e.endpoint.traffic()
    result = prime(e.request, e.work, keep=True, cache_to=[f"type=registry,ref={ref}{cache_to_attrs(e.cache)}"])
    return Exported([f"type=registry,ref={ref}"], result, (e.endpoint.traffic() - before).up)


def _inline(e: Export) -> Exported:
    assert e.endpoint is not None
    ref = f"{e.endpoint.address}/bench-inline-{e.key}:latest"
    before = e.endpoint.traffic()
    result = prime(e.request, e.work, tag=ref, cache_to=["type=inline"], push=True)
    engine_build.remove_image(ref)
    return Exported([f"type=registry,ref={ref}"], result, (e.endpoint.traffic() - before).up)


EXPORTERS: dict[str, Callable[[Export], Exported]] = {"local": _local, "registry": _registry, "inline": _inline}
REGISTRY_BACKED = ("inline", "registry")
