"""The local Go module mirror: GOPROXY server, network profiles, counters, corpus generator.

What the runner calls:
    corpus.ensure(corpus.load_spec("medium"), cache_dir) -> Corpus   (corpus.root is servable)
    stack.start(options.proxy_setup("near_mirror"), corpus.root, seed=...) -> ProxyStack  (.goproxy, .measure(), .stop())
    examples.project_dir("service"), examples.project_corpus("service") -> "medium"
"""

from bench.mirror.corpus import Corpus, CorpusSpec
from bench.mirror.counters import Snapshot
from bench.mirror.profiles import ProxyProfile, ProxySetup
from bench.mirror.server import MirrorServer
from bench.mirror.stack import ProxyStack, ProxyUnavailable, start

__all__ = [
    "Corpus",
    "CorpusSpec",
    "MirrorServer",
    "ProxyProfile",
    "ProxySetup",
    "ProxyStack",
    "ProxyUnavailable",
    "Snapshot",
    "start",
]
