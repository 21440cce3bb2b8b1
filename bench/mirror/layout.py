"""Parse GOPROXY request paths into what to serve; anything odd is a BadRequest (HTTP 400).

Accepted shapes (after one percent-decoding; the go command sends `!` as `%21`):
    /<escaped module>/@v/list
    /<escaped module>/@v/<escaped version>.info | .mod | .zip
    /<escaped module>/@latest
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from bench.mirror.modpath import InvalidPath, check_module_path, check_version, unescape

KINDS = ("list", "info", "mod", "zip", "latest")
# Wire form after decoding: lowercase, digits, the path punctuation and `!` escapes.
_ESCAPED = re.compile(r"[a-z0-9.\-_~/!+@]+")
_QUERY = re.compile(r"[a-z0-9\-_~!+][a-z0-9.\-_~!+]*")


class BadRequest(ValueError):
    """A request path that is not a well-formed GOPROXY request."""


@dataclass(frozen=True)
class Request:
    """One GOPROXY request: `escaped_module` and `escaped_version` are also the on-disk names."""

    kind: str
    escaped_module: str
    escaped_version: str = ""

    @property
    def module(self) -> str:
        """The module path with its real case."""
        return unescape(self.escaped_module)

    @property
    def version(self) -> str:
        """The version with its real case ('' for list and latest)."""
        return unescape(self.escaped_version)

    def relpath(self) -> str:
        """Where the answer lives in a GOPROXY-layout directory (`@latest` is derived from `list`)."""
        if self.kind in ("list", "latest"):
            return f"{self.escaped_module}/@v/list"
        return f"{self.escaped_module}/@v/{self.escaped_version}.{self.kind}"

    def url_path(self) -> str:
        """The request path to ask an upstream proxy for the same thing."""
        if self.kind == "latest":
            return f"/{self.escaped_module}/@latest"
        return "/" + self.relpath()


def _decode(raw: str) -> str:
    path = urlsplit(raw).path if "://" in raw else raw.split("?", 1)[0].split("#", 1)[0]
    decoded = unquote(path, errors="strict")
    # A `%` left after one decoding is double encoding (`%252e`): never a proxy request.
    if "%" in decoded or "\\" in decoded or "\x00" in decoded:
        raise BadRequest(f"{raw!r}: encoded or forbidden characters")
    if not decoded.startswith("/") or not _ESCAPED.fullmatch(decoded[1:]):
        raise BadRequest(f"{raw!r}: characters outside the escaped module path alphabet")
    segments = decoded[1:].split("/")
    if any(s in ("", ".", "..") for s in segments):
        raise BadRequest(f"{raw!r}: empty, '.' or '..' path segment")
    return decoded[1:]


def _split(path: str) -> tuple[str, str]:
    if path.endswith("/@latest"):
        return path[: -len("/@latest")], "@latest"
    module, sep, tail = path.rpartition("/@v/")
    if not sep or "/" in tail:
        raise BadRequest(f"{path!r}: no /@v/ or /@latest part")
    return module, tail


def _check_module(escaped: str) -> None:
    try:
        check_module_path(unescape(escaped))
    except InvalidPath as err:
        raise BadRequest(str(err)) from None


def parse(raw: str) -> Request:
    """The Request for a raw HTTP request target; BadRequest if it is malformed or escapes the tree."""
    try:
        module, tail = _split(_decode(raw))
    except UnicodeDecodeError:
        raise BadRequest(f"{raw!r}: not UTF-8") from None
    _check_module(module)
    if tail == "@latest":
        return Request("latest", module)
    if tail == "list":
        return Request("list", module)
    version, dot, ext = tail.rpartition(".")
    if not dot or ext not in ("info", "mod", "zip"):
        raise BadRequest(f"{raw!r}: unknown file {tail!r}")
    try:
        check_version(unescape(version))
    except InvalidPath as err:
        # `go get M@branch` asks `<branch>.info`: a query we cannot resolve is "not here" (404),
        # while .mod and .zip are only ever asked with canonical versions.
        if ext != "info" or not _QUERY.fullmatch(version):
            raise BadRequest(str(err)) from None
    return Request(ext, module, version)
