"""The one loader of axis options: conf/<axis>/<name>.yaml as a typed, checked object.

Hydra composes the selected options of a run; the options a run *compares*
(`compare.strategy=[...]`) and the members of a proxy chain are loaded here, merged over
the same schemas Hydra uses, and converted once into dataclass instances.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from omegaconf import DictConfig, OmegaConf, open_dict
from omegaconf.errors import OmegaConfBaseException

from bench.config import GROUP_SCHEMAS, BenchConfig
from bench.errors import UsageError
from bench.mirror.profiles import ProxyProfile, ProxySetup
from bench.paths import CONF_DIR

T = TypeVar("T")

# Config directories searched after conf/ (Hydra's `hydra.searchpath=[file://...]`): options of your own.
_EXTRA: list[Path] = []


def use_searchpath(entries: list[str]) -> None:
    """Also find options in the `file://` entries of Hydra's search path, as Hydra itself does."""
    _EXTRA[:] = [Path(e.removeprefix("file://")).expanduser() for e in entries if not e.startswith("pkg://")]


def _folders(group: str) -> list[Path]:
    return [CONF_DIR / group, *(d / group for d in _EXTRA)]


def names(group: str) -> list[str]:
    """The option names of a config group (its YAML files, in conf/ and the search path)."""
    return sorted({p.stem for d in _folders(group) for p in d.glob("*.yaml")})


def load(group: str, name: str, key: str | None = None, directory: Path | None = None) -> Any:
    """One option of `group` as its schema's dataclass; UsageError (one line) when absent or malformed.

    `key` names the setting that asked for it in the error (default `compare.<group>`);
    `directory` replaces conf/<group> (tests, or options kept elsewhere).
    """
    folders = [directory] if directory else _folders(group)
    path = next((d / f"{name}.yaml" for d in folders if (d / f"{name}.yaml").is_file()), folders[0] / f"{name}.yaml")
    if not path.is_file():
        known = ", ".join(sorted({p.stem for d in folders for p in d.glob("*.yaml")}))
        raise UsageError(f"{key or 'compare.' + group}: {name!r} is not an option; allowed: {known}")
    node = OmegaConf.load(path)
    if not isinstance(node, DictConfig):
        raise UsageError(f"{path}: not a mapping of settings")
    node.pop("defaults", None)
    if node.get("name", name) != name:
        raise UsageError(f"{path}: name {node.get('name')!r} does not match the file name")
    try:
        merged = OmegaConf.merge(OmegaConf.structured(GROUP_SCHEMAS[group]), node)
    except OmegaConfBaseException as err:
        raise UsageError(f"{path}: {getattr(err, 'full_key', '') or group}: {_first_line(err)}") from None
    assert isinstance(merged, DictConfig)
    return typed(group, merged, label=f"{group}={name}")


def typed(group: str, node: DictConfig, label: str | None = None) -> Any:
    """Convert a composed group node to its dataclass; the dataclass's own checks become one-line errors."""
    name = node.get("name", "?") if isinstance(node, DictConfig) else "?"
    try:
        return OmegaConf.to_object(node)
    except OmegaConfBaseException as err:
        key = getattr(err, "full_key", None) or group
        raise UsageError(f"{label or group}: {key}: {_first_line(err)}") from None
    except ValueError as err:  # a dataclass __post_init__ (ProxyProfile) found it inconsistent
        problem = str(err).split(": ", 1)[-1]
        raise UsageError(f"{group} ({name}): {problem}") from None


def root(cfg: DictConfig) -> BenchConfig:
    """The composed root config as typed objects (each group converted, errors naming the key)."""
    for group in GROUP_SCHEMAS:
        typed(group, cfg[group])  # the group's own one-line error first
    try:
        out = OmegaConf.to_object(cfg)
    except OmegaConfBaseException as err:
        raise UsageError(f"{getattr(err, 'full_key', '') or 'config'}: {_first_line(err)}") from None
    assert isinstance(out, BenchConfig)
    return out


def proxy_setup(profile: ProxyProfile | str) -> ProxySetup:
    """A profile (or its name) with a chain's member names resolved into profiles."""
    prof = load("proxy", profile, key="proxy") if isinstance(profile, str) else profile
    if prof.kind != "chain":
        return ProxySetup.single(prof)
    members = tuple(load("proxy", m, key=f"proxy ({prof.name}).chain") for m in prof.chain)
    for m in members:
        if m.kind == "chain":
            raise UsageError(f"proxy ({prof.name}).chain: {m.name!r} is itself a chain; members are mirrors or upstreams")
    return ProxySetup(prof, members)


def _first_line(err: Exception) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0]


def compose(*overrides: str) -> DictConfig:
    """The root config Hydra composes for these overrides, as `python -m bench <overrides>` would (scripts, tests)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    from bench.config import register

    register()
    with initialize_config_dir(version_base="1.3", config_dir=str(CONF_DIR)):
        cfg = hydra_compose(config_name="config", overrides=list(overrides), return_hydra_config=True)
    use_searchpath(list(cfg.hydra.searchpath))
    with open_dict(cfg):
        del cfg["hydra"]
    return cfg
