"""`bench +scenario=multistage` (or `python -m bench ...`): the Hydra entry point, kept thin."""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from bench import options
from bench.config import register
from bench.errors import UsageError
from bench.help import register as register_help
from bench.paths import CONF_DIR

register()
register_help()  # `bench --help` is generated from conf/ (conf/hydra/help/bench.yaml)


# An absolute config path: conf/ in a checkout, or the copy inside an installed wheel (bench.paths).
@hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name="config")
def main(cfg: DictConfig) -> int:
    """Run the composed scenario; bad input is one line and exit code 2."""
    from bench.app import run_from_config

    hc = HydraConfig.get()
    options.use_searchpath(list(hc.searchpath))  # options of your own beside conf/ (hydra.searchpath=[file://...])
    try:
        code = run_from_config(cfg, Path(hc.runtime.output_dir), dict(hc.runtime.choices), list(hc.overrides.task))
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
    if code and hc.mode != RunMode.MULTIRUN:
        sys.exit(code)  # in a sweep, one job's failed builds must not stop the others
    return code


if __name__ == "__main__":
    main()
