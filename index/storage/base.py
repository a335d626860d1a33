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
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np

from policykb.core.errors import StorageError
from policykb.core.types import ChangeRun, Chunk, Document, DocumentInfo

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
    meeting: str | None = None
    agenda_item: str | None = None


class IndexUnavailable(StorageError):
    """The live snapshot is missing or damaged: queries cannot be answered until it is rebuilt."""


HealthState = Literal["ok", "empty", "behind", "damaged", "missing"]


@dataclass
class IndexHealth:
    """Does the live snapshot match the catalog? empty: nothing ingested yet; behind: the catalog holds more
    (or other) than is published, after a crash; damaged or missing: queries cannot be answered."""

    state: HealthState
    detail: str
    generation: str | None

    @property
    def serving(self) -> bool:
        """Queries are answered from an intact snapshot (possibly one that is behind)."""
        return self.state in ("ok", "behind")

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Published:
    """The snapshot readers get now."""

    name: str
    chunks: int


class JobRecords(Protocol):
    """Durable job records: one JSON body per job. `claim` makes sure that only one process runs a job,
    however many share the records; a claim lasts until `release` or until its process dies."""

    def save(self, job_id: str, body: dict, status: str, created_at: float) -> None: ...
    def get(self, job_id: str) -> dict | None: ...
    def status(self, job_id: str) -> str | None: ...
    def unfinished(self, statuses: Sequence[str]) -> list[dict]: ...
    def latest(self) -> dict | None: ...
    def prune(self, keep: int, unfinished: Sequence[str]) -> None:
        """Forget the oldest finished jobs beyond `keep`; unfinished ones are never forgotten."""

    def claim(self, job_id: str) -> bool:
        """Take the right to run the job; False when another holder has it."""

    def release(self, job_id: str) -> None: ...
    def claimed_elsewhere(self, job_id: str) -> bool:
        """Whether another process (or claim) holds the job now."""

    def close(self) -> None: ...


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

    def move_document(
        self, doc: Document, chunks: Sequence[Chunk], record: FileRecord, reasons: list[str], moved_from: str
    ) -> None:
        """`save_document` for a file that moved: in the same transaction the file record at `moved_from` is
        dropped, so the document keeps its id (and its history) under its new path."""

    def delete_document(self, doc_id: str, withhold: bool = False) -> bool:
        """Remove a document; with `withhold`, its file is remembered so that re-scans leave it out."""

    def is_withheld(self, path: str) -> bool: ...
    def withheld(self) -> list[tuple[str, str]]:
        """(path, source) of deleted files that re-scans leave out."""

    def release(self, path_or_source: str) -> list[str]:
        """Let re-scans index deleted files again; returns the paths released."""

    def quick_check(self) -> str:
        """'ok', or what is damaged in the catalog's own storage."""

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

    # cached embeddings, keyed by (model, hash of the chunk's search text): unchanged ones are never re-embedded
    def texts_without_embedding(self, model: str) -> list[tuple[str, str]]:
        """(hash, search text) of chunks with no vector for `model` yet (`policykb.core.text.search_text`)."""

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
        self,
        terms: Sequence[str],
        phrases: Sequence[str],
        filters: Filters,
        k: int,
    ) -> list[tuple[int, float]]:
        """BM25 over the search text (title, headings, text): any of `terms`, every one of `phrases`, rows
        passing `filters`."""

    def filter_rowids(self, filters: Filters) -> np.ndarray | None:
        """Row ids passing `filters` (docs/filters.md); None when the filters are empty (every row passes)."""

    def newest(self, filters: Filters, k: int) -> list[int]:
        """Up to `k` row ids passing `filters`, newest document date first (undated last)."""

    def date_keys(self, rowids: Sequence[int]) -> np.ndarray:
        """Each row's document date as an integer YYYYMMDD (start of a partial date; 0 when undated)."""

    def doc_keys(self, rowids: Sequence[int]) -> np.ndarray:
        """An integer per row that is equal exactly for rows of the same document (within this snapshot)."""

    def rows(self, rowids: Sequence[int]) -> dict[int, ChunkRow]:
        """The chunk and document fields of each row id present in this snapshot."""

    def following(self, rowids: Sequence[int]) -> dict[int, ChunkRow]:
        """The next chunk of its document after each row id, where this snapshot holds one: what a passage
        ending part-way through a list runs on into."""

    def preceding(self, rowids: Sequence[int]) -> dict[int, ChunkRow]:
        """The chunk of its document before each row id, where this snapshot holds one: where a list that a
        passage opens inside of began."""

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

    def health(self, model: str, deep: bool = True) -> IndexHealth:
        """Whether the live snapshot matches the catalog; `deep` verifies its files too (slower)."""

    def prepare_write(self) -> None:
        """Under the writer lock, before writing: refuse a damaged catalog (StorageError) and remove what
        writers that died left behind."""

    def close(self) -> None:
        """Release connections and per-process files (the stored knowledge base stays)."""

    def job_records(self) -> JobRecords:
        """Where accepted background jobs are kept (durably), shared by every process using this storage."""

    # the change feed: every ingest run, kept durably beside the job records
    def record_run(self, run: ChangeRun) -> ChangeRun:
        """Keep one run in the change feed (committed when this returns); returns it with its id."""

    def runs(self, since: float | None = None, limit: int = 50) -> list[ChangeRun]:
        """Runs at or after `since` (seconds since the epoch), newest first, at most `limit`."""
