"""Errors the user can act on, and the one place that turns them into an exit code."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class UsageError(Exception):
    """Bad input or an unusable environment: one line for the user, exit code 2."""

    exit_code = 2


def cli_entry(func: Callable[..., T]) -> Callable[..., T]:
    """Wrap a command's main so a UsageError prints one line and exits 2, without a traceback."""

    @functools.wraps(func)
    def wrapper(*args: object, **kwargs: object) -> T:
        try:
            return func(*args, **kwargs)
        except UsageError as err:
            print(f"error: {err}", file=sys.stderr)
            raise SystemExit(err.exit_code) from None
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            raise SystemExit(130) from None

    return wrapper
