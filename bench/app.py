"""From a composed config to a finished run: validate, plan, set up bases, execute, record."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf
from rich.console import Console

import bench
from bench import bases, config, runner
from bench.engine import facts as engine_facts
from bench.engine import sdk
from bench.errors import UsageError
from bench.execute import DockerExecutor, RunContext, now_iso
from bench.paths import REPO_ROOT
from bench.results import BUILDS, BuildRow, RunWriter


def run_from_config(cfg: DictConfig, run_dir: Path, choices: Mapping[str, Any], overrides: list[str]) -> int:
    """Run one scenario into `run_dir`; returns the exit code (0 ok, 1 some builds failed)."""
    console = Console(stderr=True)
    try:
        config.validate(cfg)
        variants = runner.variants(cfg, choices)
        builds = runner.plan(variants, cfg.repetitions)
        facts: dict[str, Any] = {}
        if not cfg.dry_run:
            sdk.client()  # one clear line when no engine answers
            _ensure_bases(cfg, variants, console)
            facts = engine_facts.collect()
    except UsageError:
        _drop_if_empty(run_dir)
        raise
    run_id = f"{run_dir.name}-{uuid.uuid4().hex[:6]}"
    writer = RunWriter(run_dir)
    manifest: dict[str, Any] = {
        "run_id": run_id,
        "scenario": cfg.name,
        "started_at": now_iso(),
        "status": "running",
        "planned_builds": len(builds),
        "variants": [v.label for v in variants],
        "overrides": overrides,
        "config": OmegaConf.to_container(cfg, resolve=True),
        "engine": facts,
        "harness_version": bench.__version__,
        "harness_commit": git_commit(REPO_ROOT),
        "project_commit": git_commit(config.project_dir(cfg.project)),
    }
    writer.write_manifest(manifest)
    console.print(f"run {run_id}: {len(variants)} variant(s) x {cfg.repetitions} repetition(s) = {len(builds)} builds -> {run_dir}")

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
        runner.DryRunExecutor()
        if cfg.dry_run
        else DockerExecutor(RunContext(run_dir, run_id, say=lambda m: console.print(m, highlight=False)))
    )
    status = "interrupted"
    try:
        summary = runner.run(builds, executor, writer, new_row, console)
        status = "interrupted" if summary.interrupted else "complete"
    finally:
        executor.close()
        manifest.update(status=status, ended_at=now_iso())
        writer.write_manifest(manifest)
    console.print(
        f"{summary.done} build(s) recorded ({summary.failed} failed, {summary.invalid} invalid, "
        f"{summary.skipped_done} already done) in {run_dir}",
        highlight=False,
    )
    if summary.done and not cfg.dry_run:
        _report(run_dir, console)
    if summary.interrupted:
        return 130
    return 1 if summary.failed else 0


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


def _ensure_bases(cfg: DictConfig, variants: list[runner.Variant], console: Console) -> None:
    keys: set[str] = set()
    for v in variants:
        if v.cfg.base.name != "local":
            continue
        for role in ("builder", v.cfg.runtime.role):
            key = bases.recipe_key(role, v.cfg.project.go)
            if key:
                keys.add(key)
    for key in sorted(keys):
        bases.ensure(key, say=lambda m: console.print(m, highlight=False))


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
