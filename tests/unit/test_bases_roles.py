"""Roles map to images without an engine; bad roles and versions are one clear error."""

from __future__ import annotations

import pytest

from bench import bases
from bench.errors import UsageError


def test_local_roles() -> None:
    assert bases.image_for("builder", go="1.24") == "bench-base/builder:go1.24"
    assert bases.image_for("builder", go="1.27") == "bench-base/builder:go1.27"
    assert bases.image_for("runtime-debian") == "bench-base/debian:bookworm"
    assert bases.image_for("scratch") == "scratch"


def test_registry_roles() -> None:
    assert bases.image_for("builder", go="1.23", base="registry") == "golang:1.23-bookworm"
    assert bases.image_for("builder-alpine", go="1.23", base="registry") == "golang:1.23-alpine"
    assert bases.image_for("runtime-static", base="registry") == "alpine:3.20"
    assert bases.image_for("runtime-distroless", base="registry") == "gcr.io/distroless/static-debian12"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"role": "builder", "go": "1.19"}, "go: '1.19' is not supported locally; allowed: 1.23, 1.24, 1.25, 1.26, 1.27"),
        ({"role": "runtme-static"}, "unknown; allowed: builder, runtime-static"),
        ({"role": "runtime-distroless"}, "only with base=registry"),
        ({"role": "builder", "base": "cloud"}, "base: 'cloud' is not allowed"),
    ],
)
def test_bad_roles(kwargs: dict[str, str], match: str) -> None:
    with pytest.raises(UsageError, match=match):
        bases.image_for(**kwargs)


def test_recipe_hash_covers_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    before = bases.recipe_hash("builder-go1.23")
    assert before == bases.recipe_hash("builder-go1.23")
    monkeypatch.setenv("BENCH_DEBIAN_ARCHIVE", "http://elsewhere.example/debian")
    assert bases.recipe_hash("builder-go1.23") != before


def test_builders_125_to_127_come_from_trixie_backports() -> None:
    for go in ("1.25", "1.26", "1.27"):
        recipe = bases.RECIPES[f"builder-go{go}"]
        assert recipe.parent == "debian-trixie"
        assert recipe.build_args == {"ROOT": "bench-base/debian:trixie", "POCKET": "trixie-backports", "GO_VERSION": go}
    assert bases.RECIPES["builder-go1.23"].build_args["POCKET"] == "bookworm-backports"
    assert bases.RECIPES["builder-go1.24"].build_args["POCKET"] == "trixie"


def test_setup_builds_only_the_default_builder() -> None:
    assert bases.default_keys() == ["debian-bookworm", "runtime-static", "builder-go1.23"]
    assert [k for k in bases.RECIPES if k.startswith("builder-")] == [
        "builder-go1.23", "builder-go1.24", "builder-go1.25", "builder-go1.26", "builder-go1.27",
    ]


def test_each_builder_has_its_own_recipe_hash() -> None:
    hashes = {bases.recipe_hash(f"builder-go{go}") for go in bases.GO_VERSIONS}
    assert len(hashes) == len(bases.GO_VERSIONS)
