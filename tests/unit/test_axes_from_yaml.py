"""A new cache mode and a new change kind need only their YAML: planned, judged and run through the fake executor."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import axes, options, plan, runner
from bench.execute.cachestate import EXPORTERS
from bench.options import compose
from bench.projects import CHANGES
from bench.results import load
from bench.rows import BuildRow
from bench.runner import Outcome
from bench.writer import RunWriter


@pytest.fixture
def own_conf(tmp_path: Path) -> Path:
    conf = tmp_path / "myconf"
    (conf / "cache").mkdir(parents=True)
    (conf / "change").mkdir()
    (conf / "cache" / "registry_min.yaml").write_text(
        "# A fresh runner importing a registry cache exported with mode=min (final stage only).\n"
        "defaults:\n  - base_cache\n  - _self_\nname: registry_min\n"
        "keeps_builder_cache: false\nfresh_runner: true\nexport: registry\nexport_mode: min\n"
    )
    (conf / "change" / "docs_edit.yaml").write_text(
        "# An edit to a file the Go build never reads.\n"
        "defaults:\n  - base_change\n  - _self_\nname: docs_edit\n"
        "apply: append_line\npath: NOTES.md\ntouches_context: true\n"
    )
    yield conf
    options.use_searchpath([])


class RecordingExecutor:
    """Acts as the engine would for the declared state: the download runs exactly when the facts say it must."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str]] = []

    def execute(self, build: plan.PlannedBuild, row: BuildRow) -> Outcome:
        s = build.variant.spec
        self.seen.append((s.cache.name, s.change.name, axes.prepare_kind(s.cache)))
        row.wall_s, row.steps_total, row.steps_cached = 1.0, 6, 3
        row.download_step_ran = True if row.expected_download is None else row.expected_download
        return Outcome(row)


def test_new_cache_mode_and_change_kind_from_yaml_alone(own_conf: Path, tmp_path: Path) -> None:
    cfg = options.root(compose(
        f"hydra.searchpath=[file://{own_conf}]", "project=hello", "strategy=naive",
        "compare.strategy=[naive,multistage]", "compare.cache=[warm,registry_min]", "compare.change=[none,docs_edit]",
    ))
    variants = [plan.render(v) for v in plan.expand(cfg, {})]
    assert len(variants) == 8
    by = {v.label: v for v in variants}
    mode = by["strategy=naive,cache=registry_min,change=none"].spec.cache
    assert axes.prepare_kind(mode) == "import" and axes.restored_stages(mode) == "final"
    assert mode.export in EXPORTERS  # an existing exporter serves it: no new code
    assert by["strategy=naive,cache=warm,change=docs_edit"].spec.change.apply in CHANGES
    fake = RecordingExecutor()
    writer = RunWriter(tmp_path / "run")
    writer.write_manifest({"run_id": "r", "scenario": "s"})
    summary = runner.run(plan.plan(variants, 1), fake, writer, runner.RowFactory("r", "s"))
    assert summary.done == 8 and summary.invalid == 0
    rows = load(tmp_path / "run").builds.set_index("variant")
    expected = rows["expected_download"]
    assert expected["strategy=naive,cache=warm,change=docs_edit"] == True  # noqa: E712  the whole context before the download
    assert expected["strategy=multistage,cache=warm,change=docs_edit"] == False  # noqa: E712  only go.mod before it
    assert pd_isna(expected["strategy=multistage,cache=registry_min,change=none"])  # final stage only: either
    assert rows.loc["strategy=multistage,cache=registry_min,change=none", "fresh_runner"] == True  # noqa: E712
    assert ("registry_min", "docs_edit", "import") in fake.seen


def pd_isna(value: object) -> bool:
    import pandas as pd

    return bool(pd.isna(value))
