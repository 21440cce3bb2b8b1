"""report.html in a real browser (headless Chromium from Debian): images load, no horizontal scroll at 1280 px,
the summary and the grid are there. Each test saves a full-page screenshot in its tmp_path for a reviewer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench import report
from bench.report import browser
from bench.results import Results, load
from tests.unit.synthetic import change_wall, make_run

ROOT = Path(__file__).resolve().parents[2]
CHANGE_AXES = {"strategy": ["naive", "multistage", "multistage_cachemount"],
               "change": ["none", "source", "gomod_bump", "gomod_add"]}
RUNS = {
    "change": lambda: make_run(CHANGE_AXES, 3, change_wall, scenario="change"),
    "20 variants": lambda: make_run({**CHANGE_AXES, "strategy": [f"strategy_option_{i}" for i in range(5)]}, 2,
                                    lambda c: 5.0 if c["change"] == "none" else 40.0, scenario="wide"),
    "sample": lambda: load(ROOT / "results" / "samples"),
    "recorded": lambda: load(ROOT / "tests" / "data" / "results"),
}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _open(driver: Any, res: Results, out: Path) -> browser.PageFacts:
    report.build(res, out)
    return browser.inspect(driver, out / "report.html")


@pytest.mark.parametrize("name", list(RUNS))
def test_report_page_in_chromium(driver: Any, name: str, tmp_path: Path) -> None:
    res = RUNS[name]()
    facts = _open(driver, res, tmp_path / "report")
    assert facts.inner_width == 1280
    assert facts.images, "the page shows the plots"
    assert all(i["complete"] and i["width"] > 0 for i in facts.images), facts.images
    assert facts.scroll_width <= 1280, f"horizontal overflow: {facts.scroll_width} px"
    assert "Project: " in facts.summary and ("use " in facts.summary or "only " in facts.summary)
    assert facts.builds_collapsed
    # From the runs themselves: does any of them cross two axes (so its report must show a grid)?
    compared = res.manifests.filter(like="config.compare.").map(lambda v: isinstance(v, list) and len(v) > 1)
    two_axes = name in ("change", "20 variants") or bool((compared.sum(axis=1) >= 2).any())
    assert (facts.grids >= 1 and facts.best_cells >= 1) if two_axes else facts.grids == 0
    shot = browser.screenshot(driver, tmp_path / f"report-{name.replace(' ', '_')}.png")
    assert shot.read_bytes()[:8] == PNG_MAGIC and shot.stat().st_size > 20_000


def test_opened_build_table_scrolls_inside_its_box(driver: Any, tmp_path: Path) -> None:
    _open(driver, RUNS["20 variants"](), tmp_path / "report")
    driver.execute_script("document.querySelector('details#builds').open = true;")
    width = driver.execute_script("return document.scrollingElement.scrollWidth")
    assert width <= 1280
    browser.screenshot(driver, tmp_path / "report-builds-open.png")


def test_the_overflow_check_sees_overflow(driver: Any, tmp_path: Path) -> None:
    page = tmp_path / "wide.html"
    page.write_text('<!doctype html><div style="width:2000px">wide</div><img src="missing.svg">')
    facts = browser.inspect(driver, page)
    assert facts.scroll_width > 1280
    assert facts.images and facts.images[0]["width"] == 0
