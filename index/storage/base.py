"""What a storage backend must provide: the records it stores and reads back, and the Protocols
`index.updater` (writes) and `index.search` (reads) are written against.

Invariants every backend keeps (tests/storage_contract.py checks them):
- `Catalog.save_document` replaces a document and all its chunks in one transaction: whole or not at all.
- Readers see only published snapshots; a held snapshot answers consistently after newer ones appear.
- After a document is replaced or deleted and a new snapshot is published, nothing of the old version
  is found: not by dense, lexical or filtered search, nor by row lookup.
- Row ids are positive integers, unique within a snapshot; search results are (row id, score) pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from policykb.core.types import Chunk, Document, DocumentInfo

if TYPE_CHECKING:
    from policykb.index.search import Filters


@dataclass
class FileRecord:
    """A file's fingerprint: the two ingest gates (stat, then content hash) compare against it."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    meta_hash: str
    versions: str
    doc_id: str | None
    duplicate_of: str | None


@dataclass
class ChunkRow:
    """A chunk with what search shows of its document; `rowid` is its id in the snapshot it came from."""

    rowid: int
    chunk: Chunk
    title: str
    source: str
    doc_type: str
    date: str | None
    organisations: list[str]
    language: str
    url: str | None


@dataclass
class Published:
    """The snapshot readers get now."""

    name: str
    chunks: int


class Catalog(Protocol):
    """The source of truth: documents, chunks, file fingerprints and cached embeddings."""

    # files (fingerprints and duplicates)
    def file(self, path: str) -> FileRecord | None: ...
    def files(self) -> list[FileRecord]: ...
    def touch_file(self, path: str, size: int, mtime_ns: int) -> None:
        """Same content under a new stat: remember it so the next run's stat gate skips the read."""

    def doc_with_sha(self, sha256: str, exclude_path: str) -> str | None:
        """The document already holding this content under another path, if any."""

    def record_duplicate(self, record: FileRecord) -> None:
        """Register `record` as a duplicate; a document previously at its path is removed."""

    def forget_file(self, path: str) -> str | None:
        """Prune a vanished file with its document; returns the removed document's source."""

    # documents (each write is atomic)
    def save_document(self, doc: Document, chunks: Sequence[Chunk], record: FileRecord, reasons: list[str]) -> bool:
        """Replace the document and all its chunks at once; True when it is new."""

    def delete_document(self, doc_id: str) -> bool: ...

    # uploaded originals (what a citation's "open the file" link serves, on any replica)
    def store_original(self, path: str, data: bytes) -> None:
        """Keep an uploaded file's bytes under the path its document will have."""

    def original(self, path: str) -> bytes | None:
        """The bytes kept for `path`, or None."""

    # reads
    def document(self, doc_id: str) -> Document | None:
        """One document in full, with its text."""

    def documents(self) -> list[DocumentInfo]:
        """Every document's metadata (no text), newest first then by title."""

    def doc_type_reasons(self, doc_id: str) -> list[str]:
        """Why the document got its type (saved with it)."""

    def chunks(self, doc_id: str) -> list[Chunk]: ...
    def chunk(self, chunk_id: str) -> Chunk | None: ...
    def counts(self) -> dict[str, int]:
        """{"documents": n, "chunks": m} in the catalog (published or not)."""

    # cached embeddings, keyed by (model, chunk text hash): unchanged chunk texts are never re-embedded
    def texts_without_embedding(self, model: str) -> list[tuple[str, str]]:
        """(text hash, text) of chunk texts with no vector for `model` yet."""

    def store_embeddings(self, model: str, shas: Sequence[str], vectors: np.ndarray) -> None: ...
    def embedding_models(self) -> dict[str, int]:
        """{model: dimension} of the cached vectors."""

    def embeddings(self, model: str) -> tuple[list[str], np.ndarray]:
        """Every cached (text hash, vector) of `model`: moving a catalog to another backend re-embeds nothing."""

    def drop_orphan_embeddings(self) -> int:
        """Forget vectors whose text no chunk has any more."""

    def snapshot_rows(self, model: str, dim: int) -> tuple[list[ChunkRow], np.ndarray]:
        """Every embedded chunk and its vector (float32, rows aligned), read from one consistent view."""


class SearchSnapshot(Protocol):
    """One published, immutable view that a search reads from start to finish."""

    @property
    def name(self) -> str: ...
    @property
    def size(self) -> int:
        """Number of rows (chunks) in this snapshot."""

    def dense_top_k(self, vector: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Rows nearest to `vector` (shape (1, dim)) by inner product, best first; only `allowed` row ids if given."""

    def lexical_top_k(
        self, terms: Sequence[str], phrases: Sequence[str], filters: Filters, k: int
    ) -> list[tuple[int, float]]:
        """BM25 over text/title/headings: any of `terms`, every one of `phrases`, rows passing `filters`."""

    def filter_rowids(self, filters: Filters) -> np.ndarray | None:
        """Row ids passing `filters` (docs/filters.md); None when the filters are empty (every row passes)."""

    def newest(self, filters: Filters, k: int) -> list[int]:
        """Up to `k` row ids passing `filters`, newest document date first (undated last)."""

    def date_keys(self, rowids: Sequence[int]) -> np.ndarray:
        """Each row's document date as an integer YYYYMMDD (start of a partial date; 0 when undated)."""

    def rows(self, rowids: Sequence[int]) -> dict[int, ChunkRow]:
        """The chunk and document fields of each row id present in this snapshot."""

    def doc_freq(self, term: str) -> int:
        """Rows whose text holds the (stemmed) term: for idf."""


class SnapshotSource(Protocol):
    def current(self) -> SearchSnapshot | None:
        """The live snapshot (None before the first publish). Cheap when nothing changed; after a publish,
        the next call returns the new one while callers holding the old one keep using it safely."""


class Storage(Protocol):
    """A backend: the catalog, publishing from it, and reading what was published."""

    @property
    def catalog(self) -> Catalog: ...
    @property
    def snapshots(self) -> SnapshotSource: ...
    def writer_lock(self) -> AbstractContextManager[None]:
        """Serialises writers (CLI ingest, API uploads) across processes; readers are never blocked."""

    def publish(self, model: str, dim: int) -> Published:
        """Make the catalog's current embedded chunks searchable, atomically for readers."""

    def live(self) -> Published | None:
        """What readers get now; None before the first publish."""

    def close(self) -> None:
        """Release connections and per-process files (the stored knowledge base stays)."""
