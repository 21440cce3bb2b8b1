"""Real engine: failed builds become rows with their failure class and log tail, and the run goes on."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir

from bench import app, config
from bench.paths import CONF_DIR, PROJECTS_DIR
from bench.results import load

pytestmark = pytest.mark.engine
config.register()


def _run(tmp_path: Path, *overrides: str) -> tuple[int, list[dict[str, object]]]:
    with initialize_config_dir(version_base="1.3", config_dir=str(CONF_DIR)):
        cfg = compose(config_name="config", overrides=["startup_runs=0", "repetitions=1", *overrides])
    code = app.run_from_config(cfg, tmp_path / "run", {}, list(overrides))
    return code, load(tmp_path / "run").builds.to_dict("records")


def test_compile_error_and_timeout_are_classified_and_the_run_goes_on(base_images: object, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(PROJECTS_DIR / "hello", broken)
    with open(broken / "main.go", "a") as f:
        f.write("\nfunc broken() int { return undefinedName }\n")
    code, rows = _run(tmp_path / "a", "project=own", f"project.path={broken}", "cache=none",
                      "compare.strategy=[multistage,naive]")
    assert code == 1
    assert [r["failure_class"] for r in rows] == ["compile", "compile"]  # both variants ran and failed
    assert all("undefined: undefinedName" in str(r["log_tail"]) for r in rows)

    code, rows = _run(tmp_path / "b", "project=hello", "cache=none", "timeouts.build=1")
    assert code == 1
    (row,) = rows
    assert row["status"] == "failed" and row["failure_class"] == "timeout"


def test_a_network_fault_is_a_network_row(base_images: object, tmp_path: Path, small_service: Path) -> None:
    code, rows = _run(tmp_path, "project=own", f"project.path={small_service}", "project.modules=small",
                      "cache=none", "proxy=flaky_comma")
    assert code == 1
    (row,) = rows
    assert row["failure_class"] == "network" and row["mirror_faults_total"] >= 1
    assert "127.0.0.1" in str(row["log_tail"])  # the go command's own words about the mirror
