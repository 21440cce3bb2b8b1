"""Own Dockerfiles offline: FROM references, ARG expansion, aliases to local images, refusals (no engine)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import dockerfile, gover, strategies
from bench.config import StrategyConfig
from bench.errors import UsageError

BUILDERS = {"1.23": "1.23.5", "1.24": "1.24.4", "1.25": "1.25.12", "1.26": "1.26.11", "1.27": "1.27.4"}

# The shape of many Go services' Dockerfiles: syntax line, ARG-parameterised builder, cache mounts,
# a cross-compilation helper, a test stage and a distroless runtime as a named target.
SERVICE = """\
# syntax=docker/dockerfile:1
# check=error=true
ARG GO_VERSION=1.25
ARG RUNTIME=gcr.io/distroless/static-debian12:nonroot
FROM --platform=$BUILDPLATFORM tonistiigi/xx:1.6.1 AS xx

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \\
    CGO_ENABLED=0 go build -trimpath -o /out/svc ./cmd/svc

FROM build AS cross
COPY --from=xx / /
RUN xx-go build -o /out/svc-cross ./cmd/svc

FROM build AS test
RUN go test ./...

FROM ${RUNTIME} AS runtime
COPY --from=build /out/svc /svc
USER nonroot:nonroot
ENTRYPOINT ["/svc"]
"""

ALPINE_APK = """\
FROM golang:1.25-alpine AS build
RUN apk add --no-cache git make
WORKDIR /src
COPY . .
RUN make build

