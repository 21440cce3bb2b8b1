"""What follows from the facts each axis option declares in its YAML.

No option is named here: a cache mode says what it keeps and exports, a change kind what it
touches, a strategy how its Dockerfile is laid out, and the rules below turn those facts
into what a build in that state must show. Postconditions, the executor and the report use
these, so a new option needs only its YAML.
"""

from __future__ import annotations

from bench.config import CacheConfig, ChangeConfig, StrategyConfig

EXPORTS = ("", "inline", "local", "registry")
EXPORT_MODES = ("min", "max")
NETWORKS = ("host", "none")


def restored_stages(cache: CacheConfig) -> str:
    """Which stages' cache the measured build finds: `all`, `final` (the final image's layers) or `none`."""
    if cache.keeps_builder_cache and not cache.fresh_runner:
        return "all"
    if cache.fresh_runner and cache.export:
        return "all" if cache.export_mode == "max" else "final"
    return "none"


def prepare_kind(cache: CacheConfig) -> str:
    """How the executor establishes the state: `cold` (prune), `prime` (build unchanged, keep) or `import`."""
    if cache.fresh_runner and cache.export:
        return "import"
    return "prime" if cache.keeps_builder_cache and not cache.fresh_runner else "cold"


def expected_download(strategy: StrategyConfig, cache: CacheConfig, change: ChangeConfig) -> bool | None:
    """Whether the declared state means the dependency download must run (True), be cached (False), or either (None).

    None where the rules cannot tell: no judged download step (vendor, your own Dockerfile),
    or a cache that restores only the final stage (inline), where the builder stage's steps
    may or may not be found.
    """
    if not strategy.download_step:
        return None
    restored = restored_stages(cache)
    if restored == "none" or change.touches_gomod:
        return True
    if change.touches_context and strategy.context_before_download:
        return True
    return False if restored == "all" else None


def option_problems(axis: str, option: object) -> list[str]:
    """Facts that contradict each other or name no known behaviour (empty when consistent)."""
    if isinstance(option, CacheConfig):
        return _cache_problems(option)
    if isinstance(option, StrategyConfig) and option.network not in NETWORKS:
        return [f"network: {option.network!r} is not allowed; allowed: {', '.join(NETWORKS)}"]
    if isinstance(option, ChangeConfig) and option.touches_gomod and not option.touches_context:
        return ["touches_gomod: a go.mod change is a change of the build context too (touches_context: true)"]
    return []


def _cache_problems(cache: CacheConfig) -> list[str]:
    if cache.export not in EXPORTS:
        return [f"export: {cache.export!r} is not allowed; allowed: {', '.join(repr(e) for e in EXPORTS)}"]
    if cache.export_mode not in EXPORT_MODES:
        return [f"export_mode: {cache.export_mode!r} is not allowed; allowed: {', '.join(EXPORT_MODES)}"]
    if cache.export == "inline" and cache.export_mode != "min":
        return ["export_mode: inline cache supports min only (the final stage's layers)"]
    if cache.export and not cache.fresh_runner:
        return ["export: a cache is exported for a fresh runner; set fresh_runner: true"]
    if cache.fresh_runner and cache.keeps_builder_cache:
        return ["keeps_builder_cache: a fresh runner keeps nothing local; set it false"]
    return []
