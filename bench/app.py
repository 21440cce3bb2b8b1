"""From a composed config to a finished run, as a short sequence of named steps.

    prepare (typed config, variants, Dockerfiles, reachability, disk, bases)
    -> start the run directory -> execute every build with the run's resources -> finish

Bad input is found before anything is built and leaves no run directory behind.
`resume=<run dir>` finishes an interrupted run with its saved config.
"""

from __future__ import annotations

import itertools
import json
import shutil
import socket
import subprocess
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

import bench
from bench import bases, logs, options, plan, runner, validate
from bench.config import BenchConfig, project_dir
from bench.engine import facts as engine_facts
from bench.engine import sdk
from bench.errors import UsageError
from bench.execute import DockerExecutor, RunContext, RunResources
from bench.execute.resources import served_root
from bench.mirror import stack as mirror_stack
from bench.paths import REPO_ROOT
from bench.writer import BUILDS, MANIFEST, RunWriter

OK, SOME_FAILED, ENGINE_STOPPED, HARNESS_ERROR, INTERRUPTED = 0, 1, 3, 4, 130
GB = 1e9
GB_PER_BUILD = 0.25

Say = Callable[[str], None]


@dataclass
class Prepared:
    """A checked, planned run: what to build, in which order, on which engine."""

    cfg: BenchConfig
    raw: DictConfig
    choices: dict[str, str]
    variants: list[plan.Variant]
    builds: list[plan.PlannedBuild]
    facts: dict[str, Any] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)  # a resumed run's saved manifest


def run_from_config(cfg: DictConfig, run_dir: Path, choices: Mapping[str, Any], overrides: list[str]) -> int:
    """Run one scenario into `run_dir` (or finish `cfg.resume`); returns the exit code.

    0: every build succeeded; 1: some builds failed or were skipped (they are rows); 3: the
    engine stopped answering; 4: a harness error after rows were written (they are kept);
    130: interrupted (rows so far are saved; resume with resume=<run dir>).
    """
    log = logs.for_format(str(cfg.get("log_format", "text")))
    with logs.use(log):
        return _run(cfg, run_dir, choices, overrides, log)


def _run(cfg: DictConfig, run_dir: Path, choices: Mapping[str, Any], overrides: list[str], log: logs.Log) -> int:
    say: Say = log
    with _nothing_left_on_bad_input(run_dir, resuming=bool(cfg.resume)):
        if cfg.resume:
            run_dir, cfg, choices, manifest = _resumed(Path(cfg.resume), say)
        else:
            manifest = {}
        prepared = prepare(cfg, dict(choices), say)
        prepared.manifest = manifest
    writer = RunWriter(run_dir)
    manifest = start(prepared, writer, overrides)
    log.run_id = manifest["run_id"]
    reps = prepared.cfg.repetitions
    reps_text = f"auto ({prepared.cfg.adaptive.min_repetitions}-{prepared.cfg.adaptive.max_repetitions})" if reps == "auto" else reps
    say(f"run {manifest['run_id']}: {len(prepared.variants)} variant(s) x {reps_text} repetition(s) = "
        f"{'at most ' if reps == 'auto' else ''}{len(prepared.builds)} builds"
        f"{f' after {prepared.cfg.warmup} warm-up round(s)' if prepared.cfg.warmup else ''} -> {run_dir}")
    summary, error = execute(prepared, writer, manifest, log)
    finish(writer, manifest, summary, error)
    measured = summary.done and not prepared.cfg.dry_run and not summary.engine_stopped
    if measured:
        _report(run_dir, log)
    published = _publish(prepared.cfg, run_dir, say) if measured else True
    code = exit_code(summary, error, run_dir, say)
    return HARNESS_ERROR if code == OK and not published else code


def prepare(raw: DictConfig, choices: dict[str, str], say: Say) -> Prepared:
    """Everything checked before anything is built: config, variants, Dockerfiles, proxies, disk, bases."""
    cfg = options.root(raw)
    variants = [plan.render(v) for v in _reachable(plan.expand(cfg, choices), say)]
    _say_notes(variants, say)
    most = cfg.adaptive.max_repetitions if cfg.repetitions == "auto" else cfg.repetitions
    builds = plan.plan(variants, most)  # with repetitions=auto: the most that may be built
    prepared = Prepared(cfg, raw, choices, variants, builds)
    if not cfg.dry_run:
        for v in variants:
            mirrored = v.spec.proxy.profile.kind != "upstream"
            root = served_root(v.spec.project.modules) if mirrored else None
            validate.modules_served(v.spec.project, v.spec.strategy, v.spec.change, root)
        sdk.client()  # one clear line when no engine answers
        prepared.facts = engine_facts.collect()
        _check_disk(prepared.facts, len(builds), cfg.min_free_gb)
        _ensure_bases(variants, say)
    return prepared


