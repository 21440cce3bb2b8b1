"""BuildKit builds through `docker buildx build` (the SDK cannot: docker/docker-py#2230), and the cache-state chores around them."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.engine import cli, sdk


@dataclass
class BuildRequest:
    """Everything one `docker buildx build` needs."""

    context: Path
    dockerfile: Path
    tag: str
    network: str = "host"
    build_args: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    cache_from: Sequence[str] = ()
    cache_to: Sequence[str] = ()
    secrets: Sequence[str] = ()
    push: bool = False
    timeout: float = 1200.0


@dataclass
class BuildResult:
    """What came back: wall seconds around the CLI, the rawjson stream, metadata, and the error if any."""

    wall_s: float
    rawjson: str
    metadata: dict[str, object]
    error: cli.DockerCLIError | None = None

    @property
    def ok(self) -> bool:
        """True when the build succeeded."""
        return self.error is None


def buildx_build(req: BuildRequest, metadata_file: Path) -> BuildResult:
    """Run one build with rawjson progress and a metadata file; failures come back, not raised."""
    args = [
        "buildx", "build", "--progress=rawjson", "--metadata-file", str(metadata_file),
        f"--network={req.network}", "-f", str(req.dockerfile), "-t", req.tag,
    ]
    for k, v in req.build_args.items():
        args += ["--build-arg", f"{k}={v}"]
    for k, v in req.labels.items():
        args += ["--label", f"{k}={v}"]
    for c in req.cache_from:
        args += ["--cache-from", c]
    for c in req.cache_to:
        args += ["--cache-to", c]
    for s in req.secrets:
        args += ["--secret", s]
    if req.push:
        args.append("--push")
    args.append(str(req.context))
    metadata_file.unlink(missing_ok=True)
    start = time.monotonic()
    try:
        done = cli.run(args, timeout=req.timeout)
        wall, stderr, error = time.monotonic() - start, done.stderr, None
    except cli.DockerCLIError as err:
        wall, stderr, error = time.monotonic() - start, err.stderr, err
    meta = json.loads(metadata_file.read_text()) if metadata_file.exists() and metadata_file.stat().st_size else {}
    return BuildResult(wall, stderr, meta, error)


def prune_builder_cache() -> None:
    """Remove the whole builder cache (cache-mount contents included): engine-wide, so callers announce it."""
    cli.run(["buildx", "prune", "-af"], timeout=600)


def remove_images(label: str) -> int:
    """Remove the images carrying `label` (key=value); only what the harness made. Returns how many."""
    images = sdk.client().images.list(filters={"label": label})
    for image in images:
        for tag in image.tags or [image.id]:
            cli.run(["image", "rm", "-f", tag], check=False, timeout=120)
    return len(images)


def remove_image(tag: str) -> None:
    """Remove one image the harness built (missing is fine)."""
    cli.run(["image", "rm", "-f", tag], check=False, timeout=120)


def startup_seconds(image: str, args: Sequence[str], runs: int, timeout: float) -> list[float]:
    """Wall seconds of `docker run --rm --network=none <image> <args>`, `runs` times."""
    times = []
    for _ in range(runs):
        start = time.monotonic()
        cli.run(["run", "--rm", "--network=none", image, *args], timeout=timeout)
        times.append(time.monotonic() - start)
    return times


def median(values: Sequence[float]) -> float | None:
    """Median, or None for no values."""
    return statistics.median(values) if values else None
