"""Plots of saved results: each one function `(df, path)` that notebooks can call too.

Every `name(df, path)` writes `<path>.png` and `<path>.svg` and returns the PNG path, or
None when the data has nothing to show; `name_figure(df)` returns the Figure itself. When
the variants cross two axes, time plots are small multiples: one panel per option of the
second axis, the first axis down the side, labelled with option values only. Figures use
matplotlib's constrained layout, which makes room for every label and title;
`clipped_texts` checks that after drawing.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from bench.layout import Layout, groups
from bench.stats import usable

# Figures are made without pyplot: no backend is chosen or changed, so a notebook that
# calls these keeps its own inline display, and no screen is needed here or in CI.

WIDTH = 10.0  # inches; the HTML page shows plots at most this wide at 100 dpi
MAX_LABEL = 32


def _figure(height: float) -> Figure:
    fig = Figure(figsize=(WIDTH, min(max(height, 2.5), 30.0)), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure | None, path: Path) -> Path | None:
    if fig is None:
        return None
    return save_figure(fig, path, dpi=120)


def save_figure(fig: Figure, path: Path, dpi: int) -> Path:
    """Write `<path>.png` and `<path>.svg`; the PNG path.

    The SVG is byte-identical for the same figure (fixed id salt, no date), so regenerating a
    committed report changes nothing that git would show.
    """
    path = Path(path).with_suffix("")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path.with_suffix(".png"), dpi=dpi)
    with matplotlib.rc_context({"svg.hashsalt": "bench"}):
        fig.savefig(path.with_suffix(".svg"), metadata={"Date": None})
    return path.with_suffix(".png")


def clipped_texts(fig: Figure, tolerance: float = 1.0) -> list[str]:
    """Visible texts whose box, once drawn, leaves the figure (empty when nothing is clipped).

    Tick labels count only for ticks inside the view limits: matplotlib keeps (but does
    not draw) labels of ticks beyond them.
    """
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    box, out = fig.bbox, []
    drawn, ticks = _drawn_tick_labels(fig)
    for t in fig.findobj(Text):
        if id(t) in ticks and id(t) not in drawn:
            continue
        if not t.get_visible() or not t.get_text().strip():
            continue
        e = t.get_window_extent(renderer)
        if e.x0 < box.x0 - tolerance or e.y0 < box.y0 - tolerance or e.x1 > box.x1 + tolerance or e.y1 > box.y1 + tolerance:
            out.append(t.get_text())
    return out


def _drawn_tick_labels(fig: Figure) -> tuple[set[int], set[int]]:
    """ids of tick labels drawn (tick inside the view limits) and of all tick labels."""
    drawn, every = set(), set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            eps = (high - low) * 1e-9
            for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
                labels = {id(tick.label1), id(tick.label2)}
                every |= labels
                if ax.get_visible() and low - eps <= tick.get_loc() <= high + eps:
                    drawn |= labels
    return drawn, every


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _layout(rows: pd.DataFrame) -> tuple[Layout, dict[str, str]]:
    """One layout over all variants, and each variant's row label (values only; scenario added if several)."""
    found = list(groups(rows))
    if len(found) == 1:
        lay = found[0][1]
        return lay, {v: lay.short(v) for v in lay.variants}
    labels = {v: f"{s}: {lay.short(v)}" if len({g[0] for g in found}) > 1 else lay.short(v)
              for s, lay, _ in found for v in lay.variants}
    return Layout.of([]), labels


def _panels(lay: Layout) -> tuple[str | None, list[str]]:
    """The facet axis (the second compared one) and its options, or (None, [''])."""
    if len(lay.axes) < 2:
        return None, [""]
    return lay.axes[1], lay.options[lay.axes[1]]


