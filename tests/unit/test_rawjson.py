"""The rawjson parser against real recorded streams (tests/data/rawjson)."""

from __future__ import annotations

from pathlib import Path

from bench.engine import rawjson

DATA = Path(__file__).parent.parent / "data" / "rawjson"


def _steps(name: str) -> list[rawjson.Vertex]:
    return rawjson.steps(rawjson.parse((DATA / f"{name}.rawjson").read_text()))


def test_cold_build_steps_run_in_order_with_timings() -> None:
    steps = _steps("cold")
    labels = [(v.step[0], v.step[1], v.step[2]) for v in steps]  # type: ignore[index]
    assert ("build", 6, 6) in labels and ("stage-1", 2, 2) in labels
    by_instr = {v.step[3]: v for v in steps}  # type: ignore[index]
    download = by_instr["RUN go mod download"]
    assert not download.cached
    assert download.duration is not None and download.duration > 0
    compile_ = by_instr["RUN CGO_ENABLED=0 go build -o /out/app ."]
    assert not compile_.cached and compile_.duration and compile_.duration > 0.5
    assert all(v.error == "" for v in steps)


def test_cached_build_reports_every_run_step_cached() -> None:
    steps = _steps("cached")
    run_steps = [v for v in steps if v.step[3].startswith(("RUN", "COPY"))]  # type: ignore[index]
    assert len(run_steps) == 5
    assert all(v.cached for v in run_steps)


def test_failed_build_carries_error_and_log() -> None:
    steps = _steps("failed")
    failed = [v for v in steps if v.error]
    assert len(failed) == 1
    assert failed[0].step[1:3] == (6, 6)  # type: ignore[index]
    assert "exit code: 1" in failed[0].error
    assert "undefined: undefinedThing" in "".join(failed[0].logs)


def test_merges_repeated_digests_and_skips_plain_text() -> None:
    stream = (
        'WARNING: something plain\n{"vertexes":[{"digest":"d1","name":"[a 1/2] RUN x",'
        '"started":"2026-01-01T00:00:00.123456789Z"}]}\n'
        '{\n  "vertexes": [{"digest":"d1","name":"[a 1/2] RUN x","started":"2026-01-01T00:00:00.123456789Z",'
        '"completed":"2026-01-01T00:00:02.623456Z","cached":true}]\n}\nERROR: tail\n'
    )
    (v,) = rawjson.parse(stream)
    assert v.cached and v.duration == 2.5
    assert v.step == ("a", 1, 2, "RUN x")


def test_a_step_reported_under_two_digests_counts_once() -> None:
    stream = (
        '{"vertexes":[{"digest":"a","name":"[build 4/6] RUN go mod download","cached":true,'
        '"started":"2026-01-01T00:00:00Z","completed":"2026-01-01T00:00:00Z"}]}\n'
        '{"vertexes":[{"digest":"b","name":"[build 4/6] RUN go mod download","cached":true,'
        '"started":"2026-01-01T00:00:01Z","completed":"2026-01-01T00:00:01.5Z"}]}\n'
    )
    (step,) = rawjson.steps(rawjson.parse(stream))
    assert step.cached and step.digest == "b" and step.duration == 0.5