def start(prepared: Prepared, writer: RunWriter, overrides: list[str]) -> dict[str, Any]:
    """Write the manifest (status running until the end) and each variant's Dockerfile."""
    cfg = prepared.cfg
    manifest = prepared.manifest or {
        "run_id": f"{writer.dir.name}-{uuid.uuid4().hex[:6]}",
        "scenario": cfg.name,
        "started_at": runner.now_iso(),
        "planned_builds": len(prepared.builds),
        "repetitions": cfg.repetitions,
        "warmup": cfg.warmup,
        "variants": [v.label for v in prepared.variants],
        "variant_specs": {v.label: asdict(v.spec) for v in prepared.variants},
        "dockerfile_aliases": {v.label: v.dockerfile.aliases for v in prepared.variants if v.dockerfile and v.dockerfile.aliases},
        "overrides": overrides,
        "choices": prepared.choices,
        "config": OmegaConf.to_container(prepared.raw, resolve=True),
        "dry_run": cfg.dry_run,
        "engine": prepared.facts,
        "harness_version": bench.__version__,
        "harness_commit": git_commit(REPO_ROOT),
        "host": prepared.facts.get("hostname") or socket.gethostname(),
        "project_commit": git_commit(project_dir(cfg.project)),
    }
    manifest["status"] = "running"  # stays so if the process is killed: a resume notices it
    writer.write_manifest(manifest)
    for v in prepared.variants:
        if v.dockerfile is not None:
            writer.write_dockerfile(v.label, v.dockerfile.text)
    return manifest


def execute(
    prepared: Prepared, writer: RunWriter, manifest: dict[str, Any], log: logs.Log
) -> tuple[runner.RunSummary, BaseException | None]:
    """Every planned build, with the run's resources open; a harness error keeps the rows written so far."""
    new_row = runner.RowFactory(
        run_id=manifest["run_id"], scenario=prepared.cfg.name, harness_version=bench.__version__,
        harness_commit=manifest["harness_commit"], engine=prepared.facts,
    )
    builds = schedule(prepared, writer, log)
    total = len(prepared.builds)
    if prepared.cfg.dry_run:
        return runner.run(builds, runner.DryRunExecutor(), writer, new_row, log, total=total), None
    ctx = RunContext(writer.dir, manifest["run_id"], say=log, log=log)
    summary = runner.RunSummary(planned=total)
    try:
        with RunResources(ctx) as res:
            summary = runner.run(builds, DockerExecutor(res), writer, new_row, log, total=total)
    except (UsageError, OSError, RuntimeError) as err:  # resources that could not start mid-run
        return summary, err
    return summary, None


def schedule(prepared: Prepared, writer: RunWriter, say: Say) -> Iterable[plan.PlannedBuild]:
    """Warm-up rounds, then the measured rounds: fixed, or until every comparison is settled (`auto`)."""
    cfg = prepared.cfg
    warm = plan.warmup(prepared.variants, cfg.warmup)
    if cfg.repetitions != "auto":
        return [*warm, *prepared.builds]
    labels, a = [v.label for v in prepared.variants], cfg.adaptive

    def settled() -> bool:
        from bench import adaptive
        from bench.results import load

        open_ = adaptive.unsettled(load(writer.dir).builds, labels, a.threshold, a.target_width)
        say(f"auto: {'every comparison settled' if not open_ else 'not settled yet: ' + ', '.join(open_)}")
        return not open_

    return itertools.chain(warm, plan.adaptive(prepared.variants, a.min_repetitions, a.max_repetitions, settled))


def finish(
    writer: RunWriter, manifest: dict[str, Any], summary: runner.RunSummary, error: BaseException | None
) -> None:
    """The manifest's final status and end time."""
    status = "complete"
    if error is not None:
        status = "harness error"
    elif summary.engine_stopped:
        status = "engine stopped"
    elif summary.interrupted:
        status = "interrupted"
    manifest.update(status=status, ended_at=runner.now_iso())
    writer.write_manifest(manifest)


def exit_code(summary: runner.RunSummary, error: BaseException | None, run_dir: Path, say: Say) -> int:
    """The exit code of a run, with one line saying what it means."""
    kept = summary.done + summary.skipped_done
    say(f"{summary.done} build(s) recorded ({summary.failed} failed, {summary.skipped} skipped, "
        f"{summary.invalid} invalid, {summary.skipped_done} already done) in {run_dir}")
    if error is not None:
        say(f"error: {error}; {kept} rows are safe in {run_dir}; finish with: python -m bench resume={run_dir}")
        return HARNESS_ERROR
    if summary.engine_stopped:
        say(f"error: the Docker engine stopped answering; {kept} rows are safe in "
            f"{run_dir}. Start it (make setup) and finish with: python -m bench resume={run_dir}")
        return ENGINE_STOPPED
    if summary.interrupted:
        say(f"interrupted; finish with: python -m bench resume={run_dir}")
        return INTERRUPTED
    if summary.failed or summary.skipped:
        say(f"{summary.failed} failed and {summary.skipped} skipped of {summary.done} build(s); "
            "their rows carry failure_class, warnings and log_tail")
        return SOME_FAILED
    if summary.done and summary.invalid >= summary.done:
        # Every build ran, but none in the state it declared: the run measured nothing usable.
        say(f"all {summary.done} build(s) are invalid (see invalid_reason): nothing usable was measured")
        return SOME_FAILED
    return OK


