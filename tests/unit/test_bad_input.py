"""Bad input: one line naming what is wrong, exit code 2, nothing left in results; resume finishes a killed run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import app
from bench.errors import UsageError
from bench.paths import REPO_ROOT


def _bench(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench", *args, f"results_dir={tmp_path}"],
        capture_output=True, text=True, timeout=120, cwd=REPO_ROOT, env={**os.environ}, check=False,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["repetitions=0"], "repetitions: 0 is not allowed"),
        (["timeouts.build=-1"], "timeouts.build: -1.0 is not allowed"),
        (["project=own", "project.path=/nonexistent"], "project.path: /nonexistent has no go.mod"),
        (["project=hello", "proxy=upstream_golang", "proxy.url=http://127.0.0.1:9", "proxy.probe_url=http://127.0.0.1:9"],
         "proxy: no variant's module proxy is reachable"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_leaves_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    proc = _bench(tmp_path, "dry_run=true", *args)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_corpus_modules_behind_an_upstream_proxy_are_refused(tmp_path: Path) -> None:
    proc = _bench(tmp_path, "dry_run=true", "project=service", "proxy=upstream_golang")
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith(
        "error: proxy=upstream_golang: project service's modules come from the generated corpus 'medium', which only "
        "the local mirror serves; use one of: "
    )
    assert "local, near_mirror" in line and "upstream" not in line.split("use one of:")[1]


def test_gomod_that_does_not_parse(tmp_path: Path) -> None:
    module = tmp_path / "mod"
    module.mkdir()
    (module / "go.mod").write_text("this is not a go.mod\n")
    (module / "main.go").write_text("package main\nfunc main() {}\n")
    proc = _bench(tmp_path / "results", "dry_run=true", "project=own", f"project.path={module}")
    assert proc.returncode == 2
    assert "go.mod does not parse" in proc.stderr and "Traceback" not in proc.stderr


def test_too_little_disk_is_refused_with_the_numbers() -> None:
    with pytest.raises(UsageError, match=r"12 builds: 3.0 GB free on /var/lib/docker, about 8.0 GB needed"):
        app._check_disk({"disk_free_bytes": 3e9, "docker_root": "/var/lib/docker"}, 12, 5.0)
    app._check_disk({"disk_free_bytes": 9e9, "docker_root": "/x"}, 12, 5.0)


def test_resume_finishes_a_killed_run_without_repeating_builds(tmp_path: Path) -> None:
    first = _bench(tmp_path, "+scenario=change", "dry_run=true", "repetitions=2")
    assert first.returncode == 0, first.stderr
    (run,) = [p.parent for p in tmp_path.rglob("manifest.json")]
    builds = (run / "builds.jsonl").read_text().splitlines()
    assert len(builds) == 24
    # As after SIGKILL: the last rows never reached the disk, the manifest still says running.
    (run / "builds.jsonl").write_text("\n".join(builds[:10]) + "\n" + builds[10][:25])
    manifest = json.loads((run / "manifest.json").read_text())
    (run / "manifest.json").write_text(json.dumps({**manifest, "status": "running"}))
    again = _bench(tmp_path, f"resume={run}")
    assert again.returncode == 0, again.stderr
    assert "stopped without finishing" in again.stderr and "10 of 24 builds already recorded" in again.stderr
    ids = [json.loads(x)["build_id"] for x in (run / "builds.jsonl").read_text().splitlines() if x.endswith("}")]
    assert len(ids) == len(set(ids)) == 24
    assert json.loads((run / "manifest.json").read_text())["status"] == "complete"
    assert [p.parent for p in tmp_path.rglob("manifest.json")] == [run]  # the resume made no second run dir
