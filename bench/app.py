"""From a composed config to a finished run: validate, plan, set up bases, execute, record.

Bad input is found before anything is built (config values, go.mod, every variant's
Dockerfile, reachability of upstream proxies, free disk) and leaves no run directory
behind. `resume=<run dir>` finishes an interrupted run with its saved config.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf
from rich.console import Console

import bench
from bench import bases, config, runner, strategies
from bench.engine import facts as engine_facts
from bench.engine import sdk
from bench.errors import UsageError
from bench.execute import DockerExecutor, RunContext, now_iso
from bench.mirror import stack as mirror_stack
from bench.paths import REPO_ROOT
from bench.results import BUILDS, MANIFEST, BuildRow, RunWriter

ENGINE_STOPPED = 3
GB = 1e9
GB_PER_BUILD = 0.25


def run_from_config(cfg: DictConfig, run_dir: Path, choices: Mapping[str, Any], overrides: list[str]) -> int:
    """Run one scenario into `run_dir` (or finish `cfg.resume`); returns the exit code.

    0: every build succeeded; 1: some builds failed (they are rows); 3: the engine stopped
    answering; 130: interrupted (rows so far are saved; resume with resume=<run dir>).
    """
    console = Console(stderr=True)
    say = lambda m: console.print(m, highlight=False, soft_wrap=True)  # noqa: E731
    manifest: dict[str, Any]
    resuming = bool(cfg.resume)
    try:
        if resuming:
            cfg, choices, manifest, resumed = _resumed(Path(cfg.resume), say)
            _drop_if_empty(run_dir)
            run_dir = resumed
        else:
            manifest = {}
        config.validate(cfg)
        variants = _reachable(runner.variants(cfg, choices), say)
        _render_all(variants)
        builds = runner.plan(variants, cfg.repetitions)
        facts: dict[str, Any] = {}
        if not cfg.dry_run:
            sdk.client()  # one clear line when no engine answers
            facts = engine_facts.collect()
            _check_disk(facts, len(builds), cfg.min_free_gb)
            _ensure_bases(variants, say)
    except UsageError:
        if not resuming:
            _drop_if_empty(run_dir)
        raise
    writer = RunWriter(run_dir)
    manifest = manifest or {
        "run_id": f"{run_dir.name}-{uuid.uuid4().hex[:6]}",
        "scenario": cfg.name,
        "started_at": now_iso(),
        "planned_builds": len(builds),
        "variants": [v.label for v in variants],
        "overrides": overrides,
        "choices": dict(choices),
        "config": OmegaConf.to_container(cfg, resolve=True),
        "engine": facts,
        "harness_version": bench.__version__,
        "harness_commit": git_commit(REPO_ROOT),
        "project_commit": git_commit(config.project_dir(cfg.project)),
    }
    manifest["status"] = "running"  # stays so if the process is killed: a resume notices it
    writer.write_manifest(manifest)
    run_id = manifest["run_id"]
    say(f"run {run_id}: {len(variants)} variant(s) x {cfg.repetitions} repetition(s) = {len(builds)} builds -> {run_dir}")

    def new_row(b: runner.PlannedBuild) -> BuildRow:
        c = b.variant.choices
        return BuildRow(
            build_id=b.build_id, run_id=run_id, scenario=cfg.name, variant=b.variant.label,
            repetition=b.repetition, project=c["project"], strategy=c["strategy"], cache=c["cache"],
            proxy=c["proxy"], change=c["change"], base=c["base"], runtime=c["runtime"],
            go=b.variant.cfg.project.go, started_at=now_iso(), harness_version=bench.__version__,
            harness_commit=manifest["harness_commit"], engine=facts,
        )

    executor: DockerExecutor | runner.DryRunExecutor = (
        runner.DryRunExecutor() if cfg.dry_run else DockerExecutor(RunContext(run_dir, run_id, say=say))
    )
    status = "interrupted"
    try:
        summary = runner.run(builds, executor, writer, new_row, console)
        status = {True: "engine stopped", False: "interrupted" if summary.interrupted else "complete"}[
            summary.engine_stopped
        ]
    finally:
        executor.close()
        manifest.update(status=status, ended_at=now_iso())
        writer.write_manifest(manifest)
    say(
        f"{summary.done} build(s) recorded ({summary.failed} failed, {summary.invalid} invalid, "
        f"{summary.skipped_done} already done) in {run_dir}"
    )
    if summary.done and not cfg.dry_run and not summary.engine_stopped:
        _report(run_dir, console)
    if summary.engine_stopped:
        say(f"error: the Docker engine stopped answering; {summary.done + summary.skipped_done} rows are safe in "
            f"{run_dir}. Start it (make setup) and finish with: python -m bench resume={run_dir}")
        return ENGINE_STOPPED
    if summary.interrupted:
        say(f"interrupted; finish with: python -m bench resume={run_dir}")
        return 130
    if summary.failed:
        say(f"{summary.failed} of {summary.done} build(s) failed; their rows carry failure_class and log_tail")
        return 1
    return 0


def _resumed(run_dir: Path, say: Any) -> tuple[DictConfig, dict[str, Any], dict[str, Any], Path]:
    """The saved config, choices and manifest of an interrupted run."""
    path = run_dir / MANIFEST
    if not path.is_file():
        raise UsageError(f"resume: {run_dir} has no {MANIFEST}; give the directory of an earlier run")
    manifest = json.loads(path.read_text())
    saved = OmegaConf.merge(OmegaConf.structured(config.BenchConfig), manifest["config"])
    saved.resume = None
    done = len(RunWriter(run_dir).completed_build_ids())
    if manifest.get("status") == "running":
        say("resume: the previous process stopped without finishing (killed?); the build in flight then is redone")
    say(f"resume: {done} of {manifest.get('planned_builds', '?')} builds already recorded in {run_dir}")
    return saved, dict(manifest.get("choices") or {}), manifest, run_dir  # type: ignore[return-value]


def _reachable(variants: list[runner.Variant], say: Any) -> list[runner.Variant]:
    """Drop variants whose upstream proxy does not answer (one line each); none left is bad input."""
    kept, skipped = [], []
    for v in variants:
        proxy = v.cfg.proxy
        target = proxy.probe_url or proxy.url
        reason = mirror_stack.probe(target) if proxy.kind == "upstream" and target not in ("direct", "off", "") else None
        if reason:
            skipped.append(f"{v.label}: proxy {proxy.name}: {reason}")
        else:
            kept.append(v)
    if not kept:
        raise UsageError(f"proxy: no variant's module proxy is reachable ({skipped[0]}); use a local profile (proxy=local)")
    for line in skipped:
        say(f"skipped: {line}")
    return kept


def _render_all(variants: list[runner.Variant]) -> None:
    """Every variant's Dockerfile renders before anything is built."""
    for v in variants:
        c = v.cfg
        strategies.render(
            c.strategy.name, builder="builder", runtime="runtime", main=c.project.main,
            download_retries=c.strategy.download_retries, retry_cap_seconds=c.strategy.retry_cap_seconds,
            build_flags=c.strategy.build_flags, own_dockerfile=config.project_dir(c.project) / c.project.dockerfile,
        )


