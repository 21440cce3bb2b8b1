"""Real engine: a service's own Dockerfile (syntax line, ARG-built FROM, distroless runtime, named
target, an unused helper stage) builds offline through the alias table's named contexts."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from bench import bases, dockerfile
from bench.engine import cli

from .helpers import HELLO_GO, TEST_LABEL, remove_image, unique_tag

pytestmark = pytest.mark.engine

OWN_DOCKERFILE = """\
# syntax=docker/dockerfile:1
ARG GO_VERSION=1.23
FROM --platform=$BUILDPLATFORM tonistiigi/xx:1.6.1 AS xx

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod main.go ./
RUN --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -trimpath -o /out/hello .

FROM build AS cross
COPY --from=xx / /

FROM gcr.io/distroless/static-debian12:nonroot AS runtime
COPY --from=build /out/hello /hello
USER nonroot:nonroot
ENTRYPOINT ["/hello"]
"""


def _context(tmp: Path) -> Path:
    (tmp / "go.mod").write_text("module example.com/hello\n\ngo 1.23\n")
    (tmp / "main.go").write_text(f"// build {uuid.uuid4().hex}\n{HELLO_GO}")  # no cache can serve it
    (tmp / "Dockerfile").write_text(dockerfile.without_syntax(OWN_DOCKERFILE))
    return tmp


def _build(ctx: Path, tag: str, *flags: str) -> None:
    cli.run(
        ["buildx", "build", "--network=host", "--progress=plain", "--label", TEST_LABEL,
         "--target", "runtime", *flags, "-t", tag, str(ctx)],
        timeout=600,
    )


def test_own_dockerfile_builds_offline_through_named_contexts(base_images: object, tmp_path: Path) -> None:
    plan = dockerfile.plan(OWN_DOCKERFILE, target="runtime")
    plan.check()
    assert [(a.ref, a.local) for a in plan.aliases] == [
        ("golang:1.23-bookworm", bases.image_for("builder", go="1.23")),
        ("gcr.io/distroless/static-debian12:nonroot", bases.image_for("runtime-static")),
    ]
    assert plan.syntax == "docker/dockerfile:1"
    bases.ensure_images(plan.local_images(), say=lambda _msg: None)
    tag = unique_tag("named-contexts")
    try:
        _build(_context(tmp_path), tag, *plan.build_contexts())
        out = cli.run(["run", "--rm", "--network=none", tag], timeout=60).stdout
        assert out.strip() == f"hello from go{bases.GO_BUILDERS['1.23'].version}"
        user = cli.run(["image", "inspect", "--format", "{{.Config.User}}", tag], timeout=60).stdout
        assert user.strip() == "nonroot:nonroot"
    finally:
        remove_image(tag)


def test_without_the_contexts_the_same_build_needs_a_registry(base_images: object, tmp_path: Path) -> None:
    # The control: the contexts, not something else, are what let the build above work offline.
    tag = unique_tag("no-contexts")
    try:
        with pytest.raises(cli.DockerCLIError) as err:
            _build(_context(tmp_path), tag)
        assert "golang:1.23-bookworm" in err.value.stderr or "distroless" in err.value.stderr
    finally:
        remove_image(tag)
