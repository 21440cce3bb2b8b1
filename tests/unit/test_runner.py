"""Scheduling, interleaving, resuming and postconditions, with a fake executor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import axes, options, runner
from bench.plan import PlannedBuild, Variant, plan
from bench.results import load
from bench.rows import BuildRow
from bench.runner import Outcome
from bench.writer import RunWriter
from tests import configs

SPEC = configs.spec("project=hello", "cache=warm", "change=none", "strategy=multistage")


def _variants(*labels: str) -> list[Variant]:
    choices = {"project": "hello", "cache": "warm", "proxy": "local", "change": "none", "base": "local",
               "runtime": "static"}
    return [Variant(label, {**choices, "strategy": label}, SPEC) for label in labels]


_row = runner.RowFactory(run_id="r", scenario="s")


class FakeExecutor:
    """Records the order of calls; marks the download step as ran when asked to."""

    def __init__(self, download_ran: bool = False, fail_on: int | None = None, stop_after: int | None = None) -> None:
        self.calls: list[str] = []
        self.download_ran = download_ran
        self.fail_on = fail_on
        self.stop_after = stop_after

    def execute(self, build: PlannedBuild, row: BuildRow) -> Outcome:
        if self.stop_after is not None and len(self.calls) == self.stop_after:
            raise KeyboardInterrupt  # the process dies mid-run
        self.calls.append(build.build_id)
        row.wall_s = 1.0 + build.index
        row.steps_total, row.steps_cached = 5, 2
        row.download_step_ran = self.download_ran
        if build.index == self.fail_on:
            row.status, row.failure_class = "failed", "compile"
        return Outcome(row)


def test_plan_interleaves_variants_across_repetitions() -> None:
    builds = plan(_variants("A", "B", "C"), 2)
    assert [b.build_id for b in builds] == ["A#r1", "B#r1", "C#r1", "A#r2", "B#r2", "C#r2"]
    assert [b.index for b in builds] == list(range(6))


def test_run_writes_each_row_and_counts_failures(tmp_path: Path) -> None:
    builds = plan(_variants("A", "B"), 2)
    fake = FakeExecutor(fail_on=2)
    summary = runner.run(builds, fake, RunWriter(tmp_path), _row)
    assert fake.calls == ["A#r1", "B#r1", "A#r2", "B#r2"]
    assert (summary.done, summary.failed) == (4, 1)
    lines = (tmp_path / "builds.jsonl").read_text().splitlines()
    assert [json.loads(x)["build_id"] for x in lines] == fake.calls
    assert json.loads(lines[2])["failure_class"] == "compile"


def test_rows_survive_a_crash_and_a_resume_skips_them(tmp_path: Path) -> None:
    builds = plan(_variants("A", "B"), 2)
    writer = RunWriter(tmp_path)
    writer.write_manifest({"run_id": "r", "scenario": "s", "started_at": "2026-11-27T00:00:00+00:00"})
    with pytest.raises(KeyboardInterrupt):
        runner.run(builds, FakeExecutor(stop_after=3), writer, _row)
    assert len(load(tmp_path).builds) == 3  # nothing measured was lost
    resumed = FakeExecutor()
    summary = runner.run(builds, resumed, RunWriter(tmp_path), _row)
    assert resumed.calls == ["B#r2"]
    assert summary.skipped_done == 3
    assert sorted(load(tmp_path).builds["build_id"]) == ["A#r1", "A#r2", "B#r1", "B#r2"]


def test_postcondition_marks_rows_not_in_the_declared_state(tmp_path: Path) -> None:
    summary = runner.run(plan(_variants("multistage"), 1), FakeExecutor(download_ran=True), RunWriter(tmp_path), _row)
    (row,) = summary.rows
    assert not row.valid
    assert row.invalid_reason == "download step executed, but cache=warm change=none means cached"
    assert summary.invalid == 1


@pytest.mark.parametrize(
    ("cache", "change", "strategy", "expected"),
    [
        ("none", "none", "multistage", True),
        ("warm", "none", "naive", False),
        ("warm", "source", "multistage", False),
        ("warm", "source", "multistage_cachemount", False),
        ("warm", "source", "naive", True),
        ("warm", "gomod_bump", "multistage", True),
        ("local_max", "none", "multistage", False),
        ("inline", "none", "multistage", None),  # inline cache covers only the final stage
        ("none", "none", "vendor", None),  # no download step at all
    ],
)
def test_expected_download(cache: str, change: str, strategy: str, expected: bool | None) -> None:
    got = axes.expected_download(
        options.load("strategy", strategy), options.load("cache", cache), options.load("change", change)
    )
    assert got is expected


def test_failed_or_unknown_rows_are_not_judged() -> None:
    row = _row(plan(_variants("naive"), 1)[0])
    row.status, row.download_step_ran = "failed", True
    runner.check_postconditions(row)
    assert row.valid


def test_engine_failure_stops_the_run_and_keeps_rows(tmp_path: Path) -> None:
    class EngineDies(FakeExecutor):
        def execute(self, build: PlannedBuild, row: BuildRow) -> Outcome:
            out = super().execute(build, row)
            if build.index == 1:
                out.row.status, out.row.failure_class = "failed", "engine"
            return out

    fake = EngineDies()
    writer = RunWriter(tmp_path)
    writer.write_manifest({"run_id": "r", "scenario": "s"})
    summary = runner.run(plan(_variants("A", "B"), 3), fake, writer, _row)
    assert summary.engine_stopped and fake.calls == ["A#r1", "B#r1"]
    rows = load(tmp_path).builds
    assert list(rows["failure_class"]) == ["", "engine"]
