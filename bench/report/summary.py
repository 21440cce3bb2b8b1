"""The answer first: what to use after each kind of change, what it costs and saves, and the caveats.

Written from the data only. Within each kind of change the fastest variant is
recommended; its saving is against its like-with-like baseline (the first axis' baseline
option, every other axis the same), each number with its interval, method and n.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bench import stats
from bench.layout import Layout, groups
from bench.report import cachepay, warnings
from bench.report.render import fmt
from bench.report.tables import fresh_runner

CHANGES = {"none": "no change (a cached rebuild)", "source": "a source edit", "gomod_bump": "a go.mod version bump",
           "gomod_add": "a new dependency"}


@dataclass
class Summary:
    """Sentences for people, records for report.json, caveats for both (`warnings`: the repetitions behind some)."""

    sentences: list[str] = field(default_factory=list)
    recommendations: list[dict[str, Any]] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)


def summarize(b: pd.DataFrame, manifests: pd.DataFrame, planned: Sequence[str] = ()) -> Summary:
    """The summary of all builds in `b` (one section per scenario and set of compared axes)."""
    out = Summary()
    ok = stats.usable(b).dropna(subset=["wall_s"])
    if ok.empty:
        out.sentences.append("No build succeeded: nothing to compare.")
    for scenario, lay, rows in groups(ok, planned):
        out.sentences.append(_intro(scenario, lay, rows))
        for change in _changes(lay, rows):
            subset = rows[rows["change"] == change]
            what = CHANGES.get(change, f"change={change}")
            if change == "none" and "cache" in subset and (subset["cache"] == "none").all():
                what = "a cold build (empty builder cache)"
            _recommend(out, scenario, lay, subset, f"after {what}", change)
        fresh = rows[fresh_runner(rows)]
        if len(fresh) and len(fresh) < len(rows):
            _recommend(out, scenario, lay, fresh, "on a fresh CI runner", None)
        out.sentences += _smallest(lay, rows)
    pays = cachepay.pay_sentence(b)
    if pays:
        out.sentences.append(pays)
    out.caveats = caveats(b, manifests)
    found = warnings.repetition_warnings(b)
    out.caveats[-1:-1] = warnings.caveats(found, warnings.eligible_for_first_slower(b))  # before the network line
    out.warnings = [w.record() for w in found]
    return out


def _intro(scenario: str, lay: Layout, rows: pd.DataFrame) -> str:
    project = ", ".join(sorted(map(str, rows["project"].unique())))
    compared = " x ".join(lay.axes) or "one variant"
    base = f"; each variant against {lay.first}={lay.options[lay.first][0]} with the same " + \
        (", ".join(lay.axes[1:]) if len(lay.axes) > 1 else "settings") if lay.first else ""
    return f"Project: {project}; scenario {scenario}; compared: {compared}{base}."


def _changes(lay: Layout, rows: pd.DataFrame) -> list[str]:
    if "change" in lay.axes:
        return [c for c in lay.options["change"] if (rows["change"] == c).any()]
    return list(dict.fromkeys(map(str, rows["change"])))


def _recommend(out: Summary, scenario: str, lay: Layout, rows: pd.DataFrame, when: str, change: str | None) -> None:
    values = {str(v): stats.clean(g["wall_s"]) for v, g in rows.groupby("variant", sort=False, observed=True)}
    best = min(values, key=lambda v: float(np.median(values[v])))
    cost = stats.median_interval(values[best])
    drop = ["change"] if change is not None else []
    name = lay.short(best, drop)
    rec: dict[str, Any] = {"scenario": scenario, "when": when, "change": change, "variant": best, "label": name,
                           "cost_s": cost.record(), "image_mb": _image_mb(rows, best)}
    line = f"{when[0].upper()}{when[1:]}: use {name}, {_s(cost)}"
    if rec["image_mb"] is not None:
        line += f", image {rec['image_mb']:.1f} MB"
    base = lay.baseline_of(best)
    if len(values) == 1:
        line = f"{when[0].upper()}{when[1:]}: only {name} was measured, {_s(cost)}"
    elif base == best or base not in values:
        line += " (the baseline itself)" if base == best else ""
    else:
        ratio = stats.ratio_interval(values[best], values[base])
        saved = float(np.median(values[base]) - np.median(values[best]))
        rec.update(baseline=base, baseline_label=lay.short(base, drop), ratio=ratio.record(), saving_s=saved,
                   saving_pct=(1 - ratio.estimate) * 100)
        line += (f"; saves {fmt(saved)} s ({(1 - ratio.estimate) * 100:.0f}%) over {lay.short(base, drop)} "
                 f"({fmt(float(np.median(values[base])))} s): ratio {fmt(ratio.estimate)}, {_iv(ratio)}, "
                 f"n={ratio.n} vs {ratio.n_baseline}")
    close = [v for v in values if v != best and _not_clearly_slower(values[v], values[best])]
    rec["not_clearly_slower"] = [lay.short(v, drop) for v in close]
    if close:
        line += f". Not clearly slower: {', '.join(rec['not_clearly_slower'])}"
    out.sentences.append(line + ".")
    out.recommendations.append(rec)


def _not_clearly_slower(sample: np.ndarray, best: np.ndarray) -> bool:
    iv = stats.ratio_interval(sample, best)
    return bool(np.isnan(iv.low) or iv.low <= 1.0)


def _s(iv: stats.Interval) -> str:
    return f"{fmt(iv.estimate)} s (median, {_iv(iv)}, n={iv.n})"


def _iv(iv: stats.Interval) -> str:
    if np.isnan(iv.low):
        return "no interval"
    return f"{iv.short} {fmt(iv.low)}-{fmt(iv.high)}" if iv.method != stats.EXACT else "no spread"


def _image_mb(rows: pd.DataFrame, variant: str) -> float | None:
    if "image_unpacked_bytes" not in rows:
        return None
    v = stats.clean(rows.loc[rows["variant"] == variant, "image_unpacked_bytes"])
    return float(np.median(v) / 1e6) if v.size else None


def _smallest(lay: Layout, rows: pd.DataFrame) -> list[str]:
    sized = rows.dropna(subset=["image_unpacked_bytes"]) if "image_unpacked_bytes" in rows else rows.iloc[0:0]
    if sized.empty:
        return []
    med = sized.groupby(["strategy", "runtime"], sort=False, observed=True)["image_unpacked_bytes"].median()
    if len(med) < 2:
        return []
    best: Any = med.idxmin()
    ties = [k for k in med.index if med[k] <= med[best] * 1.01]  # within 1%: the same image for practical purposes
    first = sized[sized["variant"] == lay.variants[0]] if lay.variants else sized
    base: Any = tuple((first if len(first) else sized).iloc[0][["strategy", "runtime"]])
    line = f"Smallest image: {', '.join(f'{s} on {r}' for s, r in ties)}, {med[best] / 1e6:.1f} MB unpacked"
    if base in med.index and med[base] > med[best] * 1.01:
        line += f", {med[base] / med[best]:.0f}x smaller than {base[0]} on {base[1]} ({med[base] / 1e6:.0f} MB)"
    return [line + "."]


def caveats(b: pd.DataFrame, manifests: pd.DataFrame) -> list[str]:
    """What limits the numbers: too few repetitions, rows left out, warnings, the network profile."""
    out = []
    ok = stats.usable(b).dropna(subset=["wall_s"])
    if len(ok):
        n = ok.groupby("variant", observed=True).size()
        if n.min() < stats.MIN_CI_SAMPLES:
            count = f"{n.min()}" if n.min() == n.max() else f"{n.min()}-{n.max()}"
            out.append(f"Few repetitions: {count} usable build(s) per variant; with fewer than "
                       f"{stats.MIN_CI_SAMPLES} the intervals are ranges (min-max), not confidence intervals.")
    left = b.drop(index=ok.index)
    if len(left):
        out.append(f"{len(left)} build(s) left out of the statistics: " + _left_out(left) + ".")
    warned = [w for w in b.get("warnings", pd.Series(dtype=object)) if isinstance(w, list) and w]
    if warned:
        kinds = sorted({k for w in warned for k in w})
        out.append(f"{len(warned)} build(s) carry warnings: {', '.join(kinds)}.")
    out += cachepay.cache_caveats(b)
    floor = cachepay.floor_caveat(b)
    if floor:
        out.append(floor)
    out.append(_network(b, manifests))
    return out


def _left_out(left: pd.DataFrame) -> str:
    parts = []
    for status, g in left.groupby("status", sort=False, observed=True):
        label = "invalid" if status == "ok" else str(status)
        why = g["invalid_reason"] if label == "invalid" and "invalid_reason" in g else g.get("failure_class")
        detail = ", ".join(f"{v}" + (f" ({w})" if isinstance(w, str) and w else "")
                           for v, w in zip(g["variant"], why if why is not None else [""] * len(g)))
        parts.append(f"{len(g)} {label}: {detail}")
    return "; ".join(parts)


def _network(b: pd.DataFrame, manifests: pd.DataFrame) -> str:
    proxies = list(dict.fromkeys(map(str, b["proxy"]))) if "proxy" in b else []
    if len(proxies) > 1:
        return f"Module mirror profiles compared: {', '.join(proxies)}."
    desc = manifests.get("config.proxy.description", pd.Series(dtype=object)).dropna()
    detail = f" ({desc.iloc[0]})" if len(desc) and desc.iloc[0] else ""
    return f"Module mirror profile: {proxies[0] if proxies else 'unknown'}{detail}."
