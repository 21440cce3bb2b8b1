"""Numbers mean what their columns say: each case that made one lie (issue 11), on recorded engine output."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bench import app, plan, runner
from bench.engine import rawjson
from bench.engine.build import BuildResult, StartupRun
from bench.execute import measure
from bench.results import load, migrate
from bench.rows import SCHEMA_VERSION
from tests import configs

DATA = Path(__file__).parent.parent / "data"


def _recorded(name: str) -> tuple[BuildResult, list[rawjson.Vertex], list[rawjson.Vertex]]:
    text = (DATA / "rawjson" / f"{name}.rawjson").read_text()
    vertices = rawjson.parse(text)
    return BuildResult(1.0, text, {}), vertices, rawjson.steps(vertices)


def test_a_cached_download_step_has_no_download_time() -> None:
    result, _, steps = _recorded("cached")
    fields = measure.build_fields(result, steps)
    assert fields["download_step_ran"] is False and fields["download_s"] is None
    result, _, steps = _recorded("cold")
    fields = measure.build_fields(result, steps)
    assert fields["download_step_ran"] is True and 0 < fields["download_s"] < 1


def test_the_image_export_and_the_time_outside_steps_are_their_own_columns() -> None:
    result, vertices, steps = _recorded("cold")
    fields = measure.timing_fields(13.0, vertices, steps)
    assert fields["image_export_s"] == pytest.approx(0.202, abs=0.01)  # the "exporting to image" vertex
    assert 12 < fields["steps_busy_s"] < 13  # go build's 11.9 s and the steps around it, overlaps counted once
    assert fields["outside_steps_s"] == pytest.approx(13.0 - fields["steps_busy_s"] - fields["image_export_s"], abs=1e-3)


def test_startup_is_the_difference_to_an_empty_container_timed_beside_it() -> None:
    pairs = [(StartupRun(0.31, 0.004), StartupRun(0.30, 0.001)), (StartupRun(0.36, 0.005), StartupRun(0.33, 0.001)),
             (StartupRun(0.33, 0.003), StartupRun(0.33, 0.001))]
    f = measure.startup_fields(pairs)
    assert f["startup_s"] == 0.33 and f["startup_baseline_s"] == 0.33
    assert f["startup_excess_s"] == pytest.approx(0.01)  # median of the paired differences, not of the totals
    assert f["process_s"] == 0.004 and f["startup_runs"] == 3


def _row(**fields: object) -> runner.BuildRow:
    variant = plan.Variant("v", {a: "x" for a in ("project", "strategy", "cache", "proxy", "change", "base", "runtime")},
                           configs.spec("project=hello"))
    row = runner.RowFactory("r", "s")(plan.PlannedBuild(0, variant, 1))
    for k, v in fields.items():
        setattr(row, k, v)
    return row


def test_an_ok_row_with_no_parsed_step_is_invalid() -> None:
    row = _row(steps_total=0, wall_s=3.0)
    runner.check_postconditions(row)
    assert not row.valid and "no build step was parsed" in row.invalid_reason


@pytest.mark.parametrize(
    ("strategy", "cache", "change", "expected"),
    [
        ("multistage_retry", "warm", "source", False),
        ("multistage_retry", "none", "none", True),
        ("singlestage", "warm", "source", True),
        ("naive", "local_max", "source", True),  # a fresh runner after a source edit: naive downloads again
        ("multistage", "registry_max", "source", False),  # ... multistage finds it in the imported cache
        ("multistage_cachemount", "local_max", "gomod_bump", True),
        ("multistage", "inline", "source", None),  # inline holds the final stage only
    ],
)
def test_postconditions_cover_every_templated_strategy_and_fresh_runners(
    strategy: str, cache: str, change: str, expected: bool | None
) -> None:
    row = _row()
    spec = configs.spec(f"strategy={strategy}", f"cache={cache}", f"change={change}")
    assert runner.axes.expected_download(spec.strategy, spec.cache, spec.change) is expected
    row.expected_download, row.steps_total, row.download_step_ran = expected, 5, not expected
    runner.check_postconditions(row)
    assert row.valid is (expected is None)


def test_an_axis_that_does_not_apply_builds_once() -> None:
    variants = plan.expand(configs.typed("+scenario=image_size"), {})
    assert [v.label for v in variants] == [
        "strategy=singlestage", "strategy=multistage,runtime=static", "strategy=multistage,runtime=scratch",
        "strategy=multistage,runtime=debian",
    ]
    assert variants[0].choices["runtime"] == plan.NOT_APPLICABLE


def test_exit_codes_say_what_happened(tmp_path: Path) -> None:
    say = lambda m: None  # noqa: E731
    s = runner.RunSummary(planned=2, done=2)
    assert app.exit_code(s, None, tmp_path, say) == 0
    assert app.exit_code(runner.RunSummary(planned=2, done=2, skipped=2), None, tmp_path, say) == 1  # nothing built
    assert app.exit_code(runner.RunSummary(planned=2, done=1, failed=1), None, tmp_path, say) == 1
    assert app.exit_code(runner.RunSummary(planned=2, done=2, invalid=2), None, tmp_path, say) == 1  # none usable
    assert app.exit_code(runner.RunSummary(planned=2, done=2, invalid=1), None, tmp_path, say) == 0  # one usable
    assert app.exit_code(runner.RunSummary(planned=2, done=1), RuntimeError("registry died"), tmp_path, say) == 4
    assert app.exit_code(runner.RunSummary(planned=2, done=1, engine_stopped=True), None, tmp_path, say) == 3


def test_old_rows_are_upgraded_and_columns_are_typed() -> None:
    res = load(DATA / "results")
    b = res.builds
    assert (b["schema_version"] == SCHEMA_VERSION).all()
    assert "mirror_bytes_sent" in b and "mirror_bytes" not in b
    cached = b[b["download_step_ran"] == False]  # noqa: E712
    assert len(cached) and cached["download_s"].isna().all()  # schema 1 wrote a cached step's milliseconds
    assert str(b["repetition"].dtype) == "Int64" and str(b["valid"].dtype) == "boolean"
    assert str(b["started_at"].dtype).startswith("datetime64") and b["started_at"].dt.tz is not None
    assert isinstance(b["variant"].dtype, pd.CategoricalDtype)
    strategies = b[b["scenario"] == "strategies"]
    planned = res.manifests.set_index("scenario").loc["strategies", "variants"]
    assert [c for c in b["variant"].cat.categories if c in set(strategies["variant"])] == list(planned)
    upstream = migrate({"schema_version": 1, "proxy": "upstream_golang", "mirror_zip": 0, "warnings": ""})
    assert upstream["mirror_requests_zip"] is None  # nothing measured it: null, not 0
    with pytest.raises(ValueError, match="newer than this harness"):
        migrate({"schema_version": SCHEMA_VERSION + 1})
