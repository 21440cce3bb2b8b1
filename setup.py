"""The one build step pyproject.toml cannot express: ship conf/, scenarios/ and deploy/prometheus/ in the wheel.

Those trees stay at the top of the repository (where people read and edit them); a wheel
built by `pip install .` carries copies under `bench/_data/`, where `bench.paths` finds
them. An editable install (`pip install -e .`) copies nothing: bench reads the checkout.
Everything else about the package is in pyproject.toml.
"""

from __future__ import annotations

import os

from setuptools import setup
from setuptools.command.build_py import build_py

DATA_TREES = ("conf", "scenarios", "deploy/prometheus")  # the same list as bench.paths.DATA_TREES
SKIP_DIRS = {"__pycache__", ".pytest_cache"}


def _data_files() -> list[str]:
    """Every file of the data trees, relative to the repository root."""
    out = []
    for tree in DATA_TREES:
        for root, dirs, files in os.walk(tree):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
            out += [os.path.join(root, f) for f in sorted(files) if not f.endswith(".pyc")]
    return out


class BuildPyWithData(build_py):
    """build_py that also copies the data trees into <build_lib>/bench/_data (not in editable mode)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for src in _data_files():
            dest = os.path.join(self.build_lib, "bench", "_data", src)
            self.mkpath(os.path.dirname(dest))
            self.copy_file(src, dest)

    def get_outputs(self, include_bytecode: int = 1) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if getattr(self, "editable_mode", False):
            return outputs
        return outputs + [os.path.join(self.build_lib, "bench", "_data", src) for src in _data_files()]


setup(cmdclass={"build_py": BuildPyWithData})
