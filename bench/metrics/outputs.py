"""Where the metrics go: a Prometheus Pushgateway, a node_exporter textfile, or both.

Job and grouping key, and why: the Pushgateway keeps only the last push per grouping key
and Prometheus keeps the history by scraping it. bench pushes with `job="bench"` and the
grouping key `{scenario, host}`, with PUT: each scenario on each host holds its newest
run, a nightly replaces last night's values of its own group only (variants gone from the
scenario disappear with it), and Prometheus, scraping the Pushgateway with
`honor_labels: true`, records every night as the next stretch of the same series. A run id
in the key would instead pile up one group per night in the Pushgateway forever, each a
new series that never goes stale. The textfile follows the same model: node_exporter
serves whatever the file holds now, Prometheus keeps the history.
"""

from __future__ import annotations

import urllib.error
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from prometheus_client import push_to_gateway, write_to_textfile
from prometheus_client.registry import CollectorRegistry

from bench.errors import UsageError
from bench.metrics.families import Run, newest_runs, registry
from bench.results import Results, load

JOB = "bench"
PUSH_TIMEOUT_S = 15.0


class PublishError(Exception):
    """Metrics could not be pushed or written; one line. The run's results on disk are untouched."""

    def __init__(self, message: str, done: list[str] | None = None) -> None:
        super().__init__(message)
        self.done = done or []  # what did get published before (or besides) the failure


def grouping_key(run: Run) -> dict[str, str]:
    """The Pushgateway grouping key of a run: its scenario and host (see the module docstring)."""
    return {"scenario": run.scenario, "host": run.host}


def push(reg: CollectorRegistry, url: str, job: str = JOB, grouping_key: Mapping[str, str] | None = None,
         timeout: float = PUSH_TIMEOUT_S) -> None:
    """PUT everything in `reg` to the Pushgateway at `url`, replacing the group `job` + `grouping_key`.

    Use job `bench` and the key `{scenario, host}` (`grouping_key(run)`): one group per
    scenario and host holds its newest run, and Prometheus scraping the Pushgateway with
    `honor_labels: true` keeps each night in its history. Raises PublishError (one line).
    """
    try:
        push_to_gateway(url, job=job, registry=reg, grouping_key=dict(grouping_key or {}), timeout=timeout)
    except urllib.error.HTTPError as err:
        body = err.read().decode("utf-8", "replace").strip().splitlines()
        detail = f": {body[0][:200]}" if body else ""
        raise PublishError(f"metrics.pushgateway: {url} answered HTTP {err.code} {err.reason}{detail}") from None
    except (OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        raise PublishError(f"metrics.pushgateway: push to {url} failed: {_one_line(reason)}") from None


def write_textfile(reg: CollectorRegistry, path: str | Path) -> None:
    """Write `reg` for node_exporter's textfile collector, atomically.

    prometheus_client.write_to_textfile writes `<path>.<pid>.<thread>` in the same directory
    and renames it over `path` (rename(2) is atomic on one filesystem), so the collector
    reads either the old file or the new one, never half of one; it ignores the temporary
    name because only `*.prom` files are read. Raises PublishError (one line).
    """
    target = Path(path)
    if not target.parent.is_dir():
        raise PublishError(f"metrics.textfile: directory {target.parent} does not exist")
    try:
        write_to_textfile(str(target), reg)
    except OSError as err:
        raise PublishError(f"metrics.textfile: cannot write {target}: {_one_line(err)}") from None


def publish(
    source: Results | str | Path, pushgateway: str | None = None, textfile: str | Path | None = None
) -> list[str]:
    """Export the newest run of each scenario/host in `source` (Results or a run dir/folder); returns lines to print.

    Both outputs are tried even when one fails; then PublishError says what failed, in one
    line, and `.done` lists what succeeded. The results on disk are never touched, so a
    failed push can be repeated later with `python -m bench.metrics <run dir> --pushgateway URL`.
    """
    if not pushgateway and not textfile:
        return []
    res = source if isinstance(source, Results) else load(source)
    runs = newest_runs(res)
    if not runs:
        raise PublishError(f"metrics: no run found in {source}")
    done: list[str] = []
    errors: list[str] = []
    if textfile:
        try:
            write_textfile(registry(runs), textfile)
            done.append(f"metrics: wrote {textfile}")
        except PublishError as err:
            errors.append(str(err))
    for run in runs if pushgateway else []:
        key = grouping_key(run)
        try:
            push(registry([run]), str(pushgateway), JOB, key)
            done.append(f"metrics: pushed {run.manifest.get('run_id', '')} to {pushgateway} "
                        f"(job={JOB}, scenario={key['scenario']}, host={key['host'] or '-'})")
        except PublishError as err:
            errors.append(str(err))
    if errors:
        where = ", ".join(sorted({str(r.manifest.get("run_dir", "")) for r in runs}))
        raise PublishError(f"{'; '.join(dict.fromkeys(errors))} (results are saved in {where})", done)
    return done


def validate(pushgateway: str | None, textfile: str | Path | None) -> None:
    """Check `metrics.pushgateway` and `metrics.textfile` before a run; UsageError names the key and what is allowed."""
    if pushgateway:
        parts = urlsplit(pushgateway)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"metrics.pushgateway: {pushgateway!r} is not an http(s) URL; "
                             "give the Pushgateway's address, e.g. http://127.0.0.1:9091")
    if textfile:
        path = Path(textfile)
        if path.suffix != ".prom":
            raise UsageError(f"metrics.textfile: {textfile!r} must end in .prom (node_exporter's textfile "
                             "collector reads only *.prom files)")
        if not path.parent.is_dir():
            raise UsageError(f"metrics.textfile: directory {path.parent} does not exist; give a path in an existing "
                             "directory (node_exporter's --collector.textfile.directory)")


def _one_line(value: object) -> str:
    return " ".join(str(value).split())
