"""The real executor: one measured BuildKit build in its declared state, measured into a row.

Per build: a scratch copy of the project, the declared cache state, the change, then
`docker buildx build --progress=rawjson` with the mirror's counters around it, image facts
and container start-up times. Failures become rows.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import replace
from pathlib import Path

from bench import projects
from bench.config import project_dir
from bench.engine import build as engine_build
from bench.engine import cli, rawjson, sdk
from bench.execute import inputs, measure
from bench.execute.cachestate import CacheStates, PrimeFailed
from bench.execute.resources import RunResources
from bench.failures import classify
from bench.mirror import stack as mirror_stack
from bench.plan import PlannedBuild, VariantSpec
from bench.rows import BuildRow
from bench.runner import Outcome
from bench.writer import safe_name


class DockerExecutor:
    """Executes planned builds against the real engine with the run's resources."""

    def __init__(self, res: RunResources) -> None:
        self.res = res
        self.states = CacheStates(res)

    def execute(self, build: PlannedBuild, row: BuildRow) -> Outcome:
        """Establish the state, apply the change, build, measure. Never raises for a failed build."""
        work = self.res.work / safe_name(build.build_id)
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        try:
            return self._execute(build, row, work)
        except projects.ChangeUnavailable as err:
            return _skipped(row, "change_unavailable", str(err))
        except mirror_stack.ProxyUnavailable as err:
            return _skipped(row, "proxy_unavailable", str(err))
        except PrimeFailed as err:
            row.status, row.failure_class = "failed", ("other" if sdk.answers() else "engine")
            row.warn("prime_failed", str(err))
            return Outcome(row)
        except cli.DockerTimeout as err:
            row.status, row.failure_class, row.log_tail = "failed", "timeout", err.stderr[-2000:]
            return Outcome(row)
        except cli.DockerCLIError as err:
            row.status, row.log_tail = "failed", f"{err}\n{err.stderr[-2000:]}"
            row.failure_class = "engine" if not sdk.answers() else classify(err.stderr, [])
            return Outcome(row)
        except Exception as err:  # the SDK's connection errors when the engine went away mid-build
            if sdk.answers():
                raise
            row.status, row.failure_class, row.log_tail = "failed", "engine", f"{type(err).__name__}: {err}"[:2000]
            return Outcome(row)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _execute(self, build: PlannedBuild, row: BuildRow, work: Path) -> Outcome:
        spec = build.variant.spec
        proxy = self.res.proxy(spec)
        src = projects.scratch_copy(project_dir(spec.project), work / "src")
        request = inputs.request(build, self.res.ctx.run_id, proxy, src, work)
        gotool = self._gotool(spec, proxy)
        setup_started = time.monotonic()
        if spec.strategy.vendor and not (src / "vendor").is_dir():
            with self.res.phase("go mod vendor"):
                projects.vendor(src, gotool)  # a project's own vendor/ is used as it is
        request.cache_from = self.states.establish(build, request, work)
        token = f"{self.res.ctx.run_id[-6:]}{build.index}"
        with self.res.phase(f"change {spec.change.name}"):
            row.change_detail = projects.apply(spec.change, src, spec.project.main, token, gotool)
            if spec.strategy.vendor and spec.change.touches_gomod:
                projects.vendor(src, gotool)  # after the change: the build must use what the change made
        row.setup_s = round(time.monotonic() - setup_started, 3)
        self.states.before_build(row)  # a warm cache-mount row checks its mounts hold data
        proxy.restart_faults(f"{spec.seed}|{build.repetition}")  # every variant of a round meets the same faults
        with proxy.measure() as measured:
            result = engine_build.buildx_build(request, work / "metadata.json")
        measure_started = time.monotonic()
        self.states.after_build(row, result)  # both sides of the cache: export cost, import time and bytes
        row.mirror = measure.mirror_fields(measured.total()) if proxy.servers else None
        vertices = rawjson.parse(result.rawjson)
        steps = rawjson.steps(vertices)
        measure.apply(row, measure.build_fields(result, steps, engine_alive=result.ok or sdk.answers()))
        measure.apply(row, measure.timing_fields(result.wall_s, vertices, steps))
        reproduce = None
        if result.ok:
            self._measure_image(row, request.tag, spec)
            if getattr(spec, "floor", False):
                self._floors(row, request, work, build.repetition)
            engine_build.remove_image(request.tag)
            reproduce = inputs.reproduce_script(build, request, project_dir(spec.project))
        row.measure_s = round(time.monotonic() - measure_started, 3)
        return Outcome(row, measure.step_rows(row.build_id, steps), reproduce)

    def _floors(self, row: BuildRow, request: engine_build.BuildRequest, work: Path, repetition: int) -> None:
        """The no-op rebuild right after the build (warm, nothing changed, no cache import), timed as the
        harness times builds and as a bare `docker buildx build`; which goes first alternates."""
        noop = replace(request, cache_from=[])

        def harness() -> None:
            again = engine_build.buildx_build(noop, work / "floor-metadata.json")
            row.floor_s = round(again.wall_s, 3) if again.ok else None

        def bare() -> None:
            try:
                row.floor_bare_s = round(engine_build.bare_build_seconds(noop), 3)
            except cli.DockerCLIError:
                row.floor_bare_s = None

        with self.res.phase("floor: no-op rebuilds"):
            for step in (harness, bare) if repetition % 2 else (bare, harness):
                step()

    def _gotool(self, spec: VariantSpec, proxy: mirror_stack.ProxyStack) -> projects.GoTool:
        self.res.image(spec.runtime.role, spec)  # base=registry: pulled once per run
        return projects.GoTool(
            self.res.image("builder", spec), proxy.goproxy, self.res.served_root(spec.project.modules),
            spec.timeouts.prepare,
        )

    def _measure_image(self, row: BuildRow, tag: str, spec: VariantSpec) -> None:
        info = sdk.image_info(tag)
        if info is None:
            row.warn("image_missing", tag)
            return
        measure.apply(row, measure.image_fields(info))
        if spec.startup_runs > 0:
            # An empty container (a static `true`) timed beside the image: what docker costs by itself.
            baseline = self.res.image("runtime-static", spec)
            try:
                pairs = engine_build.startup_pairs(
                    tag, spec.project.startup_args, baseline, ["true"], spec.startup_runs, spec.timeouts.startup
                )
            except cli.DockerCLIError as err:
                row.warn("startup_failed", str(err))
                return
            measure.apply(row, measure.startup_fields(pairs))


def _skipped(row: BuildRow, kind: str, detail: str) -> Outcome:
    row.status = "skipped"
    row.warn(kind, detail)
    return Outcome(row)
