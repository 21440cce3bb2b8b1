"""Browser tests need Debian's chromium and chromium-driver and the selenium package.

Locally they skip with the reason when one is missing; in CI (CI=true, as .ci/run is
started) or with BENCH_REQUIRE_BROWSER=1 a missing browser is a failure, not a skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from bench.report import browser


@pytest.fixture(scope="session")
def driver() -> Iterator[Any]:
    """One headless Chromium at 1280x900 for the session."""
    reason = browser.missing()
    if reason:
        if os.environ.get("CI") == "true" or os.environ.get("BENCH_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser test cannot run: {reason}", pytrace=False)
        pytest.skip(reason)
    with browser.chromium(width=1280, height=900) as d:
        yield d
