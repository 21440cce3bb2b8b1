"""What goes into one `docker buildx build`: build arguments, secrets, the request itself."""

from __future__ import annotations

import re
import shlex
from dataclasses import replace
from pathlib import Path

from bench import options, strategies
from bench.engine.build import BuildRequest, buildx_argv
from bench.execute.resources import RUN_LABEL
from bench.mirror import auth
from bench.mirror import corpus as corpus_mod
from bench.mirror.stack import ProxyStack
from bench.plan import PlannedBuild, VariantSpec
from bench.writer import safe_name


def build_args(
    spec: VariantSpec, goproxy: str, declared: frozenset[str], extra: dict[str, str] | None = None
) -> dict[str, str]:
    """The Go environment as build arguments; your own Dockerfile gets only the ones it declares."""
    args = {"GOPROXY": goproxy, "GOSUMDB": "off", "GOFLAGS": "", "GOPRIVATE": "", "GONOSUMDB": "", **(extra or {})}
    if not spec.strategy.template:
        return {k: v for k, v in args.items() if k in declared}
    return {k: v for k, v in args.items() if v or k in declared}


def private_inputs(spec: VariantSpec, proxy: ProxyStack, work: Path) -> tuple[list[str], dict[str, str]]:
    """`--secret` values and build args for a private mirror.

    The .netrc (and the mirror's certificate) are files in the build's work dir, outside the
    build context, passed as BuildKit secrets; the token is a build arg only in the UNSAFE
    control mode. GOPRIVATE/GONOSUMDB name the private modules; GONOPROXY=none keeps them on
    the mirror (GOPRIVATE alone would send them `direct`).
    """
    mode = strategies.private_mode(spec.strategy)
    if not mode:
        return [], {}
    pattern = spec.strategy.private_modules or module_namespace(spec.project.modules)
    args = {"GOPRIVATE": pattern, "GONOSUMDB": pattern, "GONOPROXY": "none"}
    secrets = []
    if proxy.ca_pem:
        secrets.append(f"id=mirror_ca,src={auth.write_secret_file(work / 'mirror-ca.pem', proxy.ca_pem)}")
    netrc, creds = proxy.netrc(), proxy.credentials
    if mode == "secret" and netrc:
        secrets.append(f"id=netrc,src={auth.write_secret_file(work / 'netrc', netrc)}")
    elif mode == "build_arg" and creds:
        args.update(NETRC_USER=creds[0], NETRC_TOKEN=creds[1])
    return secrets, args


def module_namespace(modules: str | None) -> str:
    """The module path prefix of a generated corpus; `*` (every module) for any other module source."""
    if modules and modules in options.names("corpus"):
        return corpus_mod.load_spec(modules).namespace()
    return "*"


def request(build: PlannedBuild, run_id: str, proxy: ProxyStack, context: Path, work: Path) -> BuildRequest:
    """The measured build's request (its Dockerfile, written into the work dir, rendered at plan time)."""
    spec, rendered = build.variant.spec, build.variant.dockerfile
    assert rendered is not None, "variants are rendered when the run is planned"
    dockerfile = work / "Dockerfile"
    dockerfile.write_text(rendered.text)
    secrets, private_args = private_inputs(spec, proxy, work)
    return BuildRequest(
        context=context,
        dockerfile=dockerfile,
        tag=f"bench-run/{_slug(spec.project.name)}:{run_id[-8:]}-{build.index}",
        network=rendered.network,
        build_args={**build_args(spec, proxy.goproxy, rendered.declared_args, private_args), **spec.project.build_args},
        build_contexts=rendered.build_contexts,
        target=rendered.target,
        labels={RUN_LABEL: run_id},  # no per-build label: a fully cached rebuild keeps the image digest
        secrets=secrets,
        provenance=spec.attest.provenance,
        timeout=spec.timeouts.build,
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_.-]+", "-", text.lower()) or "project"


CONTINUATION = " \\\n  "  # a backslash, a newline, an indent: one shell command over several lines


def reproduce_script(build: PlannedBuild, request: BuildRequest, project: Path) -> str:
    """A shell script that rebuilds this variant as measured: the exact `docker buildx build` line.

    Paths point at the project and the Dockerfile saved beside the script; secret values never
    appear (their files come from environment variables); build arguments keep the values the
    harness used, overridable from the environment.
    """
    spec = build.variant.spec
    dockerfile = Path("__DIR__") / f"{safe_name(build.variant.label)}.Dockerfile"
    secrets = [re.sub(r",src=.*$", "", s) + f",src=${{{_secret_env(s)}:?set {_secret_env(s)} to the file}}" for s in request.secrets]
    req = replace(request, context=project, dockerfile=dockerfile, tag=f"bench-repro/{_slug(spec.project.name)}:latest",
                  secrets=[], build_args={})
    words = [a.replace("__DIR__", '"$here"') if a.startswith("__DIR__") else shlex.quote(a)
             for a in buildx_argv(req, progress="auto")]
    args = [f'--build-arg {k}="${{{k}-{v}}}"' for k, v in request.build_args.items()]
    lines = [
        "#!/bin/sh",
        f"# Rebuild `{build.variant.label}` as bench measured it (run {request.labels.get(RUN_LABEL, '?')}).",
        f"# State before the measured build: cache={spec.cache.name}; change={spec.change.name} "
        "(applied to a scratch copy; this script builds the project as it is).",
        "# Build arguments keep the values of the run (the module mirror's URL was the run's own);",
        "# set them in the environment to override, e.g. GOPROXY=https://proxy.golang.org.",
        "set -eu",
        'here=$(cd "$(dirname "$0")" && pwd)',
        CONTINUATION.join(["docker buildx build", *_pairs(words[2:-1]), *args, *(f"--secret {s}" for s in secrets),
                           words[-1]]),
    ]
    return "\n".join(lines) + "\n"


def _pairs(words: list[str]) -> list[str]:
    """`-t`, `name` -> `-t name`: one flag and its value per line."""
    out: list[str] = []
    for w in words:
        if out and out[-1].startswith("-") and " " not in out[-1] and "=" not in out[-1] and not w.startswith("-"):
            out[-1] = f"{out[-1]} {w}"
        else:
            out.append(w)
    return out


def _secret_env(secret: str) -> str:
    name = re.search(r"id=([^,]+)", secret)
    return f"BENCH_SECRET_{(name.group(1) if name else 'file').upper()}"
