"""The shipped alert rules: promtool checks them and runs their unit tests; broken copies fail."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import RULES_DIR
from .servers import PROMTOOL

RULES = RULES_DIR / "bench-rules.yml"
RULE_TESTS = RULES_DIR / "bench-rules.test.yml"


def promtool(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run promtool; output as text."""
    return subprocess.run([PROMTOOL, *map(str, args)], capture_output=True, text=True, timeout=120, cwd=cwd,
                          check=False)


def broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    """The rules and their tests in `tmp_path`, with `old` replaced by `new` in the rules (exactly once)."""
    text = RULES.read_text()
    assert text.count(old) == 1, f"{old!r} should occur once in {RULES.name}"
    (tmp_path / RULES.name).write_text(text.replace(old, new))
    shutil.copy(RULE_TESTS, tmp_path / RULE_TESTS.name)
    return tmp_path / RULE_TESTS.name


def test_promtool_check_rules(prom_binaries: None) -> None:
    out = promtool("check", "rules", RULES)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "SUCCESS: 6 rules found" in out.stdout


def test_promtool_test_rules(prom_binaries: None) -> None:
    out = promtool("test", "rules", RULE_TESTS.name, cwd=RULES_DIR)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "SUCCESS" in out.stdout


def test_a_rule_that_does_not_parse_fails_the_check(prom_binaries: None, tmp_path: Path) -> None:
    broken_copy(tmp_path, "> 0.05", "> > 0.05")
    out = promtool("check", "rules", tmp_path / RULES.name)
    assert out.returncode != 0 and "FAILED" in out.stdout + out.stderr


@pytest.mark.parametrize(("old", "new", "alert"), [
    ("median_7d > 1.2", "median_7d > 1.4", "BenchBuildTimeRegression"),  # +30% no longer fires
    ("median_7d > 1.2", "median_7d > 1.05", "BenchBuildTimeRegression"),  # +10% fires too
    ("[7d:1h] offset 1d", "[7d:1h]", "BenchBuildTimeRegression"),  # the judged night in its own baseline
    ("ratio > 0.05", "ratio > 0.06", "BenchFailureShareHigh"),  # 5.6% no longer fires
    ("ratio > 0.05", "ratio > 0.03", "BenchFailureShareHigh"),  # 4% fires too
    ("> 36 * 3600", "> 40 * 3600", "BenchNoRecentRun"),
    ('{scenario=~"matrix"}) > 36', ") > 36", "BenchNoRecentRun"),  # ad-hoc scenarios would alert
    ("for: 36h", "for: 30h", "BenchNoRunMetrics"),
])
def test_a_changed_threshold_fails_the_unit_tests(prom_binaries: None, tmp_path: Path, old: str, new: str,
                                                  alert: str) -> None:
    tests = broken_copy(tmp_path, old, new)
    out = promtool("test", "rules", tests.name, cwd=tmp_path)
    assert out.returncode != 0, out.stdout
    assert alert in out.stdout + out.stderr
