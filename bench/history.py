"""Which saved runs may be compared with which: the identity of a run, and what is not history.

Two runs are comparable only when they measured the same thing on the same kind of machine:
the same scenario, the same variants with the same axis values (project and its path
included), and the same host and engine (hostname, CPU model and count, engine, BuildKit and
buildx versions). Dry runs measured nothing and are never history; runs under a `samples/`
folder are examples, left out unless asked for; a run whose process never finished
(`status: running`) is not the newest of anything.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd

# Manifest fields (flattened by json_normalize) that make up a run's identity.
IDENTITY_PREFIXES = ("choices.", "config.project.", "config.compare.")
HOST_FACTS = (
    "hostname", "engine_id", "cpu_model", "host_cpus", "engine_cpus", "engine_mem_bytes", "engine_version",
    "buildkit_version", "buildx_version", "pkg_docker_io", "pkg_docker_buildx", "image_store",
)
UNFINISHED = ("running",)


@dataclass(frozen=True)
class RunGroup:
    """Runs of one identity, oldest first."""

    scenario: str
    identity: str
    host: str
    run_ids: tuple[str, ...]

    @property
    def newest(self) -> str:
        """The newest run of the group."""
        return self.run_ids[-1]


def identity(manifest: pd.Series) -> str:
    """A stable text naming everything that must match for two runs to be compared."""
    keys: dict[str, Any] = {"scenario": manifest.get("scenario"), "variants": _plain(manifest.get("variants"))}
    for col, value in manifest.items():
        name = str(col)
        if name.startswith(IDENTITY_PREFIXES) or name.removeprefix("engine.") in HOST_FACTS and name.startswith("engine."):
            keys[name] = _plain(value)
    return json.dumps(keys, sort_keys=True, default=str)


def host_of(manifest: pd.Series) -> str:
    """The host a run measured on (hostname and CPU model, where recorded)."""
    parts = [manifest.get("host") or manifest.get("engine.hostname"), manifest.get("engine.cpu_model"),
             manifest.get("engine.docker_host")]
    return " / ".join(str(p) for p in parts if isinstance(p, str) and p) or "unknown host"


def history(manifests: pd.DataFrame, builds: pd.DataFrame, include_samples: bool = False) -> pd.DataFrame:
    """The manifests that are history: measured (not dry runs), finished, and not samples unless asked."""
    if manifests.empty:
        return manifests
    m = manifests.copy()
    dry = m.get("dry_run", pd.Series(False, index=m.index)).fillna(False).astype(bool)
    dry |= m["run_id"].map(lambda r: _only_dry(builds, r))
    keep = ~dry & ~m.get("status", pd.Series("", index=m.index)).isin(UNFINISHED)
    if not include_samples:
        keep &= ~m["run_dir"].astype(str).str.contains("/samples/", regex=False)
    return m[keep]


def groups(manifests: pd.DataFrame) -> Iterator[RunGroup]:
    """The runs of each identity, oldest first; one group per scenario, variants, host and engine."""
    if manifests.empty:
        return
    m = manifests.assign(_identity=manifests.apply(identity, axis=1)).sort_values("started_at")
    for ident, g in m.groupby("_identity", sort=False):
        first = g.iloc[-1]
        yield RunGroup(str(first["scenario"]), str(ident), host_of(first), tuple(g["run_id"]))


def _only_dry(builds: pd.DataFrame, run_id: str) -> bool:
    rows = builds[builds["run_id"] == run_id] if not builds.empty else builds
    return bool(len(rows)) and bool((rows["status"] == "dry_run").all())


def _plain(value: Any) -> Any:
    if isinstance(value, float) and pd.isna(value):
        return None
    if hasattr(value, "tolist"):
        return value.tolist()
    return value
