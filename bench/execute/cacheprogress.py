"""Both sides of a cache, read from a build's own progress (`--progress=rawjson`): pure functions.

Importing (recorded streams in tests/data/rawjson/cache-*.rawjson):
- a vertex `importing cache manifest from <ref>` resolves the cache;
- the cached layers a build needs are pulled lazily: statuses with id `sha256:<digest>` (with
  `total` bytes) and `extracting sha256:<digest>` on the steps that use them. A pull on a `FROM`
  step is the base image's, not the cache's, and does not count.

Exporting:
- a vertex `exporting cache to registry` / `exporting cache to client directory` (registry, local);
- inline cache is the pushed image: statuses `preparing layers for inline cache`, `pushing layers`,
  `pushing manifest ...` of `exporting to image`, and a vertex `pushing <ref> with docker`.

With `ignore-error=true` a failed export leaves its error on the export vertex while the build
succeeds; a failed import leaves it on the import vertex and the build runs without the cache.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bench.engine import rawjson
from bench.execute.measure import union_seconds

IMPORT_VERTEX = "importing cache manifest from "
EXPORT_VERTICES = ("exporting cache to ", "pushing ")
EXPORT_STATUSES = ("preparing layers for inline cache", "pushing layers", "pushing manifest")
_BLOB = re.compile(r"^(?:extracting )?(sha256:[0-9a-f]{64})$")
_FRACTION = re.compile(r"(\.\d{6})\d+")


@dataclass(frozen=True)
class Status:
    """One status line of the stream, merged by (vertex, id): a transfer or a sub-task of a vertex."""

    vertex: str
    id: str
    started: datetime | None
    completed: datetime | None
    total: int | None


def statuses(text: str) -> list[Status]:
    """Every status of a rawjson stream, merged by (vertex, id): the last started/completed/total seen."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for obj in rawjson.iter_objects(text):
        for s in obj.get("statuses") or []:
            key = (str(s.get("vertex", "")), str(s.get("id", "")))
            entry = merged.setdefault(key, {})
            entry.update({k: v for k, v in s.items() if v not in (None, "")})
    return [Status(v, i, _time(e.get("started")), _time(e.get("completed")), _int(e.get("total")))
            for (v, i), e in merged.items()]


def import_fields(text: str) -> dict[str, Any]:
    """`import_s` (resolving and pulling the cache, overlaps counted once), `import_bytes`, and the
    import's error if it failed (`import_error`); empty when the build imported no cache."""
    vertices = rawjson.parse(text)
    imports = [v for v in vertices if v.name.startswith(IMPORT_VERTEX)]
    if not imports:
        return {}
    from_steps = {v.digest for v in vertices if v.step and v.step[3].startswith("FROM")}
    pulls = [s for s in statuses(text) if _BLOB.match(s.id) and s.vertex not in from_steps]
    spans = [(v.started, v.completed) for v in imports] + [(s.started, s.completed) for s in pulls]
    sizes = {s.id: s.total for s in pulls if s.id.startswith("sha256:") and s.total is not None}
    error = next((v.error for v in imports if v.error), "")
    return {"import_s": round(union_seconds(spans), 4), "import_bytes": sum(sizes.values()),
            **({"import_error": error} if error else {})}


def export_fields(text: str) -> dict[str, Any]:
    """`export_progress_s` (the export's own span in the exporting build) and its error if it failed."""
    vertices = rawjson.parse(text)
    exports = [v for v in vertices if v.name.startswith(EXPORT_VERTICES)]
    image = {v.digest for v in vertices if v.name.startswith("exporting to image")}
    pushes = [s for s in statuses(text) if s.vertex in image and s.id.startswith(EXPORT_STATUSES)]
    if not exports and not pushes:
        return {}
    spans = [(v.started, v.completed) for v in exports] + [(s.started, s.completed) for s in pushes]
    error = next((v.error for v in exports if v.error), "")
    return {"export_progress_s": round(union_seconds(spans), 4), **({"export_error": error} if error else {})}


def _time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    return datetime.fromisoformat(_FRACTION.sub(r"\1", value).replace("Z", "+00:00"))


def _int(value: object) -> int | None:
    return int(value) if isinstance(value, (int, float)) else None
