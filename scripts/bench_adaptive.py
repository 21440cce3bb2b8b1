"""Does `repetitions=auto` reach the verdicts of a fixed 10 repetitions with fewer builds? Side by side, one machine.

Runs the same scenario twice on this machine, one run after the other: with `repetitions=10`
and with `repetitions=auto`, then compares every variant's verdict against its baseline
(`bench.stats.compare_paired`: lower / higher / no clear difference) and the number of
measured builds each needed. The goal: the same verdicts with half the builds or fewer.

Usage: .venv/bin/python scripts/bench_adaptive.py [--scenario multistage] [--fixed 10] [extra overrides ...]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import stats  # noqa: E402
from bench.layout import groups  # noqa: E402
from bench.results import load  # noqa: E402


def verdicts(run_dir: Path) -> tuple[dict[str, str], int]:
    """Each variant's verdict against its like-with-like baseline, and how many builds were measured."""
    res = load(run_dir)
    out: dict[str, str] = {}
    planned = [v for vs in res.manifests["variants"] for v in vs]
    for _, layout, rows in groups(res.builds, planned):
        table = stats.compare_paired(rows, "wall_s", layout.baselines())
        out.update({str(r["variant"]): str(r["verdict"]) for _, r in table.iterrows()})
    return out, len(res.builds)


def run(scenario: str, results: Path, reps: str, extra: list[str]) -> Path:
    """One real run; returns its directory."""
    out = results / reps
    cmd = [sys.executable, "-m", "bench", f"+scenario={scenario}", f"repetitions={reps}", f"hydra.run.dir={out}", *extra]
    print("$", " ".join(cmd), flush=True)
    code = subprocess.run(cmd, check=False).returncode
    if code != 0:  # an interrupted or failed run would compare a partial verdict: no ratio from it
        sys.exit(f"bench_adaptive: the {reps} run exited {code}; no comparison")
    return out


def main(argv: list[str] | None = None) -> None:
    """Print both runs' verdicts and builds, and the ratio of builds."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenario", default="multistage")
    p.add_argument("--fixed", type=int, default=10)
    p.add_argument("--results", type=Path, default=None, help="where the two runs go (default: a temp dir)")
    ns, extra = p.parse_known_args(argv)
    results = ns.results or Path(tempfile.mkdtemp(prefix="bench-adaptive-"))
    fixed, fixed_n = verdicts(run(ns.scenario, results, str(ns.fixed), extra))
    auto, auto_n = verdicts(run(ns.scenario, results, "auto", extra))
    print(f"\n{'variant':50} {'fixed ' + str(ns.fixed):>22} {'auto':>22}")
    for v in fixed:
        print(f"{v:50} {fixed[v]:>22} {auto.get(v, '-'):>22}")
    same = all(auto.get(v) == w for v, w in fixed.items())
    print(f"\nmeasured builds: fixed {fixed_n}, auto {auto_n}: auto/fixed = {auto_n / fixed_n:.2f} "
          f"(goal <= 0.5); verdicts {'the same' if same else 'DIFFER'}")


if __name__ == "__main__":
    main()
