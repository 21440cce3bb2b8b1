"""go.sum `h1:` hashes (golang.org/x/mod `sumdb/dirhash` Hash1) and go.sum lines.

Hash1: sort the file names bytewise; for each, the line `<sha256 hex>  <name>\\n`;
the hash is `h1:` + base64(sha256(all lines)). A zip is hashed by the names it stores
(prefix included); a go.mod alone is hashed as one file named literally `go.mod`.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from collections.abc import Iterable
from functools import cmp_to_key
from pathlib import Path

from bench.mirror.modpath import compare_versions


def hash1(files: Iterable[tuple[str, bytes]]) -> str:
    """Hash1 of (name, content) pairs; names must be unique and free of newlines."""
    entries = sorted(files, key=lambda f: f[0].encode())
    summary = io.BytesIO()
    for name, content in entries:
        if "\n" in name:
            raise ValueError(f"file name {name!r} contains a newline")
        summary.write(f"{hashlib.sha256(content).hexdigest()}  {name}\n".encode())
    return "h1:" + base64.b64encode(hashlib.sha256(summary.getvalue()).digest()).decode()


def hash_gomod(content: bytes) -> str:
    """The hash on a go.sum `/go.mod` line."""
    return hash1([("go.mod", content)])


def hash_zip(zip_file: Path | bytes) -> str:
    """The hash on a go.sum module line: every file of the module zip, by its stored name."""
    source = io.BytesIO(zip_file) if isinstance(zip_file, bytes) else zip_file
    with zipfile.ZipFile(source) as zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        return hash1((i.filename, zf.read(i)) for i in infos)


def gosum_lines(module: str, version: str, *, zip_hash: str | None, mod_hash: str) -> list[str]:
    """The go.sum lines for one module version; `zip_hash` None means only its go.mod was needed."""
    lines = [f"{module} {version}/go.mod {mod_hash}"]
    if zip_hash is not None:
        lines.insert(0, f"{module} {version} {zip_hash}")
    return lines


def _line_key(line: str) -> tuple[str, str]:
    module, version, _ = line.split(" ")
    return module, version


def _compare_lines(a: str, b: str) -> int:
    # golang.org/x/mod module.Sort: path bytewise, then semver with `/go.mod` as a tie-breaker.
    (pa, va), (pb, vb) = _line_key(a), _line_key(b)
    if pa != pb:
        return -1 if pa.encode() < pb.encode() else 1
    base_a, _, suffix_a = va.partition("/")
    base_b, _, suffix_b = vb.partition("/")
    return compare_versions(base_a, base_b) or (suffix_a > suffix_b) - (suffix_a < suffix_b)


def format_gosum(lines: Iterable[str]) -> str:
    """A go.sum file body in the order the go command writes it (duplicates dropped)."""
    unique = sorted(set(lines), key=cmp_to_key(_compare_lines))
    return "".join(line + "\n" for line in unique)
