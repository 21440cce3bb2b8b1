"""Coverage of bench.stats' intervals, measured by simulation (lognormal noise).

For each sample size, draws `--trials` pairs of samples whose true ratio of medians is
known (`--ratio`, multiplicative lognormal noise of `--sigma` on both sides), builds the
interval with `bench.stats.ratio_interval` (and `median_interval` for one median), and
counts how often the interval holds the truth. It also measures, for reference, the
percentile bootstrap of the ratio of medians that bench used before (scipy.stats.bootstrap,
2,000 resamples; fewer trials, it is slow).

    .venv/bin/python scripts/interval_coverage.py [--trials 20000] [--sigma 0.1]

Measured on the reference machine (`--trials 20000 --sigma 0.1 --ratio 1.3 --seed 1`,
2,000 trials for the bootstrap; about 3 minutes):

    lognormal noise sigma=0.1, true ratio 1.3, 20000 trials per cell
    interval                n vs n_base  method                 nominal  coverage  median width
    ratio                   3 vs 3       range                        -     0.904        1.389x
    ratio                   4 vs 4       range                        -     0.973        1.496x
    ratio                   5 vs 5       hodges_lehmann           0.968     0.969        1.383x
    ratio                   10 vs 10     hodges_lehmann           0.957     0.955        1.215x
    ratio                   20 vs 20     hodges_lehmann           0.951     0.951        1.139x
    ratio                   2 vs 14      range                        -     0.983        1.558x
    ratio                   5 vs 35      hodges_lehmann           0.953     0.952        1.221x
    ratio                   10 vs 70     hodges_lehmann           0.951     0.952        1.147x
    ratio (old bootstrap)   5 vs 5       percentile bootstrap     0.950     0.966        1.387x
    ratio (old bootstrap)   10 vs 10     percentile bootstrap     0.950     0.965        1.242x
    ratio (old bootstrap)   20 vs 20     percentile bootstrap     0.950     0.965        1.167x
    median                  3            range                        -     0.753        1.174x
    median                  6            order_statistics         0.969     0.972        1.280x
    median                  10           order_statistics         0.979     0.979        1.217x
    median                  20           order_statistics         0.959     0.957        1.123x

The `hodges_lehmann` interval is exact for any noise shape as long as the two samples
differ by a factor, so its coverage does not depend on sigma; the numbers in
bench/stats.py's docstring come from this script.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy import stats as sps

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import stats

Pair = tuple[np.ndarray, np.ndarray]


def bootstrap_percentile(a: np.ndarray, b: np.ndarray, seed: int) -> tuple[float, float]:
    """The interval bench used before: percentile bootstrap of the ratio of medians."""
    res = sps.bootstrap(
        (a, b), lambda x, y, axis=-1: np.median(x, axis=axis) / np.median(y, axis=axis),
        n_resamples=2000, confidence_level=0.95, method="percentile", vectorized=True, paired=False,
        random_state=np.random.default_rng(seed),
    )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def coverage(draw: Callable[[], Pair], interval: Callable[[np.ndarray, np.ndarray], tuple[float, float, str, float]],
             truth: float, trials: int) -> dict[str, object]:
    """Share of `trials` intervals that hold `truth`, the method used, nominal level and median width."""
    hits, widths, methods, nominal = 0, [], set(), []
    for _ in range(trials):
        a, b = draw()
        low, high, method, conf = interval(a, b)
        hits += low <= truth <= high
        widths.append(high / low if low > 0 else np.inf)
        methods.add(method)
        nominal.append(conf)
    nom = [c for c in nominal if not np.isnan(c)]
    return {"method": "/".join(sorted(methods)), "nominal": float(np.mean(nom)) if nom else np.nan,
            "coverage": hits / trials, "width": float(np.median(widths))}


def rows(trials: int, sigma: float, ratio: float, seed: int) -> list[dict[str, object]]:
    """Every cell of the table."""
    rng = np.random.default_rng(seed)

    def pair(n: int, m: int) -> Callable[[], Pair]:
        return lambda: (ratio * np.exp(rng.normal(0, sigma, n)), np.exp(rng.normal(0, sigma, m)))

    def ours(a: np.ndarray, b: np.ndarray) -> tuple[float, float, str, float]:
        iv = stats.ratio_interval(a, b)
        return iv.low, iv.high, iv.method, np.nan if iv.confidence is None else iv.confidence

    def boot(a: np.ndarray, b: np.ndarray) -> tuple[float, float, str, float]:
        return (*bootstrap_percentile(a, b, int(rng.integers(1 << 31))), "percentile bootstrap", 0.95)

    def median(a: np.ndarray, _b: np.ndarray) -> tuple[float, float, str, float]:
        iv = stats.median_interval(a)
        return iv.low, iv.high, iv.method, np.nan if iv.confidence is None else iv.confidence

    out = []
    for n, m in [(3, 3), (4, 4), (5, 5), (10, 10), (20, 20), (2, 14), (5, 35), (10, 70)]:
        out.append({"interval": "ratio", "n": n, "m": m, **coverage(pair(n, m), ours, ratio, trials)})
    for n in (5, 10, 20):
        out.append({"interval": "ratio (old bootstrap)", "n": n, "m": n,
                    **coverage(pair(n, n), boot, ratio, max(trials // 10, 200))})
    for n in (3, 6, 10, 20):
        out.append({"interval": "median", "n": n, "m": 0, **coverage(pair(n, 1), median, ratio, trials)})
    return out


def main(argv: list[str] | None = None) -> None:
    """Print the coverage table."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--trials", type=int, default=20000)
    p.add_argument("--sigma", type=float, default=0.1, help="lognormal sigma of each build's time")
    p.add_argument("--ratio", type=float, default=1.3, help="true ratio of medians")
    p.add_argument("--seed", type=int, default=1)
    ns = p.parse_args(argv)
    print(f"lognormal noise sigma={ns.sigma}, true ratio {ns.ratio}, {ns.trials} trials per cell")
    print(f"{'interval':<23} {'n vs n_base':<12} {'method':<22} {'nominal':>7} {'coverage':>9} {'median width':>13}")
    for r in rows(ns.trials, ns.sigma, ns.ratio, ns.seed):
        size = f"{r['n']} vs {r['m']}" if r["m"] else f"{r['n']}"
        nominal = "-" if np.isnan(r["nominal"]) else f"{r['nominal']:.3f}"  # type: ignore[arg-type]
        print(f"{r['interval']:<23} {size:<12} {r['method']:<22} {nominal:>7} {r['coverage']:>9.3f} "
              f"{r['width']:>12.3f}x")


if __name__ == "__main__":
    main()
