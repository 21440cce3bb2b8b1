"""Cache states before a measured build: cold (prune), warm (prime), or a fresh runner importing an export.

Which one applies follows from the cache option's facts (`bench.axes.prepare_kind`); how a
cache is exported is one function per `export` kind in EXPORTERS.

A fresh runner's cache is made anew in every repetition, and both of its sides are measured
on the row. The producer builds the unchanged project from a cold state (`prime_s`), then
rebuilds it twice, without and with `--cache-to` (which goes first alternates by repetition);
`export_s` is the difference. Both rebuilds are no-ops, so the difference is the export alone
with a tenth of the noise of two cold builds, and the export's work is the same as after a
cold build: it compresses and writes every layer of every stage itself (a no-op with
`--cache-to ... mode=max` exported the whole 289 MB cache, as the cold build did). The
consumer: the import's time and bytes from the measured build's progress, and the bytes the
registry sent, counted by the forwarder in front of it (`bench.mirror.tcpproxy`).
Per repetition rather than once per variant, so that each row carries a producer cost of its
own (an interval over repetitions, not a single number) and each import reads what a producer
made just before it, as in CI.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from bench import axes, cachenet
from bench.config import CacheConfig
from bench.engine import build as engine_build
from bench.engine import sdk
from bench.execute import cacheprogress
from bench.execute.exporters import EXPORTERS, REGISTRY_BACKED, Export, Exported, prime, why
from bench.execute.mounts import mount_problem, mount_targets
from bench.execute.resources import RUN_LABEL, RunResources
from bench.mirror.tcpproxy import Forwarder, Traffic
from bench.plan import PlannedBuild
from bench.rows import BuildRow

__all__ = ["EXPORTERS", "CacheStates", "Export", "Exported", "PrimeFailed", "cold", "prime"]


class PrimeFailed(Exception):
    """The build that establishes the declared state failed: the measured build cannot be made."""


def cold(res: RunResources) -> None:
    """No builder cache, no image of this run: as a new machine with only the base images."""
    res.say_once(
        "prune",
        "note: cold and fresh-runner builds prune the whole builder cache of this engine "
        "(docker buildx prune -af); tagged images, base images included, are kept",
    )
    with res.phase("pruning the builder cache"):
        engine_build.remove_images(f"{RUN_LABEL}={res.ctx.run_id}")
        engine_build.prune_builder_cache()


class CacheStates:
    """Brings the engine into a build's declared cache state, and records what making it measured."""

    def __init__(self, res: RunResources) -> None:
        self.res = res
        self._fields: dict[str, Any] = {}  # producer fields of the build being prepared
        self._consumer: tuple[Forwarder, Traffic] | None = None
        self._mounts: list[str] = []  # warm cache-mount builds: the mount targets to verify

    def establish(self, build: PlannedBuild, request: engine_build.BuildRequest, work: Path) -> list[str]:
        """Establish the state; returns the --cache-from values. Raises PrimeFailed."""
        self._fields, self._consumer, self._mounts = {}, None, []
        cache = build.variant.spec.cache
        kind = axes.prepare_kind(cache)
        if kind == "cold":
            cold(self.res)
            return []
        if kind == "import":
            return self._fresh_runner(build, request, work)
        if build.variant.spec.strategy.cache_mounts:
            # Cache mounts keep whatever any earlier build put in them (a bumped module, say), and
            # a cached prime would not refill them: start empty, so the prime leaves exactly the
            # state "after building the unchanged project".
            cold(self.res)
            self._mounts = mount_targets(build.variant.dockerfile.text if build.variant.dockerfile else "")
        with self.res.phase(f"priming {build.variant.label} (the unchanged project)"):
            primed = prime(request, work)
        if not primed.ok:
            raise PrimeFailed(f"priming the cache failed: {why(primed)}")
        return []

    def _fresh_runner(self, build: PlannedBuild, request: engine_build.BuildRequest, work: Path) -> list[str]:
        cache, label, round_key = build.variant.spec.cache, build.variant.label, f"{build.variant.spec.seed}|{build.repetition}"
        endpoint = self._endpoint(cache) if cache.export in REGISTRY_BACKED else None
        cold(self.res)
        with self.res.phase(f"priming {label} (the producer's build)"):
            primed = prime(request, work, keep=True)
        if not primed.ok:
            raise PrimeFailed(f"priming the unchanged project failed: {why(primed)}")
        noop: engine_build.BuildResult | None = None
        exported: Exported | None = None
        for step in ("plain", "export") if build.repetition % 2 else ("export", "plain"):
            if step == "plain":
                noop = prime(request, work, keep=True)
            else:
                if endpoint is not None:
                    self.res.registry().wipe()  # every export starts from an empty registry (see caveats)
                    endpoint.shaper.restart(f"export|{round_key}")
                with self.res.phase(f"exporting the {cache.export} cache of {label}"):
                    key = hashlib.sha256(label.encode()).hexdigest()[:12]
                    exported = EXPORTERS[cache.export](Export(request, work, key, cache, self.res, endpoint))
        assert noop is not None and exported is not None
        for rebuilt, what in ((noop, "without"), (exported.result, "with")):
            if not rebuilt.ok:
                raise PrimeFailed(f"the no-op rebuild {what} --cache-to ({cache.export}) failed: {why(rebuilt)}")
        cold(self.res)  # a fresh runner has only what the cache export gives it
        self._fields = producer_fields(cache, primed, noop, exported)
        if endpoint is not None:
            endpoint.shaper.restart(f"import|{round_key}")
            self._consumer = (endpoint, endpoint.traffic())
        return exported.cache_from

    def _endpoint(self, cache: CacheConfig) -> Forwarder:
        profile = cachenet.profile(cache)
        return self.res.registry().endpoint(cache.network, profile.shape() if profile else None)

    def before_build(self, row: BuildRow) -> None:
        """Right before the measured build: a warm cache-mount row checks that its mounts hold data."""
        if self._mounts:
            total, problem = mount_problem(sdk.build_cache(), self._mounts)
            row.cache_mount_bytes = total
            if problem:
                row.valid, row.invalid_reason = False, problem
        if self._consumer is not None:
            self._consumer = (self._consumer[0], self._consumer[0].traffic())

    def after_build(self, row: BuildRow, result: engine_build.BuildResult) -> None:
        """The producer's fields, and the consumer's import from the build's progress and the wire."""
        fields = dict(self._fields)
        export_error = fields.pop("export_error", "")
        if export_error:
            row.warn("cache_export_failed", f"cache export: {export_error[:300]}")
        if row.fresh_runner:
            found = cacheprogress.import_fields(result.rawjson)
            if found.get("import_error"):
                row.warn("cache_import_failed", f"cache import: {found['import_error'][:300]}")
            fields.update({k: v for k, v in found.items() if k != "import_error"})
        if self._consumer is not None:
            endpoint, before = self._consumer
            fields["cache_pulled_bytes"] = (endpoint.traffic() - before).down
        for key, value in fields.items():
            setattr(row, key, value)


def producer_fields(
    cache: CacheConfig, primed: engine_build.BuildResult, noop: engine_build.BuildResult, exported: Exported
) -> dict[str, Any]:
    """What making the cache cost, as row fields (and `export_error` when the export failed)."""
    found = cacheprogress.export_fields(exported.result.rawjson)
    return {
        "cache_network": cache.network if cache.export in REGISTRY_BACKED else "",
        "cache_compression": cache.compression,
        "cache_compression_level": cache.compression_level,
        "prime_s": round(primed.wall_s, 3),
        "noop_s": round(noop.wall_s, 3),
        "noop_export_s": round(exported.result.wall_s, 3),
        "export_s": round(exported.result.wall_s - noop.wall_s, 3),
        "cache_bytes": exported.cache_bytes,
        **found,
    }
