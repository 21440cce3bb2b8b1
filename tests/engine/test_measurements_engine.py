"""Real engine: the measurements of issue 11 mean what their columns say.

- a go.mod change under cache mounts fetches its module in every repetition, whatever ran before;
- a vendored build after a go.mod change builds with what the change made;
- start-up is measured against an empty container timed beside it, with the container's own times;
- the image export and the time outside the steps are columns of their own;
- a run in which every build was skipped does not exit 0.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bench import app
from bench.options import compose
from bench.results import load

pytestmark = pytest.mark.engine


def _run(tmp_path: Path, name: str, *overrides: str) -> tuple[int, pd.DataFrame]:
    cfg = compose("startup_runs=0", *overrides)
    run_dir = tmp_path / name
    code = app.run_from_config(cfg, run_dir, {}, list(overrides))
    return code, load(run_dir).builds


def test_gomod_changes_fetch_their_module_in_every_repetition(
    base_images: object, tmp_path: Path, small_service: Path
) -> None:
    common = [f"project.path={small_service}", "project.modules=small", "cache=warm", "change=gomod_bump",
              "repetitions=1"]
    code, rows = _run(tmp_path, "first", *common, "compare.strategy=[multistage_cachemount,vendor]")
    assert code == 0, rows[["variant", "status", "failure_class", "log_tail", "warnings"]].to_string()
    first = rows[rows["strategy"] == "multistage_cachemount"]
    assert (first["mirror_requests_zip"] > 0).all() and first["valid"].all() and first["download_step_ran"].all()
    vendored = rows[rows["strategy"] == "vendor"]
    # Vendoring before the change left vendor/modules.txt behind go.mod: `go build -mod=vendor` refused it.
    assert (vendored["status"] == "ok").all() and vendored["change_detail"].str.startswith("bumped ").all()
    # The same module bumped again, after the first build left it in the cache mount: before the fix, this
    # build (a later repetition, or any later run on the engine) found it there and fetched nothing.
    code, again = _run(tmp_path, "second", *common, "strategy=multistage_cachemount")
    assert code == 0 and again["change_detail"].iloc[0] == first["change_detail"].iloc[0]
    assert int(again["mirror_requests_zip"].iloc[0]) > 0 and again["valid"].all()


def test_startup_against_an_empty_container_and_the_time_outside_steps(base_images: object, tmp_path: Path) -> None:
    code, rows = _run(
        tmp_path, "run", "project=hello", "strategy=multistage", "cache=warm", "change=none", "repetitions=1",
        "startup_runs=3", "compare.runtime=[scratch,debian]",
    )
    assert code == 0
    for _, row in rows.iterrows():
        assert row["startup_runs"] == 3
        assert 0 < row["startup_baseline_s"] < 5 and 0 < row["startup_s"] < 5  # both timed in this very run
        assert row["startup_excess_min_s"] <= row["startup_excess_s"] <= row["startup_excess_max_s"]
        assert 0 <= row["process_s"] < row["startup_s"]  # the process itself is a small part of `docker run`
        assert row["image_export_s"] > 0 and row["outside_steps_s"] >= 0
        assert row["steps_busy_s"] + row["image_export_s"] + row["outside_steps_s"] == pytest.approx(row["wall_s"], abs=0.01)


def test_a_run_whose_builds_were_all_skipped_does_not_exit_0(base_images: object, tmp_path: Path) -> None:
    # hello has no dependencies: there is nothing for `go get` to bump, so the change cannot be made.
    code, rows = _run(tmp_path, "run", "project=hello", "change=gomod_bump", "cache=none", "repetitions=1")
    assert code == 1
    assert list(rows["status"]) == ["skipped"] and list(rows["warnings"].iloc[0]) == ["change_unavailable"]


def test_attestations_and_a_reproduce_file_that_rebuilds_the_same_image(base_images: object, tmp_path: Path) -> None:
    import subprocess

    code, rows = _run(tmp_path, "run", "project=hello", "strategy=multistage", "cache=warm", "change=none",
                      "repetitions=2", "compare.attest=[none,default]")
    assert code == 0
    plain, attested = rows[rows["attest"] == "none"], rows[rows["attest"] == "default"]
    assert plain["image_media_type"].str.contains("manifest").all() and not plain["image_media_type"].str.contains("index").any()
    assert attested["image_media_type"].str.contains("index").all()
    assert plain["image"].nunique() == 1  # no attestation: a cached rebuild is the same image
    assert attested["image"].nunique() == 2  # the provenance attestation records each build
    script = tmp_path / "run" / "dockerfiles" / "attest_none.build.sh"
    proc = subprocess.run(["sh", str(script)], capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rebuilt = subprocess.run(["docker", "image", "inspect", "--format", "{{.Id}}", "bench-repro/hello:latest"],
                             capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run(["docker", "image", "rm", "-f", "bench-repro/hello:latest"], capture_output=True, check=False)
    assert rebuilt == plain["image"].iloc[0]
