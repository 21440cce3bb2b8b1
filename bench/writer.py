"""Everything written into a run directory, as the run goes: manifest, rows, Dockerfiles.

Rows are appended and fsync'ed the moment a build ends, so a crash loses at most the build
in flight; the manifest is replaced atomically.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from bench.rows import SCHEMA_VERSION, BuildRow, StepRow

MANIFEST = "manifest.json"
BUILDS = "builds.jsonl"
STEPS = "steps.jsonl"
DOCKERFILES = "dockerfiles"


class RunWriter:
    """Owns a run directory: the only code that writes into it."""

    def __init__(self, run_dir: Path) -> None:
        self.dir = Path(run_dir)
        self.dir.mkdir(parents=True, exist_ok=True)

    def write_manifest(self, manifest: Mapping[str, Any]) -> None:
        """Write (or rewrite) the manifest atomically, with the schema version."""
        data = {"schema_version": SCHEMA_VERSION, **manifest}
        tmp = self.dir / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(data, indent=2, default=str) + "\n")
        os.replace(tmp, self.dir / MANIFEST)

    def write_dockerfile(self, label: str, text: str) -> Path:
        """Keep what a variant built beside its results."""
        path = self.dir / DOCKERFILES / f"{safe_name(label)}.Dockerfile"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def write_reproduce(self, label: str, script: str) -> Path:
        """The shell script that rebuilds a variant as measured, beside its Dockerfile (executable)."""
        path = self.dir / DOCKERFILES / f"{safe_name(label)}.build.sh"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(script)
        path.chmod(0o755)
        return path

    def append(self, build: BuildRow, steps: Iterable[StepRow] = ()) -> None:
        """Append a build and its steps; on disk when this returns."""
        append_lines(self.dir / STEPS, (dataclasses.asdict(s) for s in steps))
        append_lines(self.dir / BUILDS, [build.flat()])

    def completed_build_ids(self) -> set[str]:
        """Build ids already on disk (for resuming an interrupted run).

        A build whose engine died under it measured nothing of the project: a resumed run
        builds it again, and the loader keeps the newer row of a build id.
        """
        path = self.dir / BUILDS
        rows = read_lines(path) if path.exists() else []
        return {r["build_id"] for r in rows if r.get("failure_class") != "engine"}


def safe_name(text: str) -> str:
    """A file name for a variant label."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:120]


def append_lines(path: Path, rows: Iterable[Mapping[str, Any]]) -> None:
    """Append JSON lines and fsync; never glue a new line onto one a crash cut short."""
    lines = "".join(json.dumps(r, default=str) + "\n" for r in rows)
    if not lines:
        return
    if _ends_mid_line(path):
        lines = "\n" + lines
    with open(path, "a", encoding="utf-8") as f:
        f.write(lines)
        f.flush()
        os.fsync(f.fileno())


def _ends_mid_line(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) != b"\n"


def read_lines(path: Path) -> list[dict[str, Any]]:
    """The JSON lines of a file; a line cut short by a crash (the build in flight) is left out."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return rows
