"""The real executor: one measured BuildKit build in its declared cache state, measured into a row.

Per build: a scratch copy of the project, the declared cache state (prune, prime, or
prime-export-prune-import), the change, then `docker buildx build --progress=rawjson`
with the mirror's counters around it, image sizes and container start-up times.
Failures become rows; only the harness's own labelled images are ever removed.
"""

from __future__ import annotations

import functools
import hashlib
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from omegaconf import DictConfig

from bench import bases, config, projects, strategies
from bench.engine import build as engine_build
from bench.engine import cli, rawjson, sdk
from bench.failures import classify, log_tail
from bench.mirror import auth
from bench.mirror import corpus as corpus_mod
from bench.mirror import stack as mirror_stack
from bench.mirror.counters import Snapshot
from bench.mirror.profiles import ProxyProfile
from bench.registry import Registry
from bench.results import BuildRow, StepRow
from bench.runner import Outcome, PlannedBuild

RUN_LABEL = "bench.run"
DOWNLOAD = "go mod download"


@dataclass
class RunContext:
    """What every build of a run shares: where to write, the run id, and a way to say things once."""

    run_dir: Path
    run_id: str
    say: Callable[[str], None] = print
    corpus_cache: Path = field(default_factory=lambda: Path.home() / ".cache" / "bench" / "corpus")


