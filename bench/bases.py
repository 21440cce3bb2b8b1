"""Base images by role (builder, runtime-static, runtime-debian, scratch), built locally or pulled.

Locally (`base=local`, the air-gapped default) every image comes from Debian's archive:
debootstrap minbase roots imported with `docker import`, and small Dockerfiles on top of
them built with `--network=host` so apt reaches the archive. Each image carries the
hash of its recipe in the label `bench.recipe` and is rebuilt only when that changes.
With `base=registry` the same roles map to the public images that teams use.

Go builders: 1.23 on bookworm with bookworm-backports' Go, 1.24 on trixie with trixie's own,
1.25-1.27 on trixie with trixie-backports' Go. Each builder is labelled with the exact version
`go env GOVERSION` printed when it was built (`go_version(image)`).

CLI: `python -m bench.bases [list]`, `python -m bench.bases build [--go 1.26 ...|--go all]`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bench import debian
from bench.engine import cli, sdk
from bench.errors import UsageError, cli_entry
from bench.paths import BASES_DIR, state_dir
from bench.progress import long_step


@dataclass(frozen=True)
class GoBuilder:
    """Where one local Go builder comes from, and the exact Go version that gives."""

    version: str  # what the archive serves; tests/engine/test_bases.py checks it against the built image
    root: str  # recipe key of the Debian root
    pocket: str  # the apt suite golang-1.N-go is installed from


# The one table of local Go builders (seen in the archive 2026-11-28; see docs/facts.md).
GO_BUILDERS: dict[str, GoBuilder] = {
    "1.23": GoBuilder("1.23.5", "debian-bookworm", "bookworm-backports"),
    "1.24": GoBuilder("1.24.4", "debian-trixie", "trixie"),
    "1.25": GoBuilder("1.25.12", "debian-trixie", "trixie-backports"),
    "1.26": GoBuilder("1.26.11", "debian-trixie", "trixie-backports"),
    "1.27": GoBuilder("1.27.4", "debian-trixie", "trixie-backports"),
}
GO_VERSIONS = tuple(GO_BUILDERS)
DEFAULT_GO = "1.23"  # the only builder `make setup` builds; others are built when a run needs them
ROLES = ("builder", "runtime-static", "runtime-debian", "scratch")
REGISTRY_ONLY_ROLES = ("builder-alpine", "runtime-distroless")
RECIPE_LABEL = "bench.recipe"
ROLE_LABEL = "bench.role"
GO_VERSION_LABEL = "bench.go.version"
RECIPE_FORMAT = 1  # bump to rebuild every local base image

# What teams pull when they have a registry; `{go}` is the Go version.
REGISTRY_IMAGES = {
    "builder": "golang:{go}-bookworm",
    "builder-alpine": "golang:{go}-alpine",
    "runtime-static": "alpine:3.20",
    "runtime-distroless": "gcr.io/distroless/static-debian12",
    "runtime-debian": "debian:bookworm-slim",
    "scratch": "scratch",
}


@dataclass(frozen=True)
class Recipe:
    """How one local image is made: a debootstrap root or a Dockerfile on top of a parent recipe."""

    key: str
    image: str
    role: str
    suite: str = ""
    dockerfile: str = ""
    build_args: dict[str, str] = field(default_factory=dict)
    parent: str | None = None
    go: str = ""  # builders only: the image is labelled with its `go env GOVERSION` after the build


def _builder(go: str, b: GoBuilder) -> Recipe:
    root = "bench-base/debian:" + b.root.removeprefix("debian-")
    return Recipe(
        f"builder-go{go}", f"bench-base/builder:go{go}", "builder", dockerfile="builder.Dockerfile",
        build_args={"ROOT": root, "POCKET": b.pocket, "GO_VERSION": go}, parent=b.root, go=go,
    )


RECIPES: dict[str, Recipe] = {
    r.key: r
    for r in [
        Recipe("debian-bookworm", "bench-base/debian:bookworm", "runtime-debian", suite="bookworm"),
        Recipe("debian-trixie", "bench-base/debian:trixie", "rootfs", suite="trixie"),
        *(_builder(go, b) for go, b in GO_BUILDERS.items()),
        Recipe(
            "runtime-static", "bench-base/runtime-static:latest", "runtime-static",
            dockerfile="runtime-static.Dockerfile", parent="debian-bookworm",
        ),
    ]
}


def recipe_key(role: str, go: str = DEFAULT_GO) -> str | None:
    """The local recipe for a role (None for scratch, which needs no image)."""
    if role == "builder":
        if go not in GO_VERSIONS:
            raise UsageError(f"go: {go!r} is not supported locally; allowed: {', '.join(GO_VERSIONS)}")
        return f"builder-go{go}"
    if role == "runtime-static":
        return "runtime-static"
    if role == "runtime-debian":
        return "debian-bookworm"
    if role == "scratch":
        return None
    allowed = ", ".join(ROLES)
    if role in REGISTRY_ONLY_ROLES:
        raise UsageError(f"base role {role!r} exists only with base=registry; local roles: {allowed}")
    raise UsageError(f"base role {role!r} is unknown; allowed: {allowed}")


def image_for(role: str, go: str = DEFAULT_GO, base: str = "local") -> str:
    """The image name a Dockerfile uses for `role` (`FROM <name>`), without building it."""
    if base == "registry":
        if role not in REGISTRY_IMAGES:
            raise UsageError(f"base role {role!r} is unknown; allowed: {', '.join(REGISTRY_IMAGES)}")
        return REGISTRY_IMAGES[role].format(go=go)
    if base != "local":
        raise UsageError(f"base: {base!r} is not allowed; allowed: local, registry")
    key = recipe_key(role, go)
    return RECIPES[key].image if key else "scratch"


def recipe_hash(key: str) -> str:
    """A hash of everything that goes into an image, its parent's recipe included."""
    r = RECIPES[key]
    parts = {
        "format": RECIPE_FORMAT,
        "key": r.key,
        "suite": r.suite,
        "archive": debian.archive_url(),
        "args": r.build_args,
        "dockerfile": (BASES_DIR / r.dockerfile).read_text() if r.dockerfile else "",
        "parent": recipe_hash(r.parent) if r.parent else "",
        "go_label": GO_VERSION_LABEL if r.go else "",
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def status(key: str) -> str:
    """`ok` when the image exists with the current recipe hash, `stale` when it differs, else `missing`."""
    info = sdk.image_info(RECIPES[key].image)
    if info is None:
        return "missing"
    return "ok" if info.labels.get(RECIPE_LABEL) == recipe_hash(key) else "stale"


def ensure(key: str, say: Callable[[str], None] = print) -> bool:
    """Build the image of `key` (and its parents) unless it is current. True when something was built."""
    r = RECIPES[key]
    if r.parent:
        ensure(r.parent, say)  # a rebuilt parent changes this recipe's hash, so the status below sees it
    if status(key) == "ok":
        return False
    started = time.monotonic()
    if r.suite:
        _build_rootfs(r, recipe_hash(key))
    else:
        _build_dockerfile(r, recipe_hash(key))
    say(f"bases: built {r.image} in {time.monotonic() - started:.0f} s")
    return True


def default_keys() -> list[str]:
    """What `make setup` builds: the runtimes and the default builder (parents come along)."""
    return ["debian-bookworm", "runtime-static", f"builder-go{DEFAULT_GO}"]


def ensure_all(go_versions: Iterable[str] = (), say: Callable[[str], None] = print) -> list[str]:
    """Make the default images and the builders of `go_versions` current; return the keys (re)built."""
    keys = dict.fromkeys([*default_keys(), *(recipe_key("builder", g) or "" for g in go_versions)])
    return [k for k in keys if ensure(k, say)]


def ensure_for(go_versions: Iterable[str], roles: Iterable[str] = ("builder",),
               say: Callable[[str], None] = print) -> list[str]:
    """Only what a run needs: the builders of `go_versions` and the local images of `roles`."""
    keys = {recipe_key("builder", g) for g in go_versions}
    keys |= {recipe_key(role) for role in roles if role != "builder"}
    return [k for k in sorted(k for k in keys if k) if ensure(k, say)]


def ensure_images(images: Iterable[str], say: Callable[[str], None] = print) -> list[str]:
    """Make the local images named (e.g. a Dockerfile plan's aliases) current; others are left alone."""
    by_image = {r.image: k for k, r in RECIPES.items()}
    keys = sorted({by_image[i] for i in images if i in by_image})
    return [k for k in keys if ensure(k, say)]


def go_version(image: str) -> str:
    """The exact Go version of a builder image, e.g. `1.26.11`.

    Local builders carry it in the label `bench.go.version`; the public golang images set
    `GOLANG_VERSION` in their environment, which serves for `base=registry`.
    """
    if sdk.image_info(image) is None:
        raise UsageError(f"image {image} is not in the engine; build it with `python -m bench.bases build --go V`")
    config = json.loads(cli.run(["image", "inspect", "--format", "{{json .Config}}", image], timeout=60).stdout)
    labels = (config or {}).get("Labels") or {}
    if labels.get(GO_VERSION_LABEL):
        return str(labels[GO_VERSION_LABEL])
    for entry in (config or {}).get("Env") or []:
        name, _, value = entry.partition("=")
        if name == "GOLANG_VERSION":
            return str(value)
    raise UsageError(f"image {image} records no Go version ({GO_VERSION_LABEL} label or GOLANG_VERSION)")


def pull(role: str, go: str = DEFAULT_GO) -> str:
    """`base=registry`: pull the public image of a role; one clear line when it cannot be had."""
    name = image_for(role, go, base="registry")
    if name == "scratch":
        return name
    try:
        cli.run(["pull", name], timeout=900)
    except cli.DockerCLIError as err:
        last = (err.stderr.strip().splitlines() or ["no output"])[-1]
        raise UsageError(f"base=registry: cannot pull {name} ({last}); use base=local on a machine without a registry") from None
    return name


def _build_rootfs(r: Recipe, digest: str) -> None:
    if shutil.which("debootstrap") is None and not Path("/usr/sbin/debootstrap").exists():
        raise UsageError("debootstrap is not installed; run `make setup` as root, or use base=registry")
    work_root = state_dir().parent / "rootfs"
    work_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_root) as tmp:
        root = Path(tmp) / "root"
        with long_step(f"bases: debootstrap {r.suite} minbase for {r.image} (about 40 s)") as step:
            _stream(["debootstrap", "--variant=minbase", r.suite, str(root), debian.archive_url()], step.note)
            for deb in (root / "var/cache/apt/archives").glob("*.deb"):
                deb.unlink()
            tar = Path(tmp) / "root.tar"
            _stream(["tar", "-C", str(root), "--numeric-owner", "-cf", str(tar), "."], step.note)
            changes = [
                f"LABEL {RECIPE_LABEL}={digest}",
                f"LABEL {ROLE_LABEL}={r.role}",
                "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                'CMD ["/bin/bash"]',
            ]
            args = ["import"]
            for c in changes:
                args += ["--change", c]
            cli.run([*args, str(tar), r.image], timeout=600)


