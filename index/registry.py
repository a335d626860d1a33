"""The registry: SQLite (WAL) holding documents, chunks, file fingerprints and cached embeddings.

The embedded backend's `Catalog` (index/storage/base.py): the source of truth, from which the FAISS and
tantivy files of a generation are derived.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import numpy as np

from policykb.core.errors import StorageError
from policykb.core.text import search_text
from policykb.core.types import Chunk, Document, DocumentInfo, KindSpan
from policykb.index.storage.base import ChunkRow, FileRecord

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    date TEXT,
    organisations TEXT NOT NULL,
    language TEXT NOT NULL,
    pages INTEGER,
    sha256 TEXT NOT NULL,
    format TEXT NOT NULL,
    url TEXT,
    text TEXT NOT NULL,
    page_starts TEXT NOT NULL,
    page_labels TEXT,
    doc_type_reasons TEXT NOT NULL,
    added_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    meeting TEXT,
    agenda_item TEXT,
    source_url TEXT
);
CREATE INDEX IF NOT EXISTS documents_sha ON documents(sha256);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chunk_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    text_sha TEXT NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    page_start INTEGER,
    page_end INTEGER,
    headings TEXT NOT NULL,
    non_prose TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, ordinal);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    meta_hash TEXT NOT NULL,
    versions TEXT NOT NULL,
    doc_id TEXT,
    duplicate_of TEXT
);
CREATE TABLE IF NOT EXISTS withheld (
    path TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    deleted_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS embeddings (
    model TEXT NOT NULL,
    text_sha TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, text_sha)
);
"""


