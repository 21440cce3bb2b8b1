"""Where the project's own files are, and where bench keeps machine state (engine, registry, caches).

The files bench reads at run time (conf/, scenarios/, deploy/prometheus/) live at the top of
the repository. From a checkout (and `pip install -e .`) they are read there; a wheel built
by `pip install .` carries copies of them inside the package, under `bench/_data/` (the
build step in setup.py). `REPO_ROOT` is whichever of the two holds them: "where the data
lives". Results never go there: `results_dir` is relative to the current directory.
"""

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED_DATA = PACKAGE_DIR / "_data"  # filled by setup.py's build step in a built wheel; absent in a checkout
DATA_TREES = ("conf", "scenarios", "deploy/prometheus")  # what setup.py copies into BUNDLED_DATA


def _data_root() -> Path:
    return BUNDLED_DATA if (BUNDLED_DATA / "conf").is_dir() else PACKAGE_DIR.parent


REPO_ROOT = _data_root()
INSTALLED = REPO_ROOT == BUNDLED_DATA  # True when running from a built wheel, not from a checkout
CONF_DIR = REPO_ROOT / "conf"
SCENARIOS_DIR = REPO_ROOT / "scenarios"
BASES_DIR = SCENARIOS_DIR / "bases"
DOCKERFILES_DIR = SCENARIOS_DIR / "dockerfiles"
PROJECTS_DIR = SCENARIOS_DIR / "projects"
PROMETHEUS_DIR = REPO_ROOT / "deploy" / "prometheus"
RESULTS_DIR = Path("results")  # relative: the current directory's results/, as `results_dir` in conf/config.yaml


def state_root() -> Path:
    """Machine state of bench (BENCH_STATE overrides; default ~/.local/state/bench)."""
    base = os.environ.get("BENCH_STATE") or os.path.join(
        os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state"), "bench"
    )
    return Path(base)


def state_dir() -> Path:
    """Where the engine we start keeps its pid file, log and config."""
    return state_root() / "engine"
