"""Where the project's own files are (the package is installed editable from the repository)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CONF_DIR = REPO_ROOT / "conf"
SCENARIOS_DIR = REPO_ROOT / "scenarios"
BASES_DIR = SCENARIOS_DIR / "bases"
DOCKERFILES_DIR = SCENARIOS_DIR / "dockerfiles"
PROJECTS_DIR = SCENARIOS_DIR / "projects"
RESULTS_DIR = REPO_ROOT / "results"
