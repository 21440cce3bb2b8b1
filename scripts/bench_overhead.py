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
import subprocess
import tempfile
import time
from pathlib import Path

from hydra import compose, initialize_config_dir

from bench import config, projects, runner
from bench.app import _ensure_bases
from bench.execute import DockerExecutor, RunContext, _build_args
from bench.strategies import declared_args
from bench.paths import CONF_DIR
from bench.results import BuildRow
from rich.console import Console


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", default="hello")
    parser.add_argument("--pairs", type=int, default=5)
    ns = parser.parse_args()
    config.register()
    with initialize_config_dir(version_base="1.3", config_dir=str(CONF_DIR)):
        cfg = compose(
            config_name="config",
            overrides=[f"project={ns.project}", "strategy=multistage", "cache=warm", "change=source", "startup_runs=0"],
        )
    config.validate(cfg)
    (variant,) = runner.variants(cfg, {})
    _ensure_bases(cfg, [variant], Console(stderr=True))
    tmp = Path(tempfile.mkdtemp(prefix="bench-overhead-"))
    executor = DockerExecutor(RunContext(tmp, "overhead-run", say=lambda m: None))
    harness_wall, bare_wall, own_cost = [], [], []
    try:
        for i in range(ns.pairs):
            build = runner.PlannedBuild(i, variant, i + 1)
            row = BuildRow(build.build_id, "overhead-run", "overhead", variant.label, i + 1, ns.project,
                           "multistage", "warm", "local", "source", "local", "static", cfg.project.go)
            start = time.monotonic()
            out = executor.execute(build, row).row
            total = time.monotonic() - start
            assert out.status == "ok", out.log_tail
            harness_wall.append(out.wall_s)
            own_cost.append(total - (out.setup_s or 0) - (out.wall_s or 0))
            bare_wall.append(bare_build(tmp, cfg, i, executor))
            print(f"pair {i + 1}: harness {out.wall_s:.2f} s (own cost {own_cost[-1]:.2f} s), bare {bare_wall[-1]:.2f} s")
    finally:
        executor.close()
    h, b = statistics.median(harness_wall), statistics.median(bare_wall)
    print(f"median recorded wall {h:.2f} s, median bare build {b:.2f} s: ratio {h / b:.3f} (target within 0.95-1.05)")
    print(f"median harness cost per build {statistics.median(own_cost):.2f} s (target < 1.5 s)")


def bare_build(tmp: Path, cfg: object, i: int, executor: DockerExecutor) -> float:
    """The same state by the same means (prime, then a fresh source edit), then a bare build timed from outside."""
    work = tmp / f"bare-{i}"
    src = projects.scratch_copy(config.project_dir(cfg.project), work / "src")  # type: ignore[attr-defined]
    dockerfile = sorted((tmp / "dockerfiles").glob("*.Dockerfile"))[0]
    args = _build_args(cfg, executor._proxy(cfg).goproxy, declared_args(dockerfile.read_text()))  # type: ignore[arg-type]
    base = ["docker", "buildx", "build", "--network=host", "-f", str(dockerfile), "-t", f"bench-run/overhead:bare{i}"]
    for k, v in args.items():
        base += ["--build-arg", f"{k}={v}"]
    subprocess.run([*base, "--progress=quiet", str(src)], check=True, capture_output=True)
    projects.change_source(src, cfg.project.main, f"bare{i}")  # type: ignore[attr-defined]
    start = time.monotonic()
    subprocess.run([*base, "--progress=plain", str(src)], check=True, capture_output=True)
    elapsed = time.monotonic() - start
    subprocess.run(["docker", "image", "rm", "-f", f"bench-run/overhead:bare{i}"], capture_output=True)
    return elapsed


if __name__ == "__main__":
    main()
