"""Two runs side by side (asv's compare): `bench-compare --base RUN --new RUN`.

Every variant both runs measured, every tracked metric: the new median against the base
median, the ratio with its interval and method (`bench.stats.ratio_interval` for timings),
and a verdict. The rule is the regression check's (`bench.findings`), so the exit code means
the same: 1 when something got worse beyond the thresholds. Unlike the history check, any
two runs may be compared; where they differ in more than the change under test (host,
engine, scenario, variants), the caveats say so.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from bench import history, stats
from bench.errors import UsageError
from bench.findings import DETERMINISTIC, Finding, fmt, variant_findings
from bench.results import Results, load

FASTER, SLOWER, NO_CLEAR, WITHIN, SINGLE = "faster", "slower", "no clear difference", "within threshold", "single sample"


@dataclass
class RunComparison:
    """The findings of `new` against `base`, and what makes the two runs differ besides the change."""

    base_run: str
    new_run: str
    findings: list[Finding] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)


def one_run(path: str | Path, flag: str) -> Results:
    """The results of exactly one run directory; UsageError naming `flag` otherwise."""
    res = load(path)
    if len(res.manifests) != 1:
        found = f"{len(res.manifests)} runs" if len(res.manifests) else "no run"
        raise UsageError(f"{flag}: {path} holds {found}; give one run directory (it has a manifest.json)")
    return res


def compare_runs(base: Results, new: Results, threshold: float = 0.05, size_threshold: float = 0.05,
                 failure_threshold: float = 0.2) -> RunComparison:
    """Every common variant of two runs, each tracked metric with its ratio, interval, method and verdict."""
    bm, nm = base.manifests.iloc[0], new.manifests.iloc[0]
    out = RunComparison(str(bm["run_id"]), str(nm["run_id"]), caveats=_differences(bm, nm, base.builds, new.builds))
    host = history.host_of(nm)
    scenario = str(nm.get("scenario", ""))
    for variant in [v for v in _variants(new.builds) if v in set(_variants(base.builds))]:
        n = new.builds[new.builds["variant"] == variant]
        b = base.builds[base.builds["variant"] == variant]
        for f in variant_findings(scenario, variant, n, b, threshold, size_threshold, failure_threshold):
            why = verdict(f, threshold, size_threshold, failure_threshold)
            out.findings.append(replace(f, host=host, newest_run=out.new_run, verdict=why))
    return out


def verdict(f: Finding, threshold: float, size_threshold: float, failure_threshold: float) -> str:
    """`slower`/`faster` beyond the threshold, `within threshold`, `no clear difference`, `single sample`;
    for sizes `larger`/`smaller`/`same`; for the failure share `more failures`/`fewer failures`/`same`."""
    if f.metric == "failure_share":
        change = f.newest - f.baseline
        return "more failures" if change > failure_threshold else "fewer failures" if -change > failure_threshold else "same"
    if f.metric in DETERMINISTIC:
        return "larger" if f.ratio > 1 + size_threshold else "smaller" if f.ratio < 1 - size_threshold else "same"
    if math.isnan(f.ci_low):
        return SINGLE
    if f.ci_low > 1 + threshold:
        return SLOWER
    if f.ci_high < 1 - threshold:
        return FASTER
    return NO_CLEAR if f.ci_low <= 1 <= f.ci_high else WITHIN


def _variants(builds: pd.DataFrame) -> list[str]:
    return [str(v) for v in dict.fromkeys(builds["variant"])] if "variant" in builds else []


def _differences(bm: pd.Series, nm: pd.Series, base: pd.DataFrame, new: pd.DataFrame) -> list[str]:
    out = []
    if bm.get("scenario") != nm.get("scenario"):
        out.append(f"Different scenarios: {bm.get('scenario')} (base) and {nm.get('scenario')} (new).")
    facts = [f for f in history.HOST_FACTS if _fact(bm, f) != _fact(nm, f)]
    if facts:
        shown = "; ".join(f"{f} {_fact(bm, f)} -> {_fact(nm, f)}" for f in facts)
        out.append(f"The runs differ in host or engine ({shown}): the ratios include that difference.")
    only_base = [v for v in _variants(base) if v not in set(_variants(new))]
    only_new = [v for v in _variants(new) if v not in set(_variants(base))]
    if only_base or only_new:
        out.append(f"Not compared (in one run only): base {', '.join(only_base) or '-'}; new {', '.join(only_new) or '-'}.")
    return out


def _fact(m: pd.Series, name: str) -> str:
    v = m.get(f"engine.{name}")
    return "?" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


def table(findings: Sequence[Finding]) -> pd.DataFrame:
    """Every comparison as a row: variant, metric, base, new, ratio, interval (method), verdict."""
    return pd.DataFrame([
        {"variant": f.variant, "metric": f.metric, "base": fmt(f.metric, f.baseline), "new": fmt(f.metric, f.newest),
         "ratio": "-" if not math.isfinite(f.ratio) else f"{f.ratio:.3f}",
         "interval": "-" if math.isnan(f.ci_low) else f"{f.ci_low:.3f}-{f.ci_high:.3f} ({_method(f.method)})",
         "verdict": f.verdict + (" (REGRESSION)" if f.regression else "")}
        for f in findings
    ], columns=["variant", "metric", "base", "new", "ratio", "interval", "verdict"])


def _method(method: str) -> str:
    return {stats.RANGE: "range", stats.HODGES_LEHMANN: "95% CI", stats.EXACT: "no spread"}.get(method, method)


def headline(cmp: RunComparison) -> list[str]:
    """The changes worth a line: regressions first, then clear improvements of timings."""
    bad = [f"**{f.sentence()}**" for f in cmp.findings if f.regression]
    good = [f"{f.variant} {f.metric}: {f.verdict}, ratio {f.ratio:.2f} ({fmt(f.metric, f.baseline)} -> "
            f"{fmt(f.metric, f.newest)})" for f in cmp.findings if f.verdict in (FASTER, "smaller", "fewer failures")]
    return bad + good or ["no difference beyond the thresholds"]


def to_markdown(cmp: RunComparison) -> str:
    """The comparison as Markdown: what changed, the caveats, then every metric of every common variant."""
    lines = [f"## {cmp.new_run} against {cmp.base_run}", "", *[f"- {h}" for h in headline(cmp)], ""]
    if cmp.caveats:
        lines += ["**Caveats**", "", *[f"- {c}" for c in cmp.caveats], ""]
    if cmp.findings:
        lines += [table(cmp.findings).to_markdown(index=False), ""]
    methods = sorted({f.method for f in cmp.findings if f.method})
    if methods:
        lines.append("Intervals: " + "; ".join(stats.METHOD_LABELS.get(m, m) for m in methods) + ".")
    return "\n".join(lines).rstrip() + "\n"


def to_html(cmp: RunComparison) -> str:
    """The same as a standalone HTML page."""
    items = "".join(f"<li>{html.escape(h.strip('*'))}</li>" for h in headline(cmp))
    cav = "".join(f"<li>{html.escape(c)}</li>" for c in cmp.caveats)
    body = table(cmp.findings).to_html(index=False, border=0) if cmp.findings else ""
    title = html.escape(f"{cmp.new_run} against {cmp.base_run}")
    return (f"<!doctype html><meta charset=utf-8><title>bench: {title}</title><h2>{title}</h2><ul>{items}</ul>"
            + (f"<h3>Caveats</h3><ul>{cav}</ul>" if cav else "") + body)

