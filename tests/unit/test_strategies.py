"""Dockerfile templates render for every strategy; no syntax line; mirror settings only as build args."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import options, strategies
from bench.errors import UsageError
from bench.execute import inputs
from tests import configs

TEMPLATED = [n for n in options.names("strategy") if options.load("strategy", n).template]


def _render(name: str, **kw: object) -> strategies.Rendered:
    """Render a strategy option, with option fields overridden by `kw` (download_retries, ...)."""
    from dataclasses import replace

    render_kw = {k: kw.pop(k) for k in ("builder", "runtime", "main", "own_dockerfile", "directory") if k in kw}
    return strategies.render(replace(options.load("strategy", name), **kw), **render_kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("strategy", TEMPLATED)
def test_every_template_renders_without_syntax_line_or_env(strategy: str) -> None:
    r = _render(strategy, builder="B:1", runtime="R:1", main="./cmd/x")
    assert r.text.startswith("#") and "# syntax" not in r.text
    assert "FROM B:1" in r.text and "./cmd/x" in r.text
    assert "ENV GO" not in r.text  # GOPROXY and friends never become image config
    assert (r.network == "none") == (strategy == "vendor")


def test_layer_order_is_what_the_strategy_promises() -> None:
    naive = _render("naive", builder="B", runtime="R").text
    multi = _render("multistage", builder="B", runtime="R").text
    assert naive.index("\nCOPY . .") < naive.index("\nRUN go mod download")
    assert multi.index("\nCOPY go.mod go.sum* ./") < multi.index("\nRUN go mod download") < multi.index("\nCOPY . .")
    assert "--mount=type=cache,target=/go/pkg/mod" in _render("multistage_cachemount", builder="B", runtime="R").text


def test_retries_wrap_the_download_with_backoff() -> None:
    text = _render("multistage", builder="B", runtime="R", download_retries=3, retry_cap_seconds=4).text
    assert "until go mod download" in text and '-gt 3 ] && exit 1' in text and "delay=4" in text


def test_a_broken_template_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "naive.Dockerfile.j2").write_text("FROM {{ builder }}\nRUN {{ no_such_value }}\n")
    with pytest.raises(UsageError, match=r"template .*naive.Dockerfile.j2 does not render: 'no_such_value' is undefined"):
        _render("naive", builder="B", runtime="R", directory=tmp_path)


def test_own_dockerfile_gets_only_declared_args(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM x\nARG GOPROXY\nARG OTHER\nRUN true\n")
    r = _render("own", builder="B", runtime="R", own_dockerfile=tmp_path / "Dockerfile")
    spec = configs.spec("strategy=own")
    assert inputs.build_args(spec, "http://127.0.0.1:1", r.declared_args) == {"GOPROXY": "http://127.0.0.1:1"}


def _download_command(text: str) -> str:
    """The shell command of the download RUN step, continuation lines joined."""
    joined = text.replace("\\\n", " ")
    line = next(ln for ln in joined.splitlines() if ln.startswith("RUN ") and "go mod download" in ln)
    return line[len("RUN "):]


@pytest.mark.parametrize(("failures", "exit_code", "calls"), [(0, 0, 1), (2, 0, 3), (5, 1, 3)])
def test_the_retry_loop_really_retries_and_exits_like_the_last_attempt(
    tmp_path: Path, failures: int, exit_code: int, calls: int
) -> None:
    import os
    import subprocess

    text = _render("multistage", builder="B", runtime="R", download_retries=2, retry_cap_seconds=1).text
    fake = tmp_path / "go"
    fake.write_text(
        "#!/bin/sh\nn=$(cat \"$STATE\" 2>/dev/null || echo 0); n=$((n+1)); echo $n > \"$STATE\"\n"
        f'[ "$n" -gt {failures} ]\n'
    )
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}", "STATE": str(tmp_path / "calls")}
    proc = subprocess.run(["sh", "-c", _download_command(text)], env=env, capture_output=True, text=True, timeout=30)
    assert proc.returncode == exit_code, proc.stderr
    assert int((tmp_path / "calls").read_text()) == calls
