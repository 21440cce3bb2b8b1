"""Network profiles of the module proxy: what the config layer hands the mirror.

`ProxyProfile` has plain fields only, so it is registered in Hydra's ConfigStore as is
(conf/proxy/*.yaml are its options). The mirror never reads conf/: `bench.options`
loads profiles and resolves a chain's member names into a `ProxySetup`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from bench.mirror.shaping import Shape

KINDS = ("mirror", "chain", "upstream")
SEPARATORS = (",", "|")
TAMPER_MODES = ("", "zip", "mod")


@dataclass
class ProxyProfile:
    """How the go command reaches modules in a scenario.

    kind:
      mirror    one local mirror server, shaped by the numbers below. With `upstream` set it
                runs in caching mode: misses are fetched from that GOPROXY URL into a store.
      chain     several profiles, each started as its own server, joined into one GOPROXY
                value: `chain: [flaky, near_mirror]` with `separator: "|"` gives
                `GOPROXY=http://127.0.0.1:A|http://127.0.0.1:B`. With "," the go command moves
                to the next entry only on 404/410; with "|" on any error.
      upstream  no server: GOPROXY is `url` as is (a public proxy, or `direct`). Before a
                scenario uses it, `probe_url` (default: `url`) must answer, else the scenario
                is skipped with one line.

    Shaping (kind mirror): `rtt_ms` ± `jitter_ms` per request and `connect_rtts` times per new
    connection (1 for TCP, 2 for TCP + TLS 1.3); `bandwidth_mbit` paces response bodies on one
    link shared by all connections (0: unlimited). Faults, each a probability per request:
    `p_502` (HTTP 502), `p_reset` (TCP RST before answering), `p_stall` (half the body,
    `stall_ms` of silence, then RST). `seed` makes the fault sequence reproducible.

    Private mirror (kind mirror): with `auth_user` set, every request needs HTTP basic auth
    with that user and the token (`$<auth_token_env>` when that variable is set, else
    `auth_token`); others get 401. `tls` serves HTTPS with a self-signed certificate made at
    start (`MirrorServer.ca_pem`): the go command sends .netrc credentials over https only.

    Tampering (kind mirror): `tamper: zip` serves every module zip with one file's content
    changed (a valid zip whose hash no go.sum line matches); `tamper: mod` does so for go.mod.
    """

    name: str = "local"
    kind: str = "mirror"
    description: str = ""
    rtt_ms: float = 0.0
    jitter_ms: float = 0.0
    connect_rtts: int = 1
    bandwidth_mbit: float = 0.0
    p_502: float = 0.0
    p_reset: float = 0.0
    p_stall: float = 0.0
    stall_ms: float = 0.0
    seed: int = 0
    upstream: str = ""
    chain: list[str] = field(default_factory=list)
    separator: str = ","
    url: str = ""
    probe_url: str = ""
    auth_user: str = ""
    auth_token: str = ""
    auth_token_env: str = ""
    tls: bool = False
    tamper: str = ""

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ValueError(f"proxy profile {self.name!r}: " + "; ".join(problems))

    def problems(self) -> list[str]:
        """What is inconsistent in this profile (empty when it is usable)."""
        out = []
        if self.kind not in KINDS:
            out.append(f"kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if self.kind == "chain" and (len(self.chain) < 2 or self.separator not in SEPARATORS):
            out.append("a chain needs at least two profiles and a separator ',' or '|'")
        if len(set(self.chain)) != len(self.chain):
            out.append("chain members must be distinct")
        if self.kind == "upstream" and not self.url:
            out.append("an upstream profile needs a url")
        if any(not 0 <= p <= 1 for p in (self.p_502, self.p_reset, self.p_stall)) or self.fault_total > 1:
            out.append("fault probabilities must be within [0, 1] and sum to at most 1")
        if min(self.rtt_ms, self.jitter_ms, self.bandwidth_mbit, self.stall_ms, self.connect_rtts) < 0:
            out.append("latencies, bandwidth and connect_rtts must not be negative")
        if self.tamper not in TAMPER_MODES:
            out.append(f"tamper must be one of {', '.join(repr(m) for m in TAMPER_MODES)}, not {self.tamper!r}")
        if self.auth_user and not (self.auth_token or self.auth_token_env):
            out.append("auth_user needs auth_token or auth_token_env")
        if (self.auth_token or self.auth_token_env) and not self.auth_user:
            out.append("auth_token and auth_token_env need auth_user")
        if self.kind != "mirror" and (self.auth_user or self.tls or self.tamper):
            out.append("auth, tls and tamper apply to kind mirror only")
        return out

    def credentials(self) -> tuple[str, str] | None:
        """(user, token) a private mirror demands, the token from `$auth_token_env` when set; else None."""
        if not self.auth_user:
            return None
        token = os.environ.get(self.auth_token_env, "") if self.auth_token_env else ""
        token = token or self.auth_token
        if not token:
            raise ValueError(f"proxy profile {self.name!r}: ${self.auth_token_env} is empty and no auth_token is set")
        return self.auth_user, token

    @property
    def fault_total(self) -> float:
        """Probability that a request meets some fault."""
        return self.p_502 + self.p_reset + self.p_stall

    def shape(self, seed: int | None = None) -> Shape:
        """The server-side numbers, optionally with another fault seed."""
        return Shape(
            rtt_ms=self.rtt_ms,
            jitter_ms=self.jitter_ms,
            connect_rtts=self.connect_rtts,
            bandwidth_mbit=self.bandwidth_mbit,
            p_502=self.p_502,
            p_reset=self.p_reset,
            p_stall=self.p_stall,
            stall_ms=self.stall_ms,
            seed=self.seed if seed is None else seed,
        )


@dataclass(frozen=True)
class ProxySetup:
    """A profile with its chain resolved: `members` are the profiles whose servers start, in GOPROXY order.

    For a mirror or upstream profile the only member is the profile itself.
    """

    profile: ProxyProfile
    members: tuple[ProxyProfile, ...]

    @classmethod
    def single(cls, profile: ProxyProfile) -> ProxySetup:
        """A setup of a profile that is not a chain."""
        if profile.kind == "chain":
            raise ValueError(f"profile {profile.name!r} is a chain: resolve its members (bench.options.proxy_setup)")
        return cls(profile, (profile,))

    @property
    def name(self) -> str:
        """The profile's name."""
        return self.profile.name
