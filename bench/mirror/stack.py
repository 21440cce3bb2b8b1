"""Start what a proxy profile needs and compose the GOPROXY value the go command gets.

    with stack.start(options.proxy_setup("flaky_pipe"), corpus_dir, seed=3) as proxy:
        with proxy.measure() as m:
            ...  # build with GOPROXY=proxy.goproxy
        row.update(m.row())

`upstream` profiles start nothing; where their URL does not answer, start() raises
ProxyUnavailable with one line for the runner to record as "skipped".
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from bench.mirror import auth
from bench.mirror.cache import CachingStore
from bench.mirror.counters import Snapshot
from bench.mirror.profiles import ProxyProfile, ProxySetup
from bench.mirror.server import MirrorServer
from bench.mirror.store import DirectoryStore, Store, TamperingStore


class ProxyUnavailable(Exception):
    """A profile's upstream cannot be reached: the scenario is skipped, not crashed."""


def probe(url: str, timeout: float = 3.0) -> str | None:
    """None when `url` answers HTTP at all (any status), else a one-line reason."""
    try:
        with urllib.request.urlopen(url, timeout=timeout):
            return None
    except urllib.error.HTTPError:
        return None  # it answered; a 404 on the root is still a live proxy
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = " ".join(str(getattr(err, "reason", err)).split())  # one line, whatever the OS said
        return f"{url} unreachable ({reason})"


def servable_root(path: Path) -> Path:
    """A GOPROXY-layout directory: `path` itself, or `path/cache/download` for a GOMODCACHE."""
    download = path / "cache" / "download"
    return download if download.is_dir() else path


@dataclass
class StackMeasurement:
    """Counters of every server of a stack over one `measure()` block, by member name."""

    result: dict[str, Snapshot] = field(default_factory=dict)

    def total(self) -> Snapshot | None:
        """Every member's counters added up (a chain's servers together); None when nothing was measured."""
        snaps = list(self.result.values())
        return sum(snaps[1:], snaps[0]) if snaps else None

    def row(self, prefix: str = "mirror_") -> dict[str, int | float]:
        """Flat columns; a chain's members get their name in the prefix (`mirror_flaky_faults_reset`)."""
        if len(self.result) == 1:
            return next(iter(self.result.values())).as_row(prefix)
        out: dict[str, int | float] = {}
        for name, snap in self.result.items():
            out.update(snap.as_row(f"{prefix}{name}_"))
        return out


@dataclass
class ProxyStack:
    """The running servers of one profile and the GOPROXY value that reaches them."""

    profile: ProxyProfile
    goproxy: str
    servers: dict[str, MirrorServer]

    def stop(self) -> None:
        """Stop every server."""
        for server in self.servers.values():
            server.stop()

    def __enter__(self) -> ProxyStack:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def credentials(self) -> tuple[str, str] | None:
        """(user, token) of the first server that demands basic auth (a private profile), else None."""
        return next((s.credentials for s in self.servers.values() if s.credentials), None)

    @property
    def ca_pem(self) -> bytes | None:
        """The certificates to trust for the HTTPS servers (a private profile), else None."""
        return b"".join(s.ca_pem for s in self.servers.values() if s.ca_pem) or None

    def netrc(self) -> str | None:
        """A .netrc with the credentials of every server that demands them, else None."""
        text = "".join(auth.netrc_text(s.url, *s.credentials) for s in self.servers.values() if s.credentials)
        return text or None

    def restart_faults(self, round_key: str) -> None:
        """Every server's fault and jitter sequences start afresh for this round (see `Shaper.restart`)."""
        for server in self.servers.values():
            server.shaper.restart(round_key)

    def snapshot(self) -> dict[str, Snapshot]:
        """Counters of every server now."""
        return {name: s.counters.snapshot() for name, s in self.servers.items()}

    @contextmanager
    def measure(self) -> Iterator[StackMeasurement]:
        """Attribute every server's counters to one build."""
        out = StackMeasurement()
        with ExitStack() as stack:
            parts = {name: stack.enter_context(s.counters.measure()) for name, s in self.servers.items()}
            yield out
        out.result = {name: m.result for name, m in parts.items() if m.result is not None}


def _store_for(profile: ProxyProfile, root: Path | None, store_dir: Path | None, timeout: float) -> Store:
    if profile.upstream:
        if store_dir is None:
            raise ValueError(f"profile {profile.name!r} is a caching mirror: give it a store directory")
        # Only an empty store needs the upstream now; a filled one serves offline.
        if not any(store_dir.glob("*")) and (reason := probe(profile.upstream, timeout)):
            raise ProxyUnavailable(f"{profile.name}: {reason}; scenario skipped")
        return CachingStore(profile.upstream, store_dir)
    if root is None:
        raise ValueError(f"profile {profile.name!r} serves a directory: give it one")
    return DirectoryStore(servable_root(root))


def _start_member(
    profile: ProxyProfile, root: Path | None, store_dir: Path | None, seed: int | None, timeout: float, port: int = 0
) -> tuple[str, MirrorServer | None]:
    if profile.kind == "upstream":
        target = profile.probe_url or profile.url
        if target not in ("direct", "off") and (reason := probe(target, timeout)):
            raise ProxyUnavailable(f"{profile.name}: {reason}; scenario skipped")
        return profile.url, None
    if profile.kind != "mirror":
        raise ValueError(f"profile {profile.name!r}: a chain member must be a mirror or an upstream")
    source = _store_for(profile, root, store_dir, timeout)
    store = TamperingStore(source, profile.tamper) if profile.tamper else source
    server = MirrorServer(
        store, shape=profile.shape(seed), name=profile.name, port=port,
        credentials=profile.credentials(), tls=profile.tls,
    ).start()
    if isinstance(source, CachingStore):
        source.on_fetch = server.counters.upstream
    return server.url, server


def start(
    setup: ProxySetup | ProxyProfile,
    root: Path | None = None,
    *,
    store_dir: Path | None = None,
    seed: int | None = None,
    probe_timeout: float = 3.0,
    port: int = 0,
) -> ProxyStack:
    """Start the servers a profile needs over `root` (a corpus, a GOPROXY tree or a GOMODCACHE).

    A chain must come as a `ProxySetup` with its members resolved (bench.options.proxy_setup).
    `store_dir` is the store of a caching mirror; `seed` overrides every member's fault seed;
    `port` fixes the port of a single-server profile (default: a free one).
    Raises ProxyUnavailable (one line) when an upstream does not answer.
    """
    setup = setup if isinstance(setup, ProxySetup) else ProxySetup.single(setup)
    prof, members = setup.profile, setup.members
    if port and len(members) > 1:
        raise ValueError(f"profile {prof.name!r} starts several servers: a fixed port does not fit")
    servers: dict[str, MirrorServer] = {}
    urls: list[str] = []
    try:
        for member in members:
            url, server = _start_member(member, root, store_dir, seed, probe_timeout, port)
            urls.append(url)
            if server is not None:
                servers[member.name] = server
    except BaseException:
        for server in servers.values():
            server.stop()
        raise
    return ProxyStack(prof, prof.separator.join(urls) if prof.kind == "chain" else urls[0], servers)
