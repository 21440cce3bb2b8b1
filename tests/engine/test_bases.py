"""Real engine: every local base role builds and runs a Go program; each builder has the Go version the table says."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import bases
from bench.engine import cli, sdk
from bench.errors import UsageError

from .helpers import build, hello_context, remove_image, unique_tag

pytestmark = pytest.mark.engine


@pytest.mark.parametrize(
    ("go", "runtime"),
    [("1.23", "runtime-static"), ("1.23", "runtime-debian"), ("1.23", "scratch"), ("1.26", "scratch")],
)
def test_each_local_role_builds_and_runs(base_images: object, tmp_path: Path, go: str, runtime: str) -> None:
    bases.ensure_for([go], say=lambda _msg: None)
    builder = bases.image_for("builder", go=go)
    ctx = hello_context(tmp_path, builder, bases.image_for(runtime))
    tag = unique_tag(f"role-{runtime}")
    try:
        build(ctx, tag)
        out = cli.run(["run", "--rm", "--network=none", tag], timeout=60).stdout
        assert out.strip().startswith(f"hello from go{go}.")
    finally:
        remove_image(tag)


def test_static_runtime_is_small_with_shell_certs_and_nobody(base_images: object) -> None:
    image = bases.image_for("runtime-static")
    out = cli.run(
        ["run", "--rm", "--network=none", image, "sh", "-c",
         "id nobody && test -s /etc/ssl/certs/ca-certificates.crt && echo certs-ok"],
        timeout=60,
    ).stdout
    assert "uid=65534(nobody)" in out and "certs-ok" in out
    info = sdk.image_info(image)
    assert info is not None and info.size_unpacked < 10_000_000


# The default builder and the one the go=auto test needs (tests/engine/test_real_projects.py); every other
# builder is checked against the table the moment it is built (bases._label_go_version refuses a mismatch),
# so CI does not spend ten minutes building builders no test uses.
@pytest.mark.parametrize("go", ["1.23", "1.26"])
def test_builder_has_the_table_version_and_pins_the_local_toolchain(base_images: object, go: str) -> None:
    # Builds the builder when missing: the table in bench.bases is what project.go=auto decides
    # with, so each entry is checked against what the archive actually installed.
    bases.ensure_for([go], say=lambda _msg: None)
    image = bases.image_for("builder", go=go)
    out = cli.run(
        ["run", "--rm", "--network=none", image, "go", "env", "GOVERSION", "GOTOOLCHAIN", "GOMODCACHE"],
        timeout=60,
    ).stdout.split()
    assert out == [f"go{bases.GO_BUILDERS[go].version}", "local", "/go/pkg/mod"]
    assert bases.go_version(image) == bases.GO_BUILDERS[go].version
    assert bases.status(bases.recipe_key("builder", go) or "") == "ok"


def test_go_version_of_an_image_without_one(base_images: object) -> None:
    with pytest.raises(UsageError, match=r"^image bench-base/runtime-static:latest records no Go version"):
        bases.go_version(bases.image_for("runtime-static"))
    with pytest.raises(UsageError, match=r"^image bench-test/none:missing is not in the engine"):
        bases.go_version("bench-test/none:missing")


def test_static_runtime_has_the_distroless_users(base_images: object) -> None:
    out = cli.run(
        ["run", "--rm", "--network=none", "--user", "nonroot", bases.image_for("runtime-static"), "sh", "-c", "id && test -w /home/nonroot && echo home-ok && echo $PATH"],
        timeout=60,
    ).stdout
    assert "uid=65532(nonroot) gid=65532(nonroot)" in out and "home-ok" in out
    # distroless's PATH: binaries copied to /usr/local/bin (as cloudflared's Dockerfile does) are found
    assert out.splitlines()[-1] == "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def test_every_default_image_carries_its_current_recipe_hash(base_images: object) -> None:
    for key in bases.default_keys():
        recipe = bases.RECIPES[key]
        info = sdk.image_info(recipe.image)
        assert info is not None, key
        assert info.labels[bases.RECIPE_LABEL] == bases.recipe_hash(key)
        assert bases.status(key) == "ok"
