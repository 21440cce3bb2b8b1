"""BuildKit builds through `docker buildx build` (the SDK cannot: docker/docker-py#2230), and the cache-state chores around them."""

from __future__ import annotations

import json
import statistics
import time
import uuid
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
    build_contexts: Mapping[str, str] = field(default_factory=dict)  # name -> docker-image://... (named contexts)
    target: str = ""
    provenance: bool = True  # False: --provenance=false (no attestation: a plain image)
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


def buildx_argv(req: BuildRequest, *, progress: str = "rawjson", metadata_file: Path | None = None) -> list[str]:
    """The `docker buildx build` arguments for a request: the one place they are assembled."""
    args = ["buildx", "build", f"--progress={progress}"]
    if metadata_file is not None:
        args += ["--metadata-file", str(metadata_file)]
    args += [f"--network={req.network}", "-f", str(req.dockerfile), "-t", req.tag]
    if req.target:
        args += ["--target", req.target]
    if not req.provenance:
        args.append("--provenance=false")
    for flag, values in (
        ("--build-arg", [f"{k}={v}" for k, v in req.build_args.items()]),
        ("--label", [f"{k}={v}" for k, v in req.labels.items()]),
        ("--build-context", [f"{k}={v}" for k, v in req.build_contexts.items()]),
        ("--cache-from", list(req.cache_from)),
        ("--cache-to", list(req.cache_to)),
        ("--secret", list(req.secrets)),
    ):
        for value in values:
            args += [flag, value]
    if req.push:
        args.append("--push")
    return [*args, str(req.context)]


def buildx_build(req: BuildRequest, metadata_file: Path) -> BuildResult:
    """Run one build with rawjson progress and a metadata file; failures come back, not raised."""
    args = buildx_argv(req, metadata_file=metadata_file)
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


@dataclass(frozen=True)
class StartupRun:
    """One timed container run: the wall time of `docker run` and the container's own start-to-exit."""

    wall_s: float
    process_s: float | None


def run_container(image: str, args: Sequence[str], timeout: float) -> StartupRun:
    """`docker run --network=none <image> <args>` timed from outside, and its state timestamps read back."""
    name = f"bench-startup-{uuid.uuid4().hex[:12]}"
    start = time.monotonic()
    try:
        cli.run(["run", "--name", name, "--network=none", image, *args], timeout=timeout)
        wall = time.monotonic() - start
        started, finished = sdk.container_times(name)
    finally:
        cli.run(["rm", "-f", name], check=False, timeout=120)
    process = (finished - started).total_seconds() if started and finished else None
    return StartupRun(wall, process)


def startup_pairs(
    image: str, args: Sequence[str], baseline: str, baseline_args: Sequence[str], runs: int, timeout: float
) -> list[tuple[StartupRun, StartupRun]]:
    """`runs` pairs of (image run, empty-container run), interleaved so drift hits both alike."""
    return [(run_container(image, args, timeout), run_container(baseline, baseline_args, timeout)) for _ in range(runs)]


def median(values: Sequence[float]) -> float | None:
    """Median, or None for no values."""
    return statistics.median(values) if values else None


def bare_build_seconds(req: BuildRequest) -> float:
    """A bare `docker buildx build` of the request, timed around the CLI: quiet progress, no metadata file.

    Same arguments otherwise (build args, labels, contexts), so it meets the same cache; what the
    harness adds on top (the rawjson stream, the metadata file) shows as the difference to a
    `buildx_build` of the same request. Raises DockerCLIError when it fails.
    """
    args = buildx_argv(req, progress="quiet")
    start = time.monotonic()
    cli.run(args, timeout=req.timeout)
    return time.monotonic() - start
