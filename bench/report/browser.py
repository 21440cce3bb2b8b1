"""Open a report page in headless Chromium (Debian's `chromium` + `chromium-driver`) and look at it.

Selenium drives Debian's chromedriver, which comes from the same source package as the
browser, so driver and browser versions always match; nothing is downloaded (Selenium
Manager is bypassed by naming the driver). Used by the browser test and by
scripts/report_screenshot.py; `selenium` is a development dependency, imported lazily.
"""

from __future__ import annotations

import base64
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.errors import UsageError

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars")

# Runs in the page once it has loaded: every image, the page's width, and the landmarks the report must have.
PROBE = """
const imgs = Array.from(document.images).map(i => ({src: i.getAttribute('src'), complete: i.complete,
                                                    width: i.naturalWidth}));
return {images: imgs, scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth,
        height: document.scrollingElement.scrollHeight,
        summary: (document.querySelector('#summary') || {}).innerText || '',
        grids: document.querySelectorAll('table.pivot').length,
        bestCells: document.querySelectorAll('table.pivot td.best').length,
        buildsCollapsed: !!document.querySelector('details#builds') && !document.querySelector('details#builds').open};
"""


@dataclass
class PageFacts:
    """What the probe saw on the page."""

    images: list[dict[str, Any]]
    scroll_width: int
    inner_width: int
    height: int
    summary: str
    grids: int
    best_cells: int
    builds_collapsed: bool


def missing() -> str | None:
    """Why a browser check cannot run here, or None when it can."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists():
            return f"{path} not found (apt-get install --no-install-recommends chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install selenium)"
    return None


@contextmanager
def chromium(width: int = 1280, height: int = 900) -> Iterator[Any]:
    """A headless Chromium WebDriver with a fresh profile, closed (and its profile removed) on exit."""
    reason = missing()
    if reason:
        raise UsageError(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="bench-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--window-size={width},{height}", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def inspect(driver: Any, page: Path) -> PageFacts:
    """Open `page` from a file:// URL, wait for its images, and probe it."""
    driver.get(page.resolve().as_uri())
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "Promise.all(Array.from(document.images).map(i => i.complete ? 0 : new Promise(r => {i.onload = i.onerror = r;})))"
        ".then(() => done(true));")
    r = driver.execute_script(PROBE)
    return PageFacts(r["images"], int(r["scrollWidth"]), int(r["innerWidth"]), int(r["height"]), r["summary"],
                     int(r["grids"]), int(r["bestCells"]), bool(r["buildsCollapsed"]))


def screenshot(driver: Any, path: Path, full_page: bool = True) -> Path:
    """Save a PNG of the page as it is now: the whole page (Chrome DevTools) or the window."""
    if not full_page:
        driver.save_screenshot(str(path))
        return path
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    path.write_bytes(base64.b64decode(shot["data"]))
    return path