class Registry:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.wal_problem = truncated_wal(path)  # read before SQLite opens (and silently trims) the log
        self._local = threading.local()
        self._write_lock = threading.RLock()
        try:
            with self._write_lock:
                conn = self._conn()
                conn.executescript(_SCHEMA)
                if "non_prose" not in {c["name"] for c in conn.execute("PRAGMA table_info(chunks)")}:
                    conn.execute("ALTER TABLE chunks ADD COLUMN non_prose TEXT NOT NULL DEFAULT '[]'")
                # registries from before meetings and links were kept get the columns; PARSER_VERSION 5 re-reads
                # their files
                document_columns = {c["name"] for c in conn.execute("PRAGMA table_info(documents)")}
                for column in ("meeting", "agenda_item", "source_url"):
                    if column not in document_columns:
                        conn.execute(f"ALTER TABLE documents ADD COLUMN {column} TEXT")
                conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
                conn.commit()
        except sqlite3.DatabaseError as exc:
            raise StorageError(
                f"the registry database cannot be used ({exc}); restore {path} from a backup, "
                "or move it away and ingest the sources again"
            ) from exc

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: a document is registered whole or not at all."""
        with self._write_lock:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException as exc:
                conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError) and "full" in str(exc):
                    raise StorageError(f"the disk holding {self.path.parent} is full ({exc})") from exc
                raise
            try:
                conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                conn.execute("ROLLBACK")
                raise StorageError(f"the registry could not commit ({exc}); free space and run again") from exc

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """A consistent read across several queries (WAL gives readers a stable view)."""
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    # ------------------------------------------------------------------------------------------ files

    def file(self, path: str) -> FileRecord | None:
        row = self._conn().execute("SELECT * FROM files WHERE path = ?", (path,)).fetchone()
        return FileRecord(**dict(row)) if row else None

    def files(self) -> list[FileRecord]:
        return [FileRecord(**dict(r)) for r in self._conn().execute("SELECT * FROM files ORDER BY path")]

    def touch_file(self, path: str, size: int, mtime_ns: int) -> None:
        """The content hash matched: remember the new stat so the next run's stat gate skips the read."""
        with self._write_lock:
            self._conn().execute("UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?", (size, mtime_ns, path))

    def doc_with_sha(self, sha256: str, exclude_path: str) -> str | None:
        row = (
            self._conn()
            .execute("SELECT doc_id FROM documents WHERE sha256 = ? AND path != ? LIMIT 1", (sha256, exclude_path))
            .fetchone()
        )
        return row["doc_id"] if row else None

    def record_duplicate(self, record: FileRecord) -> None:
        with self.transaction() as conn:
            old = conn.execute("SELECT doc_id FROM documents WHERE path = ?", (record.path,)).fetchone()
            if old:
                self._delete_document(conn, old["doc_id"])
            self._upsert_file(conn, record)

    # ------------------------------------------------------------------------------------------ documents

    def save_document(self, doc: Document, chunks: Sequence[Chunk], record: FileRecord, reasons: list[str]) -> bool:
        """Replace the document and all its chunks in one transaction. Returns True when it is new."""
        with self.transaction() as conn:
            return self._save_document(conn, doc, chunks, record, reasons)

    def move_document(
        self, doc: Document, chunks: Sequence[Chunk], record: FileRecord, reasons: list[str], moved_from: str
    ) -> None:
        """The file moved: the document keeps its id and added date; the old path's record goes."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM files WHERE path = ?", (moved_from,))
            replaced = conn.execute(
                "SELECT doc_id FROM documents WHERE path = ? AND doc_id != ?", (doc.path, doc.doc_id)
            ).fetchone()
            if replaced:  # moved over another file: that document goes
                self._delete_document(conn, replaced["doc_id"])
            self._save_document(conn, doc, chunks, record, reasons)

    def _save_document(
        self, conn: sqlite3.Connection, doc: Document, chunks: Sequence[Chunk], record: FileRecord, reasons: list[str]
    ) -> bool:
        now = time.time()
        existing = conn.execute("SELECT added_at FROM documents WHERE doc_id = ?", (doc.doc_id,)).fetchone()
        conn.execute("DELETE FROM chunks WHERE doc_id = ?", (doc.doc_id,))
        conn.execute(
            "INSERT OR REPLACE INTO documents (doc_id, path, source, title, doc_type, date, organisations,"
            " language, pages, sha256, format, url, text, page_starts, page_labels, doc_type_reasons, added_at,"
            " updated_at, meeting, agenda_item, source_url) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                doc.doc_id, doc.path, doc.source, doc.title, doc.doc_type, doc.date,
                json.dumps(doc.organisations), doc.language, doc.pages, doc.sha256, doc.format, doc.url,
                doc.text, json.dumps(doc.page_starts),
                json.dumps(doc.page_labels) if doc.page_labels else None, json.dumps(reasons),
                existing["added_at"] if existing else now, now, doc.meeting, doc.agenda_item, doc.source_url,
            ),
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO chunks (chunk_id, doc_id, ordinal, text, text_sha, char_start, char_end, page_start,"
            " page_end, headings, non_prose) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [
                (c.chunk_id, c.doc_id, c.ordinal, c.text, text_sha(search_text(doc.title, c.headings, c.text)),
                 c.char_start, c.char_end,
                 c.page_start, c.page_end, json.dumps(c.headings), json.dumps(c.non_prose))
                for c in chunks
            ],
        )  # fmt: skip
        self._upsert_file(conn, record)
        return existing is None

    def delete_document(self, doc_id: str, withhold: bool = False) -> bool:
        """Remove a document; with `withhold`, its file is remembered so that re-scans leave it out."""
        with self.transaction() as conn:
            row = conn.execute("SELECT path, source FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
            if withhold and row:
                conn.execute(
                    "INSERT OR REPLACE INTO withheld VALUES (?,?,?)", (row["path"], row["source"], time.time())
                )
            return self._delete_document(conn, doc_id)

    def is_withheld(self, path: str) -> bool:
        return self._conn().execute("SELECT 1 FROM withheld WHERE path = ?", (path,)).fetchone() is not None

    def withheld(self) -> list[tuple[str, str]]:
        """(path, source) of deleted files that re-scans leave out."""
        return [
            (r["path"], r["source"]) for r in self._conn().execute("SELECT path, source FROM withheld ORDER BY path")
        ]

    def release(self, path_or_source: str) -> list[str]:
        """Let re-scans index deleted files again; returns the paths released."""
        with self.transaction() as conn:
            rows = conn.execute(
                "SELECT path FROM withheld WHERE path = ? OR source = ?", (path_or_source, path_or_source)
            ).fetchall()
            conn.executemany("DELETE FROM withheld WHERE path = ?", [(r["path"],) for r in rows])
        return [r["path"] for r in rows]

    def forget_file(self, path: str) -> str | None:
        """A file is gone: drop its record and its document. Returns the removed document's source, if any."""
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT f.doc_id, d.source FROM files f LEFT JOIN documents d ON d.doc_id = f.doc_id WHERE f.path = ?",
                (path,),
            ).fetchone()
            conn.execute("DELETE FROM files WHERE path = ?", (path,))
            if row and row["doc_id"] and self._delete_document(conn, row["doc_id"]):
                return row["source"]
            return None

    def _delete_document(self, conn: sqlite3.Connection, doc_id: str) -> bool:
        cur = conn.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
        conn.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        conn.execute("DELETE FROM files WHERE doc_id = ?", (doc_id,))
        # Files that were duplicates of this one lose their record, so the next ingest indexes one of them.
        conn.execute("DELETE FROM files WHERE duplicate_of = ?", (doc_id,))
        return cur.rowcount > 0

    @staticmethod
    def _upsert_file(conn: sqlite3.Connection, r: FileRecord) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?,?,?)",
            (r.path, r.size, r.mtime_ns, r.sha256, r.meta_hash, r.versions, r.doc_id, r.duplicate_of),
        )

    def store_original(self, path: str, data: bytes) -> None:
        """The embedded store keeps originals as files under the data directory: the file at `path` is it."""
        target = Path(path)
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)

    def original(self, path: str) -> bytes | None:
        target = Path(path)
        return target.read_bytes() if target.is_file() else None

    def doc_type_reasons(self, doc_id: str) -> list[str]:
        row = self._conn().execute("SELECT doc_type_reasons FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return json.loads(row[0]) if row else []

    def document(self, doc_id: str) -> Document | None:
        row = self._conn().execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return _document(row) if row else None

    def documents(self) -> list[DocumentInfo]:
        """Metadata only: listing a library must not read every document's text."""
        rows = self._conn().execute(f"SELECT {_INFO_COLUMNS} FROM documents ORDER BY date DESC, title")
        return [_document_info(r) for r in rows]

    def chunks(self, doc_id: str) -> list[Chunk]:
        rows = self._conn().execute("SELECT * FROM chunks WHERE doc_id = ? ORDER BY ordinal", (doc_id,))
        return [_chunk(r) for r in rows]

    def chunk(self, chunk_id: str) -> Chunk | None:
        row = self._conn().execute("SELECT * FROM chunks WHERE chunk_id = ?", (chunk_id,)).fetchone()
        return _chunk(row) if row else None

    def counts(self) -> dict[str, int]:
        conn = self._conn()
        return {
            "documents": conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0],
            "chunks": conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0],
        }

    def content_state(self, conn: sqlite3.Connection | None = None) -> tuple[int, str]:
        """(chunks, content hash) of the registry now: what a generation built from it must hold."""
        rows = (conn or self._conn()).execute("SELECT id, chunk_id, text_sha FROM chunks ORDER BY id")
        return state_of((r[0], r[1], r[2]) for r in rows)

    def quick_check(self) -> str:
        """'ok', or SQLite's first complaint about a damaged database file."""
        try:
            rows = self._conn().execute("PRAGMA quick_check(5)").fetchall()
        except sqlite3.DatabaseError as exc:
            return str(exc)
        problems = [r[0] for r in rows if r[0] != "ok"]
        return "; ".join(problems) or "ok"

    # ------------------------------------------------------------------------------------------ embeddings

    def texts_without_embedding(self, model: str) -> list[tuple[str, str]]:
        """`text_sha` is the hash of the chunk's search text, so one hash stands for one text to embed."""
        rows = self._conn().execute(
            "SELECT c.text_sha, d.title, c.headings, c.text FROM chunks c JOIN documents d ON d.doc_id = c.doc_id"
            " LEFT JOIN embeddings e ON e.model = ? AND e.text_sha = c.text_sha WHERE e.text_sha IS NULL",
            (model,),
        )
        texts = {r[0]: search_text(r[1], json.loads(r[2]), r[3]) for r in rows}
        return list(texts.items())

    def store_embeddings(self, model: str, shas: Sequence[str], vectors: np.ndarray) -> None:
        with self._write_lock:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT OR REPLACE INTO embeddings VALUES (?,?,?)",
                [
                    (model, s, np.ascontiguousarray(v, dtype=np.float32).tobytes())
                    for s, v in zip(shas, vectors, strict=True)
                ],
            )
            conn.execute("COMMIT")

    def embedding_models(self) -> dict[str, int]:
        rows = self._conn().execute("SELECT model, length(vector) / 4 FROM embeddings GROUP BY model")
        return {r[0]: int(r[1]) for r in rows}

    def embeddings(self, model: str) -> tuple[list[str], np.ndarray]:
        rows = self._conn().execute(
            "SELECT text_sha, vector FROM embeddings WHERE model = ? ORDER BY text_sha", (model,)
        )
        shas, blobs = [], []
        for sha, blob in rows:
            shas.append(sha)
            blobs.append(blob)
        vectors = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), -1) if blobs else None
        return shas, vectors if vectors is not None else np.zeros((0, 0), dtype=np.float32)

    def drop_orphan_embeddings(self) -> int:
        with self._write_lock:
            cur = self._conn().execute("DELETE FROM embeddings WHERE text_sha NOT IN (SELECT text_sha FROM chunks)")
            return cur.rowcount

    def snapshot_rows(self, model: str, dim: int) -> tuple[list[ChunkRow], np.ndarray]:
        """Every embedded chunk with its document fields and vector, from one snapshot."""
        with self._snapshot() as conn:
            return self._rows_for_generation(conn, model, dim)

    def _rows_for_generation(self, conn: sqlite3.Connection, model: str, dim: int) -> tuple[list[ChunkRow], np.ndarray]:
        rows: list[ChunkRow] = []
        vectors: list[bytes] = []
        query = (
            "SELECT c.id, c.chunk_id, c.doc_id, c.ordinal, c.text, c.text_sha, c.char_start, c.char_end,"
            " c.page_start, c.page_end, c.headings, c.non_prose, d.title, d.source, d.doc_type, d.date, d.organisations,"
            " d.language, d.url, d.meeting, d.agenda_item, e.vector FROM chunks c JOIN documents d ON d.doc_id = c.doc_id"
            " JOIN embeddings e ON e.model = ? AND e.text_sha = c.text_sha ORDER BY c.id"
        )
        for r in conn.execute(query, (model,)):
            rows.append(
                ChunkRow(
                    rowid=r["id"],
                    chunk=_chunk(r),
                    title=r["title"],
                    source=r["source"],
                    doc_type=r["doc_type"],
                    date=r["date"],
                    organisations=json.loads(r["organisations"]),
                    language=r["language"],
                    url=r["url"],
                    meeting=r["meeting"],
                    agenda_item=r["agenda_item"],
                )
            )
            vectors.append(r["vector"])
        matrix = np.frombuffer(b"".join(vectors), dtype=np.float32).reshape(len(vectors), dim)
        return rows, matrix


