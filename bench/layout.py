"""Which axes a run compares, in what order, and which variant each one is compared with.

Everything is read from the variant labels (`strategy=naive,change=source`, written by the
runner in plan order, the scenario's baseline first), so it works for any run, old or new,
and for synthetic DataFrames.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pandas as pd

SEP = " · "  # joins the values of a short label


def parse(label: str) -> tuple[tuple[str, str], ...]:
    """`strategy=naive,change=source` -> ((strategy, naive), (change, source)); an opaque label is one `variant` axis."""
    if label == "default":
        return ()
    parts = [p.split("=", 1) for p in str(label).split(",")]
    if all(len(p) == 2 and p[0] for p in parts):
        return tuple((a, v) for a, v in parts)
    return (("variant", str(label)),)


@dataclass
class Layout:
    """The compared axes of a group of variants that share them, options and variants in plan order."""

    axes: tuple[str, ...]
    variants: list[str]
    options: dict[str, list[str]] = field(default_factory=dict)
    choices: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, variants: Sequence[str]) -> Layout:
        """The layout of `variants` (plan order), which must share their axes."""
        parsed = {v: dict(parse(v)) for v in variants}
        axes = tuple(a for a, _ in parse(variants[0])) if variants else ()
        options = {a: list(dict.fromkeys(parsed[v][a] for v in variants)) for a in axes}
        return cls(axes, list(variants), options, parsed)

    @property
    def first(self) -> str | None:
        """The first compared axis (the one whose baseline option every variant is compared with)."""
        return self.axes[0] if self.axes else None

    def baseline_of(self, variant: str) -> str:
        """The variant with the first axis' baseline option and the same values of every other axis.

        Falls back to the run's first variant only when no such variant was planned.
        """
        if not self.first:
            return self.variants[0]
        want = {**self.choices[variant], self.first: self.options[self.first][0]}
        return next((v for v in self.variants if self.choices[v] == want), self.variants[0])

    def baselines(self) -> dict[str, str]:
        """Every variant -> the variant it is compared with."""
        return {v: self.baseline_of(v) for v in self.variants}

    def short(self, variant: str, drop: Sequence[str] = ()) -> str:
        """The values of the variant's axes, without axis names (those in `drop` left out)."""
        values = [self.choices[variant][a] for a in self.axes if a not in drop]
        return SEP.join(values) or "default"

    def value(self, variant: str, axis: str) -> str:
        """The option of `axis` in `variant`."""
        return self.choices[variant][axis]


def _per_host(builds: pd.DataFrame, scen: pd.Series) -> Iterator[tuple[str, pd.DataFrame]]:
    engine = builds["engine_engine_id"].fillna("") if "engine_engine_id" in builds else pd.Series("", index=builds.index)
    host = builds["engine_hostname"].fillna("") if "engine_hostname" in builds else engine
    for name in dict.fromkeys(scen):
        rows = builds[scen == name]
        ids = list(dict.fromkeys(engine[rows.index]))
        if len(ids) <= 1:
            yield str(name), rows
            continue
        for i, engine_id in enumerate(ids, 1):
            part = rows[engine[rows.index] == engine_id]
            label = host[part.index].iloc[0] or "host"
            yield f"{name} on {label} ({i})", part


def plan_order(builds: pd.DataFrame, planned: Sequence[str] = ()) -> list[str]:
    """Variant labels in plan order (the manifests' lists first), then any others in row order."""
    present = set(builds["variant"]) if "variant" in builds else set()
    order = list(dict.fromkeys([*planned, *builds.get("variant", [])]))
    return [v for v in order if v in present]


def groups(builds: pd.DataFrame, planned: Sequence[str] = ()) -> Iterator[tuple[str, Layout, pd.DataFrame]]:
    """(scenario, layout, rows) for each scenario, host and set of compared axes in the builds.

    Rows of two build hosts (engines) never share a group: a ratio across hardware says nothing.
    """
    scen = builds["scenario"] if "scenario" in builds else pd.Series("", index=builds.index)
    for name, rows in _per_host(builds, scen):
        order = plan_order(rows, planned)
        by_axes: dict[tuple[str, ...], list[str]] = {}
        for v in order:
            by_axes.setdefault(tuple(a for a, _ in parse(v)), []).append(v)
        for variants in by_axes.values():
            yield str(name), Layout.of(variants), rows[rows["variant"].isin(variants)]
