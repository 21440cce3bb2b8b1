"""The cache options' new settings: compression (and its level), the network to the cache registry; one-line errors."""

from __future__ import annotations

import pytest

from bench import cachenet, options
from bench.config import CacheConfig
from bench.errors import UsageError
from bench.execute.exporters import cache_to_attrs


def test_shipped_registry_modes_go_over_the_ci_profile() -> None:
    for name in ("inline", "registry_max"):
        cache = options.load("cache", name)
        prof = cachenet.profile(cache)
        assert cache.network == "ci_to_registry" and prof is not None
        shape = prof.shape()
        assert (shape.rtt_ms, shape.connect_rtts, shape.bandwidth_mbit) == (5, 2, 100)
    local = options.load("cache", "local_max")
    assert local.network == "" and cachenet.profile(local) is None


@pytest.mark.parametrize(("overrides", "message"), [
    (["cache=registry_max", "cache.compression=brotli"], "compression: 'brotli' is not allowed; allowed: gzip, zstd"),
    (["cache=registry_max", "cache.compression=zstd", "cache.compression_level=30"],
     "compression_level: 30 is not allowed for zstd; allowed: 0-22 or null"),
    (["cache=inline", "cache.compression=zstd"], "compression: only a local or registry cache export takes it"),
    (["cache=local_max", "cache.network=lan"], "network: only a registry-backed cache"),
])
def test_bad_cache_settings_are_one_line_errors(overrides: list[str], message: str) -> None:
    with pytest.raises(UsageError) as err:
        options.root(options.compose(*overrides))
    assert message in str(err.value) and "\n" not in str(err.value)


def test_the_network_must_name_a_single_shaped_profile() -> None:
    with pytest.raises(UsageError, match=r"cache.network: 'nowhere' is not an option; allowed: .*ci_to_registry"):
        cachenet.profile(CacheConfig(name="r", fresh_runner=True, keeps_builder_cache=False, export="registry",
                                     network="nowhere"))
    with pytest.raises(UsageError, match="'flaky_pipe' is a profile of kind chain"):
        cachenet.profile(CacheConfig(name="r", fresh_runner=True, keeps_builder_cache=False, export="registry",
                                     network="flaky_pipe"))


def test_cache_to_attributes() -> None:
    base = CacheConfig(name="r", export="registry", fresh_runner=True, keeps_builder_cache=False)
    assert cache_to_attrs(base) == ",mode=max,ignore-error=true"
    zstd = CacheConfig(name="r", export="registry", fresh_runner=True, keeps_builder_cache=False,
                       compression="zstd", compression_level=3)
    assert cache_to_attrs(zstd) == ",mode=max,compression=zstd,compression-level=3,ignore-error=true"
    gzip9 = CacheConfig(name="r", export="local", fresh_runner=True, keeps_builder_cache=False, compression_level=9)
    assert cache_to_attrs(gzip9) == ",mode=max,compression=gzip,compression-level=9,ignore-error=true"
