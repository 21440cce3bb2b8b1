"""The host's Debian package archive: where it is, and private-state apt downloads from other suites."""

from __future__ import annotations

import glob
import os
import subprocess
from pathlib import Path

from bench.errors import UsageError

SOURCES_DIR = Path("/etc/apt/sources.list.d")
SOURCES_LIST = Path("/etc/apt/sources.list")
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"


def archive_url(sources_dir: Path = SOURCES_DIR, sources_list: Path = SOURCES_LIST) -> str:
    """The URL of the Debian archive this machine's apt uses for its main suite.

    Read from apt's own sources (deb822 `.sources` files and one-line `.list` files) so
    that no mirror host is ever hard-coded; BENCH_DEBIAN_ARCHIVE overrides it.
    """
    override = os.environ.get("BENCH_DEBIAN_ARCHIVE")
    if override:
        return override.rstrip("/")
    for path in sorted(sources_dir.glob("*.sources")):
        for stanza in path.read_text().split("\n\n"):
            fields = _deb822(stanza)
            suites = fields.get("suites", "").split()
            if "deb" in fields.get("types", "").split() and any(
                s in ("bookworm", "trixie", "stable") for s in suites
            ):
                return fields["uris"].split()[0].rstrip("/")
    for path in [sources_list, *sorted(sources_dir.glob("*.list"))]:
        if not path.exists():
            continue
        for line in path.read_text().splitlines():
            parts = [p for p in line.split() if not p.startswith("[")]
            if len(parts) >= 3 and parts[0] == "deb" and parts[2] in ("bookworm", "trixie", "stable"):
                return parts[1].rstrip("/")
    raise UsageError(
        "no Debian archive found in /etc/apt/sources.list*; set BENCH_DEBIAN_ARCHIVE to the archive URL"
    )


def _deb822(stanza: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in stanza.splitlines():
        if line.startswith("#") or ":" not in line or line[:1].isspace():
            continue
        key, _, value = line.partition(":")
        fields[key.strip().lower()] = value.strip()
    return fields


def download_from_suite(suite: str, packages: list[str], state_dir: Path, dest: Path) -> list[Path]:
    """Download .deb files of `packages` from another suite with a private apt state.

    The system's sources and lists stay untouched: apt reads a source list of ours and
    keeps its lists and caches under `state_dir`.
    """
    lists = state_dir / "lists"
    cache = state_dir / "cache"
    for d in (lists / "partial", cache / "archives" / "partial", dest):
        d.mkdir(parents=True, exist_ok=True)
    source_list = state_dir / "sources.list"
    source_list.write_text(f"deb [signed-by={KEYRING}] {archive_url()} {suite} main\n")
    opts = [
        "-o", f"Dir::Etc::sourcelist={source_list}",
        "-o", "Dir::Etc::sourceparts=-",
        "-o", f"Dir::State::Lists={lists}",
        "-o", f"Dir::Cache={cache}",
        "-o", "APT::Get::List-Cleanup=0",
    ]
    _apt(["apt-get", *opts, "update"])
    for old in dest.glob("*.deb"):
        old.unlink()
    _apt(["apt-get", *opts, "download", *packages], cwd=dest)
    return sorted(dest.glob("*.deb"))


def download(package: str, dest: Path) -> Path:
    """Download one package of the system's own suites into `dest` (no install, no maintainer scripts)."""
    _apt(["apt-get", "download", package], cwd=dest)
    found = sorted(dest.glob(f"{package}_*.deb"))
    if not found:
        raise UsageError(f"apt-get download {package} produced no .deb")
    return found[-1]


def install(args: list[str], update: bool = True) -> None:
    """`apt-get install -y` on the host (root only), refreshing the lists first."""
    if update:
        _apt(["apt-get", "update"])
    _apt(["apt-get", "install", "-y", "--no-install-recommends", *args])


def installed_version(package: str) -> str | None:
    """The installed version of a Debian package, or None."""
    proc = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Status}\t${Version}", package],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return None
    status, _, version = proc.stdout.partition("\t")
    return version if status.endswith("installed") and not status.startswith("deinstall") else None


def is_debian() -> bool:
    """True on a Debian-family host where apt can be used."""
    return Path("/etc/debian_version").exists() and bool(glob.glob("/usr/bin/apt-get"))


def _apt(argv: list[str], cwd: Path | None = None) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise UsageError(f"{' '.join(argv[:2])} ... {argv[-1]} failed (exit {proc.returncode}): {tail}")
