"""How many repetitions the nightly matrix needs to catch a 20% slowdown, by simulation.

The noise comes from recorded runs: the relative spread of `wall_s` within each variant of
each run (sample standard deviation of log wall time; usable rows only), pooled over
every variant with 2 or more rows. The rule is bench/compare.py's: the newest run's
`repetitions` rows against the rows of up to `--window` earlier runs of the scenario,
`bench.stats.ratio_interval` of the medians, and a regression when the whole interval lies
above 1 + threshold (a single sample: ratio above 1 + threshold and the new maximum above
the window's). Power is the share of simulated nights that flag a true `--slowdown`; the
false-alarm rate is the share that flag a night with no change, per variant and for the
whole matrix (`--variants` independent variants).

    .venv/bin/python scripts/power.py [results folders ...] [--trials 2000] [--window 7]

Noise is simulated two ways: lognormal at the pooled sigma (and at the noisiest variant's
sigma), and by resampling the pooled log residuals themselves (empirical). Run-to-run
drift between nights is not in the recorded runs (no scenario was recorded twice), so
the numbers are a best case for it.

Measured (`--trials 2000`, window 7, recorded runs: pooled sigma 0.094 over 10 variants,
14 degrees of freedom; noisiest 0.227, a sub-second cached rebuild), power to flag a true
20% slowdown:

    threshold on the interval   0.2     0.1     0.05    0
    repetitions for 80% power   never   12      6       5      (lognormal and empirical alike)
    power at 2 (today's matrix) 0.009   0.086   0.201   0.386
    power at 6                  0.033   0.515   0.845   0.984
    false alarms per variant    0       0       <=0.002 0.02-0.03 (about 0.2 of nights in a 9-variant matrix)

With the rule as it is (whole interval above 1.2), a slowdown of exactly 20% is flagged
at most 3% of the time at any repetition count: the lower bound of an interval lies above
the true ratio only that often. Below 5 repetitions the interval is a range against the
whole window (min new / max of 7 runs), so more repetitions make it stricter until the
rank-based interval takes over at 5. With a one-run window (the second night) the
threshold 0.05 needs 10-12 repetitions. The noisiest variants (sub-second rebuilds,
sigma 0.23) reach 80% only with threshold 0 and 15 repetitions.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import stats
from bench.results import load

DEFAULT_RUNS = [ROOT / "tests" / "data" / "results", ROOT / "results" / "samples"]
REPETITIONS = (2, 3, 4, 5, 6, 8, 10, 12, 15, 20)
THRESHOLDS = (0.2, 0.1, 0.05, 0.0)
Noise = Callable[[np.random.Generator, int], np.ndarray]


def spreads(builds: pd.DataFrame) -> pd.DataFrame:
    """Per run and variant with n >= 2: n, median wall_s, sigma of log wall_s, centred log residuals."""
    ok = stats.usable(builds).dropna(subset=["wall_s"])
    out = []
    for (run, variant), g in ok.groupby(["run_id", "variant"], sort=False, observed=True):
        logs = np.log(g["wall_s"].to_numpy(dtype=float))
        if logs.size >= 2:
            # residuals scaled by sqrt(n/(n-1)) so that resampling them keeps the unbiased variance
            resid = (logs - logs.mean()) * np.sqrt(logs.size / (logs.size - 1))
            out.append({"run": run, "variant": variant, "n": logs.size, "median_s": float(np.exp(np.median(logs))),
                        "sigma": float(logs.std(ddof=1)), "residuals": resid})
    return pd.DataFrame(out)


def pooled_sigma(table: pd.DataFrame) -> float:
    """sqrt of the degrees-of-freedom weighted mean variance."""
    df = table["n"] - 1
    return float(np.sqrt((df * table["sigma"] ** 2).sum() / df.sum()))


def lognormal(sigma: float) -> Noise:
    """Multiplicative noise exp(N(0, sigma))."""
    return lambda rng, n: np.exp(rng.normal(0.0, sigma, n))


def empirical(residuals: np.ndarray) -> Noise:
    """Multiplicative noise resampled from recorded log residuals."""
    return lambda rng, n: np.exp(rng.choice(residuals, n))


def flagged(new: np.ndarray, base: np.ndarray, thresholds: Sequence[float]) -> list[bool]:
    """bench/compare.py's timed rule for each threshold."""
    iv = stats.ratio_interval(new, base)
    if np.isnan(iv.low):
        return [iv.estimate > 1 + t and new.max() > base.max() for t in thresholds]
    return [iv.low > 1 + t for t in thresholds]


