"""The scale-out's pieces without an engine: placement, job records, the results archive, the job's choice of
fresh run or resume, ending a dead attempt's processes, the per-engine lock, and bad launcher settings."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from bench.distributed import archive, job, spec
from bench.distributed.__main__ import show
from bench.errors import UsageError
from bench.paths import REPO_ROOT


def test_jobs_go_round_robin_in_the_given_order() -> None:
    hosts = ["b", "a"]
    assert [spec.place(n, hosts) for n in range(5)] == ["b", "a", "b", "a", "b"]
    with pytest.raises(UsageError, match="no build host"):
        spec.place(0, [])


def test_host_resources_and_names() -> None:
    assert spec.resource("bench-b") == "host-bench-b"
    assert spec.hosts_of(["host-z", "GPU", "host-a"]) == ["a", "z"]
    with pytest.raises(UsageError, match="host"):
        spec.resource("a b")


def test_later_records_update_earlier_ones(tmp_path: Path) -> None:
    spec.append_record(tmp_path, {"event": "submitted", "num": 0, "host": "a", "run_dir": "x"})
    spec.append_record(tmp_path, {"event": "submitted", "num": 1, "host": "b"})
    spec.append_record(tmp_path, {"event": "returned", "num": 0, "exit_code": 3})
    recs = spec.read_records(tmp_path)
    assert recs[0] == {"event": "returned", "num": 0, "host": "a", "run_dir": "x", "exit_code": 3}
    assert recs[1]["event"] == "submitted"


def test_archive_round_trip_leaves_scratch_and_cache_out(tmp_path: Path) -> None:
    run = tmp_path / "run"
    for rel in ("manifest.json", "builds.jsonl", "report/report.md", "work/src/main.go", "cache/k/index.json"):
        (run / rel).parent.mkdir(parents=True, exist_ok=True)
        (run / rel).write_text(rel)
    dest = tmp_path / "back"
    names = archive.unpack(archive.pack(run), dest)
    assert sorted(names) == ["builds.jsonl", "manifest.json", "report/report.md"]
    assert (dest / "report/report.md").read_text() == "report/report.md"
    assert not (dest / "work").exists() and not (dest / "cache").exists()


def test_archive_refuses_paths_outside_the_run(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("../escaped")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(tarfile.TarError):
        archive.unpack(buf.getvalue(), tmp_path / "dest")
    assert not (tmp_path / "escaped").exists()


def test_a_job_resumes_the_run_it_finds_on_its_host(tmp_path: Path) -> None:
    js = spec.JobSpec("s", 0, "a", ("project=hello",))
    assert job.harness_argv(js, tmp_path)[-2:] == ["project=hello", f"hydra.run.dir={tmp_path}"]
    (tmp_path / "manifest.json").write_text("{}")  # an earlier attempt started the run
    assert job.harness_argv(js, tmp_path)[-1] == f"resume={tmp_path}"


def test_a_dead_attempts_processes_are_ended_by_their_mark() -> None:
    env = {**os.environ, job.JOB_MARK: "sweep-x/3", job.HOST_MARK: "h"}
    marked = subprocess.Popen(["sleep", "60"], env=env, start_new_session=True)
    other = subprocess.Popen(["sleep", "60"], env={**env, job.JOB_MARK: "sweep-x/4"})
    try:
        assert job.end_processes(job.JOB_MARK, "sweep-x/3") == [marked.pid]
        assert marked.wait(timeout=10) == -9
        assert other.poll() is None
    finally:
        other.kill()
        other.wait()


def test_one_job_at_a_time_per_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_STATE", str(tmp_path))
    with job.engine_lock("unix:///x.sock"):
        with pytest.raises(job.HostBusy, match="one worker per engine"):
            with job.engine_lock("unix:///x.sock"):
                pass
        with job.engine_lock("unix:///y.sock"):  # another engine is another host
            pass


def test_show_prints_each_job_and_the_sweep(tmp_path: Path) -> None:
    t = time.time()
    for num, host, start in ((0, "a", 0.5), (1, "a", 10.2)):
        spec.append_record(tmp_path, {"event": "returned", "num": num, "host": host, "exit_code": 0, "attempt": 1,
                                      "submitted_at": t, "started_at": t + start, "harness_started_at": t + start,
                                      "harness_ended_at": t + start + 9, "packed_at": t + start + 9.5,
                                      "unpacked_at": t + start + 9.7, "archive_bytes": 2000})
    text = show(tmp_path)
    assert "0    a           0     1        0.50" in text  # waited 0.5 s for a free host
    assert "1    a           0     1        0.20" in text  # 0.2 s after the host's previous job was packed
    assert "sweep: 2 jobs" in text


def test_launcher_without_a_scheduler_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "bench", "-m", "hydra/launcher=dask",
                           f"hydra.launcher.scheduler_file={tmp_path}/none.json", "project=hello",
                           f"results_dir={tmp_path}/results"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"error: hydra.launcher: no scheduler file {tmp_path}/none.json; start one: python -m bench.distributed start"]
    assert not list((tmp_path / "results").rglob("*"))  # no sweep folder, no day folder
