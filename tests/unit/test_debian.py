"""The Debian archive URL comes from the machine's own apt sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import debian
from bench.errors import UsageError


@pytest.fixture(autouse=True)
def _no_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BENCH_DEBIAN_ARCHIVE", raising=False)


def test_deb822_sources(tmp_path: Path) -> None:
    (tmp_path / "debian.sources").write_text(
        "Types: deb\n# a comment\nURIs: http://mirror.example/debian/\nSuites: bookworm bookworm-updates\n"
        "Components: main\n\nTypes: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n"
    )
    assert debian.archive_url(tmp_path, tmp_path / "none.list") == "http://mirror.example/debian"


def test_one_line_sources_list(tmp_path: Path) -> None:
    (tmp_path / "sources.list").write_text(
        "# deb http://old.example/debian bookworm main\ndeb [arch=amd64] http://m.example/debian bookworm main\n"
    )
    assert debian.archive_url(tmp_path, tmp_path / "sources.list") == "http://m.example/debian"


def test_override_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_DEBIAN_ARCHIVE", "http://other.example/debian/")
    assert debian.archive_url(tmp_path, tmp_path / "x") == "http://other.example/debian"


def test_no_sources_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="BENCH_DEBIAN_ARCHIVE"):
        debian.archive_url(tmp_path, tmp_path / "missing.list")