def simulate(noise: Noise, reps: int, window: int, slowdown: float, trials: int, seed: int) -> np.ndarray:
    """Share of nights flagged per threshold."""
    rng = np.random.default_rng(seed)
    hits = np.zeros(len(THRESHOLDS))
    for _ in range(trials):
        base = noise(rng, reps * window)
        new = slowdown * noise(rng, reps)
        hits += flagged(new, base, THRESHOLDS)
    return hits / trials


def table(noise: Noise, ns: argparse.Namespace) -> pd.DataFrame:
    """Power and false alarms per repetition count and threshold."""
    rows = []
    for reps in REPETITIONS:
        power = simulate(noise, reps, ns.window, ns.slowdown, ns.trials, ns.seed + reps)
        alarm = simulate(noise, reps, ns.window, 1.0, ns.trials, ns.seed + 1000 + reps)
        method = stats.RANGE if reps < stats.MIN_CI_SAMPLES else stats.HODGES_LEHMANN  # as ratio_interval picks
        row: dict[str, object] = {"repetitions": reps, "method": method}
        for t, p, a in zip(THRESHOLDS, power, alarm):
            row[f"power t={t:g}"] = p
            row[f"false alarm t={t:g}"] = a
            row[f"matrix alarm t={t:g}"] = 1 - (1 - a) ** ns.variants
        rows.append(row)
    return pd.DataFrame(rows)


def needed(t: pd.DataFrame, target: float) -> dict[float, int | None]:
    """Smallest repetition count reaching `target` power, per threshold."""
    out: dict[float, int | None] = {}
    for th in THRESHOLDS:
        ok = t[t[f"power t={th:g}"] >= target]
        out[th] = int(ok["repetitions"].iloc[0]) if len(ok) else None
    return out


def main(argv: list[str] | None = None) -> None:
    """Measure the noise, simulate, print the tables."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("paths", nargs="*", default=[str(d) for d in DEFAULT_RUNS])
    p.add_argument("--trials", type=int, default=2000)
    p.add_argument("--window", type=int, default=7, help="earlier runs in compare's baseline (its --window)")
    p.add_argument("--slowdown", type=float, default=1.2)
    p.add_argument("--power", type=float, default=0.8)
    p.add_argument("--variants", type=int, default=9, help="variants in the nightly matrix (for its alarm rate)")
    p.add_argument("--seed", type=int, default=1)
    ns = p.parse_args(argv)
    sp = spreads(load(ns.paths).builds)
    if sp.empty:
        raise SystemExit("no variant with 2 or more usable rows in " + " ".join(ns.paths))
    sigma = pooled_sigma(sp)
    print("Measured spread of wall_s per variant (sigma of log wall time):")
    print(sp.drop(columns="residuals").to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    print(f"pooled sigma {sigma:.3f} over {len(sp)} variants ({int((sp['n'] - 1).sum())} degrees of freedom); "
          f"noisiest {sp['sigma'].max():.3f}\n")
    noises = {f"lognormal, pooled sigma {sigma:.3f}": lognormal(sigma),
              "empirical residuals": empirical(np.concatenate(list(sp["residuals"]))),
              f"lognormal, noisiest sigma {sp['sigma'].max():.3f}": lognormal(float(sp["sigma"].max()))}
    pd.set_option("display.width", 200)
    for name, noise in noises.items():
        t = table(noise, ns)
        print(f"== noise: {name}; true slowdown {ns.slowdown:g}x; window {ns.window} runs; {ns.trials} nights per cell")
        cols = ["repetitions", "method", *[c for c in t.columns if c.startswith(("power", "false"))]]
        print(t[cols].to_string(index=False, float_format=lambda x: f"{x:.3f}"))
        print("matrix-wide false alarm (any of", ns.variants, "variants):",
              ", ".join(f"t={th:g}: {t[f'matrix alarm t={th:g}'].iloc[-1]:.2f} at r={t['repetitions'].iloc[-1]}"
                        for th in THRESHOLDS))
        reach = needed(t, ns.power)
        print(f"repetitions for {ns.power:.0%} power:",
              ", ".join(f"t={th:g}: {r if r else f'not within {REPETITIONS[-1]}'}" for th, r in reach.items()), "\n")


if __name__ == "__main__":
    main()
