"""The network between a fresh CI runner and its cache registry: a proxy profile named by `cache.network`."""

from __future__ import annotations

from bench import options
from bench.config import CacheConfig
from bench.errors import UsageError
from bench.mirror.profiles import ProxyProfile


def profile(cache: CacheConfig) -> ProxyProfile | None:
    """The profile whose shaping the cache registry's traffic goes through; None for unshaped loopback.

    UsageError (one line naming `cache.network`) when it names no profile, or one that is not a
    single shaped link (a chain or an upstream URL has no numbers to shape with).
    """
    if not cache.network:
        return None
    prof: ProxyProfile = options.load("proxy", cache.network, key="cache.network")
    if prof.kind != "mirror":
        raise UsageError(f"cache.network: {cache.network!r} is a profile of kind {prof.kind}; "
                         "a cache network takes a profile of kind mirror (its latency, bandwidth and faults)")
    return prof
