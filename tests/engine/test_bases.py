"""Real engine: every local base role builds and runs a Go program."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import bases
from bench.engine import cli, sdk

from .helpers import build, hello_context, remove_image, unique_tag

pytestmark = pytest.mark.engine


@pytest.mark.parametrize(
    ("go", "runtime"),
    [("1.23", "runtime-static"), ("1.23", "runtime-debian"), ("1.23", "scratch"), ("1.24", "scratch")],
)
def test_each_local_role_builds_and_runs(base_images: object, tmp_path: Path, go: str, runtime: str) -> None:
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


def test_builder_pins_local_toolchain(base_images: object) -> None:
    for go in bases.GO_VERSIONS:
        out = cli.run(
            ["run", "--rm", "--network=none", bases.image_for("builder", go=go), "go", "env", "GOTOOLCHAIN", "GOMODCACHE"],
            timeout=60,
        ).stdout.split()
        assert out == ["local", "/go/pkg/mod"]


def test_every_local_image_carries_its_current_recipe_hash(base_images: object) -> None:
    for key, recipe in bases.RECIPES.items():
        info = sdk.image_info(recipe.image)
        assert info is not None, key
        assert info.labels[bases.RECIPE_LABEL] == bases.recipe_hash(key)
        assert bases.status(key) == "ok"