def _build_dockerfile(r: Recipe, digest: str) -> None:
    labels = [f"{RECIPE_LABEL}={digest}", f"{ROLE_LABEL}={r.role}"]
    args = [
        "buildx", "build", "--network=host", "--progress=plain",
        "-f", str(BASES_DIR / r.dockerfile), "-t", r.image,
        "--build-arg", f"DEBIAN_ARCHIVE={debian.archive_url()}",
    ]
    for k, v in r.build_args.items():
        args += ["--build-arg", f"{k}={v}"]
    # A builder gets its recipe label only with its Go version label (below), so a build
    # that stops in between leaves a stale image, which the next ensure() rebuilds.
    for label in [] if r.go else labels:
        args += ["--label", label]
    with long_step(f"bases: building {r.image} (apt inside, about a minute)") as step:
        cli.run([*args, str(BASES_DIR)], timeout=1800, on_stderr_line=step.note)
    if r.go:
        _label_go_version(r, labels)


def _label_go_version(r: Recipe, labels: list[str]) -> None:
    out = cli.run(["run", "--rm", "--network=none", r.image, "go", "env", "GOVERSION"], timeout=120).stdout
    version = out.strip().removeprefix("go")
    expected = GO_BUILDERS[r.go].version
    if version != expected:  # the table project.go=auto decides with must be what the archive installed
        raise UsageError(f"{r.image}: `go env GOVERSION` printed {out.strip()!r}, but GO_BUILDERS says go{expected}; "
                         "update the table in bench/bases.py")
    args = ["buildx", "build", "--progress=quiet", "-t", r.image, "--label", f"{GO_VERSION_LABEL}={version}"]
    for label in labels:
        args += ["--label", label]
    cli.run([*args, "-"], input=f"FROM {r.image}\n", timeout=300)