class DockerExecutor:
    """Executes planned builds against the real engine; owns the run's mirrors, registry and primes."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.work = ctx.run_dir / "work"
        self._proxies: dict[tuple[str, str], mirror_stack.ProxyStack] = {}
        self._registry: Registry | None = None
        self._primed: dict[str, list[str]] = {}  # variant label -> --cache-from values
        self._announced_prune = False
        self._pulled: set[str] = set()

    # -- lifecycle -----------------------------------------------------------------

    def close(self) -> None:
        """Stop the mirrors and the registry, remove the run's images and scratch copies."""
        for proxy in self._proxies.values():
            proxy.stop()
        self._proxies.clear()
        if self._registry:
            self._registry.stop()
            self._registry = None
        try:
            engine_build.remove_images(f"{RUN_LABEL}={self.ctx.run_id}")
        except Exception:  # the engine may be gone (CLI or SDK errors); nothing measured depends on this
            pass
        # Scratch copies, exported caches and the registry's blobs are state, not results.
        for scratch in (self.work, self.ctx.run_dir / "cache", self.ctx.run_dir / "registry"):
            shutil.rmtree(scratch, ignore_errors=True)

    # -- one build -----------------------------------------------------------------

    def execute(self, build: PlannedBuild, row: BuildRow) -> Outcome:
        """Establish the state, apply the change, build, measure. Never raises for a failed build."""
        cfg = build.variant.cfg
        work = self.work / _safe(build.build_id)
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        try:
            return self._execute(build, cfg, row, work)
        except (projects.ChangeUnavailable, mirror_stack.ProxyUnavailable) as err:
            row.status, row.warnings = "skipped", _join(row.warnings, str(err))
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

    def _execute(self, build: PlannedBuild, cfg: DictConfig, row: BuildRow, work: Path) -> Outcome:
        proxy = self._proxy(cfg)
        dockerfile, rendered = self._dockerfile(cfg, build, work)
        src = projects.scratch_copy(config.project_dir(cfg.project), work / "src")
        gotool = projects.GoTool(
            self._image("builder", cfg), proxy.goproxy, _served_root(cfg, self.ctx), cfg.timeouts.prepare
        )
        if cfg.strategy.name == "vendor":
            projects.vendor(src, gotool)
        secrets, private_args = _private(cfg, proxy, work)
        request = engine_build.BuildRequest(
            context=src,
            dockerfile=dockerfile,
            tag=f"bench-run/{_slug(cfg.project.name)}:{self.ctx.run_id[-8:]}-{build.index}",
            network=rendered.network,
            build_args=_build_args(cfg, proxy.goproxy, rendered.declared_args, private_args),
            labels={RUN_LABEL: self.ctx.run_id, "bench.build": build.build_id},
            secrets=secrets,
            timeout=cfg.timeouts.build,
        )
        setup_started = time.monotonic()
        cache_from = self._establish_cache_state(cfg, build, request, work)
        if cache_from is None:
            row.status, row.failure_class = "failed", "other"
            row.warnings = _join(row.warnings, "priming the cache failed")
            return Outcome(row)
        token = f"{self.ctx.run_id[-6:]}{build.index}"
        row.change_detail = projects.apply(cfg.change.name, src, cfg.project.main, token, gotool)
        request.cache_from = cache_from
        row.setup_s = round(time.monotonic() - setup_started, 3)
        with proxy.measure() as measured:
            result = engine_build.buildx_build(request, work / "metadata.json")
        measure_started = time.monotonic()
        _fill_mirror(row, measured.result)
        steps = self._fill_build(row, build, result)
        if result.ok:
            self._fill_image(row, request.tag, cfg)
        row.measure_s = round(time.monotonic() - measure_started, 3)
        if result.ok:
            engine_build.remove_image(request.tag)
        return Outcome(row, steps)

    # -- cache states --------------------------------------------------------------

    def _establish_cache_state(
        self, cfg: DictConfig, build: PlannedBuild, request: engine_build.BuildRequest, work: Path
    ) -> list[str] | None:
        """Bring the engine into the declared cache state; returns the --cache-from values (None: prime failed)."""
        mode = cfg.cache.name
        if mode == "none":
            self._cold()
            return []
        if mode == "warm":
            return [] if self._prime(request, work) else None
        key = build.variant.label
        if key not in self._primed:
            exported = self._prime_export(mode, request, work, key)
            if exported is None:
                return None
            self._primed[key] = exported
        self._cold()  # a fresh runner has only what the cache export gives it
        return self._primed[key]

    def _cold(self) -> None:
        if not self._announced_prune:
            self.ctx.say(
                "note: cold and fresh-runner builds prune the whole builder cache of this engine "
                "(docker buildx prune -af); tagged images, base images included, are kept"
            )
            self._announced_prune = True
        engine_build.remove_images(f"{RUN_LABEL}={self.ctx.run_id}")
        engine_build.prune_builder_cache()

    def _prime(self, request: engine_build.BuildRequest, work: Path, **changes: object) -> bool:
        """Build the unchanged project (not measured) so its cache exists."""
        prime = engine_build.BuildRequest(**{**request.__dict__, "tag": request.tag + "-prime", **changes})
        result = engine_build.buildx_build(prime, work / "prime-metadata.json")
        if result.ok and not prime.push:
            engine_build.remove_image(prime.tag)
        return result.ok

    def _prime_export(self, mode: str, request: engine_build.BuildRequest, work: Path, key: str) -> list[str] | None:
        digest = hashlib.sha256(key.encode()).hexdigest()[:12]
        if mode == "local_max":
            dest = self.ctx.run_dir / "cache" / digest
            shutil.rmtree(dest, ignore_errors=True)
            ok = self._prime(request, work, cache_to=[f"type=local,dest={dest},mode=max"])
            return [f"type=local,src={dest}"] if ok else None
        registry = self._registry_started()
        if mode == "registry_max":
            ref = f"{registry.address}/bench-cache:{digest}"
            ok = self._prime(request, work, cache_to=[f"type=registry,ref={ref},mode=max"])
            return [f"type=registry,ref={ref}"] if ok else None
        if mode == "inline":
            ref = f"{registry.address}/bench-inline:{digest}"
            ok = self._prime(request, work, tag=ref, cache_to=["type=inline"], push=True)
            engine_build.remove_image(ref)
            return [f"type=registry,ref={ref}"] if ok else None
        raise ValueError(mode)

    def _registry_started(self) -> Registry:
        if self._registry is None:
            self._registry = Registry(self.ctx.run_dir / "registry").start()
        return self._registry

    # -- inputs --------------------------------------------------------------------

    def _proxy(self, cfg: DictConfig) -> mirror_stack.ProxyStack:
        """The run's mirror stack for this profile and module source; started once, kept for the run."""
        root = _served_root(cfg, self.ctx)
        key = (cfg.proxy.name, str(root))
        if root is None and cfg.proxy.kind != "upstream":
            # A project without dependencies needs no mirror: GOPROXY=off proves it.
            return mirror_stack.ProxyStack(ProxyProfile(name="off", kind="upstream", url="off"), "off", {})
        if key not in self._proxies:
            profile = ProxyProfile(**dict(cfg.proxy))
            # A caching mirror's store outlives the run: later runs are served from it, offline too.
            store = self.ctx.corpus_cache.parent / "mirror-store" / cfg.proxy.name if profile.upstream else None
            self._proxies[key] = mirror_stack.start(profile, root, store_dir=store, seed=cfg.seed)
        return self._proxies[key]

    def _image(self, role: str, cfg: DictConfig) -> str:
        name = bases.image_for(role, go=cfg.project.go, base=cfg.base.name)
        if cfg.base.name == "registry" and name not in self._pulled:
            bases.pull(role, go=cfg.project.go)
            self._pulled.add(name)
        return name

    def _dockerfile(self, cfg: DictConfig, build: PlannedBuild, work: Path) -> tuple[Path, strategies.Rendered]:
        rendered = strategies.render(
            cfg.strategy.name,
            builder=self._image("builder", cfg),
            runtime=self._image(cfg.runtime.role, cfg),
            main=cfg.project.main,
            download_retries=cfg.strategy.download_retries,
            retry_cap_seconds=cfg.strategy.retry_cap_seconds,
            build_flags=cfg.strategy.build_flags,
            own_dockerfile=config.project_dir(cfg.project) / cfg.project.dockerfile,
            private=_private_mode(cfg),
        )
        keep = self.ctx.run_dir / "dockerfiles" / f"{_safe(build.variant.label)}.Dockerfile"
        keep.parent.mkdir(parents=True, exist_ok=True)
        keep.write_text(rendered.text)  # what was built stays beside the results
        path = work / "Dockerfile"
        path.write_text(rendered.text)
        return path, rendered

    # -- measurements --------------------------------------------------------------

    def _fill_build(self, row: BuildRow, build: PlannedBuild, result: engine_build.BuildResult) -> list[StepRow]:
        vertices = rawjson.parse(result.rawjson)
        steps = rawjson.steps(vertices)
        row.wall_s = round(result.wall_s, 3)
        row.steps_total = len(steps)
        row.steps_cached = sum(v.cached for v in steps)
        download = [v for v in steps if DOWNLOAD in v.name]
        if download:
            row.download_step_ran = not all(v.cached for v in download)
            row.download_s = sum(v.duration or 0.0 for v in download)
        if not result.ok:
            timed_out = isinstance(result.error, cli.DockerTimeout)
            row.status = "failed"
            row.failure_class = classify(result.rawjson, vertices, timed_out)
            if not timed_out and not sdk.answers():
                row.failure_class = "engine"  # the build broke because the engine went away
            row.log_tail = log_tail(result.rawjson, vertices)
        return _step_rows(row.build_id, steps)

    def _fill_image(self, row: BuildRow, tag: str, cfg: DictConfig) -> None:
        info = sdk.image_info(tag)
        if info is None:
            row.warnings = _join(row.warnings, "built image not found in the image store")
            return
        row.image = info.id
        row.image_compressed_bytes = info.size_compressed
        row.image_unpacked_bytes = info.size_unpacked
        row.image_layers = info.layers
        if cfg.startup_runs > 0:
            args = list(cfg.project.startup_args)
            try:
                times = engine_build.startup_seconds(tag, args, cfg.startup_runs, cfg.timeouts.startup)
            except cli.DockerCLIError as err:
                row.warnings = _join(row.warnings, f"start-up failed: {err}")
                return
            row.startup_s = round(engine_build.median(times) or 0.0, 4)
            row.startup_runs = len(times)


