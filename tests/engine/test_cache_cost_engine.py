"""Real engine: both sides of a cache (issue 13), measured and checked against independent counts.

- every fresh-runner mode records a positive export cost, and its cache size matches the exported
  directory (counted by `find`) or the registry's own stored blobs;
- a registry cache behind a shaped 20 Mbit/s link imports measurably slower than on loopback, and
  the bytes the row says were pulled match what the registry's access log says it served;
- a warm cache-mount row whose mounts were emptied after the prime is invalid, with the reason;
  every row with `floor: true` records its no-op floor, timed as the harness times builds and bare.

The project is a tiny Go module embedding 8 MB of random bytes: a short compile, a binary layer big
enough for a 20 Mbit/s link to show.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bench import app, bases, plan, projects
from bench.engine import cli
from bench.execute import cachestate
from bench.options import compose
from bench.results import load
from bench.rows import BuildRow

pytestmark = pytest.mark.engine
BLOB = 8_000_000
SLOW_MBIT = 20


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Go module without dependencies whose binary embeds 8 MB of random bytes."""
    root = tmp_path_factory.mktemp("tiny")
    (root / "go.mod").write_text("module example.com/tiny\n\ngo 1.21\n")
    (root / "main.go").write_text('package main\n\nimport _ "embed"\n\n//go:embed blob.bin\nvar blob []byte\n\n'
                                  "func main() { println(len(blob)) }\n")
    (root / "blob.bin").write_bytes(os.urandom(BLOB))
    return root


def _run(tmp_path: Path, name: str, *overrides: str) -> tuple[int, pd.DataFrame]:
    cfg = compose("startup_runs=0", *overrides)
    run_dir = tmp_path / name
    code = app.run_from_config(cfg, run_dir, {}, list(overrides))
    return code, load(run_dir).builds


def _ok(rows: pd.DataFrame) -> str:
    return rows[["variant", "status", "valid", "invalid_reason", "failure_class", "warnings", "notes"]].to_string()


def _files_bytes(directory: Path) -> int:
    out = subprocess.run(["find", str(directory), "-type", "f", "-printf", "%s\n"], capture_output=True, text=True,
                         check=True).stdout
    return sum(int(n) for n in out.split())


