"""Module zips that follow the golang.org/x/mod `zip` rules, byte-for-byte reproducible."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Collection, Mapping

from bench.mirror.modpath import check_module_path, check_version

MAX_SIZE = 500 << 20  # golang.org/x/mod/zip MaxZipFile and MaxGoMod cap whole zips at 500 MiB
# A fixed timestamp keeps zip bytes (and so sizes, counters and ETags) identical across runs;
# the h1 hash ignores it anyway.
FIXED_TIME = (2024, 1, 1, 0, 0, 0)


class ZipRuleError(ValueError):
    """A file set that the go command would refuse as a module zip."""


def check_files(module: str, version: str, names: list[str]) -> None:
    """Raise ZipRuleError if the relative file names break the module zip rules."""
    check_module_path(module)
    check_version(version)
    folded: set[str] = set()
    for name in names:
        parts = name.split("/")
        if not name or name.startswith("/") or "\\" in name or any(p in ("", ".", "..") for p in parts):
            raise ZipRuleError(f"{name!r}: not a clean relative path")
        if parts[-1] == "go.mod" and len(parts) > 1:
            raise ZipRuleError(f"{name!r}: go.mod only at the module root")
        if name.lower() in folded:
            raise ZipRuleError(f"{name!r}: collides with another file under case folding")
        folded.add(name.lower())


def create(module: str, version: str, files: Mapping[str, bytes], stored: Collection[str] = ()) -> bytes:
    """The zip for `module@version` holding `files` (relative name -> content).

    Names in `stored` are stored uncompressed (incompressible data: deflate would only cost time).
    """
    names = sorted(files)
    check_files(module, version, names)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            info = zipfile.ZipInfo(f"{module}@{version}/{name}", date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, so the mode bits above mean what they say
            zf.writestr(info, files[name])
    data = buf.getvalue()
    if len(data) > MAX_SIZE or sum(len(c) for c in files.values()) > MAX_SIZE:
        raise ZipRuleError(f"{module}@{version}: larger than 500 MiB")
    return data
