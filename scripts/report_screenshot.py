"""Render a run's HTML report and take the README's screenshot of it in headless Chromium.

    .venv/bin/python scripts/report_screenshot.py RUN_DIR [--out docs/report.png] [--height 1100] [--full-page]

Builds the report of RUN_DIR into a temporary folder (the run's own report/ is left as it
is), opens report.html from a file:// URL at 1280 px wide, checks what the browser test
checks (every image loads, no horizontal overflow, the summary is there), and saves the
top `--height` pixels (or the whole page) as a PNG. Needs Debian's chromium and
chromium-driver and the selenium package.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import report
from bench.errors import UsageError, cli_entry
from bench.report import browser
from bench.results import load


@cli_entry
def main(argv: list[str] | None = None) -> None:
    """Build, open, check, save."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("run_dir", type=Path)
    p.add_argument("--out", type=Path, default=Path("docs/report.png"))
    p.add_argument("--width", type=int, default=1280)
    p.add_argument("--height", type=int, default=1100, help="window height; the screenshot's unless --full-page")
    p.add_argument("--full-page", action="store_true")
    ns = p.parse_args(argv)
    res = load(ns.run_dir)
    if res.builds.empty:
        raise UsageError(f"no builds under {ns.run_dir}")
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp, browser.chromium(ns.width, ns.height) as d:
        report.build(res, Path(tmp))
        facts = browser.inspect(d, Path(tmp) / "report.html")
        broken = [i["src"] for i in facts.images if not i["width"]]
        if broken or facts.scroll_width > ns.width or not facts.summary:
            raise SystemExit(f"the page is not right: broken images {broken}, width {facts.scroll_width} px")
        ns.out.parent.mkdir(parents=True, exist_ok=True)
        browser.screenshot(d, ns.out, full_page=ns.full_page)
    print(f"{ns.out}: {ns.width} px wide, page {facts.height} px tall, {facts.grids} grid(s), "
          f"{len(facts.images)} plot(s)")


if __name__ == "__main__":
    main()
