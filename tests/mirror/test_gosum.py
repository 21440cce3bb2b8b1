"""h1 hashes, go.sum formatting, module path escaping and zip rules, against go's own answers."""

from __future__ import annotations

import io
import zipfile

import pytest

from bench.mirror import gosum, modpath, modzip

DEP1_MOD = b"module example.com/dep1\n\ngo 1.21\n"
DEP1_GO = b'package dep1\n\nfunc Hello() string { return "hi" }\n'


def test_empty_set_hash_matches_go() -> None:
    assert gosum.hash1([]) == "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="


def test_zip_and_gomod_hashes_match_vectors_computed_by_go() -> None:
    data = modzip.create("example.com/dep1", "v1.0.0", {"go.mod": DEP1_MOD, "dep1.go": DEP1_GO})
    assert gosum.hash_zip(data) == "h1:/CMxCFjfZtT+1NEOMQXI9RReojAj1MNugDfNmn1/3oE="
    assert gosum.hash_gomod(DEP1_MOD) == "h1:0S1QqOwvfYlzNcvHzTRewoD/Qskxk5ppNPQh1Z0b3Hc="


def test_hash_ignores_zip_order_and_compression() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("example.com/dep1@v1.0.0/go.mod", DEP1_MOD)  # reverse order, not compressed
        zf.writestr("example.com/dep1@v1.0.0/dep1.go", DEP1_GO)
    assert gosum.hash_zip(buf.getvalue()) == "h1:/CMxCFjfZtT+1NEOMQXI9RReojAj1MNugDfNmn1/3oE="


def test_hash_changes_with_one_byte() -> None:
    a = gosum.hash1([("a", b"x")])
    assert a != gosum.hash1([("a", b"y")]) and a != gosum.hash1([("b", b"x")])


def test_zip_bytes_are_reproducible() -> None:
    files = {"go.mod": DEP1_MOD, "dep1.go": DEP1_GO}
    assert modzip.create("example.com/dep1", "v1.0.0", files) == modzip.create(
        "example.com/dep1", "v1.0.0", dict(reversed(files.items()))
    )


@pytest.mark.parametrize(
    "names",
    [["sub/go.mod"], ["a.go", "A.go"], ["../x.go"], ["/abs.go"], ["dir\\x.go"], ["./x.go"], ["a//b.go"]],
)
def test_zip_rules_refuse_bad_file_sets(names: list[str]) -> None:
    with pytest.raises(modzip.ZipRuleError):
        modzip.create("example.com/dep1", "v1.0.0", dict.fromkeys(names, b""))


@pytest.mark.parametrize("version", ["v1.0", "1.0.0", "v01.0.0", "v1.0.0+meta"])
def test_zip_needs_a_canonical_version(version: str) -> None:
    with pytest.raises(modpath.InvalidPath):
        modzip.create("example.com/dep1", version, {"go.mod": DEP1_MOD})


def test_case_encoding_round_trips() -> None:
    assert modpath.escape("github.com/Azure/azure-sdk") == "github.com/!azure/azure-sdk"
    assert modpath.unescape("example.com/!geo!kit") == "example.com/GeoKit"
    with pytest.raises(modpath.InvalidPath):
        modpath.unescape("example.com/GeoKit")
    with pytest.raises(modpath.InvalidPath):
        modpath.unescape("example.com/!")


def test_versions_sort_like_semver() -> None:
    assert modpath.sort_versions(["v1.10.0", "v1.2.0", "v1.2.0-rc.1", "v1.2.0-beta", "v0.9.0"]) == [
        "v0.9.0",
        "v1.2.0-beta",
        "v1.2.0-rc.1",
        "v1.2.0",
        "v1.10.0",
    ]
    assert modpath.latest(["v1.3.0-rc.1", "v1.2.0"]) == "v1.2.0"
    assert modpath.latest(["v1.3.0-rc.1"]) == "v1.3.0-rc.1"
    assert modpath.latest([]) is None


def test_gosum_is_ordered_like_go_writes_it() -> None:
    lines = [
        "example.com/b v1.10.0 h1:c=",
        "example.com/b v1.2.0/go.mod h1:b=",
        "example.com/b v1.2.0 h1:a=",
        "example.com/B v1.0.0 h1:d=",
    ]
    assert gosum.format_gosum(lines).splitlines() == [
        "example.com/B v1.0.0 h1:d=",
        "example.com/b v1.2.0 h1:a=",
        "example.com/b v1.2.0/go.mod h1:b=",
        "example.com/b v1.10.0 h1:c=",
    ]
