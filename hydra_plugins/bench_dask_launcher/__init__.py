"""bench's Hydra launcher for Dask distributed: `python -m bench -m hydra/launcher=dask ...` (docs/scale-out.md)."""
