"""Runs spread over several build hosts through Dask distributed; every comparison stays on one host.

A shard is a host, never an arm: one job is one whole run (`python -m bench` with the job's
overrides), executed on one build host by that host's Dask worker; each worker owns the
resource `host-<name>` with the value 1 and one thread, so the scheduler never gives a host
two jobs at once. The run's directory comes back through Dask as the job's return value (a
compressed tar) and is unpacked into the sweep folder on the submitting machine: build hosts
need no shared file system. docs/scale-out.md says why Dask, and how to run it.

  spec      what a job is, where it runs (placement), what comes back
  job       the function a worker runs: the harness in a subprocess, resume after a retry
  archive   a run directory to bytes and back
  cluster   start and stop a scheduler and one worker per engine on this machine (by pid)
  launch    the Hydra side: submit a sweep's jobs, collect and unpack their results
  hostagent the worker's preload: ends a killed worker's orphaned harness
"""
