"""Regression check over the results history: the newest run of each identity against a window of earlier ones.

`bench-compare [paths ...] [--window 7] [--threshold 0.05]` (or `python -m bench.compare`)
writes compare.md, compare.html (with a history plot of each tracked metric per scenario,
`bench.trend`) and compare.json, and exits 1 when some metric regressed, so a nightly job
fails visibly. `bench-compare --base RUN --new RUN` compares two runs instead
(`bench.compare_runs`, asv's compare), with the same rule and exit code. Only like is compared with like (`bench.history`): same scenario, variants,
axis values, host and engine; dry runs and samples are not history.

A timing change is a regression when its interval (the ratio newest/window of medians,
`bench.stats.ratio_interval`) lies wholly above 1 + threshold: a slowdown of at least the
threshold, beyond the noise. `scripts/power.py` measured that with the recorded noise
(sigma ~0.09) this rule detects a 20% slowdown with 80% power at 6 repetitions when the
threshold is 0.05 (never, at any repetition count, when it is 0.2). With one sample on a
side there is no interval: the ratio must exceed the threshold and the new value lie above
every earlier one. Image sizes and bytes fetched are deterministic: a ratio threshold.
"""

from __future__ import annotations

import argparse
import html
import json
import math
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from bench import compare_runs, history, stats, trend
from bench.errors import UsageError, cli_entry
from bench.findings import (
    DETERMINISTIC,
    TIMED,
    Finding,
    failure_share,
    nothing_usable,
    variant_findings,
)
from bench.findings import fmt as _fmt
from bench.results import load

COMPARE_JSON_VERSION = 1
__all__ = ["DETERMINISTIC", "TIMED", "Finding", "check", "failure_share", "main", "to_html", "to_json", "to_markdown"]


def check(
    builds: pd.DataFrame,
    manifests: pd.DataFrame,
    *,
    window: int = 7,
    threshold: float = 0.05,
    size_threshold: float = 0.05,
    failure_threshold: float = 0.2,
    include_samples: bool = False,
    seed: int = 0,
) -> list[Finding]:
    """Findings for the newest run of each identity against up to `window` earlier runs of it."""
    findings: list[Finding] = []
    for group in history.groups(history.history(manifests, builds, include_samples)):
        earlier = group.run_ids[-1 - window : -1]
        new = builds[builds["run_id"] == group.newest]
        old = builds[builds["run_id"].isin(earlier)]
        for variant in new["variant"].unique():
            n, o = new[new["variant"] == variant], old[old["variant"] == variant]
            tag = {"host": group.host, "newest_run": group.newest}
            if stats.usable(n).empty:
                findings.append(nothing_usable(group.scenario, str(variant), n, tag))
            if o.empty:
                continue  # a new variant (or a first run) has no history yet
            limits = (threshold, size_threshold, failure_threshold)
            findings += [Finding(**{**asdict(f), **tag}) for f in variant_findings(group.scenario, str(variant), n, o, *limits)]
    return findings


def newest_run_dir(manifests: pd.DataFrame, builds: pd.DataFrame, like: pd.Series | None = None) -> str | None:
    """The run directory of the newest run that counts as history (of the same identity as `like`, when given)."""
    hist = history.history(manifests, builds)
    if like is not None and not hist.empty:
        hist = hist[hist.apply(history.identity, axis=1) == history.identity(like)]
    return None if hist.empty else str(hist.sort_values("started_at").iloc[-1]["run_dir"])


def table(findings: Sequence[Finding]) -> pd.DataFrame:
    """Every comparison as a row."""
    return pd.DataFrame([
        {"scenario": f.scenario, "host": f.host, "variant": f.variant, "metric": f.metric,
         "window": _fmt(f.metric, f.baseline), "newest": _fmt(f.metric, f.newest),
         "ratio": "-" if math.isnan(f.ratio) else f"{f.ratio:.2f}",
         "interval": "-" if math.isnan(f.ci_low) else f"{f.ci_low:.2f}-{f.ci_high:.2f} ({f.method})",
         "regression": "yes" if f.regression else "", "note": f.note}
        for f in findings
    ])


def to_markdown(findings: Sequence[Finding], plots: Sequence[Path] = ()) -> str:
    """Regressions first, then everything compared, then the history plots (file names beside compare.md)."""
    bad = [f for f in findings if f.regression]
    lines = ["## Regression check", ""]
    lines += [f"- **{f.sentence()}**" for f in bad] or ["- no regression"]
    if findings:
        lines += ["", table(findings).to_markdown(index=False)]
    if plots:
        lines += ["", "### History", "", *[f"![{p.stem}]({p.name})" for p in plots]]
    return "\n".join(lines) + "\n"


def to_html(findings: Sequence[Finding], plots: Sequence[Path] = ()) -> str:
    """The same summary as a standalone HTML page, with the history plots (SVGs beside it)."""
    bad = [f"<li><b>{html.escape(f.sentence())}</b></li>" for f in findings if f.regression] or ["<li>no regression</li>"]
    body = table(findings).to_html(index=False, border=0) if findings else ""
    figures = "".join(f'<img src="{html.escape(p.with_suffix(".svg").name)}" alt="{html.escape(p.stem)}" '
                      'style="max-width:600px;display:inline-block">' for p in plots)
    return ("<!doctype html><meta charset=utf-8><title>bench regression check</title><h2>Regression check</h2>"
            f"<ul>{''.join(bad)}</ul>{body}" + (f"<h3>History</h3>{figures}" if figures else ""))


