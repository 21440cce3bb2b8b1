"""Comparison tables, a generated verdict, and plots, from saved results only.

`python -m bench.report <run dir or glob> [...] [--out DIR]` rebuilds them for one run or
several combined. Each table appears only where the results hold the data for it.
"""

from __future__ import annotations

import argparse
import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bench import plots, stats
from bench.errors import UsageError, cli_entry
from bench.results import Results, load

FRESH_RUNNER = ("inline", "local_max", "registry_max")


@dataclass
class Report:
    """The verdict lines, the tables by title, and the plot files."""

    verdict: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    plots: list[Path] = field(default_factory=list)
    excluded: int = 0


def _fmt_s(d: dict[str, float]) -> str:
    if not d["n"]:
        return "-"
    return f"{d['median']:.1f} [{d['iqr']:.1f}]"


def _mb(x: float) -> str:
    return "-" if x is None or pd.isna(x) else f"{x / 1e6:.1f}"


def image_table(b: pd.DataFrame) -> pd.DataFrame | None:
    """Per strategy and runtime: image sizes, cold build time, start-up time."""
    ok = stats.usable(b).dropna(subset=["image_unpacked_bytes"])
    if ok.empty:
        return None
    rows = []
    for (strategy, runtime), g in ok.groupby(["strategy", "runtime"], sort=False):
        cold = g[g["cache"] == "none"]["wall_s"]
        rows.append({
            "strategy": strategy, "runtime": runtime,
            "compressed MB": _mb(g["image_compressed_bytes"].median()),
            "unpacked MB": _mb(g["image_unpacked_bytes"].median()),
            "layers": int(g["image_layers"].median()),
            "cold build s": f"{cold.median():.1f}" if len(cold) else "-",
            "start-up ms": f"{g['startup_s'].median() * 1000:.0f}" if g["startup_s"].notna().any() else "-",
        })
    return pd.DataFrame(rows)


def change_table(b: pd.DataFrame) -> pd.DataFrame | None:
    """Per change kind and strategy: were dependencies downloaded again, build time median [IQR], n."""
    if b["change"].nunique() < 2 and (b["change"] == "none").all():
        return None
    ok = stats.usable(b)
    rows = []
    for (change, strategy), g in ok.groupby(["change", "strategy"], sort=False):
        again = (g["download_step_ran"].fillna(False).astype(bool)) | (g["mirror_zip"] > 0)
        rows.append({
            "change": change, "strategy": strategy,
            "deps downloaded again": f"{again.mean():.0%}" if len(g) else "-",
            "mirror MB": _mb(g["mirror_bytes"].median()),
            "build s median [IQR]": _fmt_s(stats.describe(g["wall_s"].tolist())), "n": len(g),
        })
    return pd.DataFrame(rows)


def cache_table(b: pd.DataFrame) -> pd.DataFrame | None:
    """Per cache mode: build time and the share of steps served from cache."""
    if b["cache"].nunique() < 2:
        return None
    ok = stats.usable(b)
    rows = []
    for cache, g in ok.groupby("cache", sort=False):
        share = (g["steps_cached"] / g["steps_total"].where(g["steps_total"] > 0)).median()
        rows.append({
            "cache": cache, "fresh runner": "yes" if cache in FRESH_RUNNER else "no",
            "build s median [IQR]": _fmt_s(stats.describe(g["wall_s"].tolist())),
            "steps cached": f"{share:.0%}" if not pd.isna(share) else "-", "n": len(g),
        })
    return pd.DataFrame(rows)


