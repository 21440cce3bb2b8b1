"""A deterministic corpus of Go modules in GOPROXY layout, generated from a seed.

Layout of a corpus directory (servable as is, also as a `file://` GOPROXY):

    corpus.json                         manifest: spec, module graph, h1 hashes
    <escaped module>/@v/list            one version per line
    <escaped module>/@v/<version>.info  {"Version", "Time"}
    <escaped module>/@v/<version>.mod   the go.mod of that version
    <escaped module>/@v/<version>.zip   the module zip

The graph is planned in `graph`, each version's files rendered in `modfiles`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.mirror import gosum
from bench.mirror.graph import ModulePlan, minor, plan, plan_from_json, requirements
from bench.mirror.modfiles import info_json
from bench.mirror.modmake import VersionMaker
from bench.mirror.modpath import escape
from bench.mirror.spec import GENERATOR_VERSION, CorpusSpec, load_spec

__all__ = ["Corpus", "CorpusSpec", "ensure", "generate", "hashed", "load_spec", "plan"]
MANIFEST = "corpus.json"
CACHE = Path.home() / ".cache" / "bench" / "corpus"  # one generated corpus per spec digest, per machine


@dataclass
class Corpus:
    """A generated corpus on disk, read back from its manifest."""

    root: Path
    spec: CorpusSpec
    modules: dict[str, ModulePlan]
    sums: dict[str, dict[str, str]] = field(default_factory=dict)  # "path@version" -> {"zip", "mod"}

    @classmethod
    def load(cls, root: Path) -> Corpus:
        """Read `root/corpus.json`."""
        data = json.loads((root / MANIFEST).read_text())
        plans = [plan_from_json(m) for m in data["modules"]]
        return cls(root, CorpusSpec(**data["spec"]), {p.path: p for p in plans}, data["sums"])

    def versions(self, path: str) -> list[str]:
        """All versions of a module, ascending."""
        return [self.modules[path].version(j) for j in range(self.spec.versions)]

    def top(self) -> list[str]:
        """The layer-0 modules, which together require the whole corpus."""
        return sorted(p for p, m in self.modules.items() if m.layer == 0)

    def requirements(self, path: str, version: str) -> dict[str, str]:
        """Every module `path@version` needs (MVS over its own graph), itself excluded."""
        return requirements(self.modules, path, int(version.split(".")[1]))

    def build_list(self, roots: Mapping[str, str]) -> dict[str, str]:
        """Minimal version selection over `roots` (path -> version) and everything they need."""
        selected: dict[str, str] = {}
        for path, version in roots.items():
            for p, v in {path: version, **self.requirements(path, version)}.items():
                if p not in selected or minor(v) > minor(selected[p]):
                    selected[p] = v
        return selected

    def gosum(self, pairs: Iterable[tuple[str, str]]) -> str:
        """go.sum text (zip and go.mod lines) for (path, version) pairs, e.g. a build list's items.

        With a pruned module graph (go >= 1.17) and a go.mod listing its whole build list, this is
        exactly what `go mod tidy` keeps (cmd/go modload keepSums).
        """
        lines: list[str] = []
        for path, version in pairs:
            h = self.sums[f"{path}@{version}"]
            lines += gosum.gosum_lines(path, version, zip_hash=h["zip"], mod_hash=h["mod"])
        return gosum.format_gosum(lines)

    def all_versions(self) -> list[tuple[str, str]]:
        """Every (path, version) of the corpus."""
        return [(p, v) for p in sorted(self.modules) for v in self.versions(p)]

    def module_dir(self, path: str) -> Path:
        """The `<escaped path>/@v` directory of a module."""
        return self.root / escape(path) / "@v"


def generate(spec: CorpusSpec, out: Path) -> Corpus:
    """Write the corpus for `spec` into `out` (created; must not exist or be empty)."""
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    plans = {p.path: p for p in plan(spec)}
    sums: dict[str, dict[str, str]] = {}
    maker = VersionMaker(spec, plans)
    for mod in plans.values():
        vdir = out / escape(mod.path) / "@v"
        vdir.mkdir(parents=True, exist_ok=True)
        versions = [mod.version(j) for j in range(spec.versions)]
        (vdir / "list").write_text("".join(v + "\n" for v in versions))
        for j, version in enumerate(versions):
            made = maker.make(mod, j)
            (vdir / f"{version}.zip").write_bytes(made.zip())
            (vdir / f"{version}.mod").write_bytes(made.files["go.mod"])
            (vdir / f"{version}.info").write_bytes(info_json(version, j))
            sums[f"{mod.path}@{version}"] = made.sums()
    manifest = {
        "generator": GENERATOR_VERSION,
        "spec": spec.as_json(),
        "modules": [asdict(p) for p in plans.values()],
        "sums": sums,
    }
    if spec.weight is not None:
        manifest["zip_targets"] = maker.targets
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return Corpus(out, spec, plans, sums)


def hashed(spec: CorpusSpec, select: Callable[[Corpus], Iterable[tuple[str, str]]] | None = None) -> Corpus:
    """The corpus for `spec` with its go.sum hashes, written nowhere (`root` is not a directory).

    Hashes cover the versions `select(corpus)` names (default: all). A heavy preset's go.sum
    lines then cost its content and SHA-256 only, not the deflating and writing of 200 MB.
    """
    plans = {p.path: p for p in plan(spec)}
    made = Corpus(Path("/nonexistent"), spec, plans, {})
    maker = VersionMaker(spec, plans)
    for path, version in sorted(select(made) if select else made.all_versions()):
        made.sums[f"{path}@{version}"] = maker.make(plans[path], minor(version)).sums()
    return made


def ensure(spec: CorpusSpec, cache_dir: Path) -> Corpus:
    """The corpus for `spec` under `cache_dir`, generated once and reused (keyed by spec digest)."""
    final = cache_dir / f"{spec.name}-{spec.digest()}"
    if (final / MANIFEST).is_file():
        return Corpus.load(final)
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Generate beside the final place and rename: a concurrent or interrupted run never
    # leaves a half-written corpus where the next run would trust it.
    tmp = Path(tempfile.mkdtemp(prefix=f".{spec.name}-", dir=cache_dir))
    try:
        generate(spec, tmp)
        os.rename(tmp, final)
    except OSError:
        if not (final / MANIFEST).is_file():
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return Corpus.load(final)
