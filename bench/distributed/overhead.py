"""What spreading a sweep over hosts costs: the same 4-run sweep through the basic launcher, through Dask on one
host, and through Dask on two hosts, alternated, each timed around the whole `python -m bench -m ...` command.

    python -m bench.distributed.overhead --hosts A B [--state DIR] [--pairs 1]

Needs a running cluster with a worker for hosts A and B (`python -m bench.distributed start`); the basic
launcher builds on A's engine. Use two engine instances of your own, not the shared main engine, whose
builder cache other users may prune mid-measurement. On one machine the hosts share its cores: this
measures the orchestration's overhead, not a speed-up. Per job it
also prints, from the sweep's jobs.jsonl: dispatch (submission, or the host's previous job, to the job
starting on its worker) and return (the harness ending to its run unpacked on the submitter).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.distributed import cluster, spec
from bench.engine import instances
from bench.paths import REPO_ROOT

SWEEP = ["project=hello", "repetitions=1", "startup_runs=0", "cache=warm", "min_free_gb=1", "seed=1,2,3,4"]


def _sweep(results: Path, launcher: list[str], env: dict[str, str]) -> float:
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "bench", "-m", *launcher, *SWEEP, f"results_dir={results}"],
                          cwd=REPO_ROOT, capture_output=True, text=True, check=False, env={**os.environ, **env})
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"sweep failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    return wall


def _costs(results: Path) -> tuple[list[float], list[float]]:
    """Dispatch and return seconds of every job of the one sweep under `results`."""
    (jobs_file,) = list(results.rglob(spec.JOBS_FILE))
    recs = sorted(spec.read_records(jobs_file.parent).values(), key=lambda r: float(r["started_at"]))
    free_at: dict[str, float] = {}
    dispatch, back = [], []
    for r in recs:
        ready = max(float(r["submitted_at"]), free_at.get(r["host"], 0.0))
        dispatch.append(float(r["started_at"]) - ready)
        free_at[r["host"]] = float(r["packed_at"])
        back.append(float(r["unpacked_at"]) - float(r["harness_ended_at"]))
    return dispatch, back


def main() -> None:
    """Run the three kinds of sweep `--pairs` times, alternated; print walls, ratios and per-job costs."""
    p = argparse.ArgumentParser(prog="python -m bench.distributed.overhead", description=__doc__.splitlines()[0])
    p.add_argument("--hosts", nargs=2, required=True, metavar=("A", "B"), help="two hosts with a worker each")
    p.add_argument("--state", type=Path, help="the cluster's state folder (default: <BENCH_STATE>/cluster)")
    p.add_argument("--pairs", type=int, default=1)
    ns = p.parse_args()
    c = cluster.Cluster(ns.state) if ns.state else cluster.default_cluster()
    dask = ["hydra/launcher=dask", f"hydra.launcher.scheduler_file={c.scheduler_file}"]
    a, b = ns.hosts
    env_a = {} if a == cluster.DEFAULT_HOST else instances.instance(a).env()
    kinds = {
        f"basic launcher, 1 host ({a})": ["hydra/launcher=basic"],
        f"dask, 1 host ({a})": [*dask, f"hydra.launcher.hosts=[{a}]"],
        f"dask, 2 hosts ({a}, {b})": [*dask, f"hydra.launcher.hosts=[{a},{b}]"],
    }
    walls: dict[str, list[float]] = {k: [] for k in kinds}
    dispatch: list[float] = []
    back: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-overhead-") as tmp:
        warm = _sweep(Path(tmp) / "warm-up", kinds[list(kinds)[-1]], {})  # every host's cache of the unchanged project
        print(f"warm-up (not counted): {warm:.1f} s", flush=True)
        for i in range(ns.pairs):
            for n, (kind, launcher) in enumerate(kinds.items()):
                results = Path(tmp) / f"{i}-{n}"
                walls[kind].append(_sweep(results, launcher, env_a if launcher[0] == "hydra/launcher=basic" else {}))
                print(f"pair {i + 1}: {kind}: {walls[kind][-1]:.1f} s", flush=True)
                if launcher[0] != "hydra/launcher=basic":
                    d, b = _costs(results)
                    dispatch += d
                    back += b
    base = statistics.median(walls[list(kinds)[0]])
    for kind, values in walls.items():
        print(f"{kind:<40} median {statistics.median(values):7.1f} s  ratio to basic {statistics.median(values) / base:.2f}")
    print(f"per job through Dask ({len(dispatch)} jobs): dispatch median {statistics.median(dispatch):.3f} s "
          f"(max {max(dispatch):.3f}); return median {statistics.median(back):.3f} s (max {max(back):.3f})")


if __name__ == "__main__":
    main()
