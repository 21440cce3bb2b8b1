"""Proxy profiles, the GOPROXY value a profile composes, upstream probing and caching mode."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench import options
from bench.errors import UsageError
from bench.mirror import modpath, stack
from bench.mirror.cache import CachingStore
from bench.mirror.corpus import Corpus
from bench.mirror.profiles import ProxyProfile
from bench.mirror.server import MirrorServer

from .httphelp import closed_port, get

ISSUE_PROFILES = {
    "local",
    "lan",
    "near_mirror",
    "far_proxy",
    "flaky",
    "flaky_pipe",
    "flaky_comma",
    "upstream_golang",
    "upstream_china",
    "upstream_direct",
}


def test_every_profile_of_the_issue_loads() -> None:
    loaded = {n: options.load("proxy", n) for n in options.names("proxy")}
    assert set(loaded) >= ISSUE_PROFILES
    assert all(p.name == n for n, p in loaded.items())


def test_profiles_are_ordered_by_distance() -> None:
    rtts = [options.load("proxy", n, key="proxy").rtt_ms for n in ("local", "lan", "near_mirror", "far_proxy")]
    bws = [options.load("proxy", n, key="proxy").bandwidth_mbit for n in ("lan", "near_mirror", "far_proxy")]
    assert rtts == sorted(rtts) and rtts[0] == 0 and bws == sorted(bws, reverse=True)
    flaky, far = options.load("proxy", "flaky", key="proxy"), options.load("proxy", "far_proxy", key="proxy")
    assert flaky.rtt_ms == far.rtt_ms and flaky.fault_total > 0 and far.fault_total == 0


def test_pipe_and_comma_differ_only_in_separator() -> None:
    pipe, comma = options.load("proxy", "flaky_pipe", key="proxy"), options.load("proxy", "flaky_comma", key="proxy")
    assert (pipe.chain, pipe.separator, comma.chain, comma.separator) == (
        ["flaky", "near_mirror"],
        "|",
        ["flaky", "near_mirror"],
        ",",
    )


def test_upstream_urls_are_plain_config_values() -> None:
    assert options.load("proxy", "upstream_golang", key="proxy").url == "https://proxy.golang.org"
    assert options.load("proxy", "upstream_china", key="proxy").url == "https://goproxy.cn"
    assert options.load("proxy", "upstream_direct", key="proxy").url == "direct"


@pytest.mark.parametrize(
    "body, message",
    [
        ("name: bad\nrtt_ms: fast\n", "rtt_ms"),
        ("name: bad\nunknown_key: 1\n", "unknown_key"),
        ("name: bad\nkind: chain\nchain: [local]\n", "chain"),
        ("name: bad\np_502: 0.8\np_reset: 0.5\n", "probabilit"),
        ("name: other\n", "does not match"),
    ],
)
def test_bad_profiles_fail_with_one_clear_line(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "bad.yaml").write_text(body)
    with pytest.raises(UsageError, match=message) as err:
        options.load("proxy", "bad", key="proxy", directory=tmp_path)
    assert "\n" not in str(err.value)


def test_unknown_profile_names_the_known_ones() -> None:
    with pytest.raises(UsageError, match="far_proxy"):
        options.load("proxy", "nope", key="proxy")


def test_chain_composes_goproxy_from_its_servers(small_corpus: Corpus) -> None:
    for name, sep in (("flaky_pipe", "|"), ("flaky_comma", ",")):
        with stack.start(options.proxy_setup(name), small_corpus.root) as proxy:
            urls = [s.url for s in proxy.servers.values()]
            assert list(proxy.servers) == ["flaky", "near_mirror"]
            assert proxy.goproxy == sep.join(urls)
            assert proxy.servers["flaky"].shaper.shape.p_502 > 0


def test_seed_override_reaches_every_member(small_corpus: Corpus) -> None:
    with stack.start(options.proxy_setup("flaky_pipe"), small_corpus.root, seed=99) as proxy:
        assert {s.shaper.shape.seed for s in proxy.servers.values()} == {99}


def test_stack_measure_gives_a_flat_row_per_member(small_corpus: Corpus) -> None:
    with stack.start(options.proxy_setup("flaky_comma"), small_corpus.root, seed=1) as proxy, proxy.measure() as m:
        get(proxy.servers["near_mirror"].port, "/example.com/@v/list")
    row = m.row()
    assert row["mirror_near_mirror_not_found"] == 1 and row["mirror_flaky_not_found"] == 0


def test_unreachable_upstream_is_skipped_with_one_line() -> None:
    dead = ProxyProfile(name="upstream_dead", kind="upstream", url=f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(stack.ProxyUnavailable) as err:
        stack.start(dead)
    message = str(err.value)
    assert "\n" not in message and message.startswith("upstream_dead: ") and "skipped" in message


def test_direct_upstream_probes_its_probe_url() -> None:
    dead = ProxyProfile(
        name="upstream_direct", kind="upstream", url="direct", probe_url=f"http://127.0.0.1:{closed_port()}"
    )
    with pytest.raises(stack.ProxyUnavailable):
        stack.start(dead)


def test_live_upstream_passes_its_url_through(small_corpus: Corpus) -> None:
    with (
        MirrorServer(small_corpus.root) as live,
        stack.start(ProxyProfile(name="up", kind="upstream", url=live.url)) as proxy,
    ):
        assert proxy.goproxy == live.url and proxy.servers == {}


def test_caching_mirror_fills_its_store_then_serves_offline(small_corpus: Corpus, tmp_path: Path) -> None:
    path = next(p for p in small_corpus.modules if p != p.lower())
    v = small_corpus.versions(path)[0]
    wire = "/" + modpath.escape(path).replace("!", "%21")
    store = tmp_path / "store"
    with MirrorServer(small_corpus.root) as upstream:
        caching = ProxyProfile(name="cached", upstream=upstream.url)
        with stack.start(caching, store_dir=store) as proxy:
            port = proxy.servers["cached"].port
            for _ in range(2):
                assert get(port, f"{wire}/@v/{v}.zip")[1] == (small_corpus.module_dir(path) / f"{v}.zip").read_bytes()
                assert get(port, f"{wire}/@latest")[0] == 200
            assert get(port, "/example.com/missing/@v/list")[0] == 404  # upstream 404 passes through
            snap = proxy.servers["cached"].counters.snapshot()
        up = upstream.counters.snapshot()
        assert up.requests["zip"] == 1  # the second time came from the store
        # One zip, one list (for @latest), one 404; the reachability probe of the empty store is extra.
        assert snap.upstream_requests == up.total_requests - up.bad_requests == 3
    assert (store / modpath.escape(path) / "@v" / f"{v}.zip").is_file()
    # Upstream gone: what is stored is still served; a miss is a 502 (an error, not "not here").
    with stack.start(
        ProxyProfile(name="cached", upstream=f"http://127.0.0.1:{closed_port()}"), store_dir=store
    ) as proxy:
        port = proxy.servers["cached"].port
        assert get(port, f"{wire}/@v/{v}.zip")[0] == 200
        assert get(port, f"{wire}/@v/{small_corpus.versions(path)[1]}.zip")[0] == 502
        assert proxy.servers["cached"].counters.snapshot().upstream_errors == 1


def test_caching_mirror_with_empty_store_and_dead_upstream_is_skipped(tmp_path: Path) -> None:
    dead = ProxyProfile(name="cached_dead", upstream=f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(stack.ProxyUnavailable, match="cached_dead"):
        stack.start(dead, store_dir=tmp_path / "empty")


def test_caching_store_never_writes_outside_its_store(small_corpus: Corpus, tmp_path: Path) -> None:
    shutil.copytree(small_corpus.root, tmp_path / "up")
    with (
        MirrorServer(tmp_path / "up") as upstream,
        MirrorServer(CachingStore(upstream.url, tmp_path / "store")) as cached,
    ):
        assert get(cached.port, "/example.com/../../../escape/@v/list")[0] == 400
    assert not (tmp_path / "escape").exists()
