"""The real executor and the run's resources: cache states, build inputs and measurements, each in its own module."""

from bench.execute.executor import DockerExecutor
from bench.execute.resources import RUN_LABEL, RunContext, RunResources

__all__ = ["RUN_LABEL", "DockerExecutor", "RunContext", "RunResources"]
