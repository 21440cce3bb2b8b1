"""Real engine and mirror: private modules without leaking the token (issue 7 item 5), a tampered mirror (item 6).

Three cold builds of a small service in two runs: through `private` with the token as a BuildKit
secret (must succeed, token nowhere in the image) and through `tampered` (must fail as
`checksum`) in one run; through `private` with the token as a build argument (the control: the
leak check must find it) in another. `singlestage` ships its build stage, so a token left in any
build step would be in the scanned image. Each image is scanned just before the harness removes it.
"""

from __future__ import annotations

import base64
import uuid
from pathlib import Path

import pandas as pd
import pytest
from hydra import compose, initialize_config_dir

from bench import app, config
from bench.engine import build as engine_build
from bench.engine import leaks, sdk
from bench.paths import CONF_DIR
from bench.results import load

pytestmark = pytest.mark.engine
config.register()

TOKEN = f"leakcheck-{uuid.uuid4().hex}"
NEEDLES = [TOKEN, base64.b64encode(f"bench:{TOKEN}".encode()).decode()]  # raw, and as an Authorization header


def _run(tmp_path: Path, *overrides: str) -> tuple[int, pd.DataFrame, Path]:
    with initialize_config_dir(version_base="1.3", config_dir=str(CONF_DIR)):
        cfg = compose(config_name="config", overrides=["startup_runs=0", *overrides])
    run_dir = tmp_path / "run"
    code = app.run_from_config(cfg, run_dir, {}, list(overrides))
    return code, load(run_dir).builds.set_index("variant"), run_dir


@pytest.fixture
def scanned(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[leaks.Finding]]:
    """Leak findings by image id, for every measured image, taken just before the harness removes it."""
    monkeypatch.setenv("BENCH_PRIVATE_TOKEN", TOKEN)
    found: dict[str, list[leaks.Finding]] = {}
    remove = engine_build.remove_image

    def scan_then_remove(tag: str) -> None:
        info = sdk.image_info(tag)
        if info is not None and not tag.endswith("-prime"):
            found[info.id] = leaks.scan_image(tag, NEEDLES)
        remove(tag)

    monkeypatch.setattr(engine_build, "remove_image", scan_then_remove)
    return found


def _common(small_service: Path) -> list[str]:
    return [
        f"project.path={small_service}", "project.modules=small", "strategy=singlestage",
        "cache=none", "change=none", "repetitions=1",
    ]


def test_secret_build_leaks_nothing_and_tampered_zips_fail_as_checksum(
    base_images: object, tmp_path: Path, small_service: Path, scanned: dict[str, list[leaks.Finding]]
) -> None:
    code, rows, run_dir = _run(
        tmp_path, *_common(small_service), "strategy.private_secret=true", "compare.proxy=[private,tampered]"
    )
    private, tampered = rows.loc["proxy=private"], rows.loc["proxy=tampered"]
    assert private["status"] == "ok", private["log_tail"]
    assert private["mirror_requests_zip"] > 0  # modules really came through the mirror that demands the token
    assert private["image"] in scanned, "the built image was not scanned"
    assert scanned[private["image"]] == [], leaks.describe(scanned[private["image"]])
    dockerfile = next((run_dir / "dockerfiles").glob("proxy_private*"))
    assert "--mount=type=secret,id=netrc,target=/root/.netrc" in dockerfile.read_text()
    # Nor do the results, the manifest or the saved Dockerfiles carry it.
    for path in run_dir.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path

    assert code == 1  # one build failed, and the run says so
    assert tampered["status"] == "failed" and tampered["failure_class"] == "checksum", tampered["log_tail"]
    assert "checksum mismatch" in tampered["log_tail"] or "SECURITY ERROR" in tampered["log_tail"]


def test_token_as_build_arg_is_found_by_the_leak_check(
    base_images: object, tmp_path: Path, small_service: Path, scanned: dict[str, list[leaks.Finding]]
) -> None:
    code, rows, _ = _run(tmp_path, *_common(small_service), "strategy.private_unsafe_build_arg=true", "proxy=private")
    row = rows.iloc[0]
    assert code == 0 and row["status"] == "ok", row["log_tail"]
    findings = scanned[row["image"]]
    places = {f.where for f in findings if f.secret == 0}
    assert {"layer", "history"} <= places, leaks.describe(findings)
    assert any(f.where == "layer" and f.location.endswith("root/.netrc") for f in findings), leaks.describe(findings)
    assert all(TOKEN not in str(f) for f in findings)  # findings name places, never the secret
