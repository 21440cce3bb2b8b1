"""Command line of the mirror.

python -m bench.mirror corpus --preset small [--out DIR] [--seed N]   (default: the machine's cache)
python -m bench.mirror serve DIR --profile near_mirror [--seed N] [--store DIR] [--port N]
python -m bench.mirror projects [--check]
python -m bench.mirror profiles
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import options  # entry point: composes the config layer and the mirror
from bench.errors import UsageError, cli_entry
from bench.mirror import corpus, examples, stack


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.mirror", description="Local Go module mirror and corpus.")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("corpus", help="generate a module corpus in GOPROXY layout")
    c.add_argument("--preset", default="medium", help="conf/corpus/<preset>.yaml (default: medium)")
    c.add_argument("--seed", type=int, default=None)
    c.add_argument("--out", type=Path, default=None, help=f"directory to write (default: the machine's cache, {corpus.CACHE})")
    s = sub.add_parser("serve", help="serve a GOPROXY tree, a corpus or a GOMODCACHE until Ctrl-C")
    s.add_argument("root", type=Path, nargs="?", help="directory to serve (not needed for a caching mirror)")
    s.add_argument("--profile", default="local", help="conf/proxy/<profile>.yaml (default: local)")
    s.add_argument("--seed", type=int, default=None, help="fault seed (default: the profile's)")
    s.add_argument("--store", type=Path, default=None, help="store directory of a caching mirror")
    s.add_argument("--port", type=int, default=0, help="port for a single-server profile (default: a free one)")
    j = sub.add_parser("projects", help="rewrite the generated files of scenarios/projects")
    j.add_argument("--check", action="store_true", help="only report files that differ; exit 1 if any")
    sub.add_parser("profiles", help="list the proxy profiles")
    return p


def cmd_corpus(args: argparse.Namespace) -> int:
    """Generate a corpus into --out, or make sure the machine's cache holds it (what runs use)."""
    spec = corpus.load_spec(args.preset, seed=args.seed)
    started = time.monotonic()
    try:
        made = corpus.generate(spec, args.out) if args.out else corpus.ensure(spec, corpus.CACHE)
    except FileExistsError as err:
        raise UsageError(str(err)) from None
    zips = sum(p.stat().st_size for p in made.root.rglob("*.zip"))
    print(
        f"{spec.name}: {len(made.modules)} modules, {len(made.all_versions())} module versions, "
        f"{zips / 1e6:.1f} MB of zips in {made.root} ({time.monotonic() - started:.1f} s)"
    )
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve until interrupted, then print the counters."""
    try:
        setup = options.proxy_setup(args.profile)  # the config layer reads conf/; the mirror gets objects
        running = stack.start(setup, args.root, store_dir=args.store, seed=args.seed, port=args.port)
    except (stack.ProxyUnavailable, ValueError, OSError) as err:
        raise UsageError(str(err)) from None
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as cleanly as Ctrl-C
    with running:
        print(f"GOPROXY={running.goproxy}", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        for name, snap in running.snapshot().items():
            print(f"{name}: {snap.as_row('')}", file=sys.stderr)
    return 0


def _project_corpus(preset: str, tmp: Path) -> corpus.Corpus:
    spec = corpus.load_spec(preset)
    if spec.weight is None:
        return corpus.ensure(spec, tmp)
    return corpus.hashed(spec, examples.build_list)  # go.sum needs hashes, not 200 MB of zips


def cmd_projects(args: argparse.Namespace) -> int:
    """Rewrite (or check) the generated files of the example projects."""
    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, preset in examples.PROJECTS.items():
            made = _project_corpus(preset, Path(tmp)) if preset else None
            for filename, content in examples.render(name, made).items():
                path = examples.project_dir(name) / filename
                if not path.is_file() or path.read_bytes() != content:
                    stale.append(path)
                    if not args.check:
                        path.write_bytes(content)
    for path in stale:
        print(f"{'differs' if args.check else 'wrote'}: {path}")
    return 1 if args.check and stale else 0


@cli_entry
def main() -> int:
    """Entry point."""
    args = _parser().parse_args()
    if args.command == "corpus":
        return cmd_corpus(args)
    if args.command == "serve":
        return cmd_serve(args)
    if args.command == "projects":
        return cmd_projects(args)
    for name in options.names("proxy"):
        prof = options.load("proxy", name, key="proxy")
        print(f"{name:16} {prof.kind:9} {prof.description}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
