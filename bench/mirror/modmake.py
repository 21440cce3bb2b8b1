"""One module version of a corpus, ready to write: its files, zip and go.sum hashes.

A weighted module (conf/corpus/realistic.yaml) also carries padding that the build never
compiles, sized so that its zip weighs what the measured distribution gave it; the padding is
made once per module and shipped unchanged in every version, like most of a real module's
testdata and docs between two releases.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bench.mirror import gocode, gosum, modzip, padding, weight
from bench.mirror.graph import ModulePlan
from bench.mirror.modfiles import module_files
from bench.mirror.spec import CorpusSpec


@dataclass(frozen=True)
class MadeVersion:
    """The files of `path@version` (relative name -> content); `stored` ones go into the zip uncompressed."""

    path: str
    version: str
    files: dict[str, bytes]
    stored: frozenset[str] = field(default_factory=frozenset)

    def zip(self) -> bytes:
        """The module zip (deterministic bytes)."""
        return modzip.create(self.path, self.version, self.files, self.stored)

    def sums(self) -> dict[str, str]:
        """The go.sum hashes: `zip` (every file under its zip name) and `mod` (go.mod alone)."""
        prefix = f"{self.path}@{self.version}/"
        return {
            "zip": gosum.hash1((prefix + name, content) for name, content in self.files.items()),
            "mod": gosum.hash_gomod(self.files["go.mod"]),
        }

    def compiled_share(self) -> float:
        """Share of the raw bytes in the packages a build compiles (root and subpackages, no tests)."""
        total = sum(len(c) for c in self.files.values())
        return sum(len(c) for n, c in self.files.items() if is_compiled(n)) / total


def is_compiled(name: str) -> bool:
    """Whether a corpus file is compiled when its package is imported: non-test .go outside padding dirs."""
    top = name.split("/", 1)[0]
    return name.endswith(".go") and not name.endswith("_test.go") and top not in padding.DIRS


class VersionMaker:
    """Makes every version of every module of `spec`; remembers the last module's padding."""

    def __init__(self, spec: CorpusSpec, plans: Mapping[str, ModulePlan]) -> None:
        self.spec = spec
        self.plans = plans
        targets = weight.zip_targets(spec) if spec.weight is not None else []
        self.targets: dict[str, int] = dict(zip(plans, targets))  # module -> zip bytes wanted
        self._padding: tuple[str, dict[str, bytes]] = ("", {})

    def make(self, mod: ModulePlan, index: int) -> MadeVersion:
        """Version `index` of `mod`."""
        version = mod.version(index)
        files = module_files(self.plans, mod, index, tree=self.spec.weight is not None)
        if self.spec.weight is None:
            return MadeVersion(mod.path, version, files)
        extra = self._padding_for(mod, files)
        stored = frozenset(n for n in extra if padding.kind_of(n) in padding.STORED_KINDS)
        return MadeVersion(mod.path, version, {**files, **extra}, stored)

    def _padding_for(self, mod: ModulePlan, compiled: dict[str, bytes]) -> dict[str, bytes]:
        if self._padding[0] != mod.path:
            assert self.spec.weight is not None
            base = len(modzip.create(mod.path, mod.version(0), compiled))
            budgets = weight.padding_budgets(self.spec.weight, max(0, self.targets[mod.path] - base))
            prefix = len(f"{mod.path}@{mod.version(0)}/".encode())
            pkg = gocode.package_name(mod.path)
            made: dict[str, bytes] = {}
            for kind, budget in budgets.items():
                if budget > 0:
                    made.update(padding.files(padding.KINDS[kind], mod.path, pkg, budget, prefix))
            self._padding = (mod.path, made)
        return self._padding[1]
