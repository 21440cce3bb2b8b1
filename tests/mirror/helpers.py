"""Helpers of the mirror tests: a consumer module on a corpus, and the go runner's type."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from bench.engine.gocmd import GoRun
from bench.mirror import gomod
from bench.mirror.corpus import Corpus


class GoRunner(Protocol):
    """Runs a shell script in the builder image with a GOPROXY and host mounts."""

    def __call__(self, script: str, *, goproxy: str, mounts: dict[Path, str] | None = None) -> GoRun: ...


def write_consumer(dest: Path, c: Corpus, pairs: Iterable[tuple[str, str]] | None = None) -> Path:
    """A main module requiring the corpus's top modules at their newest versions, with its tidy go.sum.

    `pairs` adds go.sum lines (not requirements) for other module versions, e.g. all of them.
    """
    dest.mkdir(parents=True, exist_ok=True)
    direct = {p: c.versions(p)[-1] for p in c.top()}
    selected = c.build_list(direct)
    indirect = {p: v for p, v in selected.items() if p not in direct}
    (dest / "go.mod").write_text(gomod.render("example.com/consumer", "1.23", direct, indirect))
    (dest / "go.sum").write_text(c.gosum([*selected.items(), *(pairs or [])]))
    return dest
