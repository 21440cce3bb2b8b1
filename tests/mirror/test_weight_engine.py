"""The real go command on a weighted corpus: the build compiles exactly the generated packages, never the padding."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from bench.mirror import corpus, examples, stack
from bench.mirror.corpus import Corpus
from bench.mirror.modmake import is_compiled
from bench.mirror.modpath import escape
from bench.mirror.padding import kind_of
from bench.mirror.profiles import ProxyProfile

from .helpers import GoRunner
from .test_weight import reduced

pytestmark = pytest.mark.engine

MODCACHE = "/go/pkg/mod"  # the builder image sets GOPATH=/go, like the golang images
# What `go build .` compiles: every non-standard package it imports, with the files it compiles.
LIST = 'go list -deps -f \'{{if not .Standard}}{{.Dir}}|{{join .GoFiles " "}} {{join .SFiles " "}}{{end}}\' .'


def _project(c: Corpus, dest: Path) -> Path:
    dest.mkdir()
    for name in ("main.go", "main_test.go"):
        shutil.copy(examples.project_dir("api") / name, dest / name)
    examples.write("api", c, dest)
    return dest


def _expected(c: Corpus) -> set[str]:
    """module-cache paths of every file the generator meant to be compiled, over the project's build list."""
    out = set()
    for path, version in examples.build_list(c):
        with zipfile.ZipFile(c.module_dir(path) / f"{version}.zip") as zf:
            prefix = f"{path}@{version}/"
            names = [n[len(prefix) :] for n in zf.namelist()]
        out |= {f"{MODCACHE}/{escape(path)}@{version}/{n}" for n in names if is_compiled(n)}
    return out


def test_build_compiles_the_generated_packages_and_no_padding(go: GoRunner, tmp_path: Path) -> None:
    c = corpus.generate(reduced(corpus.load_spec("realistic")), tmp_path / "corpus")
    src = _project(c, tmp_path / "src")
    top = sorted(examples.build_list(c), key=lambda pv: -(c.module_dir(pv[0]) / f"{pv[1]}.zip").stat().st_size)[0]
    moddir = f"{MODCACHE}/{escape(top[0])}@{top[1]}"
    with stack.start(ProxyProfile(name="local"), c.root) as proxy:
        run = go(
            f"cd /src && go mod download && {LIST} && gofmt -e -l {MODCACHE}/example.com >/dev/null"
            f" && cd {moddir} && go vet ./services/...",
            goproxy=proxy.goproxy,
            mounts={src: "/src:ro"},
        )
    assert run.ok, run.stderr[-2000:]
    compiled = set()
    for line in run.stdout.splitlines():
        directory, _, files = line.partition("|")
        if directory.startswith(MODCACHE):
            compiled |= {f"{directory}/{f}" for f in files.split()}
    assert compiled == _expected(c)
    assert not any(kind_of(p.split("@", 1)[1].split("/", 1)[1]) for p in compiled)
