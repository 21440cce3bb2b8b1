"""Prometheus metrics of saved runs, for a Pushgateway or node_exporter's textfile collector.

`publish(run_dir, pushgateway=url, textfile=path)` exports the newest run of each scenario
and host; `registry(runs)`, `push(...)` and `write_textfile(...)` are the pieces. Metric
names, labels and the job/grouping-key choice are described in `families` and `outputs`;
alert rules that read them ship in deploy/prometheus/bench-rules.yml.
"""

from bench.metrics.families import Run, newest_runs, registry
from bench.metrics.outputs import JOB, PublishError, grouping_key, publish, push, validate, write_textfile

__all__ = [
    "JOB", "PublishError", "Run", "grouping_key", "newest_runs", "publish", "push", "registry", "validate",
    "write_textfile",
]
