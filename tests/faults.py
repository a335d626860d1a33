"""Fault injection at every stage of an ingest, shared by the in-process tests and `make soak`.

`inject(kb, stage, action)` makes the named stage call `action` (raise `Crash`, or kill the process with
SIGKILL) the `nth` time it is reached; `python -m tests.faults STAGE DATA_DIR FOLDER...` runs one ingest
that kills itself with SIGKILL at STAGE (the real-process version).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from policykb.index import generation, updater
from policykb.index.embedders.base import HashEmbedder
from policykb.index.registry import Registry
from policykb.service.knowledge_base import KnowledgeBase

STAGES = ("parse", "register", "embed", "store-embeddings", "write-index", "rename", "switch", "cleanup")


class Crash(BaseException):
    """Stands for the process dying: no `except Exception` on the way catches it."""


def crash() -> None:
    raise Crash


def kill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@contextmanager
def inject(kb: KnowledgeBase, stage: str, action: Callable[[], None] = crash, nth: int = 2) -> Iterator[None]:
    """Within the block, `action` runs the `nth` time `stage` is reached (after the work, for stages that
    commit something: the crash then falls between two durable steps)."""
    calls = 0

    def hit() -> None:
        nonlocal calls
        calls += 1
        if calls == nth:
            action()

    def after(owner: Any, name: str, when: Callable[..., bool] = lambda *a, **k: True) -> tuple[Any, str, Any]:
        original = getattr(owner, name)

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            result = original(*args, **kwargs)
            if when(*args, **kwargs):
                hit()
            return result

        return owner, name, wrapped

    def before(owner: Any, name: str) -> tuple[Any, str, Any]:
        original = getattr(owner, name)

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            hit()
            return original(*args, **kwargs)

        return owner, name, wrapped

    gens = kb.data_dir / generation.GENERATIONS
    patches = {
        "parse": lambda: before(updater, "build_document"),
        "register": lambda: after(Registry, "save_document"),
        "embed": lambda: before(kb.embedder, "embed_passages"),
        "store-embeddings": lambda: after(Registry, "store_embeddings"),
        "write-index": lambda: before(generation, "_write_lexical"),
        # after the new folder is renamed into place, before CURRENT names it
        "rename": lambda: after(generation, "_fsync_dir", lambda folder: Path(folder) == gens),
        # after CURRENT names the new generation, before old ones and orphan vectors are cleaned up
        "switch": lambda: after(generation, "_fsync_dir", lambda folder: Path(folder) == kb.data_dir),
        "cleanup": lambda: before(Registry, "drop_orphan_embeddings"),
    }
    if stage in ("write-index", "rename", "switch", "cleanup"):
        nth = 1  # one publish per run
    owner, name, replacement = patches[stage]()
    original = getattr(owner, name)
    setattr(owner, name, replacement)
    try:
        yield
    finally:
        setattr(owner, name, original)


def state(kb: KnowledgeBase) -> dict[str, Any]:
    """What a user can observe, independent of the data dir's location: documents and their chunk texts,
    and which document each one's own unique phrase finds."""
    docs = {d.source: (d.sha256, d.title, tuple(c.text for c in kb.chunks(d.doc_id))) for d in kb.documents()}
    found = {}
    for d in kb.documents():
        hits = kb.search(f'"{marker(d.source)}"', k=1).results
        found[d.source] = hits[0].source if hits else None
    return {"documents": docs, "found": found, "index": kb.status().index}


def marker(source: str) -> str:
    return "marker" + "".join(ch for ch in Path(source).stem if ch.isalnum())


def make_corpus(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        name = f"doc{i:03d}"
        body = " ".join(f"Sentence {j} of {name} on patient involvement and access to medicines." for j in range(30))
        (folder / f"{name}.txt").write_text(f"{name} title\n\n{body} {marker(name)}.\n")
    return folder


def main(argv: list[str]) -> int:
    """Child process: one ingest that SIGKILLs itself at a stage (the settings come from the environment)."""
    stage, data_dir, *folders = argv
    os.environ["POLICYKB_DATA_DIR"] = data_dir
    kb = KnowledgeBase()
    HashEmbedder.batch_size = 8
    with inject(kb, stage, kill):
        kb.ingest([Path(f) for f in folders])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