def truncated_wal(db: Path) -> str | None:
    """SQLite drops a write-ahead log's partial last frame without a word; say so, once, at open. The
    transactions in it are lost: `policykb ingest` re-registers their files, `policykb repair` uploads."""
    wal = db.with_name(db.name + "-wal")
    try:
        size = wal.stat().st_size
        with open(wal, "rb") as handle:
            header = handle.read(32)
    except OSError:
        return None
    if size == 0:
        return None
    if len(header) < 32:
        return f"the write-ahead log {wal.name} is truncated ({size} bytes)"
    page_size = int.from_bytes(header[8:12], "big")
    frame = 24 + page_size
    if page_size < 512 or (size - 32) % frame:
        return f"the write-ahead log {wal.name} was truncated ({(size - 32) % frame} bytes of a partial frame)"
    return None


def state_of(chunks: Iterable[tuple[int, str, str]]) -> tuple[int, str]:
    """Count and hash of (row id, chunk id, text hash) in id order. A re-saved document gets new row ids,
    so any change to the registry's chunks changes the hash."""
    digest = hashlib.sha256()
    n = 0
    for rowid, chunk_id, sha in chunks:
        digest.update(f"{rowid}:{chunk_id}:{sha}\n".encode())
        n += 1
    return n, digest.hexdigest()


