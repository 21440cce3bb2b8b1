"""Load a plain YAML mapping into a dataclass through OmegaConf, so bad keys and types fail clearly."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from bench.errors import UsageError

T = TypeVar("T")


def load_dataclass(cls: type[T], path: Path) -> T:
    """`path` merged over `cls`'s defaults; unknown keys or wrong types raise UsageError naming the file."""
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    try:
        merged = OmegaConf.merge(OmegaConf.structured(cls), OmegaConf.load(path))
        return OmegaConf.to_object(merged)  # type: ignore[return-value]
    except (OmegaConfBaseException, ValueError) as err:
        first = str(err).strip().splitlines()[0]
        key = getattr(err, "full_key", None)
        raise UsageError(f"{path}: {key}: {first}" if key else f"{path}: {first}") from None


def names(directory: Path) -> list[str]:
    """The option names of a config group directory (YAML file stems)."""
    return sorted(p.stem for p in directory.glob("*.yaml"))
