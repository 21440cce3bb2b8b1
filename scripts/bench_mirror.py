#!/usr/bin/env python3
"""Is the mirror the bottleneck? `go mod download` through it vs a file:// GOPROXY, and vs a network model.

Runs alternate (file, mirror, file, mirror, ...) in one session so drifting cache or load
state hits both alike; each run starts with an empty module cache and is timed inside the
container. Prints the medians and the ratio mirror/file; exits 1 above --max-ratio.

With a shaped profile (--profile far_proxy) it also prints what the mirror's own counters
(requests, connections, bytes) say the download should cost on that network, next to the
measured time (see `expected_seconds`).

    .venv/bin/python scripts/bench_mirror.py [--preset medium] [--runs 9] [--profile local]
    .venv/bin/python scripts/bench_mirror.py --preset realistic --scope project --runs 5
    .venv/bin/python scripts/bench_mirror.py --preset realistic --scope project --profile far_proxy --runs 1
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from bench import bases, netmodel, options
from bench.engine.gocmd import GoEnv, run_go, timed
from bench.mirror import corpus, examples, gomod, stack
from bench.mirror.corpus import Corpus
from bench.mirror.counters import Snapshot
from bench.mirror.profiles import ProxyProfile

CORPUS_IN = "/corpus"
CACHE = Path.home() / ".cache" / "bench" / "corpus"  # where the runner keeps generated corpora too
PARALLEL = netmodel.PARALLEL


def pairs_of(c: Corpus, scope: str) -> list[tuple[str, str]]:
    """Every version of the corpus (`all`), or the build list of the example project on it (`project`)."""
    if scope == "all":
        return c.all_versions()
    return examples.build_list(c)


def consumer(dest: Path, c: Corpus, pairs: list[tuple[str, str]]) -> Path:
    """A module whose go.sum covers `pairs`."""
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "go.mod").write_text(gomod.render("example.com/bench-mirror", "1.23", {}))
    (dest / "go.sum").write_text(c.gosum(pairs))
    return dest


def download_seconds(image: str, goproxy: str, c: Corpus, module: Path, pairs: list[tuple[str, str]]) -> float:
    """Wall time of one cold `go mod download` of `pairs`, measured in the container."""
    everything = " ".join(f"{p}@{v}" for p, v in pairs)
    run = run_go(
        image,
        timed(f"cd /src && go mod download {everything}"),
        env=GoEnv(goproxy=goproxy),
        mounts={module: "/src:ro", c.root: f"{CORPUS_IN}:ro"},
        timeout=3600,
    )
    assert run.seconds is not None
    return run.seconds


def expected_seconds(profile: ProxyProfile, snap: Snapshot, local_s: float) -> tuple[float, float]:
    """(low, high) download time on `profile` for the traffic in `snap`, given `local_s` unshaped (`bench.netmodel`)."""
    link = netmodel.Link(profile.rtt_ms, profile.connect_rtts, profile.bandwidth_mbit)
    traffic = netmodel.Traffic(snap.total_requests, snap.connections, snap.bytes_sent)
    return netmodel.expected_download(link, traffic, local_s, PARALLEL)


def main() -> int:
    """Entry point."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="medium", help="corpus preset (conf/corpus/<preset>.yaml)")
    p.add_argument(
        "--scope",
        choices=["all", "project"],
        default="all",
        help="every version of the corpus, or the build list of its example project",
    )
    p.add_argument("--runs", type=int, default=9)
    p.add_argument("--profile", default="local")
    p.add_argument("--max-ratio", type=float, default=1.2)
    args = p.parse_args()
    image = bases.image_for("builder", go="1.23")
    setup = options.proxy_setup(args.profile)
    c = corpus.ensure(corpus.load_spec(args.preset), CACHE)
    pairs = pairs_of(c, args.scope)
    times: dict[str, list[float]] = {"file": [], "mirror": []}
    snaps: list[Snapshot] = []
    with tempfile.TemporaryDirectory(prefix="bench-mirror-") as tmp, stack.start(setup, c.root) as proxy:
        module = consumer(Path(tmp) / "module", c, pairs)
        download_seconds(image, proxy.goproxy, c, module, pairs)  # warm-up: page cache, image layers
        for i in range(args.runs):
            times["file"].append(download_seconds(image, f"file://{CORPUS_IN}", c, module, pairs))
            with proxy.measure() as m:
                times["mirror"].append(download_seconds(image, proxy.goproxy, c, module, pairs))
            snaps.append(m.total() or Snapshot())
            print(f"run {i + 1}: file {times['file'][-1]:.2f} s, mirror {times['mirror'][-1]:.2f} s", flush=True)
    file_s, mirror_s = statistics.median(times["file"]), statistics.median(times["mirror"])
    snap = snaps[len(snaps) // 2]
    print(
        f"{args.preset} corpus ({args.scope}), {len(pairs)} module versions, {snap.bytes_sent / 1e6:.1f} MB in "
        f"{snap.total_requests} requests over {snap.connections} connections: "
        f"file:// {file_s:.2f} s, mirror ({args.profile}) {mirror_s:.2f} s"
    )
    if setup.profile.kind == "mirror" and setup.profile.rtt_ms:
        low, high = expected_seconds(setup.profile, snap, file_s)
        print(f"expected on {args.profile} from those counters: {low:.1f}-{high:.1f} s; measured {mirror_s:.1f} s")
        return 0
    ratio = mirror_s / file_s
    print(f"ratio mirror/file: {ratio:.3f} (limit {args.max_ratio})")
    return 0 if ratio <= args.max_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