def _layers(directory: Path) -> dict[str, str]:
    """Layer digest -> media type, for every layer a JSON file of an OCI layout (index, manifests) names."""
    found: dict[str, str] = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if ".layer." in str(node.get("mediaType", "")) and "digest" in node:
                found[str(node["digest"])] = str(node["mediaType"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for path in directory.rglob("*"):
        if path.is_file() and path.stat().st_size < 1_000_000:
            try:
                walk(json.loads(path.read_bytes()))
            except (ValueError, UnicodeDecodeError):
                pass  # a layer, not JSON
    return found


def test_export_cost_and_cache_size_for_every_fresh_runner_mode(
    base_images: object, tmp_path: Path, tiny: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench import options

    counted: dict[str, int] = {}  # cache mode -> the independent count, taken right after its export
    layers: dict[str, dict[str, str]] = {}  # local caches: layer digest -> media type

    def counting(kind: str, exporter: Callable[[cachestate.Export], cachestate.Exported]) -> Callable[..., Any]:
        def wrapped(e: cachestate.Export) -> cachestate.Exported:
            out = exporter(e)
            ref = out.cache_from[0].split("=", 2)[-1]
            if kind == "local":
                counted[e.cache.name] = _files_bytes(Path(ref))
                layers[e.cache.name] = _layers(Path(ref))
                # the producer's image (kept until the next cold state): its layers, as the image export compressed them
                saved = e.work / f"{e.cache.name}-image"
                saved.mkdir()
                cli.run(["save", "-o", str(saved / "image.tar"), e.request.tag + "-prime"], timeout=300)
                subprocess.run(["tar", "-xf", str(saved / "image.tar"), "-C", str(saved)], check=True)
                layers[f"{e.cache.name} image"] = _layers(saved)
            else:  # the registry's own stored blobs of the repository the export went to
                counted[e.cache.name] = e.res.registry().stored_bytes(ref.split("/", 1)[1].rsplit(":", 1)[0])
            return out
        return wrapped

    for kind, exporter in list(cachestate.EXPORTERS.items()):
        monkeypatch.setitem(cachestate.EXPORTERS, kind, counting(kind, exporter))
    conf = tmp_path / "conf" / "cache"
    conf.mkdir(parents=True)
    (conf / "local_zstd.yaml").write_text(  # local_max with cache.compression=zstd cache.compression_level=3
        "defaults:\n  - base_cache\n  - _self_\nname: local_zstd\nkeeps_builder_cache: false\nfresh_runner: true\n"
        "export: local\nexport_mode: max\ncompression: zstd\ncompression_level: 3\n")
    try:
        code, rows = _run(tmp_path, "run", f"hydra.searchpath=[file://{conf.parent}]", "project=own",
                          f"project.path={tiny}", "strategy=multistage", "change=none", "repetitions=1",
                          "compare.cache=[inline,local_max,registry_max,local_zstd]")
    finally:
        options.use_searchpath([])
    assert code == 0 and rows["valid"].all(), _ok(rows)
    assert set(counted) == {"inline", "local_max", "registry_max", "local_zstd"}
    for _, r in rows.iterrows():
        mode = str(r["cache"])
        assert r["export_s"] > 0 and r["export_progress_s"] > 0, (mode, r["export_s"], r["noop_s"], r["noop_export_s"])
        assert r["export_s"] == pytest.approx(r["noop_export_s"] - r["noop_s"], abs=0.002)
        assert r["noop_s"] < r["prime_s"]  # the producer's cold build, then no-ops
        if mode.startswith("local"):
            assert r["cache_bytes"] == counted[mode]
            assert r["cache_network"] == ""
        else:  # bytes pushed on the wire: the stored blobs plus HTTP heads
            assert counted[mode] <= r["cache_bytes"] <= counted[mode] * 1.01 + 200_000, (mode, r["cache_bytes"], counted)
            assert r["cache_network"] == "ci_to_registry"
        if mode == "local_zstd":
            assert r["cache_compression"] == "zstd" and r["cache_compression_level"] == 3
        else:
            assert r["cache_compression"] == "gzip" and pd.isna(r["cache_compression_level"])
        # change=none: the consumer pulls the final stage's layers, the 8 MB binary among them
        assert r["import_bytes"] >= BLOB and r["import_s"] > 0
        if not mode.startswith("local"):
            assert r["cache_pulled_bytes"] >= r["import_bytes"]
    # mode=max holds every stage (the builder's base layers too); inline only the final image
    by = rows.set_index("cache")
    assert by.loc["registry_max", "cache_bytes"] > 10 * by.loc["inline", "cache_bytes"]
    # zstd compresses the layers the build made; layers already compressed go out as they are (BuildKit
    # without force-compression): the base images' (the same blobs in the gzip cache) and the producer's own
    # image layers, compressed with gzip when its image was exported, before the cache export
    gz, zs, image = layers["local_max"], layers["local_zstd"], layers["local_zstd image"]
    assert gz and set(gz.values()) == {"application/vnd.oci.image.layer.v1.tar+gzip"}, gz
    made = {d for d, t in zs.items() if t.endswith("+zstd")}
    assert made and not made & set(gz) and not made & set(image), zs
    reused = {d for d, t in zs.items() if t.endswith("+gzip")}
    assert reused <= set(gz) | set(image), (zs, gz, image)


@pytest.fixture
def slow_conf(tmp_path: Path) -> Path:
    """Two registry cache options, the same but for the network: loopback, and a 20 Mbit/s profile."""
    from bench import options

    conf = tmp_path / "conf"
    (conf / "proxy").mkdir(parents=True)
    (conf / "cache").mkdir()
    (conf / "proxy" / "slow20.yaml").write_text(
        f"defaults:\n  - base_proxy\n  - _self_\nname: slow20\nkind: mirror\nbandwidth_mbit: {SLOW_MBIT}\n")
    for name, network in (("reg_loop", '""'), ("reg_slow", "slow20")):
        # mode=min: the final image only, so that exporting through 20 Mbit/s takes seconds, not minutes
        (conf / "cache" / f"{name}.yaml").write_text(
            f"defaults:\n  - base_cache\n  - _self_\nname: {name}\nkeeps_builder_cache: false\nfresh_runner: true\n"
            f"export: registry\nexport_mode: min\nnetwork: {network}\n")
    yield conf
    options.use_searchpath([])


def test_a_registry_cache_behind_20_mbit_imports_slower_and_its_bytes_match_the_registry(
    base_images: object, tmp_path: Path, tiny: Path, slow_conf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: dict[str, int] = {}
    offsets: dict[str, int] = {}
    before, after = cachestate.CacheStates.before_build, cachestate.CacheStates.after_build

    def before_build(self: cachestate.CacheStates, row: BuildRow) -> None:
        before(self, row)
        offsets[row.cache] = self.res.registry().log_offset()

    def after_build(self: cachestate.CacheStates, row: BuildRow, result: Any) -> None:
        served[row.cache] = self.res.registry().served_bytes(offsets[row.cache])  # the registry's access log
        after(self, row, result)

    monkeypatch.setattr(cachestate.CacheStates, "before_build", before_build)
    monkeypatch.setattr(cachestate.CacheStates, "after_build", after_build)
    code, rows = _run(tmp_path, "run", f"hydra.searchpath=[file://{slow_conf}]", "project=own",
                      f"project.path={tiny}", "strategy=multistage", "change=none", "repetitions=1",
                      "compare.cache=[reg_loop,reg_slow]")
    assert code == 0 and rows["valid"].all(), _ok(rows)
    by = rows.set_index("cache")
    loop, slow = by.loc["reg_loop"], by.loc["reg_slow"]
    assert loop["cache_network"] == "" and slow["cache_network"] == "slow20"
    for name, r in (("reg_loop", loop), ("reg_slow", slow)):
        # on the wire: every response body the registry wrote, plus status lines and headers
        assert served[name] >= BLOB and 0 <= r["cache_pulled_bytes"] - served[name] < 20_000, (name, served, r)
        assert r["import_bytes"] >= BLOB
    transfer = slow["import_bytes"] / (SLOW_MBIT * 1e6 / 8)  # seconds the layers take at 20 Mbit/s
    assert slow["import_s"] - loop["import_s"] >= 0.8 * transfer, (slow["import_s"], loop["import_s"], transfer)
    assert slow["wall_s"] > loop["wall_s"]


def test_emptied_cache_mounts_make_a_warm_row_invalid_and_floors_are_timed(
    base_images: object, tmp_path: Path, tiny: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if "floor" not in {f.name for f in dataclasses.fields(plan.VariantSpec)}:
        # Until bench.plan carries the root's `floor` into each variant's spec, the test sets it there.
        spec_of = plan.spec_of

        @dataclasses.dataclass(frozen=True)
        class FloorSpec(plan.VariantSpec):
            floor: bool = True

        monkeypatch.setattr(plan, "spec_of", lambda cfg: FloorSpec(**{
            f.name: getattr(spec_of(cfg), f.name) for f in dataclasses.fields(plan.VariantSpec)}))
    calls: list[str] = []
    apply = projects.apply
    emptier = tmp_path / "emptier"
    emptier.mkdir()
    # The same mount targets (so the same mounts), their contents removed; nothing else of the cache touched
    # (pruning the mount records instead leaves BuildKit results that refer to them: "failed to solve: not found").
    (emptier / "Dockerfile").write_text(
        f"FROM {bases.image_for('builder')}\nARG BUST\n"
        "RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build "
        "chmod -R u+w /go/pkg/mod /root/.cache/go-build && rm -rf /go/pkg/mod/* /root/.cache/go-build/* && echo $BUST\n")

    def apply_then_empty_on_the_second_build(*args: Any, **kwargs: Any) -> str:
        calls.append("change")
        if len(calls) == 2:  # between the second build's prime and its measured build
            cli.run(["buildx", "build", "--network=none", "--output=type=cacheonly", "--build-arg",
                     f"BUST={os.urandom(4).hex()}", str(emptier)], timeout=600)
        return apply(*args, **kwargs)

    monkeypatch.setattr(projects, "apply", apply_then_empty_on_the_second_build)
    code, rows = _run(tmp_path, "run", "project=own", f"project.path={tiny}", "strategy=multistage_cachemount",
                      "cache=warm", "change=none", "repetitions=2", "floor=true")
    assert code == 0 and len(calls) == 2, _ok(rows)
    first, second = rows.sort_values("repetition").to_dict("records")
    assert first["valid"] and first["cache_mount_bytes"] > 1_000_000, _ok(rows)  # the build cache of the compile
    assert not second["valid"] and "held nothing but empty directories" in second["invalid_reason"], _ok(rows)
    for r in (first, second):
        assert 0 < r["floor_bare_s"] < 30 and 0 < r["floor_s"] < 30
    report = (tmp_path / "run" / "report" / "report.md").read_text()
    assert "No-op floors" in report


def test_faults_in_the_cache_path_do_not_fail_the_build_and_the_row_says_so(
    base_images: object, tmp_path: Path, tiny: Path
) -> None:
    from bench import options

    conf = tmp_path / "conf"
    (conf / "proxy").mkdir(parents=True)
    (conf / "cache").mkdir()
    (conf / "proxy" / "cut.yaml").write_text(
        "defaults:\n  - base_proxy\n  - _self_\nname: cut\nkind: mirror\np_reset: 1.0\nseed: 5\n")
    (conf / "cache" / "reg_cut.yaml").write_text(
        "defaults:\n  - base_cache\n  - _self_\nname: reg_cut\nkeeps_builder_cache: false\nfresh_runner: true\n"
        "export: registry\nexport_mode: max\nnetwork: cut\n")  # max: the download step's state is judged
    try:
        code, rows = _run(tmp_path, "run", f"hydra.searchpath=[file://{conf}]", "project=own", f"project.path={tiny}",
                          "strategy=multistage", "change=none", "repetitions=1", "cache=reg_cut")
    finally:
        options.use_searchpath([])
    row = rows.iloc[0]
    # Every connection to the registry is reset: the export fails but, with ignore-error, the producing build
    # succeeds; the import fails and the measured build runs without a cache, as BuildKit carries on.
    assert row["status"] == "ok" and list(row["warnings"]) == ["cache_export_failed", "cache_import_failed"], _ok(rows)
    assert all("connection reset by peer" in n for n in row["notes"])
    assert not row["valid"] and "download step executed" in row["invalid_reason"]  # not the declared warm state
    assert row["download_step_ran"] and row["cache_pulled_bytes"] == 0
    assert code == 1  # its only build is invalid: the run measured nothing usable, and says so
