"""Small helpers for engine tests: build a throwaway context, build it, run it, clean up."""

from __future__ import annotations

import uuid
from pathlib import Path

from bench.engine import cli

TEST_LABEL = "bench.test=1"

HELLO_GO = """package main

import (
\t"fmt"
\t"runtime"
)

func main() { fmt.Println("hello from", runtime.Version()) }
"""


def hello_context(tmp: Path, builder: str, runtime: str) -> Path:
    """A build context: a tiny static Go program compiled in `builder`, shipped in `runtime`.

    The source carries a unique comment so that no earlier build's cache can serve it.
    """
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "go.mod").write_text("module example.com/hello\n\ngo 1.21\n")
    (tmp / "main.go").write_text(f"// build {uuid.uuid4().hex}\n{HELLO_GO}")
    (tmp / "Dockerfile").write_text(
        f"FROM {builder} AS build\n"
        "WORKDIR /src\n"
        "COPY go.mod ./\n"
        "COPY main.go ./\n"
        "RUN CGO_ENABLED=0 go build -trimpath -o /out/hello .\n"
        f"FROM {runtime}\n"
        "COPY --from=build /out/hello /hello\n"
        'ENTRYPOINT ["/hello"]\n'
    )
    return tmp


def unique_tag(prefix: str) -> str:
    """A tag no other test uses."""
    return f"bench-test/{prefix}:{uuid.uuid4().hex[:10]}"


def build(context: Path, tag: str, *extra: str) -> str:
    """`docker buildx build` with rawjson progress; returns the rawjson stream (stderr)."""
    done = cli.run(
        ["buildx", "build", "--network=host", "--progress=rawjson", "--label", TEST_LABEL,
         "-t", tag, *extra, str(context)],
        timeout=600,
    )
    return done.stderr


def remove_image(tag: str) -> None:
    """Remove a test image, ignoring one that is already gone."""
    cli.run(["image", "rm", "-f", tag], check=False, timeout=120)
