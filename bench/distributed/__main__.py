"""`python -m bench.distributed start|stop|status|worker|resume|show`: the services and the runs of a scale-out.

  start  --host NAME ...      a scheduler and one worker per engine on this machine (127.0.0.1), by pid
  stop                        stop them
  status                      the hosts whose worker is connected
  worker --scheduler ADDR --name HOST [--listen IP]   one build host's worker in the foreground (real fleets)
  resume RUN_DIR ...          finish runs of a sweep on the host that holds them, results back into RUN_DIR
  show SWEEP_DIR              each job's host, exit code and what the orchestration cost
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from bench.distributed import cluster, spec
from bench.errors import UsageError, cli_entry


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.distributed", description=__doc__.splitlines()[0])
    p.add_argument("--state", type=Path, help="the cluster's pid files, logs, scheduler file and host runs "
                   "(default <BENCH_STATE>/cluster)")
    sub = p.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="start the scheduler and one worker per host")
    start.add_argument("--host", action="append", default=[], help="'default' (the engine this shell reaches) or an "
                       "engine instance name; repeat for more hosts (default: default)")
    sub.add_parser("stop", help="stop every worker, then the scheduler")
    sub.add_parser("status", help="list the hosts whose worker is connected")
    worker = sub.add_parser("worker", help="run one host's worker in the foreground")
    worker.add_argument("--scheduler", required=True, help="tcp://HOST:PORT")
    worker.add_argument("--name", required=True, help="this build host's name")
    worker.add_argument("--listen", default="127.0.0.1", help="address the worker listens on (default 127.0.0.1)")
    resume = sub.add_parser("resume", help="finish runs on their own host")
    resume.add_argument("run_dirs", nargs="+", type=Path)
    resume.add_argument("--scheduler", default="", help="tcp://HOST:PORT (default: the scheduler file)")
    show = sub.add_parser("show", help="jobs of a sweep and their orchestration cost")
    show.add_argument("sweep_dir", type=Path)
    return p


@cli_entry
def main(argv: list[str] | None = None) -> None:
    """Command line; `resume` exits with the highest exit code of the runs it finished."""
    ns = _parser().parse_args(argv)
    c = cluster.Cluster(ns.state) if ns.state else cluster.default_cluster()
    if ns.command == "start":
        cluster.start(c, ns.host or [cluster.DEFAULT_HOST])
    elif ns.command == "stop":
        print(f"cluster: stopped {', '.join(cluster.stop(c)) or 'nothing (not running)'}")
    elif ns.command == "status":
        print(f"cluster: hosts {', '.join(cluster.connected(c)) or 'none'} ({c.scheduler_file})")
    elif ns.command == "worker":
        argv_ = cluster.worker_argv([ns.scheduler], ns.name, ns.listen)
        env = {**os.environ, "BENCH_HOST_NAME": ns.name}
        os.execve(argv_[0], argv_, env)
    elif ns.command == "resume":
        raise SystemExit(resume(ns.run_dirs, ns.scheduler, c))
    elif ns.command == "show":
        print(show(ns.sweep_dir))


def resume(run_dirs: list[Path], scheduler: str, c: cluster.Cluster) -> int:
    """Submit a resume job for each run to the host recorded in its sweep's jobs.jsonl; the highest exit code."""
    from bench.distributed import launch

    specs = []
    for run_dir in run_dirs:
        rec = spec.read_records(run_dir.parent).get(int(run_dir.name) if run_dir.name.isdigit() else -1)
        if not rec or "host" not in rec:
            raise UsageError(f"resume: {run_dir} is not a job of a distributed sweep "
                             f"(no record in {run_dir.parent / spec.JOBS_FILE})")
        specs.append((spec.JobSpec(rec["sweep_id"], int(rec["num"]), rec["host"], tuple(rec.get("overrides") or ()),
                                   resume=True), run_dir))
    settings = launch.Settings(scheduler=scheduler, scheduler_file="" if scheduler else str(c.scheduler_file))
    with launch.connect(settings) as client:
        launch.hosts(client, sorted({s.host for s, _ in specs}))
        jobs = [launch.submit(client, s, d, d.parent) for s, d in specs]
        results = launch.collect(client, jobs)
    codes = [r if isinstance(r, int) else 4 for r in results.values()]
    for (s, d), code in zip(specs, codes):
        print(f"resume: #{s.num} on {s.host}: exit {code} -> {d}")
    return max(codes)


def show(sweep_dir: Path) -> str:
    """One line per job: host, attempts, exit code, time to start on its host, run time, time to come back."""
    recs = sorted(spec.read_records(sweep_dir).values(), key=lambda r: float(r.get("started_at") or 0))
    if not recs:
        raise UsageError(f"show: {sweep_dir} has no {spec.JOBS_FILE}")
    lines = ["num  host        exit  attempt  dispatch_s  run_s   return_s  archive_kB"]
    free_at: dict[str, float] = {}
    for r in sorted(recs, key=lambda r: (str(r.get("host")), float(r.get("started_at") or 0))):
        if "started_at" not in r:
            lines.append(f"{r['num']:<4} {r.get('host', '?'):<11} -     (no result: {r.get('error', 'not back')})")
            continue
        ready = max(float(r["submitted_at"]), free_at.get(r["host"], 0.0))  # queued behind the host's previous job
        free_at[r["host"]] = float(r["packed_at"])
        back = float(r["unpacked_at"]) - float(r["harness_ended_at"])  # pack, transfer, unpack
        lines.append(f"{r['num']:<4} {r['host']:<11} {r['exit_code']:<5} {r['attempt']:<8} "
                     f"{float(r['started_at']) - ready:<11.2f} {float(r['harness_ended_at']) - float(r['harness_started_at']):<7.1f} "
                     f"{back:<9.2f} {int(r['archive_bytes']) / 1e3:.0f}")
    first = min(float(r["submitted_at"]) for r in recs)
    last = max(float(r.get("unpacked_at") or first) for r in recs)
    lines.append(f"sweep: {len(recs)} jobs, {last - first:.1f} s from the first submission to the last result "
                 f"({time.strftime('%F %T', time.localtime(first))})")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