def to_json(findings: Sequence[Finding], settings: dict[str, object], extra: dict[str, object] | None = None) -> str:
    """compare.json: version, settings, regressions and every finding as records (schema: bench/compare.schema.json).

    `extra` adds top-level fields (the two-run comparison's `mode`, `base_run`, `new_run`, `caveats`).
    """
    doc = {"version": COMPARE_JSON_VERSION, **(extra or {}), "settings": settings,
           "regressions": [f.record() for f in findings if f.regression], "findings": [f.record() for f in findings]}
    return json.dumps(doc, indent=2, allow_nan=False) + "\n"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.splitlines()[0])
    p.add_argument("paths", nargs="*", default=["results"], help="results folders or globs (default: results)")
    p.add_argument("--scenario", help="only this scenario")
    p.add_argument("--window", type=int, default=7, help="earlier comparable runs in the baseline (default 7)")
    p.add_argument("--threshold", type=float, default=0.05,
                   help="slowdown the whole interval must exceed (default 0.05; see scripts/power.py)")
    p.add_argument("--size-threshold", type=float, default=0.05, help="relative image/bytes growth that counts")
    p.add_argument("--failure-threshold", type=float, default=0.2, help="rise in failure share that counts")
    p.add_argument("--include-samples", action="store_true", help="count runs under samples/ folders as history")
    p.add_argument("--expect-newest", type=Path, metavar="RUN_DIR",
                   help="fail (exit 2) unless this run is the newest of its scenario: the nightly's own run")
    p.add_argument("--base", metavar="RUN_DIR", help="two runs side by side: this one as the base (with --new)")
    p.add_argument("--new", metavar="RUN_DIR", help="two runs side by side: this one against --base")
    p.add_argument("--out", type=Path, help="where the summary goes (default results/compare, with --base/--new "
                   "results/compare/<base>-vs-<new>)")
    return p


@cli_entry
def main(argv: Sequence[str] | None = None) -> None:
    """Command line; exit 1 when a regression is found, 2 on bad input or when --expect-newest is not the newest."""
    ns = _parser().parse_args(argv)
    if ns.window < 1 or ns.threshold < 0:
        raise UsageError("--window must be at least 1 and --threshold at least 0")
    if ns.base or ns.new:
        _two_runs(ns)
        return
    ns.out = ns.out or Path("results/compare")
    res = load(ns.paths, scenario=ns.scenario)
    if res.manifests.empty:
        raise UsageError(f"no runs found under {' '.join(ns.paths)}")
    if ns.expect_newest is not None:
        _expect_newest(res.manifests, res.builds, ns.expect_newest)
    findings = check(res.builds, res.manifests, window=ns.window, threshold=ns.threshold,
                     size_threshold=ns.size_threshold, failure_threshold=ns.failure_threshold,
                     include_samples=ns.include_samples)
    ns.out.mkdir(parents=True, exist_ok=True)
    plots = trend.write_all(res.builds, res.manifests, ns.out, ns.include_samples)
    md = to_markdown(findings, plots)
    (ns.out / "compare.md").write_text(md)
    (ns.out / "compare.html").write_text(to_html(findings, plots))
    (ns.out / "compare.json").write_text(to_json(findings, _settings(ns, "window"), {"mode": "history"}))
    print(md.rstrip())
    print(f"\nsummary: {ns.out / 'compare.md'} (and compare.html, compare.json)")
    if any(f.regression for f in findings):
        raise SystemExit(1)


def _settings(ns: argparse.Namespace, *more: str) -> dict[str, object]:
    keys = ("threshold", "size_threshold", "failure_threshold", *more)
    return {k: v for k, v in vars(ns).items() if k in keys}


def _two_runs(ns: argparse.Namespace) -> None:
    """`--base RUN --new RUN`: every common variant of two runs (bench.compare_runs); exit 1 on a regression."""
    if not (ns.base and ns.new):
        raise UsageError("--base and --new go together: give two run directories")
    cmp = compare_runs.compare_runs(compare_runs.one_run(ns.base, "--base"), compare_runs.one_run(ns.new, "--new"),
                                    ns.threshold, ns.size_threshold, ns.failure_threshold)
    out = ns.out or Path("results/compare") / f"{Path(ns.base).name}-vs-{Path(ns.new).name}"
    out.mkdir(parents=True, exist_ok=True)
    md = compare_runs.to_markdown(cmp)
    (out / "compare.md").write_text(md)
    (out / "compare.html").write_text(compare_runs.to_html(cmp))
    extra: dict[str, object] = {"mode": "runs", "base_run": cmp.base_run, "new_run": cmp.new_run,
                                "caveats": cmp.caveats}
    (out / "compare.json").write_text(to_json(cmp.findings, _settings(ns), extra))
    print(md.rstrip())
    print(f"\nsummary: {out / 'compare.md'} (and compare.html, compare.json)")
    if any(f.regression for f in cmp.findings):
        raise SystemExit(1)


def _expect_newest(manifests: pd.DataFrame, builds: pd.DataFrame, run_dir: Path) -> None:
    mine = manifests[manifests["run_dir"].map(lambda d: Path(d).resolve() == run_dir.resolve())]
    if mine.empty:
        raise UsageError(f"--expect-newest: {run_dir} is not a run in the given paths (did the benchmark run?)")
    # Newest among the runs of its identity: an ad-hoc run of another project or host in the same
    # scenario is not what this nightly compares with, so it must not make the nightly fail either.
    scenario = str(mine.iloc[0]["scenario"])
    newest = newest_run_dir(manifests, builds, like=mine.iloc[0])
    if newest is None or Path(newest).resolve() != run_dir.resolve():
        raise UsageError(f"--expect-newest: the newest {scenario} run of the same identity in the history is "
                         f"{newest}, not {run_dir} (it measured nothing, did not finish, or is older)")


if __name__ == "__main__":
    main()
