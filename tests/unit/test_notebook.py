"""notebooks/explore.ipynb runs top to bottom (no engine needed), so it never rots.

Kernel: the test writes a throwaway kernelspec named `python3` whose argv is this very
interpreter (`sys.executable -m ipykernel_launcher`), and hands nbclient a KernelManager
that looks only in that directory. So the notebook always runs in the venv that runs
pytest (where `bench` is installed editable), whatever `python3` kernelspecs the machine
or the user has registered, and nothing is installed under ~/.local/share/jupyter.

Results: `BENCH_RESULTS` points the notebook at a temporary results directory, so the test
does not depend on what runs happen to lie in the checkout's `results/`: an empty one
(a fresh clone: the committed sample is used), and one with two runs of one scenario.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

nbformat = pytest.importorskip("nbformat", reason="notebook tests need the dev extra: pip install -e '.[dev]'")
nbclient = pytest.importorskip("nbclient", reason="notebook tests need the dev extra: pip install -e '.[dev]'")
pytest.importorskip("ipykernel", reason="notebook tests need the dev extra: pip install -e '.[dev]'")

from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from jupyter_client.manager import KernelManager  # noqa: E402

from bench.paths import REPO_ROOT  # noqa: E402
from tests.sample import SAMPLES, sample_run  # noqa: E402

NOTEBOOK = REPO_ROOT / "notebooks" / "explore.ipynb"
SAMPLE = sample_run("multistage")
CELL_TIMEOUT_S = 120


def _kernel_manager(tmp: Path) -> KernelManager:
    """A KernelManager whose only `python3` kernel is sys.executable (the venv running the tests)."""
    spec_dir = tmp / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (bench venv)",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    ksm = KernelSpecManager(kernel_dirs=[str(tmp / "kernels")], ensure_native_kernel=False)
    return KernelManager(kernel_name="python3", kernel_spec_manager=ksm)


def _execute(tmp: Path, results: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[str], KernelManager]:
    """Run the notebook from notebooks/ (as Jupyter would): its text outputs, its PNG outputs, the kernel manager."""
    monkeypatch.setenv("BENCH_RESULTS", str(results))  # the kernel inherits this process's environment
    nb = nbformat.read(NOTEBOOK, as_version=4)
    km = _kernel_manager(tmp)
    client = nbclient.NotebookClient(
        nb,
        km=km,
        kernel_name="python3",
        timeout=CELL_TIMEOUT_S,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    texts, pngs = [], []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", out
            if out["output_type"] == "stream":
                texts.append(out["text"])
            data = out.get("data", {})
            texts += [data[m] for m in ("text/plain", "text/markdown") if m in data]
            if "image/png" in data:
                pngs.append(data["image/png"])
    return texts, pngs, km


def _copy_run(src: Path, dst: Path, run_id: str, started_at: str, slower: float = 1.0) -> None:
    """A copy of a real run under another run id and start time (wall times scaled by `slower`)."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("report"))
    manifest = json.loads((dst / "manifest.json").read_text())
    manifest.update(run_id=run_id, started_at=started_at)
    (dst / "manifest.json").write_text(json.dumps(manifest))
    rows = [json.loads(line) for line in (dst / "builds.jsonl").read_text().splitlines()]
    for r in rows:
        r["run_id"] = run_id
        r["wall_s"] = r["wall_s"] * slower if r["wall_s"] is not None else None
    (dst / "builds.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_notebook_is_committed_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, cell.source[:60]


@pytest.mark.timeout(180)
def test_fresh_clone_falls_back_to_the_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "results"
    empty.mkdir()
    texts, pngs, km = _execute(tmp_path, empty, monkeypatch)
    assert km.kernel_spec is not None and km.kernel_spec.argv[0] == sys.executable
    out = "\n".join(texts)
    assert "using the committed sample run(s)" in out
    # Expected values come from the sample's own rows, so they hold for whichever run is committed
    # and fail if the notebook showed a stale or hard-coded answer.
    every = [r for path in sorted(SAMPLES.glob("*/builds.jsonl")) for r in map(json.loads, path.read_text().splitlines())]
    rows = [r for r in every if r["status"] == "ok" and r.get("valid", True) and r["wall_s"] is not None]
    slowest = max(rows, key=lambda r: r["wall_s"])
    manifests = [json.loads(m.read_text()) for m in SAMPLES.glob("*/manifest.json")]
    newest = max(manifests, key=lambda m: pd.Timestamp(m["started_at"]))  # the run the notebook reports on
    projects = sorted({r["project"] for r in every if r["run_id"] == newest["run_id"]})
    assert f"Project: {', '.join(projects)}; scenario {newest['scenario']}" in out  # the verdict
    assert "Variants against the baseline" in out  # a report table's title
    assert f"slowest build: {slowest['build_id']} of run {slowest['run_id']}: {slowest['wall_s']:.1f} s wall" in out
    runs = {r["run_id"] for r in every}
    # one sample: its first two variants compared; several: the two newest side by side
    assert ("Only one run loaded" if len(runs) == 1 else "Comparing two runs:") in out
    assert len(pngs) >= 4  # three library plots, the step timeline, the history


@pytest.mark.timeout(180)
def test_two_runs_are_compared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    results = tmp_path / "results"
    _copy_run(SAMPLE, results / "2026-11-01" / "00-00-00-multistage", "night-1", "2026-11-01T00:00:00+00:00")
    _copy_run(SAMPLE, results / "2026-11-02" / "00-00-00-multistage", "night-2", "2026-11-02T00:00:00+00:00",
              slower=1.5)
    texts, pngs, _ = _execute(tmp_path, results, monkeypatch)
    out = "\n".join(texts)
    assert "Loaded 2 run(s)" in out and "committed sample" not in out
    assert "Comparing two runs: night-1 (before, multistage) and night-2 (after, multistage)" in out
    assert "1.5" in out and "higher" in out  # every variant 1.5x slower, clearly
    assert "Project:" in out
    assert pngs