def _stream(argv: list[str], on_line: Callable[[str], None]) -> None:
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    lines: list[str] = []
    for line in proc.stdout:
        lines.append(line)
        on_line(line.rstrip())
    if proc.wait() != 0:
        raise UsageError(f"{argv[0]} failed (exit {proc.returncode}): {''.join(lines[-1:]).strip()}")


def rows() -> list[dict[str, str]]:
    """One row per role and Go version: image, status, exact Go version, sizes, recipe hash."""
    out = []
    for role in ROLES:
        for go in GO_VERSIONS if role == "builder" else ("",):
            key = recipe_key(role, go or DEFAULT_GO)
            row = {"role": role, "go": go, "version": "-", "image": image_for(role, go or DEFAULT_GO)}
            if key is None:
                row.update(status="builtin", compressed="0", unpacked="0", recipe="-")
            else:
                info = sdk.image_info(RECIPES[key].image)
                row.update(
                    status=status(key),
                    compressed=_mb(info.size_compressed) if info else "-",
                    unpacked=_mb(info.size_unpacked) if info else "-",
                    recipe=recipe_hash(key),
                )
                if go and info:
                    row["version"] = info.labels.get(GO_VERSION_LABEL, "-")
            out.append(row)
    return out


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


@cli_entry
def main() -> None:
    """`python -m bench.bases [list|build] [--go V ...]`."""
    parser = argparse.ArgumentParser(prog="python -m bench.bases", description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="list", choices=["list", "build"])
    parser.add_argument(
        "--go", action="append", default=[], choices=[*GO_VERSIONS, "all"],
        help=f"also build the builder of this Go version (default: only go{DEFAULT_GO}'s)",
    )
    ns = parser.parse_args()
    sdk.client()  # one clear line when no engine answers
    if ns.command == "build":
        built = ensure_all(GO_VERSIONS if "all" in ns.go else ns.go)
        print(f"bases: {'built ' + ', '.join(built) if built else 'all current, nothing built'}")
    cols = ["role", "go", "version", "image", "status", "compressed", "unpacked", "recipe"]
    table = rows()
    widths = {c: max(len(c), *(len(r[c]) for r in table)) for c in cols}
    print("  ".join(c.ljust(widths[c]) for c in cols))
    for r in table:
        print("  ".join(r[c].ljust(widths[c]) for c in cols))
    print("compressed: content size in the image store (API Size); unpacked: sum of layer sizes (image history)")


if __name__ == "__main__":
    main()
