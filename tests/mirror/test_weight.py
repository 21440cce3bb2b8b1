"""The weighted corpus (conf/corpus/realistic.yaml): planned shape, padding, determinism, the api example.

Everything here runs without the engine. The full preset is planned (pure, instant) and hashed
(content + SHA-256, about 10 s); zips are written only for a reduced spec, except three
full-scale modules that check the padding lands on its targets.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from bench.errors import UsageError
from bench.mirror import corpus, examples, gocode, graph, padding, spec, weight
from bench.mirror.confload import load_dataclass
from bench.mirror.corpus import Corpus, CorpusSpec
from bench.mirror.modmake import VersionMaker, is_compiled
from bench.mirror.modzip import FIXED_TIME


def reduced(spec: CorpusSpec, scale: float = 0.02) -> CorpusSpec:
    """The realistic shape on 20 modules in 4 layers, zips `scale` times as large: generated in a second."""
    assert spec.weight is not None
    w = replace(spec.weight, layers=[0.4, 0.3, 0.2, 0.1], scale=scale)
    return replace(spec, modules=20, depth=4, weight=w)


@pytest.fixture(scope="module")
def realistic() -> CorpusSpec:
    """The preset as conf/corpus/realistic.yaml says."""
    return corpus.load_spec("realistic")


@pytest.fixture(scope="module")
def small_weighted(realistic: CorpusSpec, tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """A reduced weighted corpus on disk."""
    return corpus.generate(reduced(realistic), tmp_path_factory.mktemp("weighted") / "c")


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _deflated(data: bytes) -> int:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return len(c.compress(data) + c.flush())


def test_realistic_plan_has_the_measured_totals(realistic: CorpusSpec) -> None:
    targets = weight.zip_targets(realistic)
    mb = [t / 1e6 for t in targets]
    assert len(targets) == realistic.modules == 116
    assert sum(targets) == pytest.approx(100e6, abs=1e3)  # one version of every module
    assert sum(m < 0.1 for m in mb) >= 60  # many small ones (distribution: 67 of 116 under 100 kB)
    assert 8 <= sum(1 <= m < 10 for m in mb) <= 14  # a few of several MB (distribution: 11)
    assert 30 <= max(mb) <= 40 and sorted(mb)[-2] >= 10  # a long tail (aws-sdk-go 34 MB, compress 20.6 MB)
    types = weight.type_counts(realistic, targets)
    assert 640 <= sum(map(len, types)) <= 720 and max(map(len, types)) == 134  # distribution compiles 646 (+52 own)
    compiled = [sum(weight.PACKAGE_BYTES + weight.TYPE_BYTES * n for n in m) for m in types]
    # What distribution's build compiles of its deps (32.6 MB, envoy 7.07 MB), at the preset's compile scale.
    scale = realistic.weight.compiled_scale if realistic.weight else 0
    assert sum(compiled) == pytest.approx(32.6e6 * scale, rel=0.1)
    assert max(compiled) == pytest.approx(7.07e6 * scale, rel=0.05)


def test_package_size_constants_match_the_generated_go() -> None:
    for types in (1, 7, 60):
        made = gocode.package_files(
            path="example.com/corpus/x/abacus",
            version="v1.1.0",
            history=["a", "b"],
            entities=[f"Account{i}" for i in range(types)],
            deps=[gocode.Import("dep0", "example.com/corpus/x/cedar")],
        )
        size = sum(map(len, made.values()))
        assert size == pytest.approx(weight.PACKAGE_BYTES + weight.TYPE_BYTES * types, rel=0.1)


def test_realistic_graph_has_the_measured_depth(realistic: CorpusSpec) -> None:
    plans = {p.path: p for p in graph.plan(realistic)}
    layers = [sum(p.layer == i for p in plans.values()) for i in range(realistic.depth)]
    assert layers[0] == 39  # direct requirements: distribution's go.mod has 39 of 116
    assert layers == sorted(layers, reverse=True) and min(layers) >= 1

    def chain(path: str) -> int:
        return 1 + max((chain(d) for d, _ in plans[path].deps), default=0)

    assert max(chain(p) for p in plans) == realistic.depth == 8  # longest import chain: 7 to 11 measured


@pytest.mark.parametrize("kind", sorted(padding.KINDS))
def test_padding_kind_has_its_measured_ratio_and_budget(kind: str) -> None:
    k = padding.KINDS[kind]
    made = padding.files(k, "test|module", "abacus", 400_000, prefix=40)
    raw = sum(len(c) for c in made.values())
    zipped = sum(len(c) if kind in padding.STORED_KINDS else _deflated(c) for c in made.values())
    headers = sum(padding.entry_overhead(n, 40) for n in made)
    assert raw / zipped == pytest.approx(k.ratio, rel=0.05)
    assert zipped + headers == pytest.approx(400_000, rel=0.05)
    assert all(padding.kind_of(n) == kind and not is_compiled(n) for n in made)
    assert padding.files(k, "test|module", "abacus", 400_000, prefix=40) == made  # seeded, not random


def test_full_scale_modules_zip_to_their_targets(realistic: CorpusSpec) -> None:
    plans = {p.path: p for p in graph.plan(realistic)}
    maker = VersionMaker(realistic, plans)
    by_size = sorted(maker.targets, key=maker.targets.__getitem__)
    for path in (by_size[58], by_size[95], by_size[110]):  # the median, p83, p96 of 116
        made = maker.make(plans[path], 0)
        assert len(made.zip()) == pytest.approx(maker.targets[path], rel=0.05)
        assert made.compiled_share() < 0.5  # most bytes are padding, the compiled code stays small


def test_weighted_corpus_is_byte_identical_for_a_seed(small_weighted: Corpus, tmp_path: Path) -> None:
    again = corpus.generate(small_weighted.spec, tmp_path / "again")
    assert _tree(again.root) == _tree(small_weighted.root)
    other = corpus.plan(replace(small_weighted.spec, seed=2))
    assert [m.path for m in other] != list(small_weighted.modules)


def test_zip_entries_are_sorted_with_fixed_times_and_modes(small_weighted: Corpus) -> None:
    path, version = max(
        small_weighted.all_versions(), key=lambda pv: (small_weighted.module_dir(pv[0]) / f"{pv[1]}.zip").stat().st_size
    )
    with zipfile.ZipFile(small_weighted.module_dir(path) / f"{version}.zip") as zf:
        infos = zf.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names) and all(i.date_time == FIXED_TIME for i in infos)
    assert {i.external_attr >> 16 for i in infos} == {0o644}
    stored = {i.filename for i in infos if i.compress_type == zipfile.ZIP_STORED}
    assert stored and all(n.endswith(".bin") for n in stored)  # incompressible testdata only


def test_hashed_sums_are_those_of_the_written_zips(small_weighted: Corpus) -> None:
    assert corpus.hashed(small_weighted.spec).sums == small_weighted.sums
    manifest = json.loads((small_weighted.root / corpus.MANIFEST).read_text())
    assert Corpus.load(small_weighted.root).spec == small_weighted.spec  # the weight reads back equal
    assert sum(manifest["zip_targets"].values()) == pytest.approx(100e6 * 0.02, abs=100)


def test_api_example_agrees_with_the_realistic_corpus(realistic: CorpusSpec) -> None:
    made = corpus.hashed(realistic, examples.build_list)
    for filename, content in examples.render("api", made).items():
        committed = examples.project_dir("api") / filename
        assert committed.read_bytes() == content, f"{committed} is stale: run `python -m bench.mirror projects`"
    lines = (examples.project_dir("api") / "go.sum").read_bytes()
    assert lines.count(b"\n") == 2 * 115  # every module but the spare, zip and go.mod lines
    # Pinned: go.sum hashes cover file contents only (not deflate's output), so they are the same
    # on every machine; a change here means the generator's output changed (bump WEIGHT_VERSION).
    assert hashlib.sha256(lines).hexdigest() == API_GOSUM_SHA256


API_GOSUM_SHA256 = "c0fc21b40a32a9f1f73930618ce06a5f475d4d3b758a8bb728e90e7003e664ad"


def test_small_weighted_zip_bytes_are_pinned(small_weighted: Corpus) -> None:
    # Zip bytes also depend on zlib's deflate; zlib 1.2.x/1.3.x give these (the module zips of one
    # reduced corpus, hashed in order). A machine whose Python links another deflate fails here.
    digest = hashlib.sha256()
    for path, version in small_weighted.all_versions():
        digest.update((small_weighted.module_dir(path) / f"{version}.zip").read_bytes())
    assert digest.hexdigest() == SMALL_WEIGHTED_ZIPS_SHA256, f"zlib {zlib.ZLIB_RUNTIME_VERSION}"


SMALL_WEIGHTED_ZIPS_SHA256 = "a83091ffafa2127806d97664a26b9fed7a760721a40512c8633113252bf5c025"


def test_bad_weight_fails_with_one_line_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text((spec.PRESET_DIR / "realistic.yaml").read_text().replace("test_go: 0.075", "test_go: 0.5"))
    with pytest.raises(UsageError, match="bad.yaml: .*padding shares must be >= 0 and add up to 1"):
        load_dataclass(CorpusSpec, bad)
    with pytest.raises(ValueError, match="weight.layers has 8 shares for depth 7"):
        replace(corpus.load_spec("realistic"), depth=7)
