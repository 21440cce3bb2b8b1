"""The submitting side of a sweep: each job to its host through Dask, each result unpacked into the sweep folder.

Used by the Hydra launcher plugin (`hydra/launcher=dask`, hydra_plugins/bench_dask_launcher) and
by `python -m bench.distributed resume`. Every job is recorded in the sweep's jobs.jsonl when it
is submitted (its host, its folder on the host) and again when its result is back (exit code,
timings), so a run can be resumed on its own host later, and the orchestration cost is measured.
"""

from __future__ import annotations

import copy
import logging
import shutil
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from distributed import Client, Future, as_completed
from hydra.core.utils import JobReturn, JobStatus, configure_log, filter_overrides, setup_globals
from hydra.types import HydraContext
from omegaconf import DictConfig, open_dict, read_write

from bench.distributed import archive, cluster, job, spec
from bench.errors import UsageError

log = logging.getLogger(__name__)
FORWARDED_HYDRA = ("hydra.searchpath=",)  # hydra overrides a host needs too (options of your own)
MEANING = {0: "all built", 1: "some builds failed", 2: "bad input", 3: "engine stopped", 4: "harness error",
           130: "interrupted"}


@dataclass(frozen=True)
class Settings:
    """The launcher's configuration (hydra.launcher.*)."""

    scheduler: str = ""  # tcp://HOST:PORT of a running scheduler; empty: the scheduler file
    scheduler_file: str = ""  # empty: the one `python -m bench.distributed start` wrote on this machine
    hosts: tuple[str, ...] = ()  # empty: every host with a connected worker, sorted by name
    timeout: float = 30.0  # seconds to reach the scheduler


@dataclass(frozen=True)
class Submitted:
    """A job on its way: where its results go on this machine."""

    spec: spec.JobSpec
    run_dir: Path
    sweep_dir: Path  # where its jobs.jsonl is
    future: Future


@contextmanager
def connect(settings: Settings) -> Iterator[Client]:
    """A client of the scheduler; one line when none answers."""
    target = settings.scheduler or settings.scheduler_file or str(cluster.default_cluster().scheduler_file)
    kwargs: dict[str, Any] = {"address": target} if settings.scheduler else {"scheduler_file": target}
    if not settings.scheduler and not Path(target).is_file():
        raise UsageError(f"hydra.launcher: no scheduler file {target}; start one: python -m bench.distributed start")
    try:
        client = Client(**kwargs, timeout=settings.timeout, set_as_default=False)
    except (OSError, TimeoutError) as err:
        raise UsageError(f"hydra.launcher: no Dask scheduler answers at {target} ({err})") from None
    with client:
        yield client


def hosts(client: Client, wanted: Sequence[str]) -> list[str]:
    """The hosts to place jobs on: those asked for (each must have a worker now), or every connected one."""
    workers = client.scheduler_info(n_workers=-1)["workers"].values()
    up = spec.hosts_of([r for w in workers for r in (w.get("resources") or {})])
    missing = [h for h in wanted if h not in up]
    if missing:
        raise UsageError(f"hydra.launcher.hosts: {', '.join(missing)} has no worker (connected: {', '.join(up) or 'none'}); "
                         "start one: python -m bench.distributed start --host NAME")
    return list(wanted) or up


def submit(client: Client, js: spec.JobSpec, run_dir: Path, sweep_dir: Path) -> Submitted:
    """Record the job in jobs.jsonl, then hand it to the scheduler, pinned to its host's resource."""
    spec.append_record(sweep_dir, {"event": "submitted", "num": js.num, "host": js.host, "sweep_id": js.sweep_id,
                                   "run_dir": str(run_dir), "overrides": list(js.overrides),
                                   "resume": js.resume, "submitted_at": js.submitted_at})
    future = client.submit(job.run, js, key=f"bench-{js.sweep_id}-{js.num}-{uuid.uuid4().hex[:6]}",
                           resources={spec.resource(js.host): 1}, pure=False)
    return Submitted(js, run_dir, sweep_dir, future)


def collect(client: Client, jobs: Sequence[Submitted]) -> dict[int, BaseException | int]:
    """Wait for every job; unpack each result as it arrives. Returns exit codes, or the error of a lost job."""
    by_key = {j.future.key: j for j in jobs}
    out: dict[int, BaseException | int] = {}
    for future in as_completed([j.future for j in jobs], loop=client.loop):
        sub = by_key[future.key]
        try:
            res: spec.JobResult = future.result()
        except Exception as err:  # the job raised on its host, or its worker died too often (KilledWorker)
            spec.append_record(sub.sweep_dir, {"event": "lost", "num": sub.spec.num, "error": f"{type(err).__name__}: {err}"})
            log.error(f"#{sub.spec.num} on {sub.spec.host}: lost ({type(err).__name__}: {err})")
            out[sub.spec.num] = err
            continue
        out[sub.spec.num] = res.exit_code
        _returned(res, sub, received=time.time())
    return out


