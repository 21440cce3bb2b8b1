"""The report's tables as numeric DataFrames (None where the results hold nothing for them).

Columns are read defensively: a table, or a column of it, appears only when the rows
carry its data, so older and newer result schemas both render. Values stay numbers
(NaN where unmeasured); `render` formats them.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from bench import stats
from bench.layout import groups

FRESH_RUNNER = ("inline", "local_max", "registry_max")  # schema 1 rows have no fresh_runner column
MB = 1e6


def col(b: pd.DataFrame, *names: str) -> str | None:
    """The first of `names` that is a column of `b` with a value somewhere."""
    return next((n for n in names if n in b.columns and b[n].notna().any()), None)


def median_of(g: pd.DataFrame, name: str | None, scale: float = 1.0) -> float:
    """Median of a column over `g` divided by `scale`, NaN when the column is missing or empty."""
    if name is None or name not in g:
        return np.nan
    v = stats.clean(g[name])
    return float(np.median(v) / scale) if v.size else np.nan


def fresh_runner(b: pd.DataFrame) -> pd.Series:
    """Whether each row's cache mode behaves as a new CI runner."""
    if "fresh_runner" in b:
        return b["fresh_runner"].astype("boolean").fillna(False).astype(bool)
    return b["cache"].isin(FRESH_RUNNER)


def variants_tables(b: pd.DataFrame, planned: Sequence[str] = (), metric: str = "wall_s") -> dict[str, pd.DataFrame]:
    """Per scenario (and set of compared axes): every variant against its like-with-like baseline.

    The baseline of a variant has the first axis' baseline option and the same values of
    every other axis. Columns: the compared axes, n, median s, `baseline <first axis>`,
    n base, ratio, low, high, method, verdict.
    """
    out: dict[str, pd.DataFrame] = {}
    for scenario, lay, rows in groups(b, planned):
        recs = []
        for r in _paired(rows, metric, lay.baselines()):
            variant, baseline = str(r["variant"]), str(r["baseline"])
            axes = lay.choices[variant] if lay.axes else {"variant": variant}
            base = lay.value(baseline, lay.first) if lay.first else baseline
            recs.append({**axes, "n": r["n"], "median s": r["median"], f"baseline {lay.first or 'variant'}": base,
                         "n base": r["n_baseline"], "ratio": r["ratio"], "low": r["ci_low"], "high": r["ci_high"],
                         "method": r["method"], "verdict": r["verdict"]})
        if recs:
            key = scenario if scenario not in out else f"{scenario} ({' x '.join(lay.axes)})"
            out[key] = pd.DataFrame(recs)
    return out


def image_table(b: pd.DataFrame) -> pd.DataFrame | None:
    """Per strategy and runtime: image sizes, layers, cold build time, start-up time."""
    ok = stats.usable(b).dropna(subset=["image_unpacked_bytes"])
    if ok.empty:
        return None
    rows = []
    for (strategy, runtime), g in ok.groupby(["strategy", "runtime"], sort=False, observed=True):
        cold = g[g["cache"] == "none"]
        rows.append({
            "strategy": strategy, "runtime": runtime,
            "compressed MB": median_of(g, "image_compressed_bytes", MB),
            "unpacked MB": median_of(g, "image_unpacked_bytes", MB),
            "layers": pd.array([median_of(g, "image_layers")], dtype="Float64").astype("Int64")[0],
            "cold build s": median_of(cold, "wall_s"),
            "start-up ms": median_of(g, "startup_s", 1e-3),
            **_startup_cost(g),
        })
    return pd.DataFrame(rows).dropna(axis=1, how="all")


def _startup_cost(g: pd.DataFrame) -> dict[str, Any]:
    """What starting the image costs over an empty container timed beside it, and whether that is a difference.

    `docker run` itself takes ~0.3 s whatever the image: the paired difference is what the
    image adds. Its range over every timed pair says whether there is a difference at all.
    """
    if "startup_excess_s" not in g or g["startup_excess_s"].isna().all():
        return {}
    lo, hi = g["startup_excess_min_s"].min(), g["startup_excess_max_s"].max()
    verdict = "none measurable" if lo <= 0 <= hi else ("slower" if lo > 0 else "faster")
    return {"over empty container ms": median_of(g, "startup_excess_s", 1e-3),
            "range ms": f"{lo * 1000:+.0f} to {hi * 1000:+.0f}", "start-up cost": verdict}


