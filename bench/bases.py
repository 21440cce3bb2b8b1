"""Base images by role (builder, runtime-static, runtime-debian, scratch), built locally or pulled.

Locally (`base=local`, the air-gapped default) every image comes from Debian's archive:
debootstrap minbase roots imported with `docker import`, and small Dockerfiles on top of
them built with `--network=host` so apt reaches the archive. Each image carries the
hash of its recipe in the label `bench.recipe` and is rebuilt only when that changes.
With `base=registry` the same roles map to the public images that teams use.

CLI: `python -m bench.bases [list]`, `python -m bench.bases build [--go 1.23]`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bench import debian
from bench.engine import cli, sdk
from bench.engine.setup import state_dir
from bench.errors import UsageError, cli_entry
from bench.paths import BASES_DIR
from bench.progress import long_step

GO_VERSIONS = ("1.23", "1.24")
ROLES = ("builder", "runtime-static", "runtime-debian", "scratch")
REGISTRY_ONLY_ROLES = ("builder-alpine", "runtime-distroless")
RECIPE_LABEL = "bench.recipe"
ROLE_LABEL = "bench.role"
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


RECIPES: dict[str, Recipe] = {
    r.key: r
    for r in [
        Recipe("debian-bookworm", "bench-base/debian:bookworm", "runtime-debian", suite="bookworm"),
        Recipe("debian-trixie", "bench-base/debian:trixie", "rootfs", suite="trixie"),
        Recipe(
            "builder-go1.23", "bench-base/builder:go1.23", "builder",
            dockerfile="builder-bookworm.Dockerfile", build_args={"GO_VERSION": "1.23"}, parent="debian-bookworm",
        ),
        Recipe(
            "builder-go1.24", "bench-base/builder:go1.24", "builder",
            dockerfile="builder-trixie.Dockerfile", build_args={"GO_VERSION": "1.24"}, parent="debian-trixie",
        ),
        Recipe(
            "runtime-static", "bench-base/runtime-static:latest", "runtime-static",
            dockerfile="runtime-static.Dockerfile", parent="debian-bookworm",
        ),
    ]
}


def recipe_key(role: str, go: str = GO_VERSIONS[0]) -> str | None:
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


def image_for(role: str, go: str = GO_VERSIONS[0], base: str = "local") -> str:
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
    if r.suite:
        _build_rootfs(r, recipe_hash(key))
    else:
        _build_dockerfile(r, recipe_hash(key))
    return True


def ensure_all(go_versions: Iterable[str] = GO_VERSIONS, say: Callable[[str], None] = print) -> list[str]:
    """Make every local base image current; return the keys that were (re)built."""
    keys = ["debian-bookworm", "runtime-static", *(f"builder-go{g}" for g in go_versions)]
    return [k for k in keys if ensure(k, say)]


def pull(role: str, go: str = GO_VERSIONS[0]) -> str:
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
    args = [
        "buildx", "build", "--network=host", "--progress=plain",
        "-f", str(BASES_DIR / r.dockerfile), "-t", r.image,
        "--label", f"{RECIPE_LABEL}={digest}", "--label", f"{ROLE_LABEL}={r.role}",
        "--build-arg", f"DEBIAN_ARCHIVE={debian.archive_url()}",
    ]
    for k, v in r.build_args.items():
        args += ["--build-arg", f"{k}={v}"]
    with long_step(f"bases: building {r.image} (apt inside, about a minute)") as step:
        cli.run([*args, str(BASES_DIR)], timeout=1800, on_stderr_line=step.note)


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
    """One row per role and Go version: image, status, sizes, recipe hash."""
    out = []
    for role in ROLES:
        for go in GO_VERSIONS if role == "builder" else ("",):
            key = recipe_key(role, go or GO_VERSIONS[0])
            row = {"role": role, "go": go, "image": image_for(role, go or GO_VERSIONS[0])}
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
            out.append(row)
    return out


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


@cli_entry
def main() -> None:
    """`python -m bench.bases [list|build] [--go V ...]`."""
    parser = argparse.ArgumentParser(prog="python -m bench.bases", description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="list", choices=["list", "build"])
    parser.add_argument("--go", action="append", choices=GO_VERSIONS, help="Go versions of the builder (default: all)")
    ns = parser.parse_args()
    sdk.client()  # one clear line when no engine answers
    if ns.command == "build":
        built = ensure_all(ns.go or GO_VERSIONS)
        print(f"bases: {'built ' + ', '.join(built) if built else 'all current, nothing built'}")
    cols = ["role", "go", "image", "status", "compressed", "unpacked", "recipe"]
    table = rows()
    widths = {c: max(len(c), *(len(r[c]) for r in table)) for c in cols}
    print("  ".join(c.ljust(widths[c]) for c in cols))
    for r in table:
        print("  ".join(r[c].ljust(widths[c]) for c in cols))
    print("compressed: content size in the image store (API Size); unpacked: sum of layer sizes (image history)")


if __name__ == "__main__":
    main()