def proxy_table(b: pd.DataFrame) -> pd.DataFrame | None:
    """Per mirror profile: build time, bytes fetched, faults, failures."""
    if b["proxy"].nunique() < 2:
        return None
    rows = []
    for proxy, g in b.groupby("proxy", sort=False):
        ok = stats.usable(g)
        ran = g[g["status"].isin(["ok", "failed"])]
        rows.append({
            "proxy": proxy, "build s median [IQR]": _fmt_s(stats.describe(ok["wall_s"].tolist())),
            "mirror MB": _mb(ok["mirror_bytes"].median()) if len(ok) else "-",
            "faults injected": int(g["mirror_faults"].sum()),
            "failed": f"{(ran['status'] == 'failed').sum()}/{len(ran)}",
            "skipped": int((g["status"] == "skipped").sum()),
        })
    return pd.DataFrame(rows)


def variants_table(b: pd.DataFrame, baseline: str) -> pd.DataFrame | None:
    """Every variant against the baseline: median, ratio with its 95% interval, verdict."""
    c = stats.compare_to_baseline(b, "wall_s", baseline)
    if c.empty:
        return None
    ci = [
        "-" if pd.isna(lo) else f"{lo:.2f}-{hi:.2f}" for lo, hi in zip(c["ci_low"], c["ci_high"])
    ]
    return pd.DataFrame({
        "variant": c["variant"], "n": c["n"], "median s": c["median"].round(2),
        "ratio to baseline": c["ratio"].round(3), "95% CI": ci, "verdict": c["verdict"],
    })


def verdict(b: pd.DataFrame, order: Sequence[str]) -> list[str]:
    """Sentences generated from the statistics: fastest per change kind and on a fresh runner, smallest image.

    Within each subset the baseline is the first variant of `order` (the run's plan order,
    whose first variant is the scenario's baseline) that the subset holds.
    """
    ok = stats.usable(b)
    if ok.empty:
        return ["No build succeeded: nothing to compare."]
    project = ", ".join(sorted(ok["project"].unique()))
    lines = [f"Project: {project}; baseline: {order[0] if order else '-'}."]
    for change in ok["change"].unique():
        lines += _fastest(b[b["change"] == change], order, f"after change={change}")
    fresh = b[b["cache"].isin(FRESH_RUNNER)]
    if not stats.usable(fresh).empty:
        lines += _fastest(fresh, order, "on a fresh CI runner")
    lines += _smallest(ok, order)
    failed = b[b["status"] == "failed"]
    if not failed.empty:
        per = failed.groupby("variant", sort=False).size()
        lines.append("Failed builds: " + ", ".join(f"{v} {n}" for v, n in per.items()) + ".")
    return lines


def _first_in(order: Sequence[str], present: Sequence[str]) -> str:
    return next((v for v in order if v in set(present)), present[0])


def _fastest(rows: pd.DataFrame, order: Sequence[str], when: str) -> list[str]:
    med = stats.usable(rows).groupby("variant")["wall_s"].median()
    if med.empty:
        return []
    best = med.idxmin()
    if len(med) == 1:
        return [f"Only {best} was measured {when}: {med[best]:.1f} s."]
    base = _first_in(order, list(med.index))
    cmp = stats.compare_to_baseline(rows, "wall_s", base).set_index("variant")
    line = f"Fastest {when}: {best}, median {med[best]:.1f} s"
    if best == base:
        line += f" (the baseline {base})"
    else:
        r = cmp.loc[best]
        interval = "" if pd.isna(r["ci_low"]) else f", 95% CI {r['ci_low']:.2f}-{r['ci_high']:.2f}"
        line += f": {r['ratio']:.2f}x the time of {base} ({r['verdict']}{interval})"
    out = [line + "."]
    unclear = [v for v in cmp.index if cmp.loc[v, "verdict"] == "no clear difference"]
    if unclear:
        out.append(f"No clear difference from {base} {when}: {', '.join(unclear)}.")
    return out


