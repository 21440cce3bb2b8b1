"""Real engine: the runner builds each strategy, establishes cache states, and applies changes as declared."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from hydra import compose, initialize_config_dir

from bench import app, config
from bench.paths import CONF_DIR, PROJECTS_DIR
from bench.results import load

pytestmark = pytest.mark.engine
config.register()


def _run(tmp_path: Path, *overrides: str) -> pd.DataFrame:
    with initialize_config_dir(version_base="1.3", config_dir=str(CONF_DIR)):
        cfg = compose(config_name="config", overrides=["startup_runs=1", *overrides])
    run_dir = tmp_path / "run"
    code = app.run_from_config(cfg, run_dir, {}, list(overrides))
    builds = load(run_dir).builds
    assert code == 0, builds[["variant", "status", "failure_class", "log_tail"]].to_string()
    return builds.set_index("variant")


def test_each_strategy_builds_runs_and_singlestage_is_20x(base_images: object, tmp_path: Path) -> None:
    rows = _run(
        tmp_path, "project=hello", "cache=warm", "change=none", "repetitions=1",
        "compare.strategy=[singlestage,naive,multistage,multistage_cachemount,vendor]",
    )
    assert set(rows["status"]) == {"ok"}
    assert rows["startup_s"].notna().all()  # every image ran `-healthcheck` and exited 0
    assert rows["valid"].all()
    single = rows.loc["strategy=singlestage", "image_unpacked_bytes"]
    multi = rows.loc["strategy=multistage", "image_unpacked_bytes"]
    assert single >= 20 * multi, (single, multi)
    assert rows.loc["strategy=vendor", "download_step_ran"] is None or pd.isna(rows.loc["strategy=vendor", "download_step_ran"])


def test_source_edit_reruns_the_download_only_under_naive(base_images: object, tmp_path: Path, small_service: Path) -> None:
    rows = _run(
        tmp_path, f"project.path={small_service}", "project.modules=small", "cache=warm", "change=source",
        "repetitions=1", "strategy=naive",
    )
    row = rows.loc["default"]
    assert row["status"] == "ok" and row["valid"], (row["log_tail"], row["invalid_reason"])
    assert row["download_step_ran"] and row["mirror_requests_zip"] > 0  # `COPY . .` comes before the download


def test_changes_under_multistage_rerun_the_download_only_for_go_mod(
    base_images: object, tmp_path: Path, small_service: Path
) -> None:
    # One prime of the unchanged project serves all three: the same Dockerfile, the same context.
    rows = _run(
        tmp_path, f"project.path={small_service}", "project.modules=small", "cache=warm", "strategy=multistage",
        "repetitions=1", "compare.change=[source,gomod_bump,gomod_add]",
    )
    assert set(rows["status"]) == {"ok"}, rows[["status", "warnings", "log_tail"]].to_string()
    assert rows["valid"].all(), rows["invalid_reason"].to_string()
    source = rows.loc["change=source"]
    assert not source["download_step_ran"] and source["mirror_requests_zip"] == 0
    for change, verb in [("gomod_bump", "bumped "), ("gomod_add", "added ")]:
        row = rows.loc[f"change={change}"]
        assert row["download_step_ran"] and row["mirror_requests_zip"] > 0
        assert row["change_detail"].startswith(verb)


def test_local_max_on_a_fresh_runner_imports_every_step(base_images: object, tmp_path: Path) -> None:
    rows = _run(tmp_path, "project=hello", "strategy=multistage", "cache=local_max", "change=none", "repetitions=1")
    row = rows.iloc[0]
    assert row["status"] == "ok" and row["valid"]
    steps = load(tmp_path / "run").steps
    work = steps[~steps["instruction"].str.startswith("FROM")]
    assert len(work) >= 4 and work["cached"].all(), work[["instruction", "cached"]].to_string()
    assert row["download_step_ran"] is False or row["download_step_ran"] == False  # noqa: E712


def test_own_dockerfile_gets_only_the_mirror_args_it_declares(base_images: object, tmp_path: Path) -> None:
    project = tmp_path / "own"
    shutil.copytree(PROJECTS_DIR / "hello", project)
    (project / "Dockerfile").write_text(
        "FROM bench-base/builder:go1.23 AS build\n"
        "ARG GOPROXY\n"
        "WORKDIR /src\n"
        "COPY . .\n"
        'RUN test "$GOPROXY" = off && CGO_ENABLED=0 go build -o /app .\n'
        "FROM bench-base/runtime-static:latest\n"
        "COPY --from=build /app /app\n"
        'ENTRYPOINT ["/app"]\n'
    )
    rows = _run(tmp_path, "project=own", f"project.path={project}", "strategy=own", "cache=none", "repetitions=1")
    row = rows.iloc[0]
    assert row["status"] == "ok" and row["startup_s"] > 0
    assert row["steps_total"] >= 4
