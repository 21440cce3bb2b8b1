"""Synthetic results with the columns of real build rows, for statistics and rendering tests.

`make_run(axes, reps, wall)` returns `Results` as `bench.results.load` would: one row per
build in plan order (variants interleaved across repetitions), a few steps per build and
a manifest. Numbers come from the caller's `wall` function plus seeded lognormal noise,
so a test knows the truth it checks against.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from bench.results import Results

Wall = Callable[[Mapping[str, str]], float]
DEFAULTS = {"project": "service", "strategy": "multistage", "cache": "warm", "proxy": "local", "change": "none",
            "base": "local", "runtime": "static"}
MB = 1_000_000


def image_bytes(c: Mapping[str, str]) -> int:
    """A plausible unpacked image size: the toolchain in single-stage images, a Debian runtime adds 100 MB."""
    size = 892 * MB if c["strategy"] == "singlestage" else int(8.46 * MB)
    return size + (100 * MB if c["runtime"] == "debian" and c["strategy"] != "singlestage" else 0)


def make_run(axes: Mapping[str, list[str]], reps: int, wall: Wall, *, scenario: str = "synthetic",
             sigma: float = 0.05, seed: int = 0, run_id: str | None = None) -> Results:
    """A run crossing `axes` (in label order) with `reps` repetitions; `wall(choices)` is the true median."""
    rng = np.random.default_rng(seed)
    run_id = run_id or f"00-00-00-{scenario}-000000"
    combos = [dict(zip(axes, values)) for values in itertools.product(*axes.values())]
    labels = [",".join(f"{a}={v}" for a, v in c.items()) or "default" for c in combos]
    rows, steps = [], []
    for rep in range(1, reps + 1):
        for label, picked in zip(labels, combos):
            c = {**DEFAULTS, **picked}
            w = float(wall(c) * np.exp(rng.normal(0, sigma)))
            build_id = f"{label}#r{rep}"
            rows.append(_row(build_id, run_id, scenario, label, rep, c, w))
            steps += _steps(build_id, run_id, w)
    manifest = {"run_id": run_id, "scenario": scenario, "started_at": "2026-11-28T00:00:00+00:00",
                "ended_at": "2026-11-28T01:00:00+00:00", "status": "complete", "variants": labels,
                "planned_builds": len(rows), "config.repetitions": reps, "config.proxy.name": "local",
                "config.proxy.description": "local mirror, no network emulation", "engine.engine_version": "26.1.5",
                "engine.engine_cpus": 2, "run_dir": f"/tmp/{run_id}"}
    return Results(pd.DataFrame(rows), pd.DataFrame(steps), pd.DataFrame([manifest]))


def _row(build_id: str, run_id: str, scenario: str, label: str, rep: int, c: Mapping[str, str], w: float) -> dict:
    return {"build_id": build_id, "run_id": run_id, "scenario": scenario, "variant": label, "repetition": rep,
            **c, "go": "1.23", "wall_s": w, "status": "ok", "valid": True, "failure_class": "", "invalid_reason": "",
            "steps_total": 5, "steps_cached": 2, "download_step_ran": c["change"] != "none", "download_s": 0.2,
            "image_compressed_bytes": image_bytes(c) // 3, "image_unpacked_bytes": image_bytes(c),
            "image_layers": 2, "startup_s": 0.3, "mirror_requests_zip": 1 if c["change"] != "none" else 0,
            "mirror_bytes_sent": 400_000 if c["change"] != "none" else 0, "warnings": [], "notes": [],
            "fresh_runner": False, "schema_version": 2}


def _steps(build_id: str, run_id: str, w: float) -> list[dict]:
    parts = [("FROM bench-base/builder", 0.0), ("COPY go.mod go.sum ./", 0.02), ("RUN go mod download", 0.1),
             ("COPY . .", 0.03), ("RUN go build -o /app .", 0.85)]
    return [{"build_id": build_id, "run_id": run_id, "index": i, "stage": "build", "step": i + 1,
             "steps_in_stage": len(parts), "instruction": name, "started_s": 0.0, "ended_s": share * w,
             "duration_s": share * w, "cached": share == 0.0, "error": ""} for i, (name, share) in enumerate(parts)]


def change_wall(c: Mapping[str, str]) -> float:
    """Rebuild times shaped like the seed article: a no-op rebuild is sub-second, a compile ~30 s."""
    base = {"none": 0.5, "source": 30.0, "gomod_bump": 35.0, "gomod_add": 36.0}[c["change"]]
    if c["strategy"] == "multistage_cachemount" and c["change"] != "none":
        return base / 20
    return base * {"naive": 1.0, "multistage": 0.9}.get(c["strategy"], 1.0)
