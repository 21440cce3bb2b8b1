"""Regression check over the results history: the newest run of each scenario against a window of earlier runs.

`python -m bench.compare [paths ...] [--window 7] [--threshold 0.2]` writes a Markdown and
HTML summary and exits 1 when some metric regressed, so a nightly job fails visibly.

A timing change is a regression only when it is clear beyond the threshold: the whole 95%
bootstrap interval of the ratio newest/baseline (medians) lies above 1 + threshold, i.e.
the slowdown is at least the threshold with 95% confidence. Shared machines wobble by
10-20%, so the default threshold is 20%. With a single sample on either side there is no
interval; the ratio must then exceed the threshold and the new value must lie above every
value of the window. Image sizes and bytes fetched are deterministic: a smaller threshold
on the ratio alone.
"""

from __future__ import annotations

import argparse
import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bench import stats
from bench.errors import UsageError, cli_entry
from bench.results import load

# metric -> (column, how it is judged)
TIMED = ("wall_s", "download_s")
DETERMINISTIC = ("image_unpacked_bytes", "mirror_bytes")


@dataclass(frozen=True)
class Finding:
    """One metric of one variant: the newest value against the baseline window."""

    scenario: str
    variant: str
    metric: str
    baseline: float
    newest: float
    ratio: float
    ci_low: float
    ci_high: float
    regression: bool
    note: str = ""

    def sentence(self) -> str:
        """One line naming the metric and the size of the change."""
        change = (self.ratio - 1.0) * 100
        ci = "" if np.isnan(self.ci_low) else f", 95% CI {self.ci_low:.2f}-{self.ci_high:.2f}"
        tag = "REGRESSION" if self.regression else "ok"
        note = f"; {self.note}" if self.note else ""
        return (
            f"{tag}: {self.scenario} {self.variant} {self.metric} {change:+.0f}% "
            f"({_fmt(self.metric, self.baseline)} -> {_fmt(self.metric, self.newest)}, ratio {self.ratio:.2f}{ci}){note}"
        )


def _fmt(metric: str, value: float) -> str:
    if metric.endswith("_bytes"):
        return f"{value / 1e6:.2f} MB"
    if metric == "failure_share":
        return f"{value:.0%}"
    return f"{value:.2f} s"


def check(
    builds: pd.DataFrame,
    manifests: pd.DataFrame,
    *,
    window: int = 7,
    threshold: float = 0.2,
    size_threshold: float = 0.05,
    failure_threshold: float = 0.2,
    seed: int = 0,
) -> list[Finding]:
    """Findings for the newest run of each scenario against up to `window` earlier runs of it."""
    findings: list[Finding] = []
    if manifests.empty:
        return findings
    runs = manifests.sort_values("started_at")
    for scenario, group in runs.groupby("scenario", sort=False):
        ids = list(group["run_id"])
        if len(ids) < 2:
            continue
        newest, earlier = ids[-1], ids[-1 - window : -1]
        new = builds[builds["run_id"] == newest]
        old = builds[builds["run_id"].isin(earlier)]
        for variant in new["variant"].unique():
            n, o = new[new["variant"] == variant], old[old["variant"] == variant]
            if o.empty:
                continue  # a new variant has no history yet
            findings += _variant(str(scenario), str(variant), n, o, threshold, size_threshold, failure_threshold, seed)
    return findings


def _variant(
    scenario: str, variant: str, new: pd.DataFrame, old: pd.DataFrame,
    threshold: float, size_threshold: float, failure_threshold: float, seed: int,
) -> list[Finding]:
    out = []
    for metric in TIMED:
        a, b = _values(new, metric), _values(old, metric)
        if a.size and b.size and np.median(b) > 0:
            out.append(_timed(scenario, variant, metric, a, b, threshold, seed))
    for metric in DETERMINISTIC:
        a, b = _values(new, metric), _values(old, metric)
        if a.size and b.size and np.median(b) > 0:
            ratio = float(np.median(a) / np.median(b))
            out.append(Finding(scenario, variant, metric, float(np.median(b)), float(np.median(a)), ratio,
                               np.nan, np.nan, ratio > 1 + size_threshold))
    out.append(_failures(scenario, variant, new, old, failure_threshold))
    return out


def _values(rows: pd.DataFrame, metric: str) -> np.ndarray:
    ok = stats.usable(rows)
    return ok[metric].dropna().to_numpy(dtype=float) if metric in ok else np.array([])


