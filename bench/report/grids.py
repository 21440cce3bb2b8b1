"""Pivot grids for runs that cross two axes: rows one axis, columns the other.

Each cell is a median with its interval and n; the best (lowest) cell of each column is
marked. The seed article's two tables come out of these: strategy x runtime image size
(`+scenario=image_size`) and strategy x change rebuild time (`+scenario=change`).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bench import stats
from bench.layout import Layout, groups

TIE = 0.01  # deterministic metrics (sizes): cells within 1% of the best are all best


@dataclass(frozen=True)
class Metric:
    """A grid's measurement: its column, title, unit, scale, and whether it varies between builds."""

    column: str
    title: str
    unit: str
    scale: float = 1.0
    noisy: bool = True


WALL = Metric("wall_s", "Build time", "s")
IMAGE = Metric("image_unpacked_bytes", "Image size (unpacked)", "MB", 1e6, noisy=False)


@dataclass
class Grid:
    """One pivot table; `cells[(row, column)]` holds an `Interval` of the metric (already scaled)."""

    title: str
    metric: Metric
    rows_axis: str
    columns_axis: str
    rows: list[str]
    columns: list[str]
    fixed: dict[str, str] = field(default_factory=dict)
    cells: dict[tuple[str, str], stats.Interval] = field(default_factory=dict)
    best: set[tuple[str, str]] = field(default_factory=set)

    @property
    def methods(self) -> list[str]:
        """The interval methods used in this grid's cells."""
        return sorted({iv.method for iv in self.cells.values() if iv.method not in (stats.SINGLE,)})

    def records(self) -> list[dict[str, object]]:
        """One record per cell, for report.json."""
        return [{"row": r, "column": c, "best": (r, c) in self.best, **self.cells[(r, c)].record()}
                for r in self.rows for c in self.columns if (r, c) in self.cells]


def grids(b: pd.DataFrame, planned: Sequence[str] = ()) -> list[Grid]:
    """Every grid of the builds: build time for each 2-axis group, image size where it varies along the columns."""
    ok = stats.usable(b)
    out: list[Grid] = []
    for _scenario, lay, rows in groups(ok, planned):
        if len(lay.axes) < 2:
            continue
        rest = lay.axes[2:]
        for combo in itertools.product(*(lay.options[a] for a in rest)):
            fixed = dict(zip(rest, combo))
            variants = [v for v in lay.variants if all(lay.value(v, a) == o for a, o in fixed.items())]
            out.append(_grid(WALL, lay, variants, rows, fixed))
            if IMAGE.column in rows and rows[IMAGE.column].notna().any():
                g = _grid(IMAGE, lay, variants, rows, fixed)
                if _varies_along_columns(g):
                    out.append(g)
    return out


def _grid(metric: Metric, lay: Layout, variants: list[str], rows: pd.DataFrame, fixed: dict[str, str]) -> Grid:
    r_axis, c_axis = lay.axes[0], lay.axes[1]
    where = "".join(f", {a}={o}" for a, o in fixed.items())
    g = Grid(f"{metric.title} ({metric.unit}): {r_axis} x {c_axis}{where}", metric, r_axis, c_axis,
             lay.options[r_axis], lay.options[c_axis], fixed)
    for v in variants:
        values = stats.clean(rows.loc[rows["variant"] == v, metric.column]) / metric.scale
        if values.size:
            iv = stats.median_interval(values) if metric.noisy else stats.Interval(
                float(np.median(values)), np.nan, np.nan, stats.SINGLE, int(values.size))
            g.cells[(lay.value(v, r_axis), lay.value(v, c_axis))] = iv
    g.best = _best(g)
    return g


def _best(g: Grid) -> set[tuple[str, str]]:
    best = set()
    for c in g.columns:
        cells = {r: g.cells[(r, c)].estimate for r in g.rows if (r, c) in g.cells}
        if len(cells) < 2:
            continue
        low = min(cells.values())
        tie = low * (1 + TIE) if not g.metric.noisy else low
        best |= {(r, c) for r, v in cells.items() if v <= tie}
    return best


def _varies_along_columns(g: Grid) -> bool:
    for r in g.rows:
        vals = [g.cells[(r, c)].estimate for c in g.columns if (r, c) in g.cells]
        if len(vals) > 1 and max(vals) > min(vals) * (1 + TIE):
            return True
    return False
