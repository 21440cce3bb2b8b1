"""The run's resources, held in one context-managed stack: mirrors, the cache registry, pulled bases.

The app opens it before the first build and closes it after the last, whatever happens in
between (testcontainers' way: only what the harness made is ever removed).
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from bench import bases, options, progress
from bench.engine import build as engine_build
from bench.logs import Log
from bench.mirror import corpus as corpus_mod
from bench.mirror import stack as mirror_stack
from bench.mirror.profiles import ProxyProfile, ProxySetup
from bench.paths import state_root
from bench.plan import VariantSpec
from bench.registry import Registry

RUN_LABEL = "bench.run"
CORPUS_CACHE = Path.home() / ".cache" / "bench" / "corpus"


@dataclass
class RunContext:
    """What every build of a run shares: where to write, the run id, and a way to say things once."""

    run_dir: Path
    run_id: str
    say: Callable[[str], None] = print
    log: Log | None = None  # where phase lines go (the run's log by default)
    corpus_cache: Path = CORPUS_CACHE


class RunResources:
    """Mirrors (one per profile and module source), the registry (started on first use), pulled bases."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.work = ctx.run_dir / "work"
        self._stack = ExitStack()
        self._proxies: dict[tuple[str, str], mirror_stack.ProxyStack] = {}
        self._registry: Registry | None = None
        self._pulled: set[str] = set()
        self._announced: set[str] = set()

    def __enter__(self) -> RunResources:
        self._stack.callback(self._remove_state)
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self._stack.close()  # servers stop in reverse order, then the run's images and scratch state go

    def phase(self, label: str) -> AbstractContextManager[object]:
        """A phase of the build's preparation, visible in CI logs (`bench.progress.phase`)."""
        return progress.phase(label, self.ctx.log)

    def say_once(self, key: str, message: str) -> None:
        """Tell the user something once per run."""
        if key not in self._announced:
            self._announced.add(key)
            self.ctx.say(message)

    def proxy(self, spec: VariantSpec) -> mirror_stack.ProxyStack:
        """The mirror stack for this variant's profile and module source; started once, kept for the run."""
        root = self.served_root(spec.project.modules)
        setup = spec.proxy
        if root is None and setup.profile.kind != "upstream":
            # A project without dependencies needs no mirror: GOPROXY=off proves it.
            off = ProxyProfile(name="off", kind="upstream", url="off")
            return mirror_stack.ProxyStack(off, "off", {})
        key = (setup.name, str(root))
        if key not in self._proxies:
            self._proxies[key] = self._stack.enter_context(self._start(setup, root))
        return self._proxies[key]

    def _start(self, setup: ProxySetup, root: Path | None) -> mirror_stack.ProxyStack:
        # A caching mirror's store outlives the run: later runs are served from it, offline too.
        store = state_root() / "mirror-store" / setup.name if setup.profile.upstream else None
        # Each profile keeps its own fault seed; the executor restarts the sequence per round.
        return mirror_stack.start(setup, root, store_dir=store)

    def registry(self) -> Registry:
        """The cache registry on 127.0.0.1, started on first use."""
        if self._registry is None:
            self._registry = self._stack.enter_context(Registry(self.ctx.run_dir / "registry"))
        return self._registry

    def image(self, role: str, spec: VariantSpec) -> str:
        """The image of a base role for this variant; with base=registry pulled once per run."""
        name = bases.image_for(role, go=spec.project.go, base=spec.base.name)
        if spec.base.name == "registry" and name not in self._pulled:
            bases.pull(role, go=spec.project.go)
            self._pulled.add(name)
        return name

    def served_root(self, modules: str | None) -> Path | None:
        """The directory the mirror serves for a project: a generated corpus or a GOPROXY-layout dir."""
        return served_root(modules, self.ctx.corpus_cache)

    def _remove_state(self) -> None:
        try:
            engine_build.remove_images(f"{RUN_LABEL}={self.ctx.run_id}")
        except Exception:  # the engine may be gone (CLI or SDK errors); nothing measured depends on this
            pass
        # Scratch copies, exported caches and the registry's blobs are state, not results.
        for scratch in (self.work, self.ctx.run_dir / "cache", self.ctx.run_dir / "registry"):
            shutil.rmtree(scratch, ignore_errors=True)


@functools.cache
def served_root(modules: str | None, corpus_cache: Path = CORPUS_CACHE) -> Path | None:
    """The directory the mirror serves for `project.modules`: a generated corpus (made once) or a GOPROXY-layout dir."""
    if not modules:
        return None
    if modules in options.names("corpus"):
        return corpus_mod.ensure(corpus_mod.load_spec(modules), corpus_cache).root
    return mirror_stack.servable_root(Path(modules).expanduser())
