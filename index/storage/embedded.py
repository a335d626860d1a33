"""The embedded backend (the default): the SQLite registry as the catalog, and FAISS + tantivy + numpy
filter columns in immutable generation folders as the published snapshots, switched by renaming CURRENT.

Everything lives under the data directory; one writer at a time holds a file lock there.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import faiss
import numpy as np

from policykb.core.errors import StorageError
from policykb.core.filters import Filters
from policykb.core.types import ChangeRun
from policykb.index.filters import row_mask
from policykb.index.generation import (
    Generation,
    GenerationReader,
    build_generation,
    current_manifest,
    remove_old_generations,
    remove_staging,
)
from policykb.index.health import index_health
from policykb.index.lexical import tantivy_top_k
from policykb.index.registry import Registry
from policykb.index.storage.base import ChunkRow, IndexHealth, Published
from policykb.index.storage.changes import ChangeStore
from policykb.index.storage.jobs import JobStore

log = logging.getLogger("policykb.writer")


class EmbeddedSnapshot:
    """A loaded generation read through the `SearchSnapshot` interface."""

    def __init__(self, generation: Generation) -> None:
        self.generation = generation

    @property
    def name(self) -> str:
        return self.generation.name

    @property
    def size(self) -> int:
        return self.generation.size

    def dense_top_k(self, vector: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        g = self.generation
        if g.size == 0 or (allowed is not None and len(allowed) == 0):
            return []
        assert g.dense is not None, "an embedded generation is written with its dense half"
        params: faiss.SearchParameters | None = None
        if allowed is not None:
            # SWIG objects: set attributes after construction (the stubs know no keyword arguments)
            nprobe = getattr(g.dense, "nprobe", None)  # IVF indexes only
            if nprobe is None:
                params = faiss.SearchParameters()
            else:
                params = ivf = faiss.SearchParametersIVF()
                ivf.nprobe = nprobe
            params.sel = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
        scores, ids = g.dense.search(vector, min(k, g.size), params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def lexical_top_k(
        self,
        terms: Sequence[str],
        phrases: Sequence[str],
        filters: Filters,
        k: int,
    ) -> list[tuple[int, float]]:
        return tantivy_top_k(self.generation, terms, phrases, filters, k)

    def filter_rowids(self, filters: Filters) -> np.ndarray | None:
        mask = row_mask(self.generation, filters)
        return None if mask is None else self.generation.rowid[mask]

    def newest(self, filters: Filters, k: int) -> list[int]:
        g = self.generation
        mask = row_mask(g, filters)
        positions = np.flatnonzero(mask) if mask is not None else np.arange(g.size)
        order = positions[np.argsort(-g.date_lo[positions], kind="stable")]
        return [int(r) for r in g.rowid[order[:k]]]

    def date_keys(self, rowids: Sequence[int]) -> np.ndarray:
        g = self.generation
        if not len(rowids):
            return np.zeros(0, dtype=np.int32)
        return g.date_lo[g.positions(np.asarray(rowids, dtype=np.int64))]

    def doc_keys(self, rowids: Sequence[int]) -> np.ndarray:
        g = self.generation
        if not len(rowids):
            return np.zeros(0, dtype=np.int32)
        return g.source[g.positions(np.asarray(rowids, dtype=np.int64))]

    def rows(self, rowids: Sequence[int]) -> dict[int, ChunkRow]:
        return self.generation.stored_rows(rowids)

    def following(self, rowids: Sequence[int]) -> dict[int, ChunkRow]:
        return self._beside(rowids, 1)

    def preceding(self, rowids: Sequence[int]) -> dict[int, ChunkRow]:
        return self._beside(rowids, -1)

    def _beside(self, rowids: Sequence[int], step: int) -> dict[int, ChunkRow]:
        """Rows are stored by id, and a document's chunks are registered together in order: the chunk `step`
        away from a row in its document is the row `step` away from it, when that one is of the same document
        with the ordinal `step` away."""
        g = self.generation
        asked = np.asarray(rowids, dtype=np.int64)
        if not len(asked) or g.size == 0:
            return {}
        positions = g.positions(asked)
        inside = (positions + step >= 0) & (positions + step < g.size) & (positions < g.size)
        present = inside & (g.rowid[np.clip(positions, 0, g.size - 1)] == asked)
        pairs = {int(r): int(g.rowid[p + step]) for r, p in zip(asked[present], positions[present], strict=True)}
        rows = g.stored_rows([*pairs, *pairs.values()])
        return {
            row: rows[beside]
            for row, beside in pairs.items()
            if row in rows
            and beside in rows
            and rows[beside].chunk.doc_id == rows[row].chunk.doc_id
            and rows[beside].chunk.ordinal == rows[row].chunk.ordinal + step
        }

    def doc_freq(self, term: str) -> int:
        return int(self.generation.searcher.doc_freq("text", term))


class EmbeddedSnapshots:
    """Hands out the live generation as a snapshot; reloads when CURRENT names a new one."""

    def __init__(self, reader: GenerationReader) -> None:
        self.reader = reader
        self._wrapped: EmbeddedSnapshot | None = None

    def current(self) -> EmbeddedSnapshot | None:
        generation = self.reader.current()
        if generation is None:
            return None
        wrapped = self._wrapped
        if wrapped is None or wrapped.generation is not generation:
            wrapped = self._wrapped = EmbeddedSnapshot(generation)
        return wrapped


class EmbeddedStorage:
    """SQLite registry + generation folders under `data_dir`."""

    def __init__(
        self,
        data_dir: Path,
        exact_search_max_chunks: int,
        keep_generations: int = 2,
        search_threads: int = 1,
        ivf_nprobe: int = 32,
    ) -> None:
        self.data_dir = data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        self.catalog = Registry(data_dir / "registry.sqlite")
        self.snapshots = EmbeddedSnapshots(GenerationReader(data_dir, search_threads, ivf_nprobe))
        self.exact_max = exact_search_max_chunks
        self.keep_generations = keep_generations

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Says so when it has to wait for another writer (a second CLI ingest is never silent)."""
        with open(self.data_dir / "writer.lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.warning("another ingest or delete holds %s; waiting for it to finish", fh.name)
                fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def health(self, model: str, deep: bool = True) -> IndexHealth:
        return index_health(self.catalog, self.data_dir, model, deep=deep)

    def prepare_write(self) -> None:
        problem = self.catalog.quick_check()
        if problem != "ok":
            raise StorageError(f"the registry database is damaged ({problem}); restore data/registry.sqlite "
                               "from a backup, or move it away and ingest the sources again")  # fmt: skip
        if self.catalog.wal_problem:
            log.warning("%s: its last changes are lost; ingest re-registers them", self.catalog.wal_problem)
        for name in remove_staging(self.data_dir):
            log.warning("removed %s, left by an ingest that did not finish", name)

    def publish(self, model: str, dim: int) -> Published:
        stats = build_generation(self.catalog, self.data_dir, model, dim, self.exact_max)
        remove_old_generations(self.data_dir, self.keep_generations)
        return Published(stats.name, stats.chunks)

    def live(self) -> Published | None:
        manifest = current_manifest(self.data_dir)
        return Published(manifest["name"], manifest["chunks"]) if manifest else None

    def close(self) -> None:
        """Nothing to release: SQLite connections are per thread and the files stay."""

    def job_records(self) -> JobStore:
        return JobStore(self.data_dir / "jobs.sqlite")

    @cached_property
    def _changes(self) -> ChangeStore:
        return ChangeStore(self.data_dir / "jobs.sqlite")

    def record_run(self, run: ChangeRun) -> ChangeRun:
        return self._changes.record(run)

    def runs(self, since: float | None = None, limit: int = 50) -> list[ChangeRun]:
        return self._changes.runs(since, limit)
