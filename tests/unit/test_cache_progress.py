"""Both sides of a cache read from recorded rawjson streams (tests/data/rawjson/cache-*.rawjson)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.engine import rawjson
from bench.engine.sdk import CacheRecord
from bench.execute import cacheprogress
from bench.execute.mounts import mount_problem, mount_targets

DATA = Path(__file__).parent.parent / "data" / "rawjson"


def _text(name: str) -> str:
    return (DATA / name).read_text()


def _vertex(text: str, prefix: str) -> rawjson.Vertex:
    return next(v for v in rawjson.parse(text) if v.name.startswith(prefix))


@pytest.mark.parametrize("name", ["cache-registry-import.rawjson", "cache-local-import.rawjson"])
def test_an_import_is_the_manifest_and_the_layer_pulls(name: str) -> None:
    text = _text(name)
    found = cacheprogress.import_fields(text)
    pulls = [s for s in cacheprogress.statuses(text) if s.id.startswith("sha256:")]
    assert len(pulls) == 1 and pulls[0].total is not None and pulls[0].total > 3_000_000  # the 3 MB random layer
    assert found["import_bytes"] == pulls[0].total
    manifest = _vertex(text, "importing cache manifest from").duration
    pull = (pulls[0].completed - pulls[0].started).total_seconds()  # type: ignore[operator]
    assert manifest is not None and max(manifest, pull) <= found["import_s"] <= manifest + pull + 0.2
    assert "import_error" not in found and cacheprogress.export_fields(text) == {}


def test_a_failed_import_is_named_and_the_build_went_on() -> None:
    found = cacheprogress.import_fields(_text("cache-registry-import-failed.rawjson"))
    assert "connection reset by peer" in found["import_error"]
    assert found["import_bytes"] == 0


@pytest.mark.parametrize(("name", "vertex"), [
    ("cache-registry-export.rawjson", "exporting cache to registry"),
    ("cache-local-export.rawjson", "exporting cache to client directory"),
])
def test_an_export_is_the_cache_export_vertex(name: str, vertex: str) -> None:
    text = _text(name)
    assert cacheprogress.export_fields(text) == {"export_progress_s": round(_vertex(text, vertex).duration or 0, 4)}
    assert cacheprogress.import_fields(text) == {}


def test_an_inline_export_is_the_push_of_the_image() -> None:
    text = _text("cache-inline-export.rawjson")
    found = cacheprogress.export_fields(text)
    push = _vertex(text, "pushing ").duration
    image = _vertex(text, "exporting to image").duration
    assert push is not None and image is not None
    # the pushes inside "exporting to image" plus the docker push after it; never the whole image export
    assert push < found["export_progress_s"] < push + image


def test_a_failed_export_keeps_its_error_while_the_build_succeeded() -> None:
    found = cacheprogress.export_fields(_text("cache-registry-export-failed.rawjson"))
    assert "connection reset by peer" in found["export_error"] and found["export_progress_s"] > 0


def test_builds_without_a_cache_show_neither_side() -> None:
    for name in ("cold.rawjson", "cached.rawjson", "failed.rawjson"):
        text = _text(name)
        assert cacheprogress.import_fields(text) == {} and cacheprogress.export_fields(text) == {}


def test_union_counts_overlaps_once() -> None:
    from datetime import datetime, timedelta

    t = datetime(2026, 1, 1)
    s = timedelta(seconds=1)
    spans = [(t, t + 3 * s), (t + s, t + 2 * s), (t + 5 * s, t + 6 * s), (t + 2 * s, None)]
    assert cacheprogress.union_seconds(spans) == 4.0  # type: ignore[arg-type]


def test_cache_mount_targets_and_their_check() -> None:
    dockerfile = ("RUN --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=cache,target=/go/pkg/mod go mod download\n"
                  "RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,id=b,target=/root/.cache/go-build go build\n")
    targets = mount_targets(dockerfile)
    assert targets == ["/go/pkg/mod", "/root/.cache/go-build"]

    def rec(target: str, size: int, kind: str = "exec.cachemount") -> CacheRecord:
        return CacheRecord("x", kind, f"cached mount {target} from exec /bin/sh -c go build", size, False, ())

    full = [rec("/go/pkg/mod", 5000), rec("/root/.cache/go-build", 7000), rec("/other", 1)]
    assert mount_problem(full, targets) == (12000, "")
    total, problem = mount_problem([rec("/go/pkg/mod", 5000)], targets)
    assert total == 5000 and "/root/.cache/go-build held no data" in problem
    total, problem = mount_problem([rec("/go/pkg/mod", 9, kind="regular")], targets)
    assert total == 0 and "/go/pkg/mod, /root/.cache/go-build held no data" in problem
    # a project without dependencies: an empty module cache beside a full build cache is warm
    assert mount_problem([rec("/go/pkg/mod", 4096), rec("/root/.cache/go-build", 7000)], targets) == (11096, "")
    total, problem = mount_problem([rec("/go/pkg/mod", 4096), rec("/root/.cache/go-build", 4096)], targets)
    assert total == 8192 and "held nothing but empty directories" in problem
