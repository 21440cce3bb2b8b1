"""Parse `docker buildx build --progress=rawjson` output: a stream of indented JSON objects on stderr.

The same vertex digest repeats as a build goes on, each time with more fields; merge by digest.
Schema: vertexes[{digest, inputs, name, started, completed, cached, error}], statuses[...], logs[...].
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

_STEP = re.compile(r"^\[(?:(?P<stage>[^\]\s]+) )?(?P<n>\d+)/(?P<total>\d+)\] (?P<instr>.*)$", re.S)
_FRACTION = re.compile(r"(\.\d{6})\d+")


@dataclass
class Vertex:
    """One BuildKit vertex (a Dockerfile step or an internal operation), merged over the stream."""

    digest: str
    name: str = ""
    started: datetime | None = None
    completed: datetime | None = None
    cached: bool = False
    error: str = ""
    inputs: list[str] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)

    @property
    def duration(self) -> float | None:
        """Seconds from start to completion, when both are known."""
        if self.started and self.completed:
            return (self.completed - self.started).total_seconds()
        return None

    @property
    def step(self) -> tuple[str, int, int, str] | None:
        """(stage, index, total, instruction) for a Dockerfile step like `[build 3/5] RUN ...`; None otherwise."""
        m = _STEP.match(self.name)
        if not m:
            return None
        return (m["stage"] or "", int(m["n"]), int(m["total"]), m["instr"])


def iter_objects(text: str) -> Iterator[dict]:
    """Yield each JSON object of the stream, skipping any plain-text lines between them."""
    decoder = json.JSONDecoder()
    pos, end = 0, len(text)
    while pos < end:
        while pos < end and text[pos].isspace():
            pos += 1
        if pos >= end:
            break
        try:
            obj, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            nl = text.find("\n", pos)
            pos = end if nl < 0 else nl + 1
            continue
        if isinstance(obj, dict):
            yield obj


def parse(text: str) -> list[Vertex]:
    """All vertices of a rawjson stream, in order of first appearance, merged by digest."""
    vertices: dict[str, Vertex] = {}
    for obj in iter_objects(text):
        for v in obj.get("vertexes") or []:
            vx = vertices.setdefault(v["digest"], Vertex(v["digest"]))
            vx.name = v.get("name") or vx.name
            vx.inputs = v.get("inputs") or vx.inputs
            vx.started = _time(v.get("started")) or vx.started
            vx.completed = _time(v.get("completed")) or vx.completed
            vx.cached = vx.cached or bool(v.get("cached"))
            vx.error = v.get("error") or vx.error
        for entry in obj.get("logs") or []:
            vx = vertices.setdefault(entry["vertex"], Vertex(entry["vertex"]))
            vx.logs.append(base64.b64decode(entry.get("data") or "").decode(errors="replace"))
    return list(vertices.values())


def steps(vertices: list[Vertex]) -> list[Vertex]:
    """The Dockerfile steps (`[stage n/N] INSTRUCTION`), one per step, in stream order.

    BuildKit sometimes reports one step under two digests (a cache lookup and the step
    itself); the step counts as executed if either executed, and its time is the longer.
    """
    by_step: dict[tuple[str, int, str], Vertex] = {}
    for v in vertices:
        if v.step is None:
            continue
        key = (v.step[0], v.step[1], v.step[3])
        seen = by_step.get(key)
        if seen is None:
            by_step[key] = v
        elif (v.cached, -(v.duration or 0.0)) < (seen.cached, -(seen.duration or 0.0)):
            by_step[key] = v  # prefer the executed one, then the longer one
    return list(by_step.values())


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    # Go writes nanoseconds; Python parses at most microseconds.
    return datetime.fromisoformat(_FRACTION.sub(r"\1", value).replace("Z", "+00:00"))