def text_sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


_INFO_COLUMNS = (
    "doc_id, source, path, title, doc_type, date, organisations, language, pages, sha256, format, url, meeting,"
    " agenda_item, source_url"
)


def _document_info(row: sqlite3.Row) -> DocumentInfo:
    return DocumentInfo(
        doc_id=row["doc_id"],
        source=row["source"],
        path=row["path"],
        title=row["title"],
        doc_type=row["doc_type"],
        date=row["date"],
        organisations=json.loads(row["organisations"]),
        language=row["language"],
        pages=row["pages"],
        sha256=row["sha256"],
        format=row["format"],
        url=row["url"],
        meeting=row["meeting"],
        agenda_item=row["agenda_item"],
        source_url=row["source_url"],
    )


def _document(row: sqlite3.Row) -> Document:
    return Document(
        **asdict(_document_info(row)),
        text=row["text"],
        page_starts=json.loads(row["page_starts"]),
        page_labels=json.loads(row["page_labels"]) if row["page_labels"] else None,
    )


def _chunk(row: sqlite3.Row) -> Chunk:
    return Chunk(
        chunk_id=row["chunk_id"],
        doc_id=row["doc_id"],
        ordinal=row["ordinal"],
        text=row["text"],
        char_start=row["char_start"],
        char_end=row["char_end"],
        page_start=row["page_start"],
        page_end=row["page_end"],
        headings=json.loads(row["headings"]),
        non_prose=[KindSpan(*s) for s in json.loads(row["non_prose"])],
    )
