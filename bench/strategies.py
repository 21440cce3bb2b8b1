"""Dockerfile strategies: templates in scenarios/dockerfiles rendered for one project and base set."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import jinja2

from bench.errors import UsageError
from bench.paths import DOCKERFILES_DIR

TEMPLATED = ("singlestage", "naive", "multistage", "multistage_cachemount", "vendor")
STRATEGIES = (*TEMPLATED, "own")
NETWORK = {"vendor": "none"}  # vendored builds must not reach any mirror
# Go environment passed as build arguments; `own` Dockerfiles get only the ones they declare.
GO_BUILD_ARGS = ("GOPROXY", "GOSUMDB", "GOFLAGS", "GOPRIVATE", "GONOSUMDB")
# How a private mirror's credentials reach the download step: "" (no private mirror),
# "secret" (a BuildKit secret mounted as /root/.netrc), "build_arg" (UNSAFE control case).
PRIVATE_MODES = ("", "secret", "build_arg")


@dataclass(frozen=True)
class Rendered:
    """A Dockerfile ready to build, with the network mode and build args it takes."""

    text: str
    network: str
    declared_args: frozenset[str]


def render(
    strategy: str,
    *,
    builder: str,
    runtime: str,
    main: str = ".",
    download_retries: int = 0,
    retry_cap_seconds: int = 8,
    build_flags: str = "",
    own_dockerfile: Path | None = None,
    templates: Path = DOCKERFILES_DIR,
    private: str = "",
) -> Rendered:
    """Render the Dockerfile of `strategy`; UsageError naming the template when it does not render."""
    if private not in PRIVATE_MODES:
        raise ValueError(f"private must be one of {PRIVATE_MODES}, not {private!r}")
    if strategy == "own":
        if own_dockerfile is None or not own_dockerfile.is_file():
            raise UsageError(f"strategy=own: project.dockerfile {own_dockerfile} is not a file")
        text = own_dockerfile.read_text()
        return Rendered(text, "host", declared_args(text))
    if strategy not in TEMPLATED:
        raise UsageError(f"strategy.name: {strategy!r} is unknown; allowed: {', '.join(STRATEGIES)}")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    name = f"{strategy}.Dockerfile.j2"
    try:
        text = env.get_template(name).render(
            builder=builder,
            runtime=runtime,
            main=main if main.startswith(".") else f"./{main}",
            download_retries=download_retries,
            retry_cap_seconds=retry_cap_seconds,
            build_flags=f"{build_flags} " if build_flags else "",
            private=private,
        )
    except jinja2.TemplateError as err:
        raise UsageError(f"strategy {strategy}: template {templates / name} does not render: {err}") from None
    text = re.sub(r"\n{3,}", "\n\n", text).lstrip("\n")
    return Rendered(text, NETWORK.get(strategy, "host"), declared_args(text))


def declared_args(dockerfile: str) -> frozenset[str]:
    """Names of the ARGs a Dockerfile declares."""
    return frozenset(re.findall(r"^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)", dockerfile, flags=re.M))
