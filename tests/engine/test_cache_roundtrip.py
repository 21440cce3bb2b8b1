"""Real engine: local cache export with mode=max survives a full builder prune."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import bases
from bench.engine import cli, rawjson

from .helpers import build, hello_context, remove_image, unique_tag

pytestmark = pytest.mark.engine


def test_local_cache_round_trip_reports_every_step_cached(base_images: object, tmp_path: Path) -> None:
    ctx = hello_context(tmp_path / "ctx", bases.image_for("builder"), bases.image_for("runtime-static"))
    cache = tmp_path / "cache"
    tag = unique_tag("cache")
    try:
        first = rawjson.steps(rawjson.parse(build(ctx, tag, "--cache-to", f"type=local,dest={cache},mode=max")))
        compile_step = [v for v in first if "go build" in v.name]
        assert compile_step and not compile_step[0].cached  # a fresh context really compiled

        remove_image(tag)
        cli.run(["buildx", "prune", "-af"], timeout=300)

        second = rawjson.steps(rawjson.parse(build(ctx, tag, "--cache-from", f"type=local,src={cache}")))
        assert second, "no Dockerfile steps in the rawjson stream"
        # FROM resolves a base image from the local store, which is not a cacheable step;
        # every step that does work (COPY, RUN) must come from the imported cache.
        not_cached = [v.name for v in second if not v.cached and not v.step[3].startswith("FROM")]
        assert not_cached == []
        assert any("go build" in v.name and v.cached for v in second)
    finally:
        remove_image(tag)
