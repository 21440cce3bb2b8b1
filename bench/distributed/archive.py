"""A run directory as bytes (gzip'd tar) and back: how a host's results reach the one results tree.

Left out: `work/` (scratch copies of the project) and `cache/` (a run's local cache exports,
which can be hundreds of MB and mean nothing away from the host's engine).
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

LEFT_OUT = ("work", "cache")


def pack(run_dir: Path) -> bytes:
    """The run directory's files (rows, manifest, Dockerfiles, report) as a gzip'd tar."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=6) as tar:
        for path in sorted(run_dir.rglob("*")):
            rel = path.relative_to(run_dir)
            if rel.parts[0] in LEFT_OUT or not path.is_file():
                continue
            tar.add(path, arcname=str(rel), recursive=False)
    return buf.getvalue()


def unpack(data: bytes, dest: Path) -> list[str]:
    """Write the archive's files into `dest` (over older copies of the same files); returns their names."""
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        names = tar.getnames()
        tar.extractall(dest, filter="data")  # no absolute paths, no '..', no devices
    return names
