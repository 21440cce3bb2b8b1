"""The corpus generator: deterministic, shaped as specified, valid zips, right hashes; projects agree with it."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from bench.errors import UsageError
from bench.mirror import corpus, examples, gosum, modpath, modzip
from bench.mirror.corpus import Corpus, CorpusSpec


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_spec_gives_byte_identical_corpus(tmp_path: Path, small_corpus: Corpus) -> None:
    again = corpus.generate(small_corpus.spec, tmp_path / "again")
    assert _tree(again.root) == _tree(small_corpus.root)


def test_another_seed_gives_another_corpus(small_corpus: Corpus) -> None:
    other = corpus.plan(replace(small_corpus.spec, seed=2))
    mine = corpus.plan(small_corpus.spec)
    assert [m.path for m in other] != [m.path for m in mine]


def test_graph_has_the_requested_shape(medium_corpus: Corpus) -> None:
    spec, mods = medium_corpus.spec, medium_corpus.modules
    assert len(mods) == spec.modules
    assert {m.layer for m in mods.values()} == set(range(spec.depth))
    for m in mods.values():
        assert 1 <= len(m.deps) <= spec.fanout or m.layer == spec.depth - 1
        assert all(mods[d].layer > m.layer for d, _ in m.deps)  # edges only go down: a DAG
        assert len(m.subpackages) == spec.packages - 1
        assert all(p.startswith(spec.namespace() + "/") for p in [m.path])
    # One build list holds the whole corpus: every module is reachable from layer 0.
    assert set(medium_corpus.build_list({p: "v1.0.0" for p in medium_corpus.top()})) == set(mods)


def test_some_module_path_needs_case_encoding(small_corpus: Corpus) -> None:
    upper = [p for p in small_corpus.modules if p != p.lower()]
    assert upper
    assert (small_corpus.root / modpath.escape(upper[0]) / "@v" / "list").is_file()
    assert "!" in modpath.escape(upper[0])


def test_every_version_is_served_and_listed(small_corpus: Corpus) -> None:
    for path in small_corpus.modules:
        vdir = small_corpus.module_dir(path)
        assert (vdir / "list").read_text().split() == small_corpus.versions(path)
        for v in small_corpus.versions(path):
            assert {f"{v}.info", f"{v}.mod", f"{v}.zip"} <= {p.name for p in vdir.iterdir()}


def test_zips_follow_the_rules_and_match_the_manifest(small_corpus: Corpus) -> None:
    for path, version in small_corpus.all_versions():
        z = small_corpus.module_dir(path) / f"{version}.zip"
        with zipfile.ZipFile(z) as zf:
            names = zf.namelist()
            prefix = f"{path}@{version}/"
            assert all(n.startswith(prefix) for n in names)
            modzip.check_files(path, version, [n[len(prefix) :] for n in names])
            assert zf.read(prefix + "go.mod") == (z.with_suffix(".mod")).read_bytes()
        sums = small_corpus.sums[f"{path}@{version}"]
        assert sums["zip"] == gosum.hash_zip(z)
        assert sums["mod"] == gosum.hash_gomod(z.with_suffix(".mod").read_bytes())


def test_code_has_realistic_shape(small_corpus: Corpus) -> None:
    path, version = small_corpus.all_versions()[0]
    with zipfile.ZipFile(small_corpus.module_dir(path) / f"{version}.zip") as zf:
        src = "".join(zf.read(n).decode() for n in zf.namelist() if n.endswith(".go"))
    for needle in ("net/http", "encoding/json", "type Store[K comparable", "interface {", "func (x *", "sync.RWMutex"):
        assert needle in src


def test_versions_differ_and_requirements_cascade(medium_corpus: Corpus) -> None:
    top = medium_corpus.top()[0]
    old, new = medium_corpus.versions(top)[0], medium_corpus.versions(top)[-1]
    assert medium_corpus.sums[f"{top}@{old}"]["zip"] != medium_corpus.sums[f"{top}@{new}"]["zip"]
    old_reqs, new_reqs = medium_corpus.requirements(top, old), medium_corpus.requirements(top, new)
    assert set(old_reqs) == set(new_reqs)
    assert any(modpath.compare_versions(new_reqs[p], old_reqs[p]) > 0 for p in new_reqs)


def test_ensure_reuses_a_generated_corpus(tmp_path: Path) -> None:
    spec = CorpusSpec(name="tiny", modules=3, depth=2, packages=1, versions=2, types=1, fanout=1)
    first = corpus.ensure(spec, tmp_path)
    marker = first.root / "marker"
    marker.write_text("kept")
    assert corpus.ensure(spec, tmp_path).root == first.root and marker.exists()
    assert not list(tmp_path.glob(".tiny-*"))  # no half-written leftovers


def test_spec_rejects_impossible_numbers() -> None:
    with pytest.raises(ValueError):
        CorpusSpec(modules=2, depth=3)


def test_presets_load_and_unknown_keys_fail(tmp_path: Path) -> None:
    assert corpus.load_spec("small").modules < corpus.load_spec("medium").modules < corpus.load_spec("large").modules
    with pytest.raises(UsageError):
        corpus.load_spec("nonexistent")


@pytest.mark.parametrize("project", ["service", "large"])
def test_example_project_agrees_with_its_corpus(project: str, request: pytest.FixtureRequest) -> None:
    preset = examples.project_corpus(project)
    made: Corpus = request.getfixturevalue(f"{preset}_corpus")
    for filename, content in examples.render(project, made).items():
        committed = examples.project_dir(project) / filename
        assert committed.read_bytes() == content, f"{committed} is stale: run `python -m bench.mirror projects`"


@pytest.mark.parametrize("project", ["service", "large"])
def test_committed_gosum_hashes_are_the_served_bytes(project: str, request: pytest.FixtureRequest) -> None:
    made: Corpus = request.getfixturevalue(f"{examples.project_corpus(project)}_corpus")
    lines = (examples.project_dir(project) / "go.sum").read_text().splitlines()
    direct, indirect = examples.requirements(made)
    assert len(lines) == 2 * len({**direct, **indirect})  # the whole build list, zip and go.mod lines
    assert examples.spare(made) not in {ln.split(" ")[0] for ln in lines}  # kept back for change=gomod_add
    for line in lines:
        path, version, h1 = line.split(" ")
        vdir = made.module_dir(path)
        if version.endswith("/go.mod"):
            assert h1 == gosum.hash_gomod((vdir / f"{version[: -len('/go.mod')]}.mod").read_bytes())
        else:
            assert h1 == gosum.hash_zip(vdir / f"{version}.zip")


def test_hello_has_no_dependencies() -> None:
    assert examples.project_corpus("hello") is None
    assert "require" not in (examples.project_dir("hello") / "go.mod").read_text()
    assert (examples.project_dir("hello") / "go.sum").read_text() == ""