FROM alpine:3.20
RUN apk add --no-cache ca-certificates
COPY --from=build /src/bin/app /app
"""


def contexts(plan: dockerfile.Plan) -> dict[str, str]:
    flags = plan.build_contexts()
    assert flags[::2] == ["--build-context"] * (len(flags) // 2)
    return dict(f.split("=", 1) for f in flags[1::2])


def test_service_runtime_target_maps_to_local_images() -> None:
    plan = dockerfile.plan(SERVICE, target="runtime", builders=BUILDERS)
    assert contexts(plan) == {
        "golang:1.25-bookworm": "docker-image://bench-base/builder:go1.25",
        "gcr.io/distroless/static-debian12:nonroot": "docker-image://bench-base/runtime-static:latest",
    }
    assert plan.refusals == []
    assert plan.syntax == "docker/dockerfile:1"
    assert plan.local_images() == ["bench-base/builder:go1.25", "bench-base/runtime-static:latest"]
    assert "not needed by target runtime, not built: xx (tonistiigi/xx:1.6.1)" in plan.notes
    plan.check()
    assert plan.record() == {
        "aliases": {
            "golang:1.25-bookworm": "bench-base/builder:go1.25",
            "gcr.io/distroless/static-debian12:nonroot": "bench-base/runtime-static:latest",
        },
        "frontend": "builtin",
        "syntax_dropped": "docker/dockerfile:1",
    }


def test_build_args_override_arg_defaults() -> None:
    plan = dockerfile.plan(SERVICE, build_args={"GO_VERSION": "1.27"}, target="runtime", builders=BUILDERS)
    assert "golang:1.27-bookworm" in contexts(plan)


def test_target_that_needs_the_helper_image_is_refused_naming_it() -> None:
    plan = dockerfile.plan(SERVICE, target="cross", builders=BUILDERS)
    assert plan.refusals == [
        "tonistiigi/xx:1.6.1 (Dockerfile line 5) is a cross-compilation helper (xx-go, xx-apk) pulled from a "
        "registry; build a target that does not use it (project.target: build, test, runtime), add an alias for it "
        "to a local image, or use base=registry on a machine with a registry"
    ]
    with pytest.raises(UsageError, match=r"^tonistiigi/xx:1\.6\.1 \(Dockerfile line 5\) is a cross-compilation"):
        plan.check()


def test_default_target_is_the_last_stage() -> None:
    assert dockerfile.plan(SERVICE, builders=BUILDERS).target == "runtime"
    with pytest.raises(UsageError, match=r"^project.target: 'prod' is not a stage of the Dockerfile; stages: xx, build, cross, test, runtime$"):
        dockerfile.plan(SERVICE, target="prod", builders=BUILDERS)


def test_alpine_with_apk_is_refused_up_front() -> None:
    plan = dockerfile.plan(ALPINE_APK, builders=BUILDERS)
    assert len(plan.refusals) == 2
    assert plan.refusals[0].startswith(
        "golang:1.25-alpine (Dockerfile line 1) is Alpine and line 2 runs apk, which needs Alpine's package mirror"
    )
    assert plan.refusals[1].startswith("alpine:3.20 (Dockerfile line 7) is Alpine and line 8 runs apk")
    with pytest.raises(UsageError, match=r"runs apk, .*base=registry.* \(also: alpine:3\.20 \(Dockerfile line 7\) is Alpine and line 8 runs apk, which needs Alpine's package mirror \(not reachable offline\)\)$"):
        plan.check()
    assert not any("Debian-based" in note for note in plan.notes)  # no stand-in is offered for a refused image


# The shape of a registry's release Dockerfile: every target builds on a base stage that copies a
# cross-compilation helper and runs apk, and the default target is an alpine runtime that runs apk too.
HELPER_EVERYWHERE = """\
# syntax=docker/dockerfile:1
ARG GO_VERSION=1.25.9
ARG ALPINE_VERSION=3.23
FROM --platform=$BUILDPLATFORM tonistiigi/xx:1.9.0 AS xx
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-alpine${ALPINE_VERSION} AS base
COPY --from=xx / /
RUN apk add --no-cache git
FROM base AS build
RUN --mount=type=bind,target=/src xx-go build -o /usr/bin/app ./cmd/app
FROM scratch AS binary
COPY --from=build /usr/bin/app /
FROM alpine:${ALPINE_VERSION}
RUN apk add --no-cache ca-certificates
COPY --from=binary /app /bin/app
"""


def test_every_refusal_is_named_in_the_one_line() -> None:
    plan = dockerfile.plan(HELPER_EVERYWHERE, builders=BUILDERS)
    with pytest.raises(UsageError) as err:
        plan.check()
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(
        "tonistiigi/xx:1.9.0 (Dockerfile line 4) is a cross-compilation helper (xx-go, xx-apk) pulled from a registry; "
        "every target of this Dockerfile needs it, so build with a Dockerfile of yours (strategy=vendor or a template), "
    )
    assert message.endswith(
        " (also: golang:1.25.9-alpine3.23 (Dockerfile line 5) is Alpine and line 7 runs apk, which needs Alpine's "
        "package mirror (not reachable offline); alpine:3.23 (Dockerfile line 12) is Alpine and line 13 runs apk, "
        "which needs Alpine's package mirror (not reachable offline))"
    )


def test_the_reason_of_a_refusal_keeps_tags_and_builder_lists() -> None:
    plan = dockerfile.plan("FROM foo/bar:1 AS a\nFROM golang:1.30\nCOPY --from=a / /\n", builders=BUILDERS)
    with pytest.raises(UsageError, match=r"\(also: golang:1\.30 \(Dockerfile line 2\) needs Go 1\.30 and there is no "
                       r"local builder for it \(local: 1\.23, 1\.24, 1\.25, 1\.26, 1\.27\)\)$"):
        plan.check()


def test_apk_in_a_stage_built_on_an_alpine_stage_is_refused() -> None:
    text = "FROM golang:1.26-alpine AS base\nFROM base AS build\nRUN apk add git\n"
    plan = dockerfile.plan(text, builders=BUILDERS)
    assert [r.split(" runs")[0] for r in plan.refusals] == ["golang:1.26-alpine (Dockerfile line 1) is Alpine and line 3"]


def test_alpine_without_apk_maps_to_the_debian_builder_with_a_note() -> None:
    text = "FROM golang:1.24-alpine AS build\nRUN go build -o /app .\nFROM alpine\nCOPY --from=build /app /app\n"
    plan = dockerfile.plan(text, builders=BUILDERS)
    assert plan.refusals == []
    assert contexts(plan) == {
        "golang:1.24-alpine": "docker-image://bench-base/builder:go1.24",
        "alpine": "docker-image://bench-base/runtime-static:latest",
    }
    assert plan.target == "stage 1"
    assert "golang:1.24-alpine -> bench-base/builder:go1.24: Debian-based, not Alpine; the stages built on it run no apk step" in plan.notes


@pytest.mark.parametrize(
    ("ref", "local"),
    [
        ("golang:1.23", "bench-base/builder:go1.23"),
        ("golang:1.26.2-trixie", "bench-base/builder:go1.26"),
        ("golang:1.25rc1-bookworm", "bench-base/builder:go1.25"),
        ("golang", "bench-base/builder:go1.27"),
        ("golang:latest", "bench-base/builder:go1.27"),
        ("docker.io/library/golang:1.24", "bench-base/builder:go1.24"),
        ("golang:1-bookworm", "bench-base/builder:go1.27"),
        ("debian:bookworm-slim", "bench-base/debian:bookworm"),
        ("debian:trixie-slim", "bench-base/debian:trixie"),
        ("debian", "bench-base/debian:bookworm"),
        ("gcr.io/distroless/base-debian12", "bench-base/runtime-static:latest"),
        ("gcr.io/distroless/static:nonroot", "bench-base/runtime-static:latest"),
        ("busybox:1.36", "bench-base/runtime-static:latest"),
        ("gcr.io/distroless/base-debian13:nonroot@sha256:" + "9" * 64, "bench-base/runtime-static:latest"),
        ("golang:1.26.4@sha256:" + "a" * 64, "bench-base/builder:go1.26"),
    ],
)
def test_default_alias_table(ref: str, local: str) -> None:
    plan = dockerfile.plan(f"FROM {ref}\n", builders=BUILDERS)
    assert plan.refusals == []
    assert [(a.ref, a.local) for a in plan.aliases] == [(dockerfile.normalize(ref), local)]


def test_scratch_and_local_images_need_no_context() -> None:
    plan = dockerfile.plan("FROM bench-base/builder:go1.23 AS b\nFROM scratch\nCOPY --from=b /x /x\n", builders=BUILDERS)
    assert plan.aliases == [] and plan.refusals == []


def test_go_version_without_a_builder_is_refused() -> None:
    plan = dockerfile.plan("ARG GO=1.22\nFROM golang:${GO}-bookworm\n", builders=BUILDERS)
    assert plan.refusals == [
        "golang:1.22-bookworm (Dockerfile line 2) needs Go 1.22 and there is no local builder for it "
        "(local: 1.23, 1.24, 1.25, 1.26, 1.27): change the Go version (set its ARG with project.build_args) or add an alias"
    ]


def test_digest_pins_stay_in_the_context_name() -> None:
    ref = "gcr.io/distroless/static-debian12:nonroot@sha256:" + "1" * 64
    plan = dockerfile.plan(f"FROM {ref}\n", builders=BUILDERS)
    assert contexts(plan) == {ref: "docker-image://bench-base/runtime-static:latest"}


def test_helper_image_pinned_by_digest_is_named() -> None:
    plan = dockerfile.plan("FROM tonistiigi/xx:1.9.0@sha256:" + "2" * 64 + " AS xx\nFROM xx\n", builders=BUILDERS)
    assert "is a cross-compilation helper" in plan.refusals[0]


def test_unknown_image_is_refused_with_what_to_do() -> None:
    plan = dockerfile.plan("FROM ubuntu:24.04\n", builders=BUILDERS)
    assert plan.refusals == [
        "ubuntu:24.04 (Dockerfile line 1) has no local stand-in; add an alias for it to a local image, "
        "or use base=registry on a machine with a registry"
    ]


def test_config_aliases_come_first() -> None:
    table = dockerfile.aliases({"ubuntu:*": "runtime-debian", "golang:{go}": "my/builder:latest"})
    assert list(table)[:2] == ["ubuntu:*", "golang:{go}"]
    plan = dockerfile.plan("FROM golang:1.25 AS b\nFROM ubuntu:24.04\nCOPY --from=b /x /x\n",
                           extra_aliases={"ubuntu:*": "runtime-debian", "golang:{go}": "my/builder:latest"},
                           builders=BUILDERS)
    assert contexts(plan) == {
        "golang:1.25": "docker-image://my/builder:latest",
        "ubuntu:24.04": "docker-image://bench-base/debian:bookworm",
    }


def test_copy_from_and_mount_from_images_are_aliased() -> None:
    text = (
        "FROM golang:1.25 AS build\n"
        "RUN --mount=type=bind,from=busybox:1.36,source=/bin/busybox,target=/bb /bb true\n"
        "COPY --from=0 /etc/passwd /p\n"
        "FROM scratch\n"
        "COPY --from=gcr.io/distroless/static-debian12 /etc/ssl /etc/ssl\n"
        "COPY --from=build /p /p\n"
    )
    plan = dockerfile.plan(text, builders=BUILDERS)
    assert sorted(contexts(plan)) == ["busybox:1.36", "gcr.io/distroless/static-debian12", "golang:1.25"]


@pytest.mark.parametrize(
    ("word", "env", "out"),
    [
        ("golang:${GO}-bookworm", {"GO": "1.24"}, "golang:1.24-bookworm"),
        ("golang:$GO", {"GO": "1.24"}, "golang:1.24"),
        ("golang:${GO:-1.25}", {}, "golang:1.25"),
        ("golang:${GO:-1.25}", {"GO": ""}, "golang:1.25"),
        ("golang:${GO-1.25}", {"GO": ""}, "golang:"),
        ("x${A:+-alpine}", {"A": "1"}, "x-alpine"),
        ("x${A:+-alpine}", {}, "x"),
        ("a\\$b", {"b": "no"}, "a$b"),
    ],
)
def test_expand(word: str, env: dict[str, str], out: str) -> None:
    assert dockerfile.expand(word, env) == out


def test_arg_defaults_can_use_earlier_args_and_quotes() -> None:
    text = 'ARG GO="1.26"\nARG IMAGE=golang:${GO}-trixie\nFROM $IMAGE\n'
    assert dockerfile.parse(text)[0].base == "golang:1.26-trixie"
    assert dockerfile.parse(text, {"GO": "1.23"})[0].base == "golang:1.23-trixie"


def test_without_syntax_keeps_other_directives_and_everything_else() -> None:
    out = dockerfile.without_syntax(SERVICE)
    assert out.splitlines()[0] == "# check=error=true"
    assert out == SERVICE.replace("# syntax=docker/dockerfile:1\n", "", 1)
    assert dockerfile.directives(out) == {"check": "error=true"}
    later = "FROM scratch\n# syntax=docker/dockerfile:1\n"  # not a directive below an instruction
    assert dockerfile.without_syntax(later) == later
    assert dockerfile.directives(later) == {}


def test_heredoc_contents_are_not_instructions_but_count_as_run_text() -> None:
    text = "FROM golang:1.25-alpine\nRUN <<EOF\nFROM ubuntu\napk add git\nEOF\n"
    plan = dockerfile.plan(text, builders=BUILDERS)
    assert [a.ref for a in plan.aliases] == ["golang:1.25-alpine"]
    assert len(plan.refusals) == 1 and "line 2 runs apk" in plan.refusals[0]


def test_no_from_line() -> None:
    with pytest.raises(UsageError, match=r"^Dockerfile has no FROM line$"):
        dockerfile.plan("# just a comment\nARG X=1\n", builders=BUILDERS)


def test_golang_image_older_than_the_go_line_is_refused() -> None:
    text = "ARG GO_VERSION=1.24\nFROM golang:${GO_VERSION}-bookworm AS build\nFROM gcr.io/distroless/static\nCOPY --from=build /app /app\n"
    plan = dockerfile.plan(text, builders=BUILDERS, requirement=gover.Requirement("1.25.0"))
    assert plan.refusals == [
        "golang:1.24-bookworm (Dockerfile line 2) stands for local builder go1.24 (Go 1.24.4), but go.mod requires "
        "go >= 1.25.0: use a newer golang tag (set its ARG with project.build_args) or add an alias to a newer builder"
    ]
    fixed = dockerfile.plan(text, {"GO_VERSION": "1.25"}, builders=BUILDERS, requirement=gover.Requirement("1.25.0"))
    assert fixed.refusals == []
    assert fixed.go_versions() == ["1.25.12"]


def test_a_patch_newer_than_the_builder_is_refused_against_go_mod() -> None:
    plan = dockerfile.plan("FROM golang:1.23.7\n", builders=BUILDERS, requirement=gover.Requirement("1.23.7"))
    assert plan.refusals[0].startswith("golang:1.23.7 (Dockerfile line 1) stands for local builder go1.23 (Go 1.23.5)")
    assert dockerfile.plan("FROM golang:1.23.7\n", builders=BUILDERS, requirement=gover.Requirement("1.23")).refusals == []


def test_go_versions_are_those_of_the_builders_used() -> None:
    text = "FROM golang:1.26.4 AS builder\nFROM gcr.io/distroless/base-debian13:nonroot\nCOPY --from=builder /a /a\n"
    plan = dockerfile.plan(text, builders=BUILDERS)
    assert plan.go_versions() == ["1.26.11"]
    assert [a.go for a in plan.aliases] == ["1.26.11", ""]
    assert dockerfile.plan("FROM debian:bookworm\n", builders=BUILDERS).go_versions() == []


def test_offline_rendering_records_the_go_that_builds_and_checks_go_mod(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("# syntax=docker/dockerfile:1\nFROM golang:1.26.4 AS b\nFROM scratch\nCOPY --from=b /a /a\n")
    own = strategies.render(StrategyConfig(name="own", template=""), builder="-", runtime="-", own_dockerfile=tmp_path / "Dockerfile")
    done = strategies.offline(own, build_args={}, target="", aliases={}, requirement=gover.Requirement("1.26"))
    assert (done.go_version, done.frontend, done.aliases) == ("1.26.11", "builtin", "golang:1.26.4=bench-base/builder:go1.26")
    assert not done.text.startswith("# syntax")
    with pytest.raises(UsageError, match=r"^golang:1\.26\.4 \(Dockerfile line 2\) stands for local builder go1\.26 .* go >= 1\.27\.0:"):
        strategies.offline(own, build_args={}, target="", aliases={}, requirement=gover.Requirement("1.27.0"))
