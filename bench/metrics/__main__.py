"""`python -m bench.metrics <run dir or folder> [--pushgateway URL] [--textfile PATH]`: (re)publish saved runs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bench.errors import UsageError, cli_entry
from bench.metrics.outputs import PublishError, publish, validate
from bench.results import load


@cli_entry
def main(argv: Sequence[str] | None = None) -> None:
    """Push and/or write the metrics of the newest run of each scenario under the given paths; exit 1 on failure."""
    p = argparse.ArgumentParser(prog="python -m bench.metrics", description=__doc__.splitlines()[0])
    p.add_argument("paths", nargs="+", help="run directories, results folders or globs")
    p.add_argument("--pushgateway", help="Pushgateway URL, e.g. http://127.0.0.1:9091")
    p.add_argument("--textfile", help="a *.prom file in node_exporter's textfile directory")
    ns = p.parse_args(argv)
    if not ns.pushgateway and not ns.textfile:
        raise UsageError("give --pushgateway URL, --textfile PATH, or both")
    validate(ns.pushgateway, ns.textfile)
    res = load(ns.paths)
    if res.manifests.empty:
        raise UsageError(f"no runs found under {' '.join(ns.paths)}")
    try:
        lines = publish(res, ns.pushgateway, ns.textfile)
    except PublishError as err:
        for line in err.done:
            print(line)
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(1) from None
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
