"""Dockerfile strategies: templates in scenarios/dockerfiles rendered for one project and base set."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2

from bench import dockerfile, gover
from bench.config import StrategyConfig
from bench.errors import UsageError
from bench.paths import DOCKERFILES_DIR

# Go environment passed as build arguments; `own` Dockerfiles get only the ones they declare.
GO_BUILD_ARGS = ("GOPROXY", "GOSUMDB", "GOFLAGS", "GOPRIVATE", "GONOSUMDB")
# How a private mirror's credentials reach the download step: "" (no private mirror),
# "secret" (a BuildKit secret mounted as /root/.netrc), "build_arg" (UNSAFE control case).
PRIVATE_MODES = ("", "secret", "build_arg")


@dataclass(frozen=True)
class Rendered:
    """A Dockerfile ready to build, with the network mode, the build args it takes and, for your own
    Dockerfile, the named contexts that stand local images in for public ones."""

    text: str
    network: str
    declared_args: frozenset[str]
    build_contexts: dict[str, str] = field(default_factory=dict)  # public name -> docker-image://local
    target: str = ""
    notes: tuple[str, ...] = ()  # said once when the run starts
    aliases: str = ""  # for the row: `golang:1.24=bench-base/builder:go1.24; ...`
    frontend: str = ""  # `builtin` when a `# syntax=` line was dropped for the engine's own frontend
    go_version: str = ""  # your own Dockerfile: the Go of the builders its golang images stand for ("1.26.11")


def private_mode(strategy: StrategyConfig) -> str:
    """How a private mirror's credentials reach the build (one of PRIVATE_MODES)."""
    if strategy.private_secret:
        return "secret"
    return "build_arg" if strategy.private_unsafe_build_arg else ""


def templates(directory: Path = DOCKERFILES_DIR) -> list[str]:
    """Names of the strategy templates."""
    return sorted(p.name.removesuffix(".Dockerfile.j2") for p in directory.glob("*.Dockerfile.j2"))


def render(
    strategy: StrategyConfig,
    *,
    builder: str,
    runtime: str,
    main: str = ".",
    own_dockerfile: Path | None = None,
    directory: Path = DOCKERFILES_DIR,
) -> Rendered:
    """Render the Dockerfile of `strategy`; UsageError naming the template when it does not render."""
    if not strategy.template:
        if own_dockerfile is None or not own_dockerfile.is_file():
            raise UsageError(f"strategy={strategy.name}: project.dockerfile {own_dockerfile} is not a file")
        text = own_dockerfile.read_text()
        return Rendered(text, strategy.network, declared_args(text))
    name = f"{strategy.template}.Dockerfile.j2"
    if not (directory / name).is_file():
        raise UsageError(f"strategy.template: {strategy.template!r} is unknown; allowed: {', '.join(templates(directory))}")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(directory)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    try:
        text = env.get_template(name).render(
            builder=builder,
            runtime=runtime,
            main=main if main.startswith(".") else f"./{main}",
            download_retries=strategy.download_retries,
            retry_cap_seconds=strategy.retry_cap_seconds,
            build_flags=f"{strategy.build_flags} " if strategy.build_flags else "",
            private=private_mode(strategy),
        )
    except jinja2.TemplateError as err:
        raise UsageError(f"strategy {strategy.name}: template {directory / name} does not render: {err}") from None
    text = re.sub(r"\n{3,}", "\n\n", text).lstrip("\n")
    return Rendered(text, strategy.network, declared_args(text))


def offline(
    rendered: Rendered, *, build_args: Mapping[str, str], target: str, aliases: Mapping[str, str],
    requirement: gover.Requirement | None = None,
) -> Rendered:
    """Your own Dockerfile made buildable without a registry: public images through named contexts, the
    built-in frontend instead of a `# syntax=` image; UsageError (one line) for what cannot be had offline,
    a golang image older than the module's go.mod (`requirement`) included."""
    plan = dockerfile.plan(
        rendered.text, build_args=build_args, target=target or None, extra_aliases=aliases, requirement=requirement
    )
    plan.check()
    record = plan.record()
    mapping = {a.ref: a.local for a in plan.aliases}
    return replace(
        rendered,
        text=dockerfile.without_syntax(rendered.text),
        build_contexts={ref: f"docker-image://{local}" for ref, local in mapping.items()},
        target=target,
        notes=tuple(plan.notes),
        aliases="; ".join(f"{ref}={local}" for ref, local in mapping.items()),
        frontend=str(record["frontend"]) if plan.syntax else "",
        go_version=", ".join(plan.go_versions()),
    )


def declared_args(dockerfile: str) -> frozenset[str]:
    """Names of the ARGs a Dockerfile declares."""
    return frozenset(re.findall(r"^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)", dockerfile, flags=re.M))