def _grid(fig: Figure, n: int, sharex: bool) -> list[Axes]:
    """n panels, up to 3 a row; panels share the rows (the same variants down each side)."""
    cols = min(n, 2 if n == 4 else 3)
    rows = -(-n // cols)
    axes = fig.subplots(rows, cols, sharex=sharex, sharey=True, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return list(axes[:n])


def build_times_figure(builds: pd.DataFrame) -> Figure | None:
    """Build wall time per variant, every repetition a dot, the median a bar; faceted by the second axis."""
    rows = usable(builds).dropna(subset=["wall_s"])
    if rows.empty:
        return None
    lay, labels = _layout(rows)
    facet, panels = _panels(lay)
    per_panel = {p: [v for v in labels if facet is None or lay.value(v, facet) == p] for p in panels}
    medians = rows.groupby("variant")["wall_s"].median()
    spread = medians.max() / max(medians.min(), 1e-9)
    sharex = facet is None or spread <= 10
    tallest = max(len(vs) for vs in per_panel.values())
    n_rows_of_panels = -(-len(panels) // min(len(panels), 2 if len(panels) == 4 else 3))
    fig = _figure(n_rows_of_panels * (0.32 * tallest + 1.0) + 0.8)
    rng = np.random.default_rng(0)
    for ax, (panel, variants) in zip(_grid(fig, len(panels), sharex), per_panel.items()):
        for i, v in enumerate(variants):
            xs = rows.loc[rows["variant"] == v, "wall_s"].to_numpy(dtype=float)
            ax.scatter(xs, i + rng.uniform(-0.15, 0.15, xs.size), s=16, alpha=0.7, color="C0")
            if xs.size:
                ax.vlines(np.median(xs), i - 0.3, i + 0.3, color="C3", linewidth=2)
        drop = [facet] if facet else []
        ax.set_yticks(range(len(variants)), [_short(lay.short(v, drop) if lay.axes else labels[v]) for v in variants])
        ax.set_ylim(len(variants) - 0.5, -0.5)
        ax.set_xlim(left=0)
        ax.grid(axis="x", alpha=0.3)
        ax.set_title(_short(panel), fontsize=10)
        ax.set_xlabel("seconds")
    what = f" by {lay.axes[0]}" if lay.axes else ""
    per = f", one panel per {facet}" + ("" if sharex else " (x scales differ)") if facet else ""
    fig.suptitle(f"Build wall time (s){what}{per}: dots are builds, red bar the median")
    return fig


def build_times(builds: pd.DataFrame, path: Path) -> Path | None:
    """Build wall time per variant (see `build_times_figure`), saved as PNG and SVG."""
    return _save(build_times_figure(builds), path)


def _step_table(builds: pd.DataFrame, steps: pd.DataFrame, top: int) -> pd.DataFrame | None:
    """Median seconds per variant (rows) and step (columns): the slowest `top` steps, the rest summed, export/import."""
    ok = usable(builds)
    if steps.empty or ok.empty:
        return None
    # build_id is unique within a run only: join on the run too.
    s = steps.dropna(subset=["duration_s"]).merge(ok[["run_id", "build_id", "variant"]], on=["run_id", "build_id"])
    if s.empty:
        return None
    s = s.assign(label=s["instruction"].astype(str).str.slice(0, 40))
    per_build = s.groupby(["variant", "run_id", "build_id", "label"])["duration_s"].sum().reset_index()
    med = per_build.groupby(["variant", "label"])["duration_s"].median().unstack(fill_value=0).astype(float)
    keep = med.sum().sort_values(ascending=False).index[:top]
    table = med[keep].assign(**{"other steps": med.drop(columns=keep).sum(axis=1)})
    for col, name in (("export_s", "export (outside steps)"), ("import_s", "cache import (outside steps)")):
        if col in ok and ok[col].notna().any():
            table[name] = ok.groupby("variant")[col].median().reindex(table.index).fillna(0.0)
    return table


def step_times_figure(builds: pd.DataFrame, steps: pd.DataFrame, top: int = 6) -> Figure | None:
    """Median time per Dockerfile step, stacked per variant, faceted by the second axis; a shared legend below."""
    table = _step_table(builds, steps, top)
    if table is None:
        return None
    lay, labels = _layout(usable(builds))
    facet, panels = _panels(lay)
    per_panel = {p: [v for v in labels if v in table.index and (facet is None or lay.value(v, facet) == p)]
                 for p in panels}
    tallest = max(len(vs) for vs in per_panel.values())
    n_rows_of_panels = -(-len(panels) // min(len(panels), 2 if len(panels) == 4 else 3))
    fig = _figure(n_rows_of_panels * (0.32 * tallest + 1.0) + 0.4 * (len(table.columns) // 2 + 2))
    colors = {c: f"C{i % 10}" for i, c in enumerate(table.columns)}
    totals = table.sum(axis=1)
    sharex = facet is None or totals.max() <= 10 * max(totals.min(), 1e-9)
    for ax, (panel, variants) in zip(_grid(fig, len(panels), sharex), per_panel.items()):
        left = np.zeros(len(variants))
        for col in table.columns:
            vals = table.loc[variants, col].to_numpy(dtype=float) if variants else np.array([])
            ax.barh(range(len(variants)), vals, left=left, color=colors[col], label=_short(col), height=0.7)
            left += vals
        drop = [facet] if facet else []
        ax.set_yticks(range(len(variants)), [_short(lay.short(v, drop) if lay.axes else labels[v]) for v in variants])
        ax.set_ylim(len(variants) - 0.5, -0.5)
        ax.set_title(_short(panel), fontsize=10)
        ax.set_xlabel("seconds")
    handles, names = fig.axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncols=2, fontsize=8)
    per = f", one panel per {facet}" + ("" if sharex else " (x scales differ)") if facet else ""
    fig.suptitle(f"Median time per Dockerfile step (s), stacked{per}")
    return fig


def step_times(builds: pd.DataFrame, steps: pd.DataFrame, path: Path, top: int = 6) -> Path | None:
    """Median time per Dockerfile step (see `step_times_figure`), saved as PNG and SVG."""
    return _save(step_times_figure(builds, steps, top), path)


def image_sizes_figure(builds: pd.DataFrame) -> Figure | None:
    """Image size per strategy and runtime, compressed and unpacked, on a log scale."""
    rows = usable(builds).dropna(subset=["image_unpacked_bytes"])
    if rows.empty:
        return None
    g = rows.groupby(["strategy", "runtime"], sort=False)[["image_compressed_bytes", "image_unpacked_bytes"]]
    sizes = g.median() / 1e6
    fig = _figure(0.45 * len(sizes) + 1.6)
    ax = fig.subplots()
    y = np.arange(len(sizes))
    ax.barh(y - 0.2, sizes["image_compressed_bytes"], height=0.4, label="compressed (image store)")
    ax.barh(y + 0.2, sizes["image_unpacked_bytes"], height=0.4, label="unpacked (layers)")
    ax.set_xscale("log")
    ax.set_yticks(y, [_short(f"{s} · {r}") for s, r in sizes.index])
    ax.set_ylim(len(sizes) - 0.5, -0.5)
    ax.set_xlabel("MB (log scale)")
    ax.legend(loc="best", fontsize=8)
    fig.suptitle("Image size per strategy · runtime (MB, log scale)")
    return fig


def image_sizes(builds: pd.DataFrame, path: Path) -> Path | None:
    """Image sizes (see `image_sizes_figure`), saved as PNG and SVG."""
    return _save(image_sizes_figure(builds), path)


def proxy_profiles_figure(builds: pd.DataFrame) -> Figure | None:
    """Build time (ok builds) and failure share per mirror profile."""
    if builds.empty or builds["proxy"].nunique() < 2:
        return None
    order = list(dict.fromkeys(builds["proxy"]))
    done = builds[builds["status"].isin(["ok", "failed"])]
    fail = done.groupby("proxy")["status"].apply(lambda s: (s == "failed").mean()).reindex(order)
    ok = usable(builds)
    fig = _figure(0.45 * len(order) + 1.8)
    ax1, ax2 = fig.subplots(1, 2, sharey=True)
    for i, p in enumerate(order):
        xs = ok.loc[ok["proxy"] == p, "wall_s"].dropna().to_numpy(dtype=float)
        ax1.scatter(xs, np.full(xs.size, i), s=18, alpha=0.7, color="C0")
        if xs.size:
            ax1.vlines(np.median(xs), i - 0.3, i + 0.3, color="C3")
    ax1.set_yticks(range(len(order)), [_short(p) for p in order])
    ax1.set_ylim(len(order) - 0.5, -0.5)
    ax1.set_xlabel("build wall time of successful builds (s)")
    ax2.barh(range(len(order)), fail.fillna(0).to_numpy() * 100, color="C3")
    ax2.set_xlabel("failed builds (%)")
    ax2.set_xlim(0, 100)
    fig.suptitle("Build time (s) and failed builds (%) per module mirror profile")
    return fig


def proxy_profiles(builds: pd.DataFrame, path: Path) -> Path | None:
    """Mirror profiles (see `proxy_profiles_figure`), saved as PNG and SVG."""
    return _save(proxy_profiles_figure(builds), path)


def cache_payoff_figure(pay: pd.DataFrame | None) -> Figure | None:
    """Net seconds saved after N consuming builds, per cache mode: N x (cold - cached build) - one export.

    `pay` is the report's "does it pay" table (`bench.report.cachepay.pay_table`): a line crosses 0
    at its break-even; the band spans the saving's interval (from the ratio's), the export fixed
    at its median.
    """
    if pay is None or pay.empty or "saved s" not in pay:
        return None
    column = pay["break-even builds"] if "break-even builds" in pay else pd.Series(dtype=float)
    finite = pd.to_numeric(column, errors="coerce").dropna()
    most = int(min(200, max(10, 2 * finite.max()))) if len(finite) else 10
    n = np.arange(0, most + 1)
    fig = _figure(4.5)
    ax = fig.subplots()
    extra = [c for c in pay.columns if c in ("project", "strategy", "proxy", "change", "base", "runtime", "attest")]
    for i, r in enumerate(pay.to_dict("records")):
        export = r.get("export s")
        export = 0.0 if export is None or pd.isna(export) else float(export)
        label = _short(" ".join([str(r["cache"]), *(str(r[c]) for c in extra)]))
        shown = str(r.get("pays", "")).startswith("yes")  # dashed: no saving shown by the interval
        ax.plot(n, n * r["saved s"] - export, color=f"C{i}", label=label, linestyle="-" if shown else "--")
        if pd.notna(r.get("low")) and pd.notna(r.get("cold s")):
            lo, hi = r["cold s"] * (1 - r["high"]), r["cold s"] * (1 - r["low"])
            ax.fill_between(n, n * lo - export, n * hi - export, color=f"C{i}", alpha=0.12, linewidth=0)
        be = r.get("break-even builds")
        if be is not None and pd.notna(be) and 0 < be <= most:
            ax.plot([be], [be * r["saved s"] - export], "o", color=f"C{i}")
    ax.axhline(0, color="0.3", linewidth=0.8)
    ax.set_xlabel("consuming builds served by one export")
    ax.set_ylabel("net seconds saved against cold builds")
    ax.legend(loc="best", fontsize="small")
    fig.suptitle("Does caching pay? Net time saved after N consuming builds (dot: break-even; dashed: not shown)")
    return fig


def cache_payoff(pay: pd.DataFrame | None, path: Path) -> Path | None:
    """Cache payoff (see `cache_payoff_figure`), saved as PNG and SVG."""
    return _save(cache_payoff_figure(pay), path)