def _smallest(ok: pd.DataFrame, order: Sequence[str]) -> list[str]:
    sized = ok.dropna(subset=["image_unpacked_bytes"])
    if sized.empty:
        return []
    med = sized.groupby(["strategy", "runtime"], sort=False)["image_unpacked_bytes"].median()
    if len(med) < 2:
        return []
    best = med.idxmin()
    base_row = sized[sized["variant"] == _first_in(order, list(sized["variant"].unique()))].iloc[0]
    base = (base_row["strategy"], base_row["runtime"])
    ties = [k for k in med.index if med[k] <= med[best] * 1.01]  # within 1%: the same image for practical purposes
    names = ", ".join(f"{s} on {r}" for s, r in ties)
    line = f"Smallest image: {names}, {med[best] / 1e6:.1f} MB unpacked"
    if best != base:
        line += f", {med[base] / med[best]:.0f}x smaller than {base[0]} on {base[1]} ({med[base] / 1e6:.0f} MB)"
    return [line + "."]


def build(res: Results, out: Path) -> Report:
    """Tables, verdict and plots for `res`, written into `out` (report.md, report.html, plots)."""
    b = res.builds
    if b.empty:
        raise UsageError("no builds in the selected results")
    order = _order(res)
    baseline = order[0]
    rep = Report(excluded=int(len(b) - len(stats.usable(b))))
    rep.verdict = verdict(b, order)
    for title, table in [
        ("Variants against the baseline (wall time)", variants_table(b, baseline)),
        ("Image size", image_table(b)),
        ("Changes", change_table(b)),
        ("Cache modes", cache_table(b)),
        ("Module mirrors", proxy_table(b)),
    ]:
        if table is not None and not table.empty:
            rep.tables[title] = table
    out.mkdir(parents=True, exist_ok=True)
    for p in (
        plots.build_times(b, out / "build_times"),
        plots.step_times(b, res.steps, out / "step_times"),
        plots.image_sizes(b, out / "image_sizes"),
        plots.proxy_profiles(b, out / "proxy_profiles"),
    ):
        if p is not None:
            rep.plots.append(p)
    (out / "report.md").write_text(to_markdown(rep))
    (out / "report.html").write_text(to_html(rep))
    return rep


def _order(res: Results) -> list[str]:
    """Variants in plan order across runs; the first is the baseline (a scenario lists its baseline first)."""
    planned = [v for vs in res.manifests.get("variants", pd.Series(dtype=object)) for v in (vs or [])]
    return list(dict.fromkeys([*planned, *res.builds["variant"]]))


def to_markdown(rep: Report) -> str:
    """The report as Markdown."""
    parts = ["## Verdict", "", *[f"- {line}" for line in rep.verdict], ""]
    if rep.excluded:
        parts += [f"{rep.excluded} build(s) left out of the statistics (failed, skipped or invalid).", ""]
    for title, table in rep.tables.items():
        parts += [f"### {title}", "", table.to_markdown(index=False), ""]
    parts += [f"![{p.stem}]({p.name})" for p in rep.plots]
    return "\n".join(parts) + "\n"


def to_html(rep: Report) -> str:
    """The report as a standalone HTML page."""
    body = ["<h2>Verdict</h2><ul>", *[f"<li>{html.escape(line)}</li>" for line in rep.verdict], "</ul>"]
    for title, table in rep.tables.items():
        body += [f"<h3>{html.escape(title)}</h3>", table.to_html(index=False, border=0)]
    body += [f'<p><img src="{p.name}" alt="{p.stem}"></p>' for p in rep.plots]
    style = "body{font-family:sans-serif;max-width:1100px;margin:2em auto}td,th{padding:2px 8px;text-align:right}"
    return f"<!doctype html><meta charset=utf-8><title>bench report</title><style>{style}</style>\n" + "\n".join(body)


def print_report(rep: Report, out: Path) -> None:
    """The verdict and tables on the terminal, then where the files are."""
    print(to_markdown(Report(rep.verdict, rep.tables, [], rep.excluded)).rstrip())
    print(f"\nreport: {out / 'report.md'} and {out / 'report.html'}")
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


if __name__ == "__main__":
    main()
