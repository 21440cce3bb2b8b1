"""The `packaging` marker: tests that build the wheel and install it into a throwaway virtualenv (20-60 s)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "packaging: builds the wheel and installs it into a throwaway virtualenv (slow; -m 'not packaging' skips it)"
    )
