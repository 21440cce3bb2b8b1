"""Module paths and versions as the GOPROXY protocol spells them (golang.org/x/mod `module`).

On the wire and on disk every uppercase letter is written `!` + lowercase, so that
case-insensitive file systems cannot confuse `Azure` and `azure`.
"""

from __future__ import annotations

import re
from functools import cmp_to_key

# Characters module.CheckPath allows in a path element (besides the `/` separator).
_PATH_CHARS = re.compile(r"[A-Za-z0-9.\-_~]+")
_SEMVER = re.compile(
    r"v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
)


class InvalidPath(ValueError):
    """A module path or version that the protocol cannot contain."""


def escape(text: str) -> str:
    """Case-encode a module path or version: `github.com/Azure` -> `github.com/!azure`."""
    if "!" in text:
        raise InvalidPath(f"{text!r}: '!' cannot appear in a module path or version")
    return re.sub(r"[A-Z]", lambda m: "!" + m.group(0).lower(), text)


def unescape(text: str) -> str:
    """Undo `escape`; an uppercase letter or a dangling `!` in the input is invalid."""
    if re.search(r"[A-Z]", text):
        raise InvalidPath(f"{text!r}: escaped text has an uppercase letter")
    if re.search(r"!(?![a-z])", text):
        raise InvalidPath(f"{text!r}: '!' must be followed by a lowercase letter")
    return re.sub(r"!([a-z])", lambda m: m.group(1).upper(), text)


def check_module_path(path: str) -> None:
    """Raise InvalidPath unless `path` is a plausible module path (the subset we serve)."""
    elems = path.split("/")
    if not path or any(not e or e in (".", "..") for e in elems):
        raise InvalidPath(f"{path!r}: empty, '.' or '..' path element")
    for elem in elems:
        if not _PATH_CHARS.fullmatch(elem) or elem.startswith(".") or elem.endswith("."):
            raise InvalidPath(f"{path!r}: bad path element {elem!r}")
    if "." not in elems[0]:
        raise InvalidPath(f"{path!r}: first element is not a domain name")


def check_version(version: str) -> None:
    """Raise InvalidPath unless `version` is a canonical semantic version (`v1.2.3[-pre][+incompatible]`)."""
    m = _SEMVER.fullmatch(version)
    if not m or (m.group(5) is not None and m.group(5) != "incompatible"):
        raise InvalidPath(f"{version!r}: not a canonical semantic version")


def _prerelease_key(pre: str) -> list[tuple[int, int | str]]:
    # Numeric identifiers sort before alphanumeric ones and compare as numbers.
    return [(0, int(p)) if p.isdigit() else (1, p) for p in pre.split(".")]


def compare_versions(a: str, b: str) -> int:
    """Semantic-version order (-1, 0, 1), like golang.org/x/mod/semver.Compare on valid input."""
    ma, mb = _SEMVER.fullmatch(a), _SEMVER.fullmatch(b)
    if not ma or not mb:
        raise InvalidPath(f"cannot compare {a!r} and {b!r}")
    core_a = tuple(int(x) for x in ma.group(1, 2, 3))
    core_b = tuple(int(x) for x in mb.group(1, 2, 3))
    if core_a != core_b:
        return -1 if core_a < core_b else 1
    pa, pb = ma.group(4), mb.group(4)
    if pa == pb:
        return 0
    if pa is None or pb is None:  # a release sorts after its prereleases
        return 1 if pa is None else -1
    ka, kb = _prerelease_key(pa), _prerelease_key(pb)
    return (ka > kb) - (ka < kb)


def sort_versions(versions: list[str]) -> list[str]:
    """Versions in ascending semantic-version order."""
    return sorted(versions, key=cmp_to_key(compare_versions))


def latest(versions: list[str]) -> str | None:
    """What `@latest` answers: the highest release, else the highest prerelease."""
    ordered = sort_versions(versions)
    releases = [v for v in ordered if "-" not in v]
    candidates = releases or ordered
    return candidates[-1] if candidates else None
