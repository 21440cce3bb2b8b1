"""Plots of saved results: each one function `(df, path)` that notebooks can call too.

Every function writes `<path>.png` and `<path>.svg` and returns the PNG path, or None
when the data has nothing to show.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from bench.stats import usable

# Figures are made without pyplot: no backend is chosen or changed, so a notebook that
# calls these keeps its own inline display, and no screen is needed here or in CI.


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height))


def _save(fig: Figure, path: Path) -> Path:
    path = Path(path).with_suffix("")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path.with_suffix(".png"), dpi=120)
    fig.savefig(path.with_suffix(".svg"))
    return path.with_suffix(".png")


def build_times(builds: pd.DataFrame, path: Path) -> Path | None:
    """Build wall time per variant, every repetition a dot, the median a bar."""
    rows = usable(builds).dropna(subset=["wall_s"])
    if rows.empty:
        return None
    order = list(dict.fromkeys(rows["variant"]))
    fig = _figure(8, 0.5 * len(order) + 1.5)
    ax = fig.subplots()
    rng = np.random.default_rng(0)
    for i, v in enumerate(order):
        xs = rows.loc[rows["variant"] == v, "wall_s"].to_numpy()
        ax.scatter(xs, i + rng.uniform(-0.15, 0.15, xs.size), s=18, alpha=0.7, color="C0")
        ax.vlines(np.median(xs), i - 0.3, i + 0.3, color="C3", linewidth=2)
    ax.set_yticks(range(len(order)), order)
    ax.invert_yaxis()
    ax.set_xlabel("build wall time (s): dots are repetitions, red bar the median")
    ax.set_xlim(left=0)
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, path)


def step_times(builds: pd.DataFrame, steps: pd.DataFrame, path: Path, top: int = 6) -> Path | None:
    """Median time per Dockerfile step, stacked per variant (the slowest steps named, the rest summed)."""
    ok = usable(builds)
    if steps.empty:
        return None
    # build_id is unique within a run only: join on the run too.
    s = steps.dropna(subset=["duration_s"]).merge(ok[["run_id", "build_id", "variant"]], on=["run_id", "build_id"])
    if s.empty:
        return None
    s = s.assign(label=s["instruction"].str.slice(0, 40))
    per_build = s.groupby(["variant", "run_id", "build_id", "label"])["duration_s"].sum().reset_index()
    med = per_build.groupby(["variant", "label"])["duration_s"].median().unstack(fill_value=0.0)
    keep = med.sum().sort_values(ascending=False).index[:top]
    table = med[keep].assign(other=med.drop(columns=keep).sum(axis=1))
    order = list(dict.fromkeys(ok["variant"]))
    table = table.reindex([v for v in order if v in table.index])
    fig = _figure(9, 0.5 * len(table) + 2.5)
    ax = fig.subplots()
    table.plot.barh(stacked=True, ax=ax, width=0.7)
    ax.invert_yaxis()
    ax.set_xlabel("median seconds per step (stacked)")
    ax.set_ylabel("")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2)
    return _save(fig, path)


def image_sizes(builds: pd.DataFrame, path: Path) -> Path | None:
    """Image size per strategy and runtime, compressed and unpacked, on a log scale."""
    rows = usable(builds).dropna(subset=["image_unpacked_bytes"])
    if rows.empty:
        return None
    g = rows.groupby(["strategy", "runtime"])[["image_compressed_bytes", "image_unpacked_bytes"]].median() / 1e6
    g.index = [f"{s} / {r}" for s, r in g.index]
    g.columns = ["compressed (store)", "unpacked (layers)"]
    fig = _figure(8, 0.5 * len(g) + 1.5)
    ax = fig.subplots()
    g.plot.barh(ax=ax, logx=True)
    ax.invert_yaxis()
    ax.set_xlabel("image size (MB, log scale)")
    return _save(fig, path)


def proxy_profiles(builds: pd.DataFrame, path: Path) -> Path | None:
    """Build time (ok builds) and failure share per mirror profile."""
    if builds.empty or builds["proxy"].nunique() < 2:
        return None
    order = list(dict.fromkeys(builds["proxy"]))
    done = builds[builds["status"].isin(["ok", "failed"])]
    fail = done.groupby("proxy")["status"].apply(lambda s: (s == "failed").mean()).reindex(order)
    ok = usable(builds)
    fig = _figure(10, 0.5 * len(order) + 1.8)
    ax1, ax2 = fig.subplots(1, 2, sharey=True)
    for i, p in enumerate(order):
        xs = ok.loc[ok["proxy"] == p, "wall_s"].dropna().to_numpy()
        ax1.scatter(xs, np.full(xs.size, i), s=18, alpha=0.7)
        if xs.size:
            ax1.vlines(np.median(xs), i - 0.3, i + 0.3, color="C3")
    ax1.set_yticks(range(len(order)), order)
    ax1.invert_yaxis()
    ax1.set_xlabel("build wall time, successful builds (s)")
    ax2.barh(range(len(order)), fail.fillna(0).to_numpy() * 100, color="C3")
    ax2.set_xlabel("failed builds (%)")
    ax2.set_xlim(0, 100)
    return _save(fig, path)
