"""The report of saved results: the answer first, pivot grids, tables, plots, report.json.

`python -m bench.report <run dir or glob> [...] [--out DIR]` rebuilds it for one run or
several combined. `build(res, out)` writes report.md, report.html, report.json and the
plots into `out`; each table appears only where the results hold the data for it.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from bench import stats
from bench.errors import UsageError, cli_entry
from bench.report import cachepay, export, render
from bench.report.grids import Grid, grids
from bench.report.mirrors import proxy_table
from bench.report.summary import Summary, summarize
from bench.report.tables import (
    builds_table,
    cache_table,
    change_table,
    image_table,
    ratio_records,
    variants_tables,
)
from bench.results import Results, load

__all__ = [
    "Report",
    "build",
    "cache_table",
    "change_table",
    "image_table",
    "main",
    "print_report",
    "proxy_table",
    "variants_tables",
]
VARIANTS_TITLE = "Variants against the baseline (wall time, like with like)"


@dataclass
class Report:
    """Everything the report shows: summary sentences (`verdict`), caveats, grids, tables, plots, facts."""

    verdict: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    plots: list[Path] = field(default_factory=list)
    excluded: int = 0
    caveats: list[str] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)
    summary: Summary = field(default_factory=Summary)
    builds: pd.DataFrame = field(default_factory=pd.DataFrame)
    facts: dict[str, dict[str, str]] = field(default_factory=dict)
    ratios: list[dict[str, object]] = field(default_factory=list)
    title: str = "bench report"


def build(res: Results, out: Path) -> Report:
    """Summary, grids, tables and plots for `res`, written into `out` (report.md, .html, .json, plots)."""
    b = res.builds
    if b.empty:
        raise UsageError("no builds in the selected results")
    planned = _planned(res.manifests)
    summary = summarize(b, res.manifests, planned)
    rep = Report(verdict=summary.sentences, caveats=summary.caveats, summary=summary,
                 excluded=int(len(b) - len(stats.usable(b))), grids=grids(b, planned),
                 builds=builds_table(b), facts=render.facts(res.manifests), title=_title(res.manifests),
                 ratios=ratio_records(b, planned))
    variants = variants_tables(b, planned)
    for title, table in [
        *[(VARIANTS_TITLE + (f": {name}" if len(variants) > 1 else ""), t) for name, t in variants.items()],
        ("Image size", image_table(b)),
        ("Changes", change_table(b)),
        ("Cache modes", cache_table(b)),
        ("Does caching pay? (each cache mode against a cold build, like with like)", cachepay.pay_table(b)),
        ("Attestation cost (attest=default against none)", cachepay.attest_table(b)),
        ("No-op floors (warm, nothing changed)", cachepay.floor_table(b)),
        ("Module mirrors", proxy_table(b, res.manifests)),
    ]:
        if table is not None and not table.empty:
            rep.tables[title] = table
    out.mkdir(parents=True, exist_ok=True)
    rep.plots = _plots(res, out)
    (out / "report.md").write_text(render.markdown(rep))
    (out / "report.html").write_text(render.html(rep))
    export.write(rep, out / "report.json")
    return rep


def _plots(res: Results, out: Path) -> list[Path]:
    # Imported here: bench.plots reads variant layouts from this package (no import cycle at load time).
    from bench import plots

    b = res.builds
    made = [plots.build_times(b, out / "build_times"), plots.step_times(b, res.steps, out / "step_times"),
            plots.image_sizes(b, out / "image_sizes"), plots.proxy_profiles(b, out / "proxy_profiles"),
            plots.cache_payoff(cachepay.pay_table(b), out / "cache_payoff")]
    return [p for p in made if p is not None]


def _planned(manifests: pd.DataFrame) -> list[str]:
    """Variants in plan order across runs; each run lists its baseline first."""
    lists: Any = manifests.get("variants", [])
    return list(dict.fromkeys(v for vs in lists if isinstance(vs, list) for v in vs))


def _title(manifests: pd.DataFrame) -> str:
    names = list(dict.fromkeys(manifests["scenario"])) if "scenario" in manifests else []
    return f"bench report: {', '.join(map(str, names))}" if names else "bench report"


def print_report(rep: Report, out: Path) -> None:
    """The summary, grids and tables on the terminal, then where the files are."""
    print(render.markdown(rep, with_plots=False, with_facts=False).rstrip())
    print(f"\nreport: {out / 'report.md'}, {out / 'report.html'} and {out / 'report.json'}")
    for p in rep.plots:
        print(f"plot: {p} (+ .svg)")


@cli_entry
def main(argv: Sequence[str] | None = None) -> None:
    """`python -m bench.report <run dir or glob> [...] [--out DIR]`."""
    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="run directories or globs")
    parser.add_argument("--out", type=Path, help="where to write (default: <run>/report for one run)")
    parser.add_argument("--scenario", help="only runs of this scenario")
    ns = parser.parse_args(argv)
    res = load(ns.paths, scenario=ns.scenario)
    if res.manifests.empty:
        raise UsageError(f"no runs found under {' '.join(ns.paths)}")
    out = ns.out or (Path(res.manifests.iloc[0]["run_dir"]) / "report" if len(res.manifests) == 1 else Path("results/report"))
    print_report(build(res, out), out)

