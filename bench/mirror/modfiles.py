"""The files of one module version: its zip contents, go.mod and .info (pure: no files written)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from bench.mirror import gocode, gomod, words
from bench.mirror.graph import ModulePlan, requirements

MODULE_GO = "1.21"
_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def module_files(
    plans: Mapping[str, ModulePlan], mod: ModulePlan, index: int, *, tree: bool = False
) -> dict[str, bytes]:
    """Every compiled file of `mod` at its index-th version (plus go.mod, LICENSE, README, one test).

    Subpackage i imports subpackage i-1 (a chain), or with `tree` subpackage (i-1)//2: a module
    with a hundred packages then compiles them in parallel, as real ones do, not one after another.
    """
    version = mod.version(index)
    reqs = requirements(plans, mod.path, index)
    direct = {d for d, _ in mod.deps}
    files = {
        "go.mod": render_gomod(mod.path, reqs, direct).encode(),
        "LICENSE": words.LICENSE.encode(),
        "README.md": gocode.readme(mod.path, version),
        f"{gocode.package_name(mod.path)}_test.go": gocode.test_file(mod.path),
    }
    history = [words.CHANGES[j % len(words.CHANGES)] for j in range(index + 1)]
    subs = [gocode.Import(gocode.package_name(s), f"{mod.path}/{s}") for s in mod.subpackages]
    dep_imports = [gocode.Import(f"dep{i}", d) for i, (d, _) in enumerate(mod.deps)]
    pkg_specs = [("", mod.path, subs + dep_imports, subs)]
    parent = (lambda i: (i - 1) // 2) if tree else (lambda i: i - 1)
    pkg_specs += [(s, f"{mod.path}/{s}", [subs[parent(i)]] if i else [], []) for i, s in enumerate(mod.subpackages)]
    for (rel, path, imports, routed), entities in zip(pkg_specs, mod.entities):
        src = gocode.package_files(
            path=path, version=version, history=history, entities=list(entities), deps=imports, routed=routed
        )
        files.update({f"{rel}/{n}" if rel else n: c for n, c in src.items()})
    return files


def render_gomod(path: str, reqs: Mapping[str, str], direct: set[str]) -> str:
    """The tidy go.mod of a corpus module."""
    return gomod.render(
        path,
        MODULE_GO,
        {p: v for p, v in reqs.items() if p in direct},
        {p: v for p, v in reqs.items() if p not in direct},
    )


def info_json(version: str, index: int) -> bytes:
    """The `.info` answer: releases a month apart, so `Time` orders them like their versions."""
    when = (_EPOCH + timedelta(days=30 * index)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps({"Version": version, "Time": when}).encode()