def _step_rows(build_id: str, steps: list[rawjson.Vertex]) -> list[StepRow]:
    starts = [v.started for v in steps if v.started]
    origin = min(starts) if starts else None
    out = []
    for i, v in enumerate(steps):
        stage, n, total, instr = v.step  # type: ignore[misc]
        out.append(
            StepRow(
                build_id=build_id, index=i, stage=stage, step=n, steps_in_stage=total, instruction=instr[:300],
                started_s=_rel(v.started, origin), ended_s=_rel(v.completed, origin),
                duration_s=round(v.duration, 4) if v.duration is not None else None,
                cached=v.cached, error=v.error[:500],
            )
        )
    return out


def _rel(t: datetime | None, origin: datetime | None) -> float | None:
    return round((t - origin).total_seconds(), 4) if t and origin else None


def _fill_mirror(row: BuildRow, snap: dict[str, Snapshot] | Snapshot | None) -> None:
    snaps = list(snap.values()) if isinstance(snap, dict) else [snap] if snap else []
    for s in snaps:
        row.mirror_list += s.requests.get("list", 0)
        row.mirror_info += s.requests.get("info", 0)
        row.mirror_mod += s.requests.get("mod", 0)
        row.mirror_zip += s.requests.get("zip", 0)
        row.mirror_requests += s.total_requests
        row.mirror_bytes += s.bytes_sent
        row.mirror_faults += s.total_faults
        row.mirror_unauthorized += s.unauthorized
        row.mirror_seconds = round(row.mirror_seconds + s.busy_seconds, 4)


