"""The Hydra side of `hydra/launcher=dask`, kept thin: the work is in `bench.distributed.launch`.

Hydra instantiates launchers only from the `hydra_plugins` package, hence this module; its
settings are `hydra.launcher.*` (see DaskLauncherConf).
"""

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

from hydra.core.config_store import ConfigStore
from hydra.core.utils import JobReturn
from hydra.plugins.launcher import Launcher
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig


@dataclass
class DaskLauncherConf:
    """hydra.launcher.*: which scheduler, which build hosts."""

    _target_: str = "hydra_plugins.bench_dask_launcher.dask_launcher.DaskLauncher"
    scheduler: str = ""  # tcp://HOST:PORT of the team's scheduler; empty: the scheduler file below
    scheduler_file: str = ""  # empty: the one `python -m bench.distributed start` wrote on this machine
    hosts: list[str] = field(default_factory=list)  # empty: every host with a worker, by name; jobs go round robin
    timeout: float = 30.0  # seconds to reach the scheduler


ConfigStore.instance().store(group="hydra/launcher", name="dask", node=DaskLauncherConf, provider="bench")


class DaskLauncher(Launcher):
    """One job = one whole run on one build host; results come back through Dask."""

    def __init__(self, scheduler: str = "", scheduler_file: str = "", hosts: Sequence[str] = (),
                 timeout: float = 30.0) -> None:
        from bench.distributed.launch import Settings

        self.settings = Settings(scheduler, scheduler_file, tuple(hosts), float(timeout))
        self.config: DictConfig | None = None
        self.hydra_context: HydraContext | None = None
        self.sweep_id = ""

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig) -> None:
        """Keep what launch needs (the task function runs on the hosts as `python -m bench`, not here)."""
        from bench.distributed.launch import new_sweep_id

        self.config, self.hydra_context = config, hydra_context
        self.sweep_id = new_sweep_id(config)

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
        """Submit every job, wait, unpack each run into the sweep folder. Bad settings: one line, exit 2."""
        from bench.distributed.launch import drop_empty_sweep, launch
        from bench.errors import UsageError

        assert self.config is not None and self.hydra_context is not None, "setup() first"
        try:
            return launch(self.settings, self.config, self.hydra_context, job_overrides, initial_job_idx, self.sweep_id)
        except UsageError as err:
            drop_empty_sweep(self.config)
            print(f"error: {err}", file=sys.stderr)
            sys.exit(2)
