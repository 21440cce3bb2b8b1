"""project.go=auto and explicit versions against go.mod's `go` and `toolchain` lines (no engine)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import bases, gover
from bench.errors import UsageError

# The builders' exact versions, as the table in bench.bases states them (checked against the
# built images by tests/engine/test_bases.py).
BUILDERS = {"1.23": "1.23.5", "1.24": "1.24.4", "1.25": "1.25.12", "1.26": "1.26.11", "1.27": "1.27.4"}


def test_local_builders_come_from_the_bases_table() -> None:
    assert gover.local_builders() == BUILDERS
    assert tuple(gover.local_builders()) == bases.GO_VERSIONS


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ("1.23.5", "1.23.7"),
        ("1.23.9", "1.24"),
        ("1.25", "1.25rc1"),
        ("1.25rc1", "1.25rc2"),
        ("1.25rc2", "1.25.0"),
        ("1.18beta2", "1.18rc1"),
        ("1.20rc3", "1.20"),  # before 1.21 the bare version is the first release
        ("1.20", "1.20.1"),
        ("1.9.2", "1.10"),  # numeric, not lexical
    ],
)
def test_go_version_order(lower: str, higher: str) -> None:
    assert gover.key(lower) < gover.key(higher)
    assert gover.at_least(higher, lower) and not gover.at_least(lower, higher)


def test_language_version_is_met_by_its_first_release() -> None:
    assert gover.at_least("1.25.0", "1.25")
    assert gover.key("1.21") < gover.key("1.21.0")


@pytest.mark.parametrize(
    ("gomod", "go", "version"),
    [
        ("module m\n\ngo 1.23.5\n", "1.23", "1.23.5"),
        ("module m\n\ngo 1.23.7\n", "1.24", "1.24.4"),  # newer than bookworm-backports' 1.23.5
        ("module m\n\ngo 1.25\n", "1.25", "1.25.12"),
        ("module m\n\ngo 1.25.0\n", "1.25", "1.25.12"),
        ("module m\n\ngo 1.25.13\n", "1.26", "1.26.11"),
        ("module m\n\ngo 1.26rc1\n", "1.26", "1.26.11"),
        ("module m\n\ngo 1.24.0\n\ntoolchain go1.26.2\n", "1.26", "1.26.11"),
        ("module m\n\ngo 1.25.0 // comment\ntoolchain go1.25.1-custom\n", "1.25", "1.25.12"),
        ("module m\n\ngo 1.24.0\ntoolchain default\n", "1.24", "1.24.4"),
        ("module m\n\nrequire example.com/x v1.0.0\n", "1.23", "1.23.5"),  # no go line: go 1.16
        ("module m\ngo 1.21\n", "1.23", "1.23.5"),
    ],
)
def test_auto_picks_the_lowest_builder_that_satisfies(gomod: str, go: str, version: str) -> None:
    choice = gover.pick(gover.parse(gomod), BUILDERS)
    assert (choice.go, choice.version, choice.note) == (go, version, "")


def test_auto_when_only_the_toolchain_line_is_out_of_reach() -> None:
    req = gover.parse("module m\n\ngo 1.25.0\n\ntoolchain go1.28.1\n")
    choice = gover.pick(req, BUILDERS)
    assert (choice.go, choice.version) == ("1.27", "1.27.4")
    assert choice.note == (
        "go.mod suggests toolchain go1.28.1; building with go1.27.4, which meets its `go 1.25.0` line "
        "(GOTOOLCHAIN=local never switches toolchains)"
    )


def test_auto_refuses_go_1_99_in_one_line() -> None:
    with pytest.raises(UsageError) as err:
        gover.pick(gover.parse("module m\n\ngo 1.99\n"), BUILDERS)
    assert str(err.value) == (
        "project.go=auto: go.mod requires go >= 1.99; local builders: go1.23 (1.23.5), go1.24 (1.24.4), "
        "go1.25 (1.25.12), go1.26 (1.26.11), go1.27 (1.27.4)"
    )
    assert "\n" not in str(err.value)


def test_auto_refuses_a_patch_newer_than_every_builder() -> None:
    with pytest.raises(UsageError, match=r"requires go >= 1\.27\.5; local builders:"):
        gover.pick(gover.parse("go 1.27.5\n"), BUILDERS)


def test_explicit_version_older_than_the_go_line_is_refused() -> None:
    req = gover.parse("module m\n\ngo 1.25.0\n")
    with pytest.raises(UsageError) as err:
        gover.check(req, "1.23", BUILDERS)
    assert str(err.value) == (
        "project.go=1.23: go.mod requires go >= 1.25.0 but builder go1.23 has 1.23.5; "
        "use project.go=auto or one of: 1.25, 1.26, 1.27"
    )


def test_explicit_1_23_refused_for_go_1_23_7() -> None:
    with pytest.raises(UsageError, match=r"builder go1\.23 has 1\.23\.5; use project.go=auto or one of: 1\.24"):
        gover.check(gover.parse("go 1.23.7\n"), "1.23", BUILDERS)


def test_explicit_version_meeting_the_go_line_is_kept_with_a_toolchain_note() -> None:
    req = gover.parse("module m\n\ngo 1.25.0\ntoolchain go1.26.2\n")
    assert gover.check(req, "1.27", BUILDERS) == gover.Choice("1.27", "1.27.4")
    choice = gover.check(req, "1.25", BUILDERS)
    assert (choice.go, choice.version) == ("1.25", "1.25.12")
    assert "suggests toolchain go1.26.2" in choice.note


def test_explicit_unknown_version() -> None:
    with pytest.raises(UsageError, match=r"^project.go: '1.22' is not allowed; allowed: auto, 1.23, 1.24, 1.25"):
        gover.check(gover.parse("go 1.21\n"), "1.22", BUILDERS)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("go 1.25.x\n", r"^go.mod:1: 'go 1.25.x' does not name a Go version"),
        ("module m\ngo one\n", r"^go.mod:2: 'go one' does not name a Go version"),
        ("go 1.25\ntoolchain local\n", r"^go.mod:2: 'toolchain local' is not a toolchain name"),
    ],
)
def test_malformed_lines_are_one_line_errors(text: str, match: str) -> None:
    with pytest.raises(UsageError, match=match):
        gover.parse(text)


def test_requirement_records_whether_the_go_line_was_there() -> None:
    assert gover.parse("module m\n") == gover.Requirement("1.16", None, "go.mod", has_go_line=False)
    assert gover.parse("go 1.26.0\ntoolchain go1.26.2\n") == gover.Requirement("1.26.0", "1.26.2")


def test_resolve_reads_the_project(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text("module example.com/svc\n\ngo 1.26.0\n")
    assert gover.resolve("auto", tmp_path, BUILDERS) == gover.Choice("1.26", "1.26.11")
    assert gover.resolve("1.27", tmp_path, BUILDERS).go == "1.27"
    with pytest.raises(UsageError, match=r"^project.go=1.25: go.mod requires go >= 1.26.0"):
        gover.resolve("1.25", tmp_path, BUILDERS)


def test_go_work_decides_when_present(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text("module m\n\ngo 1.23.0\n")
    (tmp_path / "go.work").write_text("go 1.25.3\n\nuse .\n")
    assert gover.resolve("auto", tmp_path, BUILDERS).go == "1.25"


def test_auto_without_go_mod(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"^project.go=auto: no go.mod in .*; set project.go"):
        gover.resolve("auto", tmp_path, BUILDERS)
    assert gover.resolve("1.24", tmp_path, BUILDERS).go == "1.24"


def test_read_if_any(tmp_path: Path) -> None:
    assert gover.read_if_any(tmp_path) is None
    (tmp_path / "go.mod").write_text("module example.com/x\n\ngo 1.25.0\n")
    assert gover.read_if_any(tmp_path) == gover.Requirement("1.25.0")