def _build_args(
    cfg: DictConfig, goproxy: str, declared: frozenset[str], extra: dict[str, str] | None = None
) -> dict[str, str]:
    args = {"GOPROXY": goproxy, "GOSUMDB": "off", "GOFLAGS": "", "GOPRIVATE": "", "GONOSUMDB": "", **(extra or {})}
    if cfg.strategy.name == "own":
        return {k: v for k, v in args.items() if k in declared}
    return {k: v for k, v in args.items() if v or k in declared}


def _private_mode(cfg: DictConfig) -> str:
    """How a private mirror's credentials reach the build (strategies.PRIVATE_MODES)."""
    if cfg.strategy.get("private_secret", False):
        return "secret"
    return "build_arg" if cfg.strategy.get("private_unsafe_build_arg", False) else ""


def _private(cfg: DictConfig, proxy: mirror_stack.ProxyStack, work: Path) -> tuple[list[str], dict[str, str]]:
    """`--secret` values and build args for a private mirror.

    The .netrc (and the mirror's certificate) are files in the build's work dir, outside the
    build context, passed as BuildKit secrets; the token is a build arg only in the UNSAFE
    control mode. GOPRIVATE/GONOSUMDB name the private modules; GONOPROXY=none keeps them on
    the mirror (GOPRIVATE alone would send them `direct`).
    """
    mode = _private_mode(cfg)
    if not mode:
        return [], {}
    pattern = cfg.strategy.get("private_modules") or _module_namespace(cfg.project.modules)
    args = {"GOPRIVATE": pattern, "GONOSUMDB": pattern, "GONOPROXY": "none"}
    secrets = []
    if proxy.ca_pem:
        secrets.append(f"id=mirror_ca,src={auth.write_secret_file(work / 'mirror-ca.pem', proxy.ca_pem)}")
    netrc, creds = proxy.netrc(), proxy.credentials
    if mode == "secret" and netrc:
        secrets.append(f"id=netrc,src={auth.write_secret_file(work / 'netrc', netrc)}")
    elif mode == "build_arg" and creds:
        args.update(NETRC_USER=creds[0], NETRC_TOKEN=creds[1])
    return secrets, args


def _module_namespace(modules: str | None) -> str:
    """The module path prefix of a generated corpus; `*` (every module) for any other module source."""
    if modules and modules in config.options("corpus"):
        return corpus_mod.load_spec(modules).namespace()
    return "*"


@functools.cache
def _served_root_of(modules: str | None, corpus_cache: Path) -> Path | None:
    if not modules:
        return None
    if modules in config.options("corpus"):
        return corpus_mod.ensure(corpus_mod.load_spec(modules), corpus_cache).root
    return mirror_stack.servable_root(Path(modules).expanduser())


def _served_root(cfg: DictConfig, ctx: RunContext) -> Path | None:
    """The directory the mirror serves for this project: a generated corpus or a GOPROXY-layout dir."""
    return _served_root_of(cfg.project.modules, ctx.corpus_cache)


def _join(a: str, b: str) -> str:
    return f"{a}; {b}" if a else b


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:120]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_.-]+", "-", text.lower()) or "project"


def now_iso() -> str:
    """UTC now, ISO 8601."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
