"""What a module download should cost on a shaped network, from the mirror's own counters.

The model behind "the download step behind far_proxy costs what 100 MB at its bandwidth and
latency should cost": every request pays one round trip and every new connection
`connect_rtts` of them (TCP + TLS), spread over the go command's parallel fetches; every body
byte crosses one link of `bandwidth_mbit`, shared by all fetches:

    latency  = (requests + connections x connect_rtts) x RTT / parallel
    transfer = bytes x 8 / (bandwidth_mbit x 1e6)
    low  = local + max(latency, transfer)   round trips hidden behind transfers
    high = local + latency + transfer       nothing overlaps

`local` is the same download unshaped (the go command's own work: unpacking, hashing). What
the model leaves out: TCP slow start on each small response, and jitter; a measurement above
`high` by more than noise says one of those matters.
"""

from __future__ import annotations

from dataclasses import dataclass

PARALLEL = 2  # cmd/go fetches GOMAXPROCS zips at once (modcmd/download.go); builders here have 2 cores


@dataclass(frozen=True)
class Link:
    """The shaped network between the go command and the mirror."""

    rtt_ms: float
    connect_rtts: int = 2
    bandwidth_mbit: float = 0.0  # 0: unlimited

    @property
    def shaped(self) -> bool:
        """Whether the link adds anything at all (an unshaped link is the `local` reference)."""
        return bool(self.rtt_ms or self.bandwidth_mbit)


@dataclass(frozen=True)
class Traffic:
    """What one download asked of the mirror (the mirror's counters for that build)."""

    requests: int
    connections: int
    bytes_sent: int


def expected_download(link: Link, traffic: Traffic, local_s: float, parallel: int = PARALLEL) -> tuple[float, float]:
    """(low, high) seconds for `traffic` over `link`, given `local_s` for the same download unshaped."""
    rounds = (traffic.requests + traffic.connections * link.connect_rtts) * link.rtt_ms / 1000 / max(parallel, 1)
    transfer = traffic.bytes_sent * 8 / (link.bandwidth_mbit * 1e6) if link.bandwidth_mbit else 0.0
    return local_s + max(rounds, transfer), local_s + rounds + transfer
