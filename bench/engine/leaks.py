"""Search a local image for secret strings: every layer's files, the history, the config.

    findings = leaks.scan_image("bench-run/x:1", [token])
    assert not findings, leaks.describe(findings)

Three places a secret can end up in an image:
  - layers: `docker save` exports the image (a tar of blobs); every layer blob (plain or
    gzip tar) is read file by file, names, link targets and extended headers included; any
    other blob (config, manifests) is searched as raw bytes;
  - history: `image.history()` (CreatedBy records a RUN's build arguments, `|2 A=x B=y ...`),
    comments and tags;
  - config: the image's inspect attributes (Config.Env, Labels, Cmd, Entrypoint, ...).
Findings never repeat the secret: their details are redacted. A blob that cannot be read
(an unknown compression) raises LeakScanError rather than reporting "not found".
"""

from __future__ import annotations

import json
import tarfile
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from bench.engine import cli, sdk

CHUNK = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class LeakScanError(RuntimeError):
    """Part of the image could not be searched, so absence cannot be claimed."""


@dataclass(frozen=True)
class Finding:
    """One place a secret was found: `where` is layer, history or config; `secret` its index in the query."""

    where: str
    location: str
    secret: int

    def __str__(self) -> str:
        return f"secret #{self.secret} in {self.where}: {self.location}"


def scan_image(image: str, secrets: str | Sequence[str], *, tmp_dir: Path | None = None) -> list[Finding]:
    """Every place in `image` (a local name or id) where one of `secrets` occurs; empty when none does."""
    needles = [secrets] if isinstance(secrets, str) else list(secrets)
    if not needles or any(len(s) < 4 for s in needles):
        raise ValueError("give at least one secret, each at least 4 characters (short strings match by chance)")
    found = scan_metadata(image, needles)
    with tempfile.TemporaryDirectory(prefix="bench-leaks-", dir=tmp_dir) as tmp:
        archive = Path(tmp) / "image.tar"
        cli.run(["save", "-o", str(archive), image], timeout=900)
        found += scan_archive(archive, needles)
    return found


def scan_metadata(image: str, secrets: Sequence[str]) -> list[Finding]:
    """History entries and inspect attributes of `image` that contain a secret."""
    img = sdk.client().images.get(image)
    out: list[Finding] = []
    for i, entry in enumerate(img.history()):
        for key in ("CreatedBy", "Comment", "Tags"):
            text = json.dumps(entry.get(key)) if not isinstance(entry.get(key), str) else entry[key]
            for n, s in enumerate(secrets):
                if s in text:
                    out.append(Finding("history", f"entry {i} {key}: {_redact(text, secrets)[:200]}", n))
    for path, text in _strings(img.attrs, "attrs"):
        for n, s in enumerate(secrets):
            if s in text:
                out.append(Finding("config", f"{path}: {_redact(text, secrets)[:200]}", n))
    return out


def scan_archive(archive: Path, secrets: Sequence[str]) -> list[Finding]:
    """Findings in a `docker save` archive: layer files by path, other blobs (configs, manifests) as bytes."""
    needles = [s.encode() for s in secrets]
    out: list[Finding] = []
    with tarfile.open(archive) as outer:
        for member in outer:
            if not member.isfile():
                continue
            blob = outer.extractfile(member)
            assert blob is not None
            head = blob.read(512)
            blob.seek(0)
            name = member.name
            if head.startswith(ZSTD_MAGIC):
                raise LeakScanError(f"{name}: zstd-compressed layer; cannot search it")
            if head.startswith(GZIP_MAGIC) or _is_tar(head):
                out += [Finding("layer", f"{_short(name)}:{loc}", n) for loc, n in _scan_layer(blob, needles, name)]
            else:
                where = _blob_kind(blob, member.size)
                out += [Finding(where, f"{_short(name)} ({where} blob)", n) for n in _scan_stream(blob, needles)]
    return out


def describe(findings: Iterable[Finding]) -> str:
    """One line per finding."""
    return "\n".join(str(f) for f in findings) or "no secret found"


def _scan_layer(blob: IO[bytes], needles: Sequence[bytes], name: str) -> Iterator[tuple[str, int]]:
    try:
        with tarfile.open(fileobj=blob, mode="r|*") as layer:
            for entry in layer:
                meta = "\0".join([entry.name, entry.linkname, *(f"{k}={v}" for k, v in entry.pax_headers.items())])
                for n, s in enumerate(needles):
                    if s in meta.encode("utf-8", "surrogateescape"):
                        yield f"{entry.name} (name or header)", n
                if entry.isfile():
                    data = layer.extractfile(entry)
                    if data is not None:
                        for n in _scan_stream(data, needles):
                            yield entry.name, n
    except (tarfile.TarError, OSError, EOFError) as err:
        raise LeakScanError(f"{name}: not a readable layer tar ({err})") from None


def _scan_stream(stream: IO[bytes], needles: Sequence[bytes]) -> list[int]:
    """Indexes of the needles in a stream, read in chunks that overlap by the longest needle."""
    keep = max(len(n) for n in needles) - 1
    found: set[int] = set()
    tail = b""
    while chunk := stream.read(CHUNK):
        buf = tail + chunk
        for i, needle in enumerate(needles):
            if i not in found and needle in buf:
                found.add(i)
        if len(found) == len(needles):
            break
        tail = buf[-keep:] if keep else b""
    return sorted(found)


def _is_tar(head: bytes) -> bool:
    return len(head) >= 262 and head[257:262] == b"ustar"


def _blob_kind(blob: IO[bytes], size: int) -> str:
    """"config" for an image config JSON, "manifest" for other JSON (index, manifests), else "layer"."""
    if size > 16 << 20:
        return "layer"
    try:
        doc = json.loads(blob.read())
    except ValueError:
        doc = None
    finally:
        blob.seek(0)
    if not isinstance(doc, (dict, list)):
        return "layer"
    return "config" if isinstance(doc, dict) and "rootfs" in doc else "manifest"


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, f"{path}.{k}")
            yield f"{path} (key)", str(k)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, f"{path}[{i}]")
    elif value is not None:
        yield path, str(value)


def _redact(text: str, secrets: Sequence[str]) -> str:
    for s in secrets:
        text = text.replace(s, "***")
    return text


def _short(blob_name: str) -> str:
    """`blobs/sha256/0123456789ab...` -> `sha256:0123456789ab`."""
    parts = blob_name.split("/")
    return f"{parts[-2]}:{parts[-1][:12]}" if len(parts) >= 3 and parts[0] == "blobs" else blob_name