@contextmanager
def _nothing_left_on_bad_input(run_dir: Path, resuming: bool) -> Iterator[None]:
    try:
        yield
    except UsageError:
        if not resuming:
            _drop_if_empty(run_dir)
        raise


def _resumed(run_dir: Path, say: Say) -> tuple[Path, DictConfig, dict[str, Any], dict[str, Any]]:
    """The run directory, saved config, choices and manifest of an interrupted run."""
    path = run_dir / MANIFEST
    if not path.is_file():
        raise UsageError(f"resume: {run_dir} has no {MANIFEST}; give the directory of an earlier run")
    manifest = json.loads(path.read_text())
    saved = OmegaConf.merge(OmegaConf.structured(BenchConfig), manifest["config"])
    saved.resume = None
    done = len(RunWriter(run_dir).completed_build_ids())
    if manifest.get("status") == "running":
        say("resume: the previous process stopped without finishing (killed?); the build in flight then is redone")
    say(f"resume: {done} of {manifest.get('planned_builds', '?')} builds already recorded in {run_dir}")
    return run_dir, saved, dict(manifest.get("choices") or {}), manifest  # type: ignore[return-value]


def _reachable(variants: list[plan.Variant], say: Say) -> list[plan.Variant]:
    """Drop variants whose upstream proxy does not answer (one line each); none left is bad input."""
    kept, skipped = [], []
    for v in variants:
        reason = next(filter(None, (_upstream_problem(m) for m in v.spec.proxy.members)), None)
        if reason:
            skipped.append(f"{v.label}: proxy {v.spec.proxy.name}: {reason}")
        else:
            kept.append(v)
    if not kept:
        raise UsageError(f"proxy: no variant's module proxy is reachable ({skipped[0]}); use a local profile (proxy=local)")
    for line in skipped:
        say(f"skipped: {line}")
    return kept


def _upstream_problem(profile: Any) -> str | None:
    target = profile.probe_url or profile.url
    if profile.kind != "upstream" or target in ("direct", "off", ""):
        return None
    return mirror_stack.probe(target)


def _check_disk(facts: Mapping[str, Any], builds: int, min_free_gb: float) -> None:
    free = float(facts.get("disk_free_bytes") or 0) / GB
    need = min_free_gb + GB_PER_BUILD * builds
    if free and free < need:
        raise UsageError(
            f"not enough free disk for {builds} builds: {free:.1f} GB free on {facts.get('docker_root')}, "
            f"about {need:.1f} GB needed ({min_free_gb:g} GB + {GB_PER_BUILD} GB per build); "
            "free space, lower repetitions, or set min_free_gb"
        )


def _ensure_bases(variants: list[plan.Variant], say: Say) -> None:
    """Build the local base images this run needs, and only those (other Go builders stay unbuilt)."""
    local = [v for v in variants if v.spec.base.name == "local"]
    roles = {v.spec.runtime.role for v in local} | {"runtime-static"}  # the empty container timed beside each image
    bases.ensure_for(sorted({v.spec.project.go for v in local}), roles=sorted(roles), say=say)
    images = {img for v in local if v.dockerfile for img in v.dockerfile.build_contexts.values()}
    bases.ensure_images([i.removeprefix("docker-image://") for i in sorted(images)], say=say)


def _say_notes(variants: list[plan.Variant], say: Say) -> None:
    """What the harness did to your own Dockerfile, said once (aliases used, syntax line dropped, stages not built)."""
    for note in dict.fromkeys(n for v in variants if v.dockerfile for n in v.dockerfile.notes):
        say(f"note: {note}")
    for v in variants:
        if v.dockerfile and v.dockerfile.aliases:
            say(f"note: {v.label}: named contexts {v.dockerfile.aliases}")


def _report(run_dir: Path, log: logs.Log) -> None:
    """Tables and plots of this run, written under <run>/report, printed (a `report` event in a JSON log)."""
    from bench import report
    from bench.results import load

    try:
        rep = report.build(load(run_dir), run_dir / "report")
    except (UsageError, ValueError, KeyError) as err:  # a report problem must never hide the saved rows
        log(f"report not written: {err}", event="report", level="warning")
        return
    if log.json:
        log(f"report: {run_dir / 'report' / 'report.md'}", event="report", path=str(run_dir / "report"))
    else:
        report.print_report(rep, run_dir / "report")


def _publish(cfg: BenchConfig, run_dir: Path, say: Say) -> bool:
    """Metrics to a Pushgateway and/or a textfile when configured; False when that failed (results stay saved)."""
    if not (cfg.metrics.pushgateway or cfg.metrics.textfile):
        return True
    from bench import metrics

    try:
        for line in metrics.publish(run_dir, cfg.metrics.pushgateway, cfg.metrics.textfile):
            say(line)
    except metrics.PublishError as err:
        for line in err.done:
            say(line)
        say(f"error: {err}; send them again with: python -m bench.metrics {run_dir}")
        return False
    return True


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
