"""Composing the project's config in tests exactly as `python -m bench` does (one place for every test)."""

from __future__ import annotations

from bench import options, plan
from bench.config import BenchConfig
from bench.options import compose

__all__ = ["compose", "spec", "typed"]


def typed(*overrides: str) -> BenchConfig:
    """The composed config as typed objects."""
    return options.root(compose(*overrides))


def spec(*overrides: str) -> plan.VariantSpec:
    """The selected options of the composed config as one variant's spec."""
    return plan.spec_of(typed(*overrides))
