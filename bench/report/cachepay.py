"""Does caching pay? Per cache mode: what a consuming build saves against a cold one, what the producing
build paid to export, the bytes moved, and how many consuming builds one export must serve to break
even. Beside it, what attestations cost, and the no-op floor of each strategy. Pure functions of rows.

Like with like: a cache mode is compared with `cache=none` rows that have the same value of every
other axis the rows vary (strategy, change, ...). Saving and ratio come from medians, the ratio's
interval from `stats.ratio_interval` (its method named in the table); the export's spread is its
range over the repetitions.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd

from bench import stats
from bench.report.tables import MB, col, median_of

BASELINE = "none"
OTHER_AXES = ("project", "strategy", "proxy", "change", "base", "runtime", "attest", "cache")
FLOOR_LIMIT_S = 2.0


def _like_groups(ok: pd.DataFrame, axis: str) -> Iterator[tuple[dict[str, str], pd.DataFrame]]:
    """Groups of rows equal on every axis but `axis` (the axes that vary, as a dict)."""
    varying = [a for a in OTHER_AXES if a != axis and a in ok and ok[a].nunique() > 1]
    if not varying:
        yield {}, ok
        return
    for key, g in ok.groupby(varying, sort=False, observed=True):
        values = key if isinstance(key, tuple) else (key,)
        yield {a: str(v) for a, v in zip(varying, values)}, g


def break_even(export_s: float, saved_s: float) -> float:
    """Consuming builds one export must serve before the saving covers it: ceil(export / saving), at least 1.

    NaN when nothing is saved (the cache never pays back); 0 when nothing was exported (no producer cost).
    """
    if math.isnan(saved_s) or saved_s <= 0:
        return math.nan
    if math.isnan(export_s):
        return 0.0
    return float(max(1, math.ceil(export_s / saved_s)))


def verdict(iv: stats.Interval, builds: float, exported: bool) -> str:
    """Whether the mode pays, in words: only a ratio interval wholly below 1 counts as a saving."""
    if math.isnan(iv.estimate):
        return "not measured"
    if iv.estimate >= 1 and (math.isnan(iv.low) or iv.low >= 1):
        return "no: not faster than cold"
    if math.isnan(iv.high) or iv.high >= 1:
        return "not shown (interval includes no saving)"
    if not exported:
        return "yes, no export to pay for"
    return "yes, from the first build" if builds <= 1 else f"yes, after {int(builds)} builds"


def pay_table(b: pd.DataFrame) -> pd.DataFrame | None:
    """Per cache mode (and other varying axes): consumer time saved against cache=none, producer cost,
    bytes moved, break-even. None when the rows hold no cache=none baseline to compare with."""
    ok = stats.usable(b).dropna(subset=["wall_s"])
    if ok.empty or BASELINE not in set(map(str, ok["cache"])) or ok["cache"].nunique() < 2:
        return None
    rows = []
    for axes, g in _like_groups(ok, "cache"):
        cold = stats.clean(g.loc[g["cache"] == BASELINE, "wall_s"])
        for cache, m in g.groupby("cache", sort=False, observed=True):
            if str(cache) == BASELINE or not len(m):
                continue
            walls = stats.clean(m["wall_s"])
            iv = stats.ratio_interval(walls, cold)
            saved = float(np.median(cold) - np.median(walls)) if cold.size and walls.size else math.nan
            export = median_of(m, col(m, "export_s"))
            exports = stats.clean(m["export_s"]) if "export_s" in m else np.array([])
            builds = break_even(export, saved)
            rows.append({
                **axes, "cache": str(cache), "n": len(m), "build s": float(np.median(walls)),
                "cold s": float(np.median(cold)) if cold.size else math.nan, "saved s": saved,
                "ratio": iv.estimate, "low": iv.low, "high": iv.high, "method": iv.method,
                "export s": export,
                "export range s": f"{exports.min():.2f} to {exports.max():.2f}" if exports.size > 1 else "-",
                "import s": median_of(m, col(m, "import_s")),
                "pushed MB": median_of(m, col(m, "cache_bytes"), MB),
                # on the wire from the registry; for a local cache, the layers the build's progress says it read
                "pulled MB": median_of(m, col(m, "cache_pulled_bytes", "import_bytes"), MB),
                "break-even builds": builds, "pays": verdict(iv, builds, exports.size > 0),
            })
    return _numeric(pd.DataFrame(rows), whole=["break-even builds"]) if rows else None


def _numeric(df: pd.DataFrame, whole: Sequence[str] = ()) -> pd.DataFrame:
    """Columns with nothing measured dropped (the interval's always kept: it renders as one column);
    counts as nullable integers, so that they print as 3, and "-" where there is none."""
    keep = {"ratio", "low", "high", "method"}
    df = df[[c for c in df.columns if c in keep or df[c].notna().any()]].copy()
    for c in whole:
        if c in df:
            df[c] = pd.array([None if pd.isna(v) else int(v) for v in df[c]], dtype="Int64")
    return df


def pay_sentence(b: pd.DataFrame) -> str | None:
    """The pay table in one sentence: per cache mode, whether and after how many consuming builds it pays."""
    table = pay_table(b)
    if table is None or table.empty:
        return None
    extra = [c for c in table.columns if c in OTHER_AXES and c != "cache"]
    parts = []
    for r in table.to_dict("records"):
        label = " ".join([f"{r['cache']}", *(f"{c}={r[c]}" for c in extra)])
        saved = f"saves {r['saved s']:.1f} s a build" if r["saved s"] > 0 else f"costs {-r['saved s']:.1f} s a build"
        export = f", its export {r['export s']:.1f} s" if "export s" in r and pd.notna(r["export s"]) else ""
        parts.append(f"{label} {saved}{export}: {r['pays']}")
    return "Does caching pay, against a cold build: " + "; ".join(parts) + "."


def attest_table(b: pd.DataFrame) -> pd.DataFrame | None:
    """attest=default against attest=none (same other axes): build time ratio, image export time, sizes, media type."""
    ok = stats.usable(b).dropna(subset=["wall_s"])
    if "attest" not in ok or not {"none", "default"} <= set(map(str, ok["attest"])):
        return None
    rows = []
    for axes, g in _like_groups(ok, "attest"):
        plain = stats.clean(g.loc[g["attest"] == "none", "wall_s"])
        for attest, m in g.groupby("attest", sort=False, observed=True):
            iv = stats.ratio_interval(stats.clean(m["wall_s"]), plain)
            media = m["image_media_type"].dropna().astype(str) if "image_media_type" in m else pd.Series(dtype=str)
            rows.append({
                **axes, "attest": str(attest), "n": len(m), "build s": median_of(m, "wall_s"),
                "ratio": iv.estimate, "low": iv.low, "high": iv.high, "method": iv.method,
                "image export s": median_of(m, col(m, "image_export_s")),
                "compressed MB": median_of(m, col(m, "image_compressed_bytes"), MB),
                "media type": media.mode().iloc[0].rsplit(".", 2)[-2] if len(media) else "-",
            })
    return _numeric(pd.DataFrame(rows)) if rows else None


def floor_table(b: pd.DataFrame) -> pd.DataFrame | None:
    """Per strategy: the no-op rebuild as the harness times builds, BuildKit's own (a bare build), the flag."""
    ok = stats.usable(b)
    if col(ok, "floor_s", "floor_bare_s") is None:
        return None
    rows = []
    for strategy, g in ok.groupby("strategy", sort=False, observed=True):
        floor, bare = median_of(g, col(g, "floor_s")), median_of(g, col(g, "floor_bare_s"))
        rows.append({"strategy": str(strategy), "n": int(g["floor_s"].notna().sum()) if "floor_s" in g else 0,
                     "no-op floor s": floor, "bare buildx s": bare, "harness adds s": floor - bare,
                     "flag": f"floor over {FLOOR_LIMIT_S:g} s" if floor > FLOOR_LIMIT_S else ""})
    return pd.DataFrame(rows)


def floor_caveat(b: pd.DataFrame) -> str | None:
    """One line naming the strategies whose no-op floor is over the limit (None when none is)."""
    table = floor_table(b)
    if table is None:
        return None
    over = table[table["no-op floor s"] > FLOOR_LIMIT_S]
    if over.empty:
        return None
    names = ", ".join(f"{r['strategy']} ({r['no-op floor s']:.2f} s; bare buildx {r['bare buildx s']:.2f} s)"
                      for r in over.to_dict("records"))
    return (f"No-op floor over {FLOOR_LIMIT_S:g} s: {names}. A build that changes little cannot be faster than its "
            "floor; published floors are 0.5-3 s.")


def cache_caveats(b: pd.DataFrame) -> list[str]:
    """What the producer and consumer numbers of fresh-runner rows mean, when the rows have them."""
    if col(b, "export_s") is None:
        return []
    nets = sorted({str(n) for n in b.get("cache_network", pd.Series(dtype=str)).dropna() if str(n)})
    lines = [
        "Cache producer cost (export s): each fresh-runner row built the unchanged project cold, then rebuilt it "
        "(a no-op) without and with --cache-to, order alternating by repetition; export s is the difference "
        "(within the noise of two no-op builds). Every export went to an empty cache: a producer re-exporting "
        "onto a cache it made before pushes only changed blobs (and still checks each one, moby/buildkit#6123).",
    ]
    if nets:
        lines.append(f"Cache registry network: {', '.join(nets)} (a shaped TCP forwarder in front of the registry; "
                     "pushed and pulled MB are counted on it).")
    if "cache_compression" in b and (b["cache_compression"] == "zstd").any():
        lines.append("compression=zstd compresses the cache layers the build made; layers it reused already "
                     "compressed (the base images', gzip) are exported as they are, as BuildKit does without "
                     "force-compression.")
    if col(b, "import_bytes") is not None:
        lines.append("Pulled MB of a local cache (no registry, nothing on a wire) is the layer bytes the consuming "
                     "build's own progress says it read from the cache directory.")
    return lines
