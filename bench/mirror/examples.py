"""The example Go projects in scenarios/projects and the corpus each one builds on.

`hello` has no dependencies; `service`, `large` and `api` (the weight of a real service) are
HTTP services importing every layer-0 module of their corpus (so their build list is the whole
corpus). Their go.mod, go.sum and corpus_gen.go are generated from the default-seed corpus and
committed; `python -m bench.mirror projects` rewrites them after a generator change.
Direct requirements sit one minor below the newest release, so a `go.mod` bump exists.
"""

from __future__ import annotations

from pathlib import Path

from bench.mirror import gocode, gomod
from bench.mirror.corpus import Corpus
from bench.paths import PROJECTS_DIR

GO_VERSION = "1.23"
MODULE_PREFIX = "example.com/bench"
# project -> corpus preset it builds on (None: no dependencies)
PROJECTS: dict[str, str | None] = {"hello": None, "service": "medium", "large": "large", "api": "realistic"}
GENERATED = ("go.mod", "go.sum", "corpus_gen.go")


def project_dir(name: str) -> Path:
    """scenarios/projects/<name>."""
    if name not in PROJECTS:
        raise KeyError(f"unknown example project {name!r}; known: {', '.join(PROJECTS)}")
    return PROJECTS_DIR / name


def project_corpus(name: str) -> str | None:
    """The corpus preset a project's go.mod/go.sum agree with (None: it needs no mirror)."""
    project_dir(name)
    return PROJECTS[name]


def spare(corpus: Corpus) -> str:
    """The layer-0 module the examples leave out, so that `change=gomod_add` has a new dependency to add."""
    return corpus.top()[-1]


def requirements(corpus: Corpus) -> tuple[dict[str, str], dict[str, str]]:
    """(direct, indirect) requirements of a project on `corpus`: tidy, with room to bump and one module to add."""
    direct = {p: corpus.versions(p)[-2] for p in corpus.top() if p != spare(corpus)}
    selected = corpus.build_list(direct)
    return direct, {p: v for p, v in selected.items() if p not in direct}


def build_list(corpus: Corpus) -> list[tuple[str, str]]:
    """(path, version) of every module a project on `corpus` needs: what its go.sum covers."""
    direct, indirect = requirements(corpus)
    return sorted({**direct, **indirect}.items())


def render(name: str, corpus: Corpus | None) -> dict[str, bytes]:
    """The generated files of a project (go.mod, go.sum and, with a corpus, corpus_gen.go)."""
    module = f"{MODULE_PREFIX}/{name}"
    if corpus is None:
        return {"go.mod": gomod.render(module, GO_VERSION, {}).encode(), "go.sum": b""}
    direct, indirect = requirements(corpus)
    return {
        "go.mod": gomod.render(module, GO_VERSION, direct, indirect).encode(),
        "go.sum": corpus.gosum({**direct, **indirect}.items()).encode(),
        "corpus_gen.go": _components(direct).encode(),
    }


def _components(direct: dict[str, str]) -> str:
    imports = "".join(f'\t{gocode.package_name(p)} "{p}"\n' for p in sorted(direct))
    entries = "".join(
        f'\t{{Name: "{a}", Version: {a}.Version, Describe: {a}.Describe, Weight: {a}.Weight, Routes: {a}.Routes}},\n'
        for a in (gocode.package_name(p) for p in sorted(direct))
    )
    return (
        f"{gocode.HEADER}package main\n\nimport (\n{imports})\n\n"
        "// components are the corpus modules this service is built from.\n"
        f"var components = []component{{\n{entries}}}\n"
    )


def write(name: str, corpus: Corpus | None, dest: Path | None = None) -> list[Path]:
    """Write the generated files of `name` into `dest` (default: its directory in scenarios/projects)."""
    target = dest or project_dir(name)
    written = []
    for filename, content in render(name, corpus).items():
        (target / filename).write_bytes(content)
        written.append(target / filename)
    return written
