"""`bench --help` lists what conf/ holds: every axis and option with its description, every preset, the exit codes.

The expectations are read from conf/ here with yaml (not through bench.help's own parsing),
so an option added to conf/ without appearing in the help fails this test.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from bench import app, help
from bench.errors import UsageError
from bench.paths import CONF_DIR, REPO_ROOT


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _axes() -> dict[str, str]:
    """axis -> default option, from the defaults list of conf/config.yaml (groups with a conf/ folder)."""
    defaults = yaml.safe_load((CONF_DIR / "config.yaml").read_text())["defaults"]
    pairs = [next(iter(d.items())) for d in defaults if isinstance(d, dict)]
    return {k: v for k, v in pairs if not k.startswith(("hydra", "override")) and (CONF_DIR / k).is_dir()}


def _first_comment(path: Path) -> str:
    lines = [ln.lstrip("#").strip() for ln in path.read_text().splitlines() if ln.startswith("#")]
    return next(ln for ln in lines if ln and not ln.startswith("@package"))


def _option_text(path: Path) -> str:
    data = yaml.safe_load(path.read_text()) or {}
    if data.get("description"):
        return str(data["description"])
    comments = [ln for ln in path.read_text().splitlines() if ln.startswith("#")]
    if comments:
        return _first_comment(path).split(". ")[0]
    return ", ".join(f"{k}=" for k in data if k not in ("defaults", "name"))  # the settings, at least their keys


@pytest.fixture(scope="module")
def text() -> str:
    return _flat(help.text())


def test_every_axis_option_and_its_description_is_listed(text: str) -> None:
    assert _axes(), "conf/config.yaml lists no axes"
    for axis, default in _axes().items():
        assert f" {axis} " in text
        options = sorted((CONF_DIR / axis).glob("*.yaml"))
        assert options, axis
        for opt in options:
            marker = "* " if opt.stem == default else ""
            assert f" {marker}{opt.stem} " in text, f"{axis}={opt.stem} is not in the help"
            want = _flat(_option_text(opt)).strip()
            assert want[:60] in text, f"{axis}={opt.stem}: {want[:60]!r} is not in the help"


def test_every_preset_is_listed_with_its_first_comment(text: str) -> None:
    presets = sorted((CONF_DIR / "scenario").glob("*.yaml"))
    assert len(presets) >= 5
    for p in presets:
        first = _first_comment(p)
        assert f" {p.stem} {first[:40]}" in text, p.stem


def test_exit_codes_are_the_ones_the_app_returns(text: str) -> None:
    codes = {code for code, _ in help.EXIT_CODES}
    assert codes == {app.OK, app.SOME_FAILED, UsageError.exit_code, app.ENGINE_STOPPED, app.HARNESS_ERROR,
                     app.INTERRUPTED}
    for code, what in help.EXIT_CODES:
        assert f" {code} {_flat(what)[:30]}" in text


def test_companion_commands_are_the_project_scripts(text: str) -> None:
    scripts = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["bench"] == "bench.__main__:main"
    for name, target in scripts.items():
        if name != "bench":
            assert f" {name} " in text and target.split(":")[0].removesuffix(".__main__") in text, name
    documented = (REPO_ROOT / "README.md").read_text()
    assert all(f"`{name}" in documented for name in scripts), "README.md's table of commands misses one"
    assert "compare.AXIS=[A,B,...]" in text and "--cfg job" in text and "--info" in text and "-sc install=bash" in text


def test_options_of_your_own_are_listed_too(tmp_path: Path) -> None:
    (tmp_path / "strategy").mkdir()
    (tmp_path / "strategy" / "mine.yaml").write_text(
        "defaults:\n  - base_strategy\n  - _self_\nname: mine\ndescription: \"Mine, with $HOME in it.\"\n")
    assert "mine Mine, with $HOME in it." in _flat(help.text([CONF_DIR, tmp_path]))


def test_bench_help_on_the_command_line(tmp_path: Path) -> None:
    """The template conf/config.yaml selects (hydra/help: bench) shows the generated text; `$` survives Hydra."""
    (tmp_path / "strategy").mkdir()
    (tmp_path / "strategy" / "mine.yaml").write_text(
        "defaults:\n  - base_strategy\n  - _self_\nname: mine\ndescription: \"Mine, with $HOME in it.\"\n")
    proc = subprocess.run([sys.executable, "-m", "bench", f"hydra.searchpath=[file://{tmp_path}]", "--help"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path, env={**os.environ}, check=False)
    assert proc.returncode == 0, proc.stderr
    out = _flat(proc.stdout)
    assert "powered by Hydra" not in out, "conf/config.yaml must select the help: `- override hydra/help: bench`"
    assert out.startswith(_flat(help.text()).split(" Presets")[0]), out[:300]
    assert "mine Mine, with $HOME in it." in out
    assert "Hydra's flags: --help,-h" in out