def _check_disk(facts: Mapping[str, Any], builds: int, min_free_gb: float) -> None:
    free = float(facts.get("disk_free_bytes") or 0) / GB
    need = min_free_gb + GB_PER_BUILD * builds
    if free and free < need:
        raise UsageError(
            f"not enough free disk for {builds} builds: {free:.1f} GB free on {facts.get('docker_root')}, "
            f"about {need:.1f} GB needed ({min_free_gb:g} GB + {GB_PER_BUILD} GB per build); "
            "free space, lower repetitions, or set min_free_gb"
        )


def _report(run_dir: Path, console: Console) -> None:
    """Tables and plots of this run, printed and written under <run>/report."""
    from bench import report
    from bench.results import load

    try:
        rep = report.build(load(run_dir), run_dir / "report")
    except (UsageError, ValueError, KeyError) as err:  # a report problem must never hide the saved rows
        console.print(f"report not written: {err}", highlight=False)
        return
    report.print_report(rep, run_dir / "report")


def _ensure_bases(variants: list[runner.Variant], say: Any) -> None:
    keys: set[str] = set()
    for v in variants:
        if v.cfg.base.name != "local":
            continue
        for role in ("builder", v.cfg.runtime.role):
            key = bases.recipe_key(role, v.cfg.project.go)
            if key:
                keys.add(key)
    for key in sorted(keys):
        bases.ensure(key, say=say)


def _drop_if_empty(run_dir: Path) -> None:
    """Bad input leaves no partial run behind (nothing was measured yet)."""
    if run_dir.is_dir() and not (run_dir / BUILDS).exists():
        shutil.rmtree(run_dir, ignore_errors=True)
        try:
            run_dir.parent.rmdir()  # the day's folder, when this was its only run
        except OSError:
            pass


def git_commit(path: Path) -> str:
    """The git commit of the repository holding `path`, or '' when it is not in one."""
    try:
        out = subprocess.run(
            ["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""
