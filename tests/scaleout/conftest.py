"""Fixtures of the scale-out rehearsal: a second engine and a Dask cluster with one worker per engine.

Both are this session's own, started here and stopped by pid at the end. The main engine is
host `default`: jobs placed there build `project=hello` with `cache=warm` (no prune, nothing
removed but the run's own images), so the other tests that use it are not disturbed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench import bases
from bench.distributed import cluster
from bench.engine import instances, setup

from .helpers import HOST_B, mounts_under


@pytest.fixture(scope="session")
def engine_b(base_images: object) -> Iterator[instances.Instance]:
    """A second dockerd with the base images `project=hello` needs; unmounted and removed afterwards."""
    inst = instances.instance(HOST_B)
    instances.stop(inst)  # what a killed earlier session may have left
    keys = ["debian-bookworm", "runtime-static", f"builder-go{bases.DEFAULT_GO}"]
    setup.start_instance(HOST_B, [bases.RECIPES[k].image for k in keys], say=lambda _m: None, tmpfs_gb=6)
    yield inst
    instances.stop(inst)
    assert not inst.dir.exists() and not mounts_under(inst.dir), "the instance left state or mounts behind"


@pytest.fixture(scope="session")
def dask_cluster(engine_b: instances.Instance, tmp_path_factory: pytest.TempPathFactory) -> Iterator[cluster.Cluster]:
    """A scheduler and one worker per engine (default and HOST_B), all on 127.0.0.1."""
    c = cluster.Cluster(tmp_path_factory.mktemp("cluster"))
    cluster.start(c, [cluster.DEFAULT_HOST, HOST_B], say=lambda _m: None)
    yield c
    cluster.stop(c)
