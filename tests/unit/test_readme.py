"""The README opens with the answer the sample runs support, written by `bench-readme`, never by hand."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench import readme
from bench.report.render import fmt
from tests.unit.synthetic import change_wall, make_run

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def test_the_readme_block_is_what_its_runs_say() -> None:
    text = README.read_text()
    runs = readme.runs_in(text)
    assert runs, "README.md has no <!-- bench:answer:start runs=... --> block"
    assert text.index(readme.START) < text.index("\n## "), "the answer comes before the first section"
    for r in runs:
        assert (ROOT / r / "manifest.json").is_file(), f"{r}: not a run directory"
    block = readme.answer([ROOT / r for r in runs], ROOT)
    assert block in text, "README.md's answer block is stale: run `bench-readme` (it regenerates from the same runs)"
    readme.main(["--check", "--readme", str(README)])  # the command agrees: returns, exit 0


def _write(res_dir: Path, axes: dict[str, list[str]], reps: int = 3) -> Path:
    res = make_run(axes, reps, change_wall, scenario="change", seed=2)
    run = res_dir / "00-00-00-change"
    run.mkdir(parents=True)
    manifest = {"run_id": "00-00-00-change-000000", "scenario": "change", "started_at": "2026-11-28T00:00:00+00:00",
                "status": "complete", "variants": list(dict.fromkeys(res.builds["variant"])),
                "config": {"project": {"name": "service"}}, "engine": {"host_cpus": 2, "engine_version": "26.1.5+dfsg1"}}
    (run / "manifest.json").write_text(json.dumps(manifest))
    (run / "builds.jsonl").write_text("".join(json.dumps(r) + "\n" for r in res.builds.to_dict("records")))
    return run


def test_numbers_come_from_the_rows_per_kind_of_change(tmp_path: Path) -> None:
    axes = {"strategy": ["naive", "multistage", "multistage_cachemount"], "change": ["source", "gomod_bump"]}
    run = _write(tmp_path, axes)
    block = readme.answer([run], tmp_path)
    rows = [json.loads(line) for line in (run / "builds.jsonl").read_text().splitlines()]
    for change in ("source", "gomod_bump"):
        best = min(axes["strategy"], key=lambda s: np.median(
            [r["wall_s"] for r in rows if r["strategy"] == s and r["change"] == change]))
        med = float(np.median([r["wall_s"] for r in rows if r["strategy"] == best and r["change"] == change]))
        assert f"**{fmt(med)} s** (median of 3 builds" in block, change
    assert "**Use `multistage_cachemount`.**" in block
    assert "after a go.mod version bump it takes" in block and "not measured" not in block
    assert f"runs={run.name} -->" in block.splitlines()[0] and block.endswith(readme.END)


def test_a_go_mod_change_not_measured_is_said_so(tmp_path: Path) -> None:
    block = readme.answer([_write(tmp_path, {"strategy": ["naive", "multistage"], "change": ["source"]})], tmp_path)
    assert "after a go.mod change: not measured by these runs" in block


def test_the_command_writes_replaces_and_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = _write(tmp_path, {"strategy": ["naive", "multistage"], "change": ["source"]})
    doc = tmp_path / "README.md"
    doc.write_text("# title\n\nText.\n\n## Section\n")
    readme.main([str(run), "--readme", str(doc)])
    first = doc.read_text()
    assert first.startswith(f"# title\n\n{readme.START} runs={run.name} -->") and first.endswith("Text.\n\n## Section\n")
    readme.main(["--readme", str(doc)])  # again from the runs the block names: the same text
    assert doc.read_text() == first
    doc.write_text(first.replace("**Use", "**Maybe use"))  # a hand edit
    with pytest.raises(SystemExit) as err:
        readme.main(["--check", "--readme", str(doc)])
    assert err.value.code == 1 and "differ from what the runs say" in capsys.readouterr().out


def test_no_runs_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "README.md"
    doc.write_text("# title\n")
    with pytest.raises(SystemExit) as err:
        readme.main(["--readme", str(doc)])
    assert err.value.code == 2 and "give run directories" in capsys.readouterr().err