def _returned(res: spec.JobResult, sub: Submitted, received: float) -> None:
    names = archive.unpack(res.archive, sub.run_dir) if res.archive else []
    unpacked = time.time()
    rec = {**res.record(), "event": "returned", "received_at": received, "unpacked_at": unpacked,
           "files": len(names), "run_dir": str(sub.run_dir), "submitted_at": sub.spec.submitted_at}
    spec.append_record(sub.sweep_dir, rec)
    meaning = MEANING.get(res.exit_code, "see the log")
    log.info(f"#{res.num} on {res.host}: exit {res.exit_code} ({meaning}), attempt {res.attempt}, "
             f"run {res.harness_ended_at - res.harness_started_at:.0f} s -> {sub.run_dir}")
    if res.exit_code >= 2:
        log.warning(f"#{res.num} on {res.host}: log tail:\n{res.log_tail[-1200:]}")


def launch(
    settings: Settings, config: DictConfig, hydra_context: HydraContext,
    job_overrides: Sequence[Sequence[str]], initial_job_idx: int, sweep_id: str,
) -> list[JobReturn]:
    """Hydra's `Launcher.launch`: one job per override list, placed round robin over the hosts."""
    setup_globals()
    configure_log(config.hydra.hydra_logging, config.hydra.verbose)
    sweep_dir = Path(str(config.hydra.sweep.dir))
    forwarded = tuple(o for o in config.hydra.overrides.hydra if str(o).startswith(FORWARDED_HYDRA))
    with connect(settings) as client:
        placed = hosts(client, settings.hosts)
        log.info(f"Launching {len(job_overrides)} jobs on {len(placed)} build host(s) through Dask: {', '.join(placed)}")
        jobs, configs = [], {}
        for i, overrides in enumerate(job_overrides):
            num = initial_job_idx + i
            sweep_config = _sweep_config(config, hydra_context, overrides, num)
            run_dir = Path(str(sweep_config.hydra.sweep.dir)) / str(sweep_config.hydra.sweep.subdir)
            js = spec.JobSpec(sweep_id, num, spec.place(num, placed), (*overrides, *forwarded))
            log.info(f"\t#{num} -> {js.host} : {' '.join(filter_overrides(overrides))}")
            jobs.append(submit(client, js, run_dir, sweep_dir))
            configs[num] = (sweep_config, list(overrides), run_dir)
        results = collect(client, jobs)
    return [_job_return(configs[n], results[n]) for n in sorted(configs)]


def drop_empty_sweep(config: DictConfig) -> None:
    """Bad settings leave no sweep folder behind: remove it while it holds nothing but Hydra's multirun.yaml."""
    sweep_dir = Path(str(config.hydra.sweep.dir))
    if sweep_dir.is_dir() and {p.name for p in sweep_dir.iterdir()} <= {"multirun.yaml"}:
        shutil.rmtree(sweep_dir, ignore_errors=True)
        for parent in (sweep_dir.parent, sweep_dir.parent.parent):  # the day's folder, multirun/, when now empty
            try:
                parent.rmdir()
            except OSError:
                break


def new_sweep_id(config: DictConfig) -> str:
    """Unique per sweep: names the runs' folders on the hosts."""
    sweep_dir = Path(str(config.hydra.sweep.dir))
    return f"{sweep_dir.parent.name}_{sweep_dir.name}_{uuid.uuid4().hex[:6]}"


def _sweep_config(config: DictConfig, ctx: HydraContext, overrides: Sequence[str], num: int) -> DictConfig:
    sweep_config = ctx.config_loader.load_sweep_config(config, list(overrides))
    with open_dict(sweep_config):
        sweep_config.hydra.job.id = f"dask_{num}"
        sweep_config.hydra.job.num = num
    return sweep_config


def _job_return(entry: tuple[DictConfig, list[str], Path], result: BaseException | int) -> JobReturn:
    sweep_config, overrides, run_dir = entry
    task_cfg = copy.deepcopy(sweep_config)
    with read_write(task_cfg), open_dict(task_cfg):
        del task_cfg["hydra"]
    ret = JobReturn(overrides=overrides, cfg=task_cfg, hydra_cfg=sweep_config, working_dir=str(run_dir),
                    task_name=str(sweep_config.hydra.job.name))
    ret.status = JobStatus.FAILED if isinstance(result, BaseException) else JobStatus.COMPLETED
    ret.return_value = result
    return ret
