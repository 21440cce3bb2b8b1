"""The architecture's boundaries are checked, and the checks fail on a violation."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.paths import REPO_ROOT

BENCH = REPO_ROOT / "bench"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _docker_argv_literals(path: Path) -> list[int]:
    """Lines where a list or tuple literal starts with the string "docker" (an argv for the docker CLI)."""
    hits = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
            first = node.elts[0]
            if isinstance(first, ast.Constant) and first.value == "docker":
                hits.append(node.lineno)
    return hits


def test_only_the_engine_package_runs_the_docker_cli() -> None:
    outside = {
        str(p.relative_to(REPO_ROOT)): lines
        for p in BENCH.rglob("*.py")
        if "engine" not in p.relative_to(BENCH).parts and (lines := _docker_argv_literals(p))
    }
    assert outside == {}, "run docker through bench.engine.cli.run, not a subprocess of your own"
    assert _docker_argv_literals(BENCH / "engine" / "cli.py"), "the choke point itself must be found by this check"


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree, capture_output=True, text=True, timeout=300, check=False,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
    )


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("lint")
    shutil.copytree(BENCH, tree / "bench", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO_ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_import_contracts_hold_and_fail_on_a_violation(tree_copy: Path) -> None:
    assert _lint(tree_copy).returncode == 0
    stats = tree_copy / "bench" / "stats.py"
    clean = stats.read_text()
    stats.write_text(clean + "\nfrom bench.engine import sdk  # a violation: analysis reaching the engine\n")
    try:
        proc = _lint(tree_copy)
    finally:
        stats.write_text(clean)
    assert proc.returncode == 1
    assert "never touches the engine or the runner BROKEN" in " ".join(proc.stdout.split())
    assert "bench.stats -> bench.engine.sdk" in proc.stdout


def _long_functions(path: Path, limit: int) -> list[str]:
    tree = ast.parse(path.read_text())
    return [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"  # type: ignore[operator]
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > limit  # type: ignore[operator]
    ]


def test_the_executor_stays_small() -> None:
    """The executor's rooms: no function over 40 lines, no module over 250 (issue 10)."""
    for path in sorted((BENCH / "execute").glob("*.py")):
        assert len(path.read_text().splitlines()) <= 250, path.name
        assert _long_functions(path, 40) == [], path.name