def change_table(b: pd.DataFrame) -> pd.DataFrame | None:
    """Per change kind and strategy: share of builds that downloaded modules again, MB fetched, build time, n."""
    if b["change"].nunique() < 2 and (b["change"] == "none").all():
        return None
    ok = stats.usable(b)
    zips, sent = col(ok, "mirror_requests_zip", "mirror_zip"), col(ok, "mirror_bytes_sent", "mirror_bytes")
    rows = []
    for (change, strategy), g in ok.groupby(["change", "strategy"], sort=False, observed=True):
        ran = g["download_step_ran"].astype("boolean").fillna(False).astype(bool) if "download_step_ran" in g else False
        fetched = pd.to_numeric(g[zips], errors="coerce").fillna(0) > 0 if zips else False
        d = stats.describe(g["wall_s"].tolist())
        rows.append({"change": change, "strategy": strategy,
                     "deps downloaded again %": float(np.mean(ran | fetched) * 100) if len(g) else np.nan,
                     "mirror MB": median_of(g, sent, MB), "download s median": median_of(g, "download_s"),
                     "build s median": d["median"], "IQR s": d["iqr"], "n": len(g)})
    return pd.DataFrame(rows) if rows else None


def cache_table(b: pd.DataFrame) -> pd.DataFrame | None:
    """Per cache mode: build time, share of steps from cache, export/import time and cache size where recorded."""
    if b["cache"].nunique() < 2:
        return None
    ok = stats.usable(b)
    fresh = fresh_runner(ok)
    extra = {"export s": col(ok, "export_s"), "import s": col(ok, "import_s"), "cache MB": col(ok, "cache_bytes")}
    rows = []
    for cache, g in ok.groupby("cache", sort=False, observed=True):
        total = pd.to_numeric(g["steps_total"], errors="coerce")
        share = (pd.to_numeric(g["steps_cached"], errors="coerce") / total.where(total > 0)).median()
        d = stats.describe(g["wall_s"].tolist())
        row = {"cache": cache, "fresh runner": "yes" if fresh[g.index].any() else "no",
               "build s median": d["median"], "IQR s": d["iqr"], "steps cached %": share * 100, "n": len(g)}
        row.update({k: median_of(g, c, MB if k == "cache MB" else 1.0) for k, c in extra.items() if c})
        rows.append(row)
    return pd.DataFrame(rows) if rows else None


def builds_table(b: pd.DataFrame) -> pd.DataFrame:
    """One line per build, the columns a reader checks first (collapsed in the HTML page)."""
    out = pd.DataFrame({"build": b["build_id"], "status": b["status"]})
    if "valid" in b:
        out["valid"] = b["valid"].astype("boolean").map({True: "yes", False: "no"}).fillna("-")
    for name, source, scale in (("wall s", "wall_s", 1.0), ("download s", "download_s", 1.0),
                                ("export s", "export_s", 1.0), ("image MB", "image_unpacked_bytes", MB)):
        if col(b, source):
            out[name] = pd.to_numeric(b[source], errors="coerce") / scale
    if col(b, "steps_total"):
        out["steps cached"] = [_frac(c, t) for c, t in zip(b["steps_cached"], b["steps_total"])]
    notes = [_note(r) for r in b.to_dict("records")]
    if any(notes):
        out["note"] = notes
    return out.reset_index(drop=True)


def _frac(cached: Any, total: Any) -> str:
    if _missing(total) or _missing(cached):
        return "-"
    return f"{int(cached)}/{int(total)}"


def _note(r: Mapping[Hashable, Any]) -> str:
    """failure class, invalid reason and warnings of one row, in a few words."""
    warn = r.get("warnings")
    words = warn if isinstance(warn, list) else ([str(warn)] if warn and not _missing(warn) else [])
    parts = [str(r.get(k)) for k in ("failure_class", "invalid_reason") if r.get(k) and not _missing(r.get(k))]
    return "; ".join([*parts, *map(str, words)])


def ratio_records(b: pd.DataFrame, planned: Sequence[str] = (), metric: str = "wall_s") -> list[dict[str, object]]:
    """Every like-with-like ratio as a record: variant, baseline, their axis values, the ratio as an interval."""
    out: list[dict[str, object]] = []
    for scenario, lay, rows in groups(b, planned):
        for r in _paired(rows, metric, lay.baselines()):
            conf = r["confidence"]
            iv = stats.Interval(float(r["ratio"]), float(r["ci_low"]), float(r["ci_high"]), str(r["method"]),
                                int(r["n"]), int(r["n_baseline"]), None if _missing(conf) else float(conf))
            out.append({"scenario": scenario, "metric": metric, "variant": str(r["variant"]),
                        "baseline": str(r["baseline"]), "axes": dict(lay.choices[str(r["variant"])]),
                        "median": r["median"], "ratio": iv.record(), "verdict": r["verdict"]})
    return out


def _paired(rows: pd.DataFrame, metric: str, baselines: dict[str, str]) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in stats.compare_paired(rows, metric, baselines).to_dict("records")]


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
