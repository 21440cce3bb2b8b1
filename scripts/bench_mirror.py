#!/usr/bin/env python3
"""Is the mirror the bottleneck? `go mod download` of a whole corpus through it vs a file:// GOPROXY.

Runs alternate (file, mirror, file, mirror, ...) in one session so drifting cache or load
state hits both alike; each run starts with an empty module cache and is timed inside the
container. Prints the medians and the ratio mirror/file; exits 1 above --max-ratio.

    .venv/bin/python scripts/bench_mirror.py [--preset medium] [--runs 9] [--profile local]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from bench import bases
from bench.engine.gocmd import GoEnv, run_go, timed
from bench.mirror import corpus, gomod, stack
from bench.mirror.corpus import Corpus

CORPUS_IN = "/corpus"


def consumer(dest: Path, c: Corpus) -> Path:
    """A module whose go.sum covers every version of the corpus."""
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "go.mod").write_text(gomod.render("example.com/bench-mirror", "1.23", {}))
    (dest / "go.sum").write_text(c.gosum(c.all_versions()))
    return dest


def download_seconds(image: str, goproxy: str, c: Corpus, module: Path) -> float:
    """Wall time of one cold `go mod download` of every corpus version, measured in the container."""
    everything = " ".join(f"{p}@{v}" for p, v in c.all_versions())
    run = run_go(
        image,
        timed(f"cd /src && go mod download {everything}"),
        env=GoEnv(goproxy=goproxy),
        mounts={module: "/src:ro", c.root: f"{CORPUS_IN}:ro"},
    )
    assert run.seconds is not None
    return run.seconds


def main() -> int:
    """Entry point."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="medium")
    p.add_argument("--runs", type=int, default=9)
    p.add_argument("--profile", default="local")
    p.add_argument("--max-ratio", type=float, default=1.2)
    args = p.parse_args()
    image = bases.image_for("builder", go="1.23")
    with tempfile.TemporaryDirectory(prefix="bench-mirror-") as tmp:
        c = corpus.ensure(corpus.load_spec(args.preset), Path(tmp) / "corpora")
        module = consumer(Path(tmp) / "module", c)
        times: dict[str, list[float]] = {"file": [], "mirror": []}
        with stack.start(args.profile, c.root) as proxy:
            download_seconds(image, proxy.goproxy, c, module)  # warm-up: page cache, image layers
            for i in range(args.runs):
                times["file"].append(download_seconds(image, f"file://{CORPUS_IN}", c, module))
                times["mirror"].append(download_seconds(image, proxy.goproxy, c, module))
                print(f"run {i + 1}: file {times['file'][-1]:.2f} s, mirror {times['mirror'][-1]:.2f} s", flush=True)
    file_s, mirror_s = statistics.median(times["file"]), statistics.median(times["mirror"])
    ratio = mirror_s / file_s
    n = len(c.all_versions())
    print(
        f"{args.preset} corpus, {n} module versions: file:// {file_s:.2f} s, mirror ({args.profile}) {mirror_s:.2f} s"
    )
    print(f"ratio mirror/file: {ratio:.3f} (limit {args.max_ratio})")
    return 0 if ratio <= args.max_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
