"""The report as Markdown and as an HTML page (Jinja2 template beside this module)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bench import stats
from bench.report.grids import Grid

if TYPE_CHECKING:
    from bench.report import Report

TEMPLATES = Path(__file__).parent / "templates"
BEST = "★"
INTERVAL_COLS = ("low", "high", "method")


def fmt(value: Any) -> str:
    """A cell as text: `-` for missing, integers as such, floats with 2-3 significant digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        a = abs(value)
        if value == int(value) and (a >= 10 or a == 0) and a < 1e9:
            return f"{int(value)}"
        digits = 0 if a >= 100 else 1 if a >= 10 else 2 if a >= 0.1 else 3
        return f"{value:.{digits}f}"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _interval(low: Any, high: Any, method: Any) -> str:
    if low is None or (isinstance(low, float) and math.isnan(low)):
        return "-" if method != stats.SINGLE else "- (single sample)"
    word = {stats.RANGE: "range", stats.HODGES_LEHMANN: "95% CI", stats.EXACT: "no spread"}.get(str(method), method)
    return f"{fmt(float(low))}-{fmt(float(high))} ({word})"


def display(df: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """Header and rows as text; low/high/method become one `interval` column."""
    cols = list(df.columns)
    merge = all(c in cols for c in INTERVAL_COLS)
    header = [c for c in cols if not (merge and c in INTERVAL_COLS)]
    if merge:
        header.insert(header.index("ratio") + 1 if "ratio" in header else len(header), "interval")
    rows = []
    for rec in df.to_dict("records"):
        cells = {c: fmt(rec[c]) for c in cols}
        if merge:
            cells["interval"] = _interval(rec["low"], rec["high"], rec["method"])
        rows.append([cells[c] for c in header])
    return header, rows


def grid_cell(iv: stats.Interval, best: bool, unit: str) -> str:
    """`1.45 [1.41-1.57] n=3`, the best of its column starred."""
    text = fmt(iv.estimate)
    if not math.isnan(iv.low) and iv.method != stats.EXACT:
        text += f" [{fmt(iv.low)}-{fmt(iv.high)}]"
    text += f" n={iv.n}"
    return f"{BEST} {text}" if best else text


def grid_table(g: Grid) -> tuple[list[str], list[list[tuple[str, bool]]]]:
    """Header and rows of (text, best) for one grid."""
    header = [f"{g.rows_axis} \\ {g.columns_axis}", *g.columns]
    rows = []
    for r in g.rows:
        line = [(r, False)]
        for c in g.columns:
            iv = g.cells.get((r, c))
            line.append((grid_cell(iv, (r, c) in g.best, g.metric.unit), (r, c) in g.best) if iv else ("-", False))
        rows.append(line)
    return header, rows


def grid_caption(g: Grid) -> str:
    """What a cell holds and which interval methods appear."""
    methods = [stats.METHOD_LABELS[m] for m in g.methods]
    how = f"; in brackets: {'; '.join(methods)}" if methods and g.metric.noisy else ""
    return f"Cells: median {g.metric.unit}{how}; n builds. {BEST} lowest in its column."


def facts(manifests: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Runs, config and engine facts from the manifests (config and engine of the newest run)."""
    if manifests.empty:
        return {}
    m = manifests.sort_values("started_at") if "started_at" in manifests else manifests
    runs = {str(r.get("run_id", "?")): f"{r.get('scenario', '')}, {r.get('started_at', '')} to "
            f"{r.get('ended_at', '')}, {r.get('status', '')}" for r in m.to_dict("records")}
    last = {str(k): v for k, v in m.iloc[-1].to_dict().items()}
    config = {k[len("config."):]: fmt(v) for k, v in last.items() if k.startswith("config.") and _shown(v)}
    engine = {k[len("engine."):]: fmt(v) for k, v in last.items() if k.startswith("engine.") and _shown(v)}
    run = {k: fmt(last.get(k)) for k in ("overrides", "harness_version", "harness_commit", "project_commit")
           if _shown(last.get(k))}
    return {"runs": runs, "run": run, "config": config, "engine": engine}


def _shown(v: Any) -> bool:
    if isinstance(v, list):
        return bool(v)
    return v is not None and not (isinstance(v, float) and math.isnan(v)) and v != ""


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    esc = [[c.replace("|", "\\|") for c in r] for r in [header, *rows]]
    return "\n".join(["| " + " | ".join(esc[0]) + " |", "|" + "|".join("---" for _ in header) + "|",
                      *["| " + " | ".join(r) + " |" for r in esc[1:]]])


def markdown(rep: Report, with_plots: bool = True, with_facts: bool = True) -> str:
    """The report as Markdown: summary, caveats, grids, tables, plots, facts."""
    parts = [f"# {rep.title}", "", "## Summary", "", *[f"- {s}" for s in rep.verdict], ""]
    if rep.caveats:
        parts += ["**Caveats**", "", *[f"- {c}" for c in rep.caveats], ""]
    for g in rep.grids:
        header, rows = grid_table(g)
        body = [[f"**{t}**" if best else t for t, best in r] for r in rows]
        parts += [f"### {g.title}", "", _md_table(header, body), "", grid_caption(g), ""]
    for title, table in rep.tables.items():
        parts += [f"### {title}", "", _md_table(*display(table)), ""]
    if with_plots:
        parts += [f"![{p.stem.replace('_', ' ')}]({p.name})" for p in rep.plots] + [""]
    if with_facts and rep.facts:
        parts += ["### Runs", "", *[f"- {k}: {v}" for k, v in rep.facts.get("runs", {}).items()], ""]
    return "\n".join(parts).rstrip() + "\n"


def html(rep: Report) -> str:
    """The report as one HTML page that opens from the report folder (plots are the SVGs beside it)."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    grids = [{"title": g.title, "table": grid_table(g), "caption": grid_caption(g)} for g in rep.grids]
    tables = [{"title": t, "table": display(df)} for t, df in rep.tables.items()]
    plots = [{"src": p.with_suffix(".svg").name, "alt": p.stem.replace("_", " ")} for p in rep.plots]
    builds = display(rep.builds) if not rep.builds.empty else ([], [])
    config = json.dumps(rep.facts.get("config", {}), indent=1)
    return env.get_template("report.html.j2").render(
        rep=rep, grids=grids, tables=tables, plots=plots, builds=builds, facts=rep.facts, config=config)
