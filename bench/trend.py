"""History plots for compare.html: each tracked metric of each scenario over its runs.

`points(builds, manifests, run_ids, metric)` is the data (one row per run and variant: the
median with its interval and method, `bench.stats.median_interval`; the failure share has no
interval); `history(df, path)` draws it, one small plot, one line per variant, the interval
as bars. `write_all` makes every plot the regression check links to.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bench import history as hist
from bench import stats
from bench.findings import TRACKED, failure_share, values
from bench.layout import Layout
from bench.plots import save_figure

LAST_RUNS = 30  # runs shown per plot, the newest
METRICS = {  # what the y axis says, and the scale from the stored unit
    "wall_s": ("build wall time", "s", 1.0),
    "download_s": ("download step", "s", 1.0),
    "image_unpacked_bytes": ("image size, unpacked", "MB", 1e6),
    "mirror_bytes_sent": ("bytes from the mirror", "MB", 1e6),
    "failure_share": ("builds without a usable result", "%", 0.01),
}
COLUMNS = ["scenario", "host", "metric", "run_id", "started_at", "variant", "median", "low", "high", "method", "n"]


def points(builds: pd.DataFrame, manifests: pd.DataFrame, run_ids: tuple[str, ...] | list[str], metric: str) -> pd.DataFrame:
    """Per run (oldest first) and variant: the median of `metric`, its interval and method."""
    out = []
    for run in run_ids:
        m = manifests[manifests["run_id"] == run]
        if m.empty:
            continue
        info = {"scenario": str(m.iloc[0]["scenario"]), "host": hist.host_of(m.iloc[0]), "metric": metric,
                "run_id": run, "started_at": str(m.iloc[0].get("started_at", ""))}
        rows = builds[builds["run_id"] == run]
        for variant, g in rows.groupby("variant", sort=False, observed=True):
            out.append({**info, "variant": str(variant), **_point(g, metric)})
    return pd.DataFrame(out, columns=COLUMNS)


def _point(rows: pd.DataFrame, metric: str) -> dict[str, object]:
    if metric == "failure_share":
        return {"median": failure_share(rows), "low": np.nan, "high": np.nan, "method": "", "n": len(rows)}
    iv = stats.median_interval(values(rows, metric))
    return {"median": iv.estimate, "low": iv.low, "high": iv.high, "method": iv.method, "n": iv.n}


def history_figure(df: pd.DataFrame) -> Figure | None:
    """One metric of one scenario over runs: a line per variant, medians as dots, intervals as bars."""
    df = df.dropna(subset=["median"])
    if df.empty:
        return None
    metric = str(df["metric"].iloc[0])
    what, unit, scale = METRICS.get(metric, (metric, "", 1.0))
    runs = list(dict.fromkeys(df["run_id"]))
    x_of = {r: i for i, r in enumerate(runs)}
    variants = list(dict.fromkeys(df["variant"]))
    short = _labels(variants)
    fig = Figure(figsize=(6.0, 2.6 + 0.18 * ((len(variants) + 1) // 2)), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    for i, v in enumerate(variants):
        d = df[df["variant"] == v]
        x = d["run_id"].map(x_of).to_numpy(dtype=float) + (i - (len(variants) - 1) / 2) * 0.04  # bars side by side
        y = d["median"].to_numpy(dtype=float) / scale
        lo, hi = d["low"].to_numpy(dtype=float) / scale, d["high"].to_numpy(dtype=float) / scale
        err = np.vstack([np.where(np.isnan(lo), 0, y - lo), np.where(np.isnan(hi), 0, hi - y)])
        ax.errorbar(x, y, yerr=err, marker="o", markersize=3, linewidth=1, capsize=2, label=short[v], color=f"C{i % 10}")
    ax.set_xticks(range(len(runs)), [_run_label(df, r) for r in runs], rotation=30, ha="right", fontsize=7)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(unit)
    ax.grid(axis="y", alpha=0.3)
    per_run = "share per run" if metric == "failure_share" else "median and interval per run"
    ax.set_title(f"{df['scenario'].iloc[0]}: {what} ({unit}), {per_run}", fontsize=9)
    if len(variants) > 1:
        fig.legend(loc="outside lower center", ncols=2, fontsize=7)
    return fig


def history(df: pd.DataFrame, path: Path) -> Path | None:
    """The history plot of `df` (as from `points`), saved as `<path>.png` and `.svg`; the PNG path, or None."""
    fig = history_figure(df)
    if fig is None:
        return None
    return save_figure(fig, path, dpi=110)


def write_all(builds: pd.DataFrame, manifests: pd.DataFrame, out: Path, include_samples: bool = False) -> list[Path]:
    """Every history plot: each identity with at least two runs, each tracked metric it has values of."""
    made = []
    for i, group in enumerate(hist.groups(hist.history(manifests, builds, include_samples))):
        if len(group.run_ids) < 2:
            continue
        for metric in TRACKED:
            df = points(builds, manifests, group.run_ids[-LAST_RUNS:], metric)
            png = history(df, out / f"history-{_slug(group.scenario)}-{i}-{metric}")
            if png is not None:
                made.append(png)
    return made


def _labels(variants: list[str]) -> dict[str, str]:
    try:
        lay = Layout.of(variants)
        return {v: lay.short(v) or v for v in variants}
    except (KeyError, ValueError):  # variants of different axes: keep the full labels
        return {v: v for v in variants}


def _run_label(df: pd.DataFrame, run: str) -> str:
    started = str(df.loc[df["run_id"] == run, "started_at"].iloc[0])
    return started[:16].replace("T", " ") if started else run[:16]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text) or "scenario"
