"""Config composition: every preset composes; bad values are one line naming the key; sweeps run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import options, plan
from bench.errors import UsageError
from bench.paths import REPO_ROOT
from tests.configs import compose as _compose

PRESETS = options.names("scenario")


def _variants(*overrides: str) -> list[plan.Variant]:
    """What `python -m bench` plans for these overrides (every value checked on the way)."""
    return plan.expand(options.root(_compose(*overrides)), {})


def test_the_presets_the_issue_names_exist() -> None:
    assert {"multistage", "singlestage", "image_size", "cache", "change", "proxy", "matrix"} <= set(PRESETS)


@pytest.mark.parametrize("preset", PRESETS)
def test_every_preset_composes_validates_and_plans(preset: str) -> None:
    cfg = _compose(f"+scenario={preset}")
    assert cfg.name == preset
    vs = _variants(f"+scenario={preset}")
    expected = 1
    for values in cfg.compare.values():
        expected *= max(len(values), 1)
    runtime_na = [v for v in vs if v.choices["runtime"] == plan.NOT_APPLICABLE]
    if not runtime_na:
        assert len(vs) == expected
    assert len({v.label for v in vs}) == len(vs)
    assert all(plan.render(v).dockerfile for v in vs)


def test_compare_applies_each_option_to_its_variant() -> None:
    vs = _variants("+scenario=change")
    by_label = {v.label: v for v in vs}
    v = by_label["strategy=naive,change=gomod_bump"]
    assert v.spec.strategy.name == "naive" and v.spec.change.name == "gomod_bump"
    assert v.choices["strategy"] == "naive" and v.choices["cache"] == "warm"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["repetitions=0"], "repetitions: 0 is not allowed"),
        (["timeouts.build=-1"], "timeouts.build: -1.0 is not allowed"),
        (["project.path=/nonexistent/module"], "project.path: /nonexistent/module has no go.mod"),
        (["project.go=1.19"], "project.go: '1.19' is not allowed; allowed: auto, 1.23, 1.24, 1.25, 1.26, 1.27"),
        (["compare.strategy=[multistage,fastest]"], "compare.strategy: 'fastest' is not an option; allowed:"),
        (["proxy.p_502=2"], "proxy (local): fault probabilities must be within [0, 1]"),
        (["strategy.download_retries=-3"], "strategy.download_retries: -3 is not allowed"),
    ],
)
def test_bad_values_name_the_key(overrides: list[str], message: str) -> None:
    with pytest.raises(UsageError) as err:
        _variants(*overrides)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def _bench(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench", *args, f"results_dir={tmp_path}"],
        capture_output=True, text=True, timeout=120, cwd=REPO_ROOT, env={**os.environ}, check=False,
    )


def test_bad_value_on_the_command_line_is_one_line_exit_2_and_leaves_nothing(tmp_path: Path) -> None:
    proc = _bench(tmp_path, "+scenario=multistage", "repetitions=0")
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: repetitions: 0 is not allowed; it must be at least 1, or auto"
    assert list(tmp_path.iterdir()) == []


def test_wrong_option_name_gets_hydras_list_of_choices(tmp_path: Path) -> None:
    proc = _bench(tmp_path, "strategy=fastest")
    assert proc.returncode != 0
    assert "Could not find 'strategy/fastest'" in proc.stderr
    assert "multistage_cachemount" in proc.stderr


def test_multirun_sweep_runs_each_job_on_the_sequential_launcher(tmp_path: Path) -> None:
    proc = _bench(tmp_path, "-m", "+scenario=multistage", "dry_run=true", "repetitions=2", "cache=warm,none")
    assert proc.returncode == 0, proc.stderr
    from bench.results import load

    res = load(tmp_path)
    assert len(res.manifests) == 2
    assert sorted(res.builds["cache"].unique()) == ["none", "warm"]
    assert len(res.builds) == 2 * 4 * 2  # two jobs x four strategies x two repetitions
    assert set(res.builds["status"]) == {"dry_run"}
