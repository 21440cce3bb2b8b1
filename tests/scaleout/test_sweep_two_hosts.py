"""Real engines: a Hydra sweep of 4 small runs through Dask lands 2 on each of two engines, never two at once on
one engine, every row of a run on its run's engine; one merged history comes back and compares per host."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench import history
from bench.distributed import cluster
from bench.engine import cli, instances
from bench.paths import REPO_ROOT
from bench.results import load

from .helpers import HOST_B, SMALL, manifest, records, rows, start_sweep, sweep_argv, sweep_dir

pytestmark = pytest.mark.engine


def _engine_id(env: dict[str, str]) -> str:
    return cli.run(["info", "--format", "{{.ID}}"], env=env, timeout=30).stdout.strip()


def test_four_runs_two_hosts_one_history(dask_cluster: cluster.Cluster, engine_b: instances.Instance,
                                         tmp_path: Path) -> None:
    results = tmp_path / "results"
    proc = start_sweep(sweep_argv(dask_cluster, results, [cluster.DEFAULT_HOST, HOST_B], *SMALL, "repetitions=1",
                                  "seed=1,2,3,4"))
    out, _ = proc.communicate(timeout=900)
    assert proc.returncode == 0, out[-3000:]
    sweep = sweep_dir(results)
    jobs = records(sweep)
    assert sorted(jobs) == [0, 1, 2, 3]
    assert all(j["event"] == "returned" and j["exit_code"] == 0 and j["attempt"] == 1 for j in jobs.values()), jobs
    by_host = {h: sorted(n for n, j in jobs.items() if j["host"] == h) for h in (cluster.DEFAULT_HOST, HOST_B)}
    assert by_host == {cluster.DEFAULT_HOST: [0, 2], HOST_B: [1, 3]}  # round robin in the given order: 2 on each

    # Every row of a run was measured on its host's engine, and only there.
    engine_of = {cluster.DEFAULT_HOST: _engine_id({}), HOST_B: _engine_id(engine_b.env())}
    assert engine_of[cluster.DEFAULT_HOST] != engine_of[HOST_B]
    for num, j in jobs.items():
        run = sweep / str(num)
        assert manifest(run)["engine"]["engine_id"] == engine_of[j["host"]]
        assert {r["engine_id"] for r in rows(run)} == {engine_of[j["host"]]}
        assert len(rows(run)) == 1 and rows(run)[0]["status"] == "ok"

    # Never two at once on one host: the two runs of a host, by the worker's clock and by the manifests.
    for host, (a, b) in by_host.items():
        first, second = sorted((jobs[a], jobs[b]), key=lambda j: j["harness_started_at"])
        assert first["harness_ended_at"] <= second["harness_started_at"], f"{host} ran two jobs at once"
        m1, m2 = sorted((manifest(sweep / str(a)), manifest(sweep / str(b))), key=lambda m: m["started_at"])
        assert m1["ended_at"] <= m2["started_at"]

    # One merged history: four runs, two identities (one per engine), each comparing only its own host's runs.
    res = load(sweep)
    assert len(res.manifests) == 4 and len(res.builds) == 4
    groups = list(history.groups(history.history(res.manifests, res.builds)))
    assert len(groups) == 2
    engine_by_run = dict(zip(res.manifests["run_id"], res.manifests["engine.engine_id"]))
    assert sorted(engine_by_run[g.newest] for g in groups) == sorted(engine_of.values())
    for g in groups:
        assert len(g.run_ids) == 2 and len({engine_by_run[r] for r in g.run_ids}) == 1

    compared = subprocess.run([sys.executable, "-m", "bench.compare", str(sweep), "--out", str(tmp_path / "cmp")],
                              cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert compared.returncode in (0, 1), compared.stderr[-2000:]  # 1 would be a (noisy) regression, still a report
    findings = json.loads((tmp_path / "cmp" / "compare.json").read_text())["findings"]
    newest = {f["newest_run"] for f in findings if f["metric"] == "wall_s"}
    assert sorted(engine_by_run[r] for r in newest) == sorted(engine_of.values())  # one comparison per host

    shown = subprocess.run([sys.executable, "-m", "bench.distributed", "show", str(sweep)], cwd=REPO_ROOT,
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and "sweep: 4 jobs" in shown.stdout, shown.stderr
