"""Seeded faults per round: compared variants meet the same network (issue 11 item 9)."""

from __future__ import annotations

from bench import options
from bench.mirror import stack
from bench.mirror.corpus import Corpus


def test_every_variant_of_a_round_meets_the_same_faults(small_corpus: Corpus) -> None:
    """The same requests, asked by two variants in one round, meet the same faults, whatever came before."""
    paths = [f"/example.com/x{i}/@v/list" for i in range(40)]
    with stack.start(options.proxy_setup("flaky"), small_corpus.root) as proxy:
        shaper = proxy.servers["flaky"].shaper
        rounds = []
        for _variant in range(2):
            proxy.restart_faults("1|1")
            rounds.append([shaper.fault_for(p) for p in paths + paths])
        proxy.restart_faults("1|2")
        other = [shaper.fault_for(p) for p in paths + paths]
    assert rounds[0] == rounds[1] and any(rounds[0])
    assert other != rounds[0]  # another repetition meets other faults
    assert shaper._base_seed == options.load("proxy", "flaky").seed  # the profile's own seed is kept
