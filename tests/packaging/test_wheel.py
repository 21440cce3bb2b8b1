"""`pip install .` (not editable) gives a `bench` that works from any directory.

The wheel is built from a copy of the checkout (no build/ or egg-info left in it), installed
with --no-deps into a fresh virtualenv that sees this venv's packages only through a .pth
file added after the install (so pip never touches this venv's editable install), then run
from an empty directory: `bench --help`, a dry run of a preset, and a companion command.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from bench import help
from bench.paths import CONF_DIR, REPO_ROOT
from tests.sample import sample_run

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(300)]
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "bench", "hydra_plugins", "conf", "scenarios",
           "deploy")
SAMPLE = sample_run("multistage")


def _run(args: list[str], cwd: Path, timeout: int = 180) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    assert proc.returncode == 0, f"{' '.join(args)}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the wheel of this checkout installed (not editable)."""
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    src.mkdir()
    for name in SOURCES:
        path = REPO_ROOT / name
        if not path.exists():
            continue
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "_data"))
        else:
            shutil.copy2(path, src / name)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(root / "dist"), str(src)], root)
    wheel = next((root / "dist").glob("bench-*.whl"))
    env = root / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(env)], root)
    python = env / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "--quiet",
          str(wheel)], root)
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], root).stdout.strip()
    (Path(site) / "_bench_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")  # hydra, pandas, ...
    return env


def test_the_installed_package_reads_its_own_copy_of_conf(venv: Path, tmp_path: Path) -> None:
    out = _run([str(venv / "bin" / "python"), "-c",
                "import bench.paths as p; print(p.INSTALLED, p.CONF_DIR, (p.PROJECTS_DIR / 'service' / 'go.mod').is_file(),"
                " (p.DOCKERFILES_DIR / 'multistage.Dockerfile.j2').is_file(), (p.BASES_DIR / 'builder.Dockerfile').is_file())"],
               tmp_path).stdout.split()
    assert out[0] == "True" and out[1].startswith(str(venv)) and out[1].endswith("bench/_data/conf"), out
    assert out[2:] == ["True", "True", "True"]
    shipped = sorted(p.relative_to(CONF_DIR).as_posix() for p in CONF_DIR.rglob("*.yaml"))
    copy = Path(out[1])
    assert sorted(p.relative_to(copy).as_posix() for p in copy.rglob("*.yaml")) == shipped


def test_bench_help_from_another_directory(venv: Path, tmp_path: Path) -> None:
    text = " ".join(_run([str(venv / "bin" / "bench"), "--help"], tmp_path).stdout.split())
    assert "powered by Hydra" not in text
    for axis, _default, _comment in help.axes(CONF_DIR):
        assert f" {axis} " in text
        for option in help.options(axis, [CONF_DIR]):
            assert f" {option} " in text, f"{axis}={option}"
    for preset in help.options("scenario", [CONF_DIR]):
        assert f" {preset} " in text
    assert " bench-report " in text and " bench-compare " in text


def test_a_dry_run_lands_in_the_given_results_dir(venv: Path, tmp_path: Path) -> None:
    work = tmp_path / "elsewhere"
    work.mkdir()
    _run([str(venv / "bin" / "bench"), "+scenario=multistage", "dry_run=true", f"results_dir={tmp_path / 'res'}"], work)
    manifests = list((tmp_path / "res").rglob("manifest.json"))
    assert len(manifests) == 1
    m = json.loads(manifests[0].read_text())
    assert m["scenario"] == "multistage" and len(m["variants"]) == 4 and m["status"] != "running"
    assert (manifests[0].parent / "builds.jsonl").is_file()
    assert list(work.iterdir()) == []  # nothing but what results_dir says


def test_results_default_to_the_current_directory(venv: Path, tmp_path: Path) -> None:
    _run([str(venv / "bin" / "bench"), "project=hello", "dry_run=true"], tmp_path)
    assert len(list((tmp_path / "results").rglob("manifest.json"))) == 1
    assert not list((venv / "lib").rglob("results/*/*/manifest.json"))  # never into site-packages


def test_a_companion_command_finds_its_templates(venv: Path, tmp_path: Path) -> None:
    _run([str(venv / "bin" / "bench-report"), str(SAMPLE), "--out", str(tmp_path / "report")], tmp_path)
    assert {"report.md", "report.html", "report.json"} <= {p.name for p in (tmp_path / "report").iterdir()}
