"""Does the harness distort what it measures? Side by side in one run, interleaved:

1. the wall time the harness records for a build vs a bare `docker buildx build` of the
   same Dockerfile in the same cache state (warm cache, a one-file source edit), timed
   from outside with nothing else around it (target: within 5%);
2. the harness's own cost per build: the time of the whole `execute()` call minus state
   setup (prime and change) minus the build itself, i.e. rawjson parsing, image
   inspection, row assembly (target: under 1.5 s). Start-up timing is a measurement of
   its own (N container runs); it is reported separately and excluded with startup_runs=0.

Usage: .venv/bin/python scripts/bench_overhead.py [--project hello] [--pairs 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from rich.console import Console

from bench import app, plan, projects, runner
from bench.config import project_dir
from bench.engine import build as engine_build
from bench.engine import cli
from bench.execute import DockerExecutor, RunContext, RunResources, inputs
from bench.options import compose


def main(argv: list[str] | None = None) -> None:
    """Print the recorded/bare ratio and the harness's own cost per build."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", default="hello")
    parser.add_argument("--pairs", type=int, default=5)
    ns = parser.parse_args(argv)
    raw = compose(f"project={ns.project}", "strategy=multistage", "cache=warm", "change=source", "startup_runs=0")
    prepared = app.prepare(raw, {}, say=lambda m: Console(stderr=True).print(m))
    (variant,) = prepared.variants
    tmp = Path(tempfile.mkdtemp(prefix="bench-overhead-"))
    new_row = runner.RowFactory(run_id="overhead-run", scenario="overhead")
    harness_wall, bare_wall, own_cost = [], [], []
    with RunResources(RunContext(tmp, "overhead-run", say=lambda m: None)) as res:
        executor = DockerExecutor(res)
        for i in range(ns.pairs):
            build = plan.PlannedBuild(i, variant, i + 1)
            start = time.monotonic()
            out = executor.execute(build, new_row(build)).row
            total = time.monotonic() - start
            assert out.status == "ok", out.log_tail
            harness_wall.append(out.wall_s or 0.0)
            own_cost.append(total - (out.setup_s or 0) - (out.wall_s or 0))
            bare_wall.append(bare_build(tmp, build, res))
            print(f"pair {i + 1}: harness {out.wall_s:.2f} s (own cost {own_cost[-1]:.2f} s), bare {bare_wall[-1]:.2f} s")
    h, b = statistics.median(harness_wall), statistics.median(bare_wall)
    print(f"median recorded wall {h:.2f} s, median bare build {b:.2f} s: ratio {h / b:.3f} (target within 0.95-1.05)")
    print(f"median harness cost per build {statistics.median(own_cost):.2f} s (target < 1.5 s)")


def bare_build(tmp: Path, build: plan.PlannedBuild, res: RunResources) -> float:
    """The same state by the same means (prime, then a fresh source edit), then a bare build timed from outside."""
    spec = build.variant.spec
    work = tmp / f"bare-{build.index}"
    work.mkdir(parents=True, exist_ok=True)
    src = projects.scratch_copy(project_dir(spec.project), work / "src")
    req = inputs.request(build, "overhead-bare", res.proxy(spec), src, work)
    req = replace(req, tag=f"bench-run/overhead:bare{build.index}")
    cli.run(engine_build.buildx_argv(req, progress="quiet"))
    projects.change_source(src, spec.project.main, f"bare{build.index}")
    start = time.monotonic()
    cli.run(engine_build.buildx_argv(req, progress="plain"))
    elapsed = time.monotonic() - start
    engine_build.remove_image(req.tag)
    return elapsed


if __name__ == "__main__":
    main()