def _timed(scenario: str, variant: str, metric: str, a: np.ndarray, b: np.ndarray, threshold: float, seed: int) -> Finding:
    ratio, low, high = stats.ratio_ci(a, b, seed)
    if np.isnan(low):
        regression = ratio > 1 + threshold and float(a.max()) > float(b.max())
        note = "single sample: ratio and window range only"
    else:
        regression = low > 1 + threshold
        note = "" if regression or high <= 1 + threshold else "may exceed the threshold, but not clearly"
    return Finding(scenario, variant, metric, float(np.median(b)), float(np.median(a)), ratio, low, high, regression, note)


def _failures(scenario: str, variant: str, new: pd.DataFrame, old: pd.DataFrame, limit: float) -> Finding:
    def share(rows: pd.DataFrame) -> float:
        ran = rows[rows["status"].isin(["ok", "failed"])]
        return float((ran["status"] == "failed").mean()) if len(ran) else 0.0

    s_new, s_old = share(new), share(old)
    ratio = s_new / s_old if s_old else (np.inf if s_new else 1.0)
    return Finding(scenario, variant, "failure_share", s_old, s_new, ratio, np.nan, np.nan, s_new - s_old > limit)


def table(findings: Sequence[Finding]) -> pd.DataFrame:
    """Every comparison as a row."""
    return pd.DataFrame([
        {"scenario": f.scenario, "variant": f.variant, "metric": f.metric, "baseline": _fmt(f.metric, f.baseline),
         "newest": _fmt(f.metric, f.newest), "ratio": f"{f.ratio:.2f}",
         "95% CI": "-" if np.isnan(f.ci_low) else f"{f.ci_low:.2f}-{f.ci_high:.2f}",
         "regression": "yes" if f.regression else "", "note": f.note}
        for f in findings
    ])


def to_markdown(findings: Sequence[Finding]) -> str:
    """Regressions first, then everything compared, as Markdown."""
    bad = [f for f in findings if f.regression]
    lines = ["## Regression check", ""]
    lines += [f"- **{f.sentence()}**" for f in bad] or ["- no regression"]
    if findings:
        lines += ["", table(findings).to_markdown(index=False)]
    return "\n".join(lines) + "\n"


def to_html(findings: Sequence[Finding]) -> str:
    """The same summary as a standalone HTML page."""
    bad = [f"<li><b>{html.escape(f.sentence())}</b></li>" for f in findings if f.regression] or ["<li>no regression</li>"]
    body = table(findings).to_html(index=False, border=0) if findings else ""
    return f"<!doctype html><meta charset=utf-8><title>bench regression check</title><h2>Regression check</h2><ul>{''.join(bad)}</ul>{body}"


@cli_entry
def main(argv: Sequence[str] | None = None) -> None:
    """Command line; exit 1 when a regression is found."""
    p = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.splitlines()[0])
    p.add_argument("paths", nargs="*", default=["results"], help="results folders or globs (default: results)")
    p.add_argument("--scenario", help="only this scenario")
    p.add_argument("--window", type=int, default=7, help="earlier runs in the baseline (default 7)")
    p.add_argument("--threshold", type=float, default=0.2, help="relative slowdown that counts (default 0.2)")
    p.add_argument("--size-threshold", type=float, default=0.05, help="relative image/bytes growth that counts")
    p.add_argument("--failure-threshold", type=float, default=0.2, help="rise in failure share that counts")
    p.add_argument("--out", type=Path, default=Path("results/compare"), help="where the summary goes")
    ns = p.parse_args(argv)
    if ns.window < 1 or ns.threshold < 0:
        raise UsageError("--window must be at least 1 and --threshold at least 0")
    res = load(ns.paths, scenario=ns.scenario)
    if res.manifests.empty:
        raise UsageError(f"no runs found under {' '.join(ns.paths)}")
    findings = check(res.builds, res.manifests, window=ns.window, threshold=ns.threshold,
                     size_threshold=ns.size_threshold, failure_threshold=ns.failure_threshold)
    md = to_markdown(findings)
    ns.out.mkdir(parents=True, exist_ok=True)
    (ns.out / "compare.md").write_text(md)
    (ns.out / "compare.html").write_text(to_html(findings))
    print(md.rstrip())
    print(f"\nsummary: {ns.out / 'compare.md'}")
    if any(f.regression for f in findings):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
