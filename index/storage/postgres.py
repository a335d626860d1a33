"""The PostgreSQL backend: one database that any number of stateless replicas share.

Catalog. Documents, chunks, file fingerprints, cached embeddings (pgvector `vector`, float32 exact) and
uploaded originals are tables (schema in `migrations/`, applied by `pgschema.upgrade`).

Snapshots. Publishing adds a row to `generations` and, in the same transaction, closes the published rows
whose chunk left the catalog (`gen_to`) and copies the new embedded chunks in (`gen_from`), each with a
`halfvec` copy of its vector under an HNSW cosine index. A snapshot is a generation number: its rows are
those with gen_from <= g < gen_to, so a reader holding an older generation keeps a consistent view while
newer ones appear (rows closed more than `keep_generations` ago are removed).

Reading. Dense search is pgvector (HNSW, cosine; exact when a filter leaves few rows). Lexical search
(BM25), the filter columns and the stored rows are the embedded encodings, derived per replica into a
local folder from the generation's rows when the database's generation changes: the same tantivy BM25
as the embedded backend (PostgreSQL's ts_rank is not BM25) and the same filter semantics. Each
`current()` asks the database for the live generation (one indexed read), so a publish through any
replica is seen by every other on its next query.

Writers. One at a time across all replicas: a session-level advisory lock on a dedicated connection.
"""

from __future__ import annotations

import json
import logging
import shutil
import struct
import tempfile
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from psycopg.adapt import Dumper, Loader
from psycopg.pq import Format
from psycopg.types import TypeInfo
from psycopg.types.json import Jsonb

from policykb.core.errors import StorageError
from policykb.core.text import search_text
from policykb.core.types import ChangeRun, Chunk, Document, DocumentInfo, KindSpan
from policykb.index.generation import Generation, update_lexical_folder, write_lexical_folder
from policykb.index.registry import text_sha
from policykb.index.storage import pgschema
from policykb.index.storage.base import ChunkRow, FileRecord, IndexHealth, Published
from policykb.index.storage.changes import run_body, run_from_body
from policykb.index.storage.embedded import EmbeddedSnapshot

log = logging.getLogger("policykb.storage")

WRITER_LOCK = 7_364_202  # advisory lock key of the one writer
JOB_LOCKS = 7_364_203  # advisory lock namespace of job claims (the second key is the job id's hash)
NOTIFY_CHANNEL = "policykb_generation"
EF_SEARCH = 200  # HNSW candidate list per query (pgvector's default is 40; 100 missed 6 % of the exact top 10)
EXACT_MAX_ALLOWED = 20_000  # a filter leaving at most this many rows is searched exactly
# A replica derives a generation from the previous one by its changed rows, until the rows deleted that
# way exceed this share of the live ones: tantivy counts a deleted row in its BM25 statistics until it
# merges the row's segment away, so then the folder is derived whole again (exactly as a fresh replica).
STALE_MAX = 0.05


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    return f"{scheme}://{credentials.split(':', 1)[0]}@{host}"


# ---------------------------------------------------------------------------------------------- vectors


class _VectorDumper(Dumper):
    """numpy float32 array -> pgvector's binary `vector` (uint16 dim, uint16 unused, big-endian float4s)."""

    format = Format.BINARY

    def dump(self, obj: Any) -> bytes:
        array = np.asarray(obj, dtype=">f4").ravel()
        return struct.pack(">HH", array.size, 0) + array.tobytes()


class _VectorLoader(Loader):
    format = Format.BINARY

    def load(self, data: Any) -> np.ndarray:
        return np.frombuffer(bytes(data)[4:], dtype=">f4").astype(np.float32)


def _register_vector(conn: psycopg.Connection) -> None:
    info = TypeInfo.fetch(conn, "vector")
    if info is None:
        raise StorageError("the database has no pgvector `vector` type: run `policykb db upgrade`")
    dumper = type("VectorDumper", (_VectorDumper,), {"oid": info.oid})
    conn.adapters.register_dumper(np.ndarray, dumper)
    conn.adapters.register_loader(info.oid, _VectorLoader)


# ---------------------------------------------------------------------------------------------- rows

_DOC_COLUMNS = (
    "doc_id, source, path, title, doc_type, date, organisations, language, pages, sha256, format, url, meeting,"
    " agenda_item, source_url"
)
_CHUNK_COLUMNS = "chunk_id, doc_id, ordinal, text, char_start, char_end, page_start, page_end, headings, non_prose"
_FILE_COLUMNS = "path, size, mtime_ns, sha256, meta_hash, versions, doc_id, duplicate_of"


def _chunk(r: Sequence[Any]) -> Chunk:
    return Chunk(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], list(r[8]), [KindSpan(*k) for k in r[9]])


def _info(r: Sequence[Any]) -> DocumentInfo:
    return DocumentInfo(
        doc_id=r[0], source=r[1], path=r[2], title=r[3], doc_type=r[4], date=r[5], organisations=list(r[6]),
        language=r[7], pages=r[8], sha256=r[9], format=r[10], url=r[11], meeting=r[12], agenda_item=r[13],
        source_url=r[14],
    )  # fmt: skip


def _file(r: Sequence[Any]) -> FileRecord:
    return FileRecord(*r)


# Published row -> ChunkRow: the rowid, the chunk's columns, then the document's.
_PUBLISHED_COLUMNS = (
    f"rowid, {_CHUNK_COLUMNS}, title, source, doc_type, date, organisations, language, url, meeting, agenda_item"
)


def _published_row(r: Sequence[Any]) -> ChunkRow:
    return ChunkRow(r[0], _chunk(r[1:11]), r[11], r[12], r[13], r[14], list(r[15]), r[16], r[17], r[18], r[19])


# Count and hash of the catalog's chunks (row id, chunk id, text hash in id order): a generation records
# the value for the chunks it published, so health can tell whether it matches the catalog.
_CONTENT_STATE = (
    "SELECT COUNT(*), md5(COALESCE(string_agg(c.id::text || ':' || c.chunk_id || ':' || c.text_sha, E'\\n'"
    " ORDER BY c.id), ''))"
)


# ---------------------------------------------------------------------------------------------- catalog


class PostgresCatalog:
    """The `Catalog` in PostgreSQL; every write is one transaction."""

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool

    @contextmanager
    def _tx(self) -> Iterator[psycopg.Connection]:
        with _connection(self._pool) as conn, conn.transaction():
            yield conn

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with _connection(self._pool) as conn:
            return conn.execute(sql, params).fetchone()

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with _connection(self._pool) as conn:
            return conn.execute(sql, params).fetchall()

    # files
    def file(self, path: str) -> FileRecord | None:
        row = self._one(f"SELECT {_FILE_COLUMNS} FROM files WHERE path = %s", (path,))
        return _file(row) if row else None

    def files(self) -> list[FileRecord]:
        return [_file(r) for r in self._all(f'SELECT {_FILE_COLUMNS} FROM files ORDER BY path COLLATE "C"')]

    def touch_file(self, path: str, size: int, mtime_ns: int) -> None:
        with self._tx() as conn:
            conn.execute("UPDATE files SET size = %s, mtime_ns = %s WHERE path = %s", (size, mtime_ns, path))

    def doc_with_sha(self, sha256: str, exclude_path: str) -> str | None:
        row = self._one("SELECT doc_id FROM documents WHERE sha256 = %s AND path <> %s LIMIT 1", (sha256, exclude_path))
        return row[0] if row else None

    def record_duplicate(self, record: FileRecord) -> None:
        with self._tx() as conn:
            old = conn.execute("SELECT doc_id FROM documents WHERE path = %s", (record.path,)).fetchone()
            if old:
                _delete_document(conn, old[0])
            _upsert_file(conn, record)

    def forget_file(self, path: str) -> str | None:
        with self._tx() as conn:
            row = conn.execute(
                "SELECT f.doc_id, d.source FROM files f LEFT JOIN documents d ON d.doc_id = f.doc_id WHERE f.path = %s",
                (path,),
            ).fetchone()
            conn.execute("DELETE FROM files WHERE path = %s", (path,))
            if row and row[0] and _delete_document(conn, row[0]):
                return str(row[1])
            return None

    # documents
    def save_document(self, doc: Document, chunks: Sequence[Chunk], record: FileRecord, reasons: list[str]) -> bool:
        with self._tx() as conn:
            return _save_document(conn, doc, chunks, record, reasons)

    def move_document(
        self, doc: Document, chunks: Sequence[Chunk], record: FileRecord, reasons: list[str], moved_from: str
    ) -> None:
        with self._tx() as conn:
            conn.execute("DELETE FROM files WHERE path = %s", (moved_from,))
            replaced = conn.execute(
                "SELECT doc_id FROM documents WHERE path = %s AND doc_id <> %s", (doc.path, doc.doc_id)
            ).fetchone()
            if replaced:  # moved over another file: that document goes
                _delete_document(conn, replaced[0])
            _save_document(conn, doc, chunks, record, reasons)

    def delete_document(self, doc_id: str, withhold: bool = False) -> bool:
        """With `withhold`, the file is remembered so that re-scans leave it out; without, an uploaded
        original kept for it is forgotten too."""
        with self._tx() as conn:
            row = conn.execute("SELECT path, source FROM documents WHERE doc_id = %s", (doc_id,)).fetchone()
            if row and withhold:
                conn.execute(
                    "INSERT INTO withheld VALUES (%s, %s, %s) ON CONFLICT (path) DO UPDATE SET"
                    " source = EXCLUDED.source, deleted_at = EXCLUDED.deleted_at",
                    (row[0], row[1], time.time()),
                )
            elif row:
                conn.execute("DELETE FROM originals WHERE path = %s", (row[0],))
            return _delete_document(conn, doc_id)

    def is_withheld(self, path: str) -> bool:
        return self._one("SELECT 1 FROM withheld WHERE path = %s", (path,)) is not None

    def withheld(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self._all('SELECT path, source FROM withheld ORDER BY path COLLATE "C"')]

    def release(self, path_or_source: str) -> list[str]:
        with self._tx() as conn:
            rows = conn.execute(
                "DELETE FROM withheld WHERE path = %s OR source = %s RETURNING path", (path_or_source, path_or_source)
            ).fetchall()
        return sorted((r[0] for r in rows), key=lambda p: p.encode())

    def quick_check(self) -> str:
        """'ok', or why the database cannot serve as the catalog (unreachable, schema behind the code)."""
        try:
            with _connection(self._pool) as conn:
                found = pgschema.status(conn)
        except StorageError as exc:
            return str(exc)
        if found.current < found.latest:
            return f"the schema is at version {found.current} of {found.latest}; run `policykb db upgrade`"
        return "ok"

    def content_state(self) -> tuple[int, str]:
        """(chunks, content hash) of the catalog now: what a generation built from it must hold."""
        row = self._one(f"{_CONTENT_STATE} FROM chunks c")
        return int(row[0]), str(row[1])

    # reads
    def document(self, doc_id: str) -> Document | None:
        r = self._one(f"SELECT {_DOC_COLUMNS}, text, page_starts, page_labels FROM documents WHERE doc_id = %s",
                      (doc_id,))  # fmt: skip
        if not r:
            return None
        return Document(
            **asdict(_info(r)), text=r[15], page_starts=list(r[16]), page_labels=list(r[17]) if r[17] else None
        )

    def documents(self) -> list[DocumentInfo]:
        # SQLite's order (the embedded reference): NULL dates last in DESC, titles by code point.
        rows = self._all(f'SELECT {_DOC_COLUMNS} FROM documents ORDER BY date DESC NULLS LAST, title COLLATE "C"')
        return [_info(r) for r in rows]

    def doc_type_reasons(self, doc_id: str) -> list[str]:
        row = self._one("SELECT doc_type_reasons FROM documents WHERE doc_id = %s", (doc_id,))
        return list(row[0]) if row else []

    def chunks(self, doc_id: str) -> list[Chunk]:
        rows = self._all(f"SELECT {_CHUNK_COLUMNS} FROM chunks WHERE doc_id = %s ORDER BY ordinal", (doc_id,))
        return [_chunk(r) for r in rows]

    def chunk(self, chunk_id: str) -> Chunk | None:
        row = self._one(f"SELECT {_CHUNK_COLUMNS} FROM chunks WHERE chunk_id = %s", (chunk_id,))
        return _chunk(row) if row else None

    def counts(self) -> dict[str, int]:
        row = self._one("SELECT (SELECT COUNT(*) FROM documents), (SELECT COUNT(*) FROM chunks)")
        return {"documents": int(row[0]), "chunks": int(row[1])}

    # cached embeddings
    def texts_without_embedding(self, model: str) -> list[tuple[str, str]]:
        """`text_sha` is the hash of the chunk's search text, so one hash stands for one text to embed."""
        rows = self._all(
            "SELECT DISTINCT ON (c.text_sha) c.text_sha, d.title, c.headings, c.text FROM chunks c"
            " JOIN documents d ON d.doc_id = c.doc_id WHERE NOT EXISTS"
            " (SELECT 1 FROM embeddings e WHERE e.model = %s AND e.text_sha = c.text_sha)",
            (model,),
        )
        return [(r[0], search_text(r[1], list(r[2]), r[3])) for r in rows]

    def store_embeddings(self, model: str, shas: Sequence[str], vectors: np.ndarray) -> None:
        with self._tx() as conn, conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO embeddings VALUES (%s, %s, %s) ON CONFLICT (model, text_sha)"
                " DO UPDATE SET vector = EXCLUDED.vector",
                [(model, s, np.asarray(v, dtype=np.float32)) for s, v in zip(shas, vectors, strict=True)],
            )

    def embedding_models(self) -> dict[str, int]:
        return {
            r[0]: int(r[1]) for r in self._all("SELECT model, MAX(vector_dims(vector)) FROM embeddings GROUP BY model")
        }

    def embeddings(self, model: str) -> tuple[list[str], np.ndarray]:
        with _connection(self._pool) as conn, conn.cursor(binary=True) as cur:
            cur.execute("SELECT text_sha, vector FROM embeddings WHERE model = %s ORDER BY text_sha", (model,))
            fetched = cur.fetchall()
        if not fetched:
            return [], np.zeros((0, 0), dtype=np.float32)
        return [r[0] for r in fetched], np.stack([r[1] for r in fetched])

    def drop_orphan_embeddings(self) -> int:
        with self._tx() as conn:
            cur = conn.execute(
                "DELETE FROM embeddings e WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.text_sha = e.text_sha)"
            )
            return cur.rowcount

    def snapshot_rows(self, model: str, dim: int) -> tuple[list[ChunkRow], np.ndarray]:
        with self._tx() as conn, conn.cursor(binary=True) as cur:
            cur.execute(
                f"SELECT c.id, {', '.join('c.' + c for c in _CHUNK_COLUMNS.split(', '))}, d.title, d.source,"
                " d.doc_type, d.date, d.organisations, d.language, d.url, d.meeting, d.agenda_item, e.vector FROM chunks c"
                " JOIN documents d ON d.doc_id = c.doc_id JOIN embeddings e ON e.model = %s AND e.text_sha = c.text_sha"
                " ORDER BY c.id",
                (model,),
            )
            fetched = cur.fetchall()
        rows = [_published_row(r) for r in fetched]
        vectors = np.stack([r[20] for r in fetched]) if fetched else np.zeros((0, dim), dtype=np.float32)
        return rows, vectors.astype(np.float32, copy=False)

    # originals
    def store_original(self, path: str, data: bytes) -> None:
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO originals VALUES (%s, %s, %s) ON CONFLICT (path) DO UPDATE SET data = EXCLUDED.data",
                (path, data, time.time()),
            )

    def original(self, path: str) -> bytes | None:
        row = self._one("SELECT data FROM originals WHERE path = %s", (path,))
        return bytes(row[0]) if row else None


def _save_document(
    conn: psycopg.Connection, doc: Document, chunks: Sequence[Chunk], record: FileRecord, reasons: list[str]
) -> bool:
    """Replace the document (and any other at its path) and all its chunks; True when it is new."""
    now = time.time()
    existing = conn.execute("SELECT added_at FROM documents WHERE doc_id = %s", (doc.doc_id,)).fetchone()
    conn.execute("DELETE FROM chunks WHERE doc_id = %s", (doc.doc_id,))
    conn.execute("DELETE FROM documents WHERE doc_id = %s OR path = %s", (doc.doc_id, doc.path))
    conn.execute(
        f"INSERT INTO documents ({_DOC_COLUMNS}, text, page_starts, page_labels, doc_type_reasons, added_at,"
        " updated_at) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
        (
            doc.doc_id, doc.source, doc.path, doc.title, doc.doc_type, doc.date,
            json.dumps(doc.organisations), doc.language, doc.pages, doc.sha256, doc.format, doc.url,
            doc.meeting, doc.agenda_item, doc.source_url, doc.text, json.dumps(doc.page_starts),
            json.dumps(doc.page_labels) if doc.page_labels else None, json.dumps(reasons),
            existing[0] if existing else now, now,
        ),
    )  # fmt: skip
    with conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO chunks ({_CHUNK_COLUMNS}, text_sha) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
            [
                (c.chunk_id, c.doc_id, c.ordinal, c.text, c.char_start, c.char_end, c.page_start, c.page_end,
                 json.dumps(c.headings), json.dumps(c.non_prose), text_sha(search_text(doc.title, c.headings, c.text)))
                for c in chunks
            ],
        )  # fmt: skip
    _upsert_file(conn, record)
    return existing is None


def _delete_document(conn: psycopg.Connection, doc_id: str) -> bool:
    cur = conn.execute("DELETE FROM documents WHERE doc_id = %s", (doc_id,))  # chunks cascade
    conn.execute("DELETE FROM files WHERE doc_id = %s OR duplicate_of = %s", (doc_id, doc_id))
    return cur.rowcount > 0


def _upsert_file(conn: psycopg.Connection, r: FileRecord) -> None:
    conn.execute(
        f"INSERT INTO files ({_FILE_COLUMNS}) VALUES (%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (path) DO UPDATE SET"
        " size = EXCLUDED.size, mtime_ns = EXCLUDED.mtime_ns, sha256 = EXCLUDED.sha256,"
        " meta_hash = EXCLUDED.meta_hash, versions = EXCLUDED.versions, doc_id = EXCLUDED.doc_id,"
        " duplicate_of = EXCLUDED.duplicate_of",
        (r.path, r.size, r.mtime_ns, r.sha256, r.meta_hash, r.versions, r.doc_id, r.duplicate_of),
    )


class ConnectionPool:
    """Idle connections kept for reuse, no background threads: while the database is down every request
    fails at once (connection refused -> 503), and the first request after it is back reconnects.
    A connection error drops every idle connection, since a restart has broken them all."""

    def __init__(self, url: str, max_idle: int = 8, connect_timeout: int = 5) -> None:
        self.url = url
        self.max_idle = max_idle
        self.connect_timeout = connect_timeout
        self._idle: list[psycopg.Connection] = []
        self._lock = threading.Lock()

    def _take(self) -> psycopg.Connection:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        conn = psycopg.connect(self.url, autocommit=True, connect_timeout=self.connect_timeout)
        _register_vector(conn)
        return conn

    def _give_back(self, conn: psycopg.Connection) -> None:
        if conn.closed or conn.broken or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.close()
            return
        with self._lock:
            if len(self._idle) < self.max_idle:
                self._idle.append(conn)
                return
        conn.close()

    def drop_idle(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        conn = self._take()
        try:
            yield conn
        finally:
            self._give_back(conn)

    def close(self) -> None:
        self.drop_idle()


@contextmanager
def _connection(pool: ConnectionPool) -> Iterator[psycopg.Connection]:
    """A pooled connection; the database being unreachable becomes a StorageError (HTTP 503, exit 3)."""
    try:
        with pool.connection() as conn:
            yield conn
    except psycopg.OperationalError as exc:
        pool.drop_idle()
        raise StorageError("the database is unreachable; try again shortly") from exc


# ---------------------------------------------------------------------------------------------- snapshots


class PostgresSnapshot(EmbeddedSnapshot):
    """Generation `number`: dense search in pgvector, the rest from the replica's derived folder."""

    def __init__(self, generation: Generation, number: int, model: str, dim: int, pool: ConnectionPool) -> None:
        super().__init__(generation)
        self.number = number
        self.stale_rows = 0  # rows deleted from the lexical index since it was derived whole
        self.model = model
        self.dim = dim
        self._pool = pool

    def dense_top_k(self, vector: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        if self.size == 0 or (allowed is not None and len(allowed) == 0):
            return []
        k = min(k, self.size)
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        distance = f"embedding::halfvec({self.dim}) <=> (%(q)s::vector)::halfvec({self.dim})"
        where = "model = %(model)s AND gen_from <= %(g)s AND (gen_to IS NULL OR gen_to > %(g)s)"
        params: dict[str, Any] = {"q": query, "model": self.model, "g": self.number, "k": k}
        exact = k >= self.size or (allowed is not None and len(allowed) <= EXACT_MAX_ALLOWED)
        if allowed is not None:
            where += " AND rowid = ANY(%(allowed)s)"
            params["allowed"] = [int(r) for r in allowed]
        # The exact path orders by an expression the HNSW index cannot serve; the approximate one walks
        # the index iteratively until `k` rows pass the generation (and filter) condition.
        order = f"({distance}) + 0" if exact else distance
        sql = f"SELECT rowid, 1 - ({distance}) AS score FROM published WHERE {where} ORDER BY {order} LIMIT %(k)s"
        with _connection(self._pool) as conn, conn.transaction():
            if not exact:
                conn.execute(f"SET LOCAL hnsw.ef_search = {max(EF_SEARCH, min(1000, k))}")
                conn.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
            rows = conn.execute(sql, params).fetchall()
        ranked = [(int(r[0]), float(r[1])) for r in rows if r[1] is not None]
        ranked.sort(key=lambda item: -item[1])  # relaxed_order may return near-ties out of order
        return ranked


class PostgresSnapshots:
    """The live generation, asked of the database on every call; a new one is derived locally once.
    With `listen`, a thread derives it as soon as a publish is announced (LISTEN/NOTIFY), so queries rarely
    wait for it; the per-call check keeps answers fresh even when a notification is missed."""

    def __init__(self, pool: ConnectionPool, cache_dir: Path, listen: bool = False) -> None:
        self._pool = pool
        self.cache_dir = cache_dir
        self._loaded: PostgresSnapshot | None = None
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._listener = threading.Thread(target=self._listen, name="generation-listener", daemon=True)
        if listen:
            self._listener.start()

    def close(self) -> None:
        self._closed.set()
        if self._listener.is_alive():
            self._listener.join(timeout=5)

    def _listen(self) -> None:
        while not self._closed.is_set():
            try:
                with psycopg.connect(self._pool.url, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self.current()  # whatever was published while nobody listened
                    while not self._closed.is_set():
                        for _ in conn.notifies(timeout=1.0, stop_after=1):
                            self.current()
            except (psycopg.Error, StorageError):
                self._closed.wait(1.0)  # the database is away: try again shortly
            except Exception:
                log.exception("deriving the announced generation failed; queries will derive it")
                self._closed.wait(1.0)

    def current(self) -> PostgresSnapshot | None:
        live = _live_generation(self._pool)
        if live is None:
            return None
        loaded = self._loaded
        if loaded is not None and loaded.number == live[0]:
            return loaded
        with self._lock:
            if self._loaded is None or self._loaded.number != live[0]:
                self._loaded = self._derive(*live)
            return self._loaded

    def _derive(self, number: int, model: str, dim: int) -> PostgresSnapshot:
        """The generation's folder: from the previous one by the rows that changed when there is one (a
        publish adds rows with higher ids and closes others), else from all its rows."""
        name = f"{number:06d}"
        folder = self.cache_dir / name
        shutil.rmtree(folder, ignore_errors=True)
        previous = self._loaded
        visible = "gen_from <= %(g)s AND (gen_to IS NULL OR gen_to > %(g)s)"
        with _connection(self._pool) as conn:
            if previous is not None and previous.number < number:
                live = np.array(
                    [r[0] for r in conn.execute(f"SELECT rowid FROM published WHERE {visible}", {"g": number})],
                    dtype=np.int64,
                )
                old = previous.generation
                newest = int(old.rowid[-1]) if old.size else 0
                fetched = conn.execute(
                    f"SELECT {_PUBLISHED_COLUMNS} FROM published WHERE {visible} AND rowid > %(newest)s ORDER BY rowid",
                    {"g": number, "newest": newest},
                ).fetchall()
                removed = old.rowid[~np.isin(old.rowid, live)]
                stale = previous.stale_rows + len(removed)
                complete = old.size - len(removed) + len(fetched) == len(live)  # nothing below `newest` added
                if complete and stale <= STALE_MAX * len(live):
                    update_lexical_folder(old, folder, name, removed, [_published_row(r) for r in fetched])
                    return self._loaded_from(folder, number, model, dim, stale)
                shutil.rmtree(folder, ignore_errors=True)
            fetched = conn.execute(
                f"SELECT {_PUBLISHED_COLUMNS} FROM published WHERE {visible} ORDER BY rowid", {"g": number}
            ).fetchall()
        write_lexical_folder(folder, name, [_published_row(r) for r in fetched])
        return self._loaded_from(folder, number, model, dim)

    def _loaded_from(self, folder: Path, number: int, model: str, dim: int, stale: int = 0) -> PostgresSnapshot:
        keep = {folder.name} | ({self._loaded.generation.folder.name} if self._loaded else set())
        for old in self.cache_dir.iterdir():  # the previous derived folder stays for queries holding it
            if old.name.isdigit() and old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)
        snapshot = PostgresSnapshot(Generation(folder, threads=1, nprobe=1), number, model, dim, self._pool)
        snapshot.stale_rows = stale
        return snapshot


def _live_generation(pool: ConnectionPool) -> tuple[int, str, int] | None:
    with _connection(pool) as conn:
        row = conn.execute("SELECT id, model, dim FROM generations ORDER BY id DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1]), int(row[2])) if row else None


# ---------------------------------------------------------------------------------------------- storage


class PostgresStorage:
    """The backend for `POLICYKB_DATABASE_URL=postgresql://…`; `cache_dir` holds this replica's derived
    lexical folders (a fresh temporary folder under it per process)."""

    def __init__(
        self,
        url: str,
        cache_dir: Path,
        keep_generations: int = 2,
        pool_size: int = 8,
        upgrade: bool = True,
        listen: bool = False,
    ) -> None:
        self.url = url
        self.keep_generations = keep_generations
        if upgrade:
            try:
                pgschema.upgrade(url)
            except psycopg.OperationalError as exc:
                raise StorageError(f"cannot reach the database at {redact(url)}: {exc}".strip()) from exc
        self.pool = ConnectionPool(url, max_idle=pool_size)
        cache_dir.mkdir(parents=True, exist_ok=True)
        self._cache = Path(tempfile.mkdtemp(prefix="replica-", dir=cache_dir))
        weakref.finalize(self, shutil.rmtree, self._cache, True)  # also at interpreter exit
        self.catalog = PostgresCatalog(self.pool)
        self.snapshots = PostgresSnapshots(self.pool, self._cache, listen)

    def close(self) -> None:
        self.snapshots.close()
        self.pool.close()
        shutil.rmtree(self._cache, ignore_errors=True)

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        """The one writer across every replica; a second waits (and says so in the log)."""
        try:
            conn = psycopg.connect(self.url, autocommit=True)
        except psycopg.OperationalError as exc:
            raise StorageError(f"the database is unreachable: {exc}".strip()) from exc
        with conn:
            got = conn.execute("SELECT pg_try_advisory_lock(%s)", (WRITER_LOCK,)).fetchone()
            if not (got and got[0]):
                log.warning("another ingest holds the writer lock on the database; waiting for it to finish")
                conn.execute("SELECT pg_advisory_lock(%s)", (WRITER_LOCK,))
            try:
                yield
            finally:
                if not conn.closed:
                    conn.execute("SELECT pg_advisory_unlock(%s)", (WRITER_LOCK,))

    def writer_busy(self) -> bool:
        """Whether another session holds the writer lock now."""
        with _connection(self.pool) as conn:
            row = conn.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = %s AND granted)",
                (WRITER_LOCK,),
            ).fetchone()
        return bool(row and row[0])

    def publish(self, model: str, dim: int) -> Published:
        with _connection(self.pool) as conn, conn.transaction():
            row = conn.execute(
                "INSERT INTO generations (model, dim, chunks, published_at) VALUES (%s, %s, 0, %s) RETURNING id",
                (model, dim, time.time()),
            ).fetchone()
            assert row is not None
            number = int(row[0])
            conn.execute(
                "UPDATE published p SET gen_to = %(g)s WHERE p.gen_to IS NULL AND (p.model <> %(m)s OR NOT EXISTS"
                " (SELECT 1 FROM chunks c JOIN embeddings e ON e.model = %(m)s AND e.text_sha = c.text_sha"
                " WHERE c.id = p.chunk_row))",
                {"g": number, "m": model},
            )
            added = conn.execute(
                f"INSERT INTO published (chunk_row, model, gen_from, embedding, {_CHUNK_COLUMNS}, title, source,"
                " doc_type, date, organisations, language, url, meeting, agenda_item)"
                " SELECT c.id, %(m)s, %(g)s, e.vector::halfvec, c.chunk_id, c.doc_id, c.ordinal, c.text,"
                " c.char_start, c.char_end, c.page_start, c.page_end, c.headings, c.non_prose, d.title, d.source, d.doc_type,"
                " d.date, d.organisations, d.language, d.url, d.meeting, d.agenda_item"
                " FROM chunks c JOIN documents d ON d.doc_id = c.doc_id"
                " JOIN embeddings e ON e.model = %(m)s AND e.text_sha = c.text_sha WHERE NOT EXISTS"
                " (SELECT 1 FROM published p WHERE p.chunk_row = c.id AND p.gen_to IS NULL AND p.model = %(m)s)"
                " ORDER BY c.id",
                {"g": number, "m": model},
            ).rowcount
            if added > 1000:  # planner statistics for the generation and filter conditions
                conn.execute("ANALYZE published")
            # Built after the first bulk copy (faster than row by row), then kept up to date on insert.
            conn.execute(
                f"CREATE INDEX IF NOT EXISTS published_hnsw_{dim} ON published USING hnsw"
                f" ((embedding::halfvec({dim})) halfvec_cosine_ops) WITH (m = 16, ef_construction = 64)"
            )
            state = conn.execute(
                f"{_CONTENT_STATE} FROM published p JOIN chunks c ON c.id = p.chunk_row WHERE p.gen_to IS NULL"
            ).fetchone()
            assert state is not None
            chunks = int(state[0])
            conn.execute(
                "UPDATE generations SET chunks = %s, content_hash = %s WHERE id = %s", (chunks, state[1], number)
            )
            oldest = number - self.keep_generations + 1
            conn.execute("DELETE FROM published WHERE gen_to IS NOT NULL AND gen_to <= %s", (oldest,))
            conn.execute(f"NOTIFY {NOTIFY_CHANNEL}, '{number}'")
        return Published(f"{number:06d}", chunks)

    def live(self) -> Published | None:
        with _connection(self.pool) as conn:
            row = conn.execute("SELECT id, chunks FROM generations ORDER BY id DESC LIMIT 1").fetchone()
        return Published(f"{int(row[0]):06d}", int(row[1])) if row else None

    def health(self, model: str, deep: bool = True) -> IndexHealth:
        """The embedded backend's states: `behind` when the catalog holds other chunks than the live
        generation (a writer died before publishing), `damaged` (deep) when the generation lost rows.
        `missing` cannot happen: a generation is a row, published in the same transaction as its rows."""
        chunks, content_hash = self.catalog.content_state()
        with _connection(self.pool) as conn:
            row = conn.execute(
                "SELECT id, model, chunks, content_hash FROM generations ORDER BY id DESC LIMIT 1"
            ).fetchone()
            if row is None:
                if chunks:
                    return IndexHealth("behind", f"no generation published yet for {chunks} registered chunks", None)
                return IndexHealth("empty", "nothing ingested yet", None)
            number, built_with, published, built_from = int(row[0]), str(row[1]), int(row[2]), row[3]
            name = f"{number:06d}"
            if deep:
                found = conn.execute(
                    "SELECT COUNT(*) FROM published WHERE gen_from <= %(g)s AND (gen_to IS NULL OR gen_to > %(g)s)",
                    {"g": number},
                ).fetchone()
                if found is None or int(found[0]) != published:
                    held = int(found[0]) if found else 0
                    return IndexHealth("damaged", f"generation {name} holds {held} of its {published} rows", name)
        if built_with != model:
            return IndexHealth("behind", f"generation {name} was built with {built_with}, not {model}", name)
        if published != chunks or built_from not in (None, content_hash):
            other = " of other content" if published == chunks else ""
            return IndexHealth(
                "behind", f"generation {name} holds {published} chunks; the catalog holds {chunks}{other}", name
            )
        return IndexHealth("ok", f"generation {name} matches the catalog ({chunks} chunks)", name)

    def prepare_write(self) -> None:
        """Publishing is one transaction, so a writer that died left nothing half-built to remove."""
        problem = self.catalog.quick_check()
        if problem != "ok":
            raise StorageError(f"the database cannot be written: {problem}")

    def job_records(self) -> PostgresJobStore:
        return PostgresJobStore(self.pool)

    def record_run(self, run: ChangeRun) -> ChangeRun:
        with _connection(self.pool) as conn:
            row = conn.execute(
                "INSERT INTO changes (at, trigger, body) VALUES (%s, %s, %s) RETURNING id",
                (run.at, run.trigger, Jsonb(run_body(run))),
            ).fetchone()
        assert row is not None  # INSERT … RETURNING gives one row
        run.id = int(row[0])
        return run

    def runs(self, since: float | None = None, limit: int = 50) -> list[ChangeRun]:
        with _connection(self.pool) as conn:
            rows = conn.execute(
                "SELECT id, body FROM changes WHERE at >= %s ORDER BY id DESC LIMIT %s",
                (since if since is not None else float("-inf"), limit),
            ).fetchall()
        return [run_from_body(int(r[0]), dict(r[1])) for r in rows]


class PostgresJobStore:
    """Job records in the shared database. A claim is a session advisory lock on the job's id, held on its
    own connection while the job runs: it ends with that connection, so a replica that died holds nothing."""

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool
        self._claims: dict[str, psycopg.Connection] = {}
        self._lock = threading.Lock()

    def save(self, job_id: str, body: dict, status: str, created_at: float) -> None:
        with _connection(self._pool) as conn:
            conn.execute(
                "INSERT INTO jobs VALUES (%s, %s, %s, %s) ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body,"
                " status = EXCLUDED.status",
                (job_id, Jsonb(body), status, created_at),
            )

    def get(self, job_id: str) -> dict | None:
        with _connection(self._pool) as conn:
            row = conn.execute("SELECT body FROM jobs WHERE id = %s", (job_id,)).fetchone()
        return dict(row[0]) if row else None

    def status(self, job_id: str) -> str | None:
        with _connection(self._pool) as conn:
            row = conn.execute("SELECT status FROM jobs WHERE id = %s", (job_id,)).fetchone()
        return str(row[0]) if row else None

    def unfinished(self, statuses: Sequence[str]) -> list[dict]:
        with _connection(self._pool) as conn:
            rows = conn.execute(
                "SELECT body FROM jobs WHERE status = ANY(%s) ORDER BY created_at", (list(statuses),)
            ).fetchall()
        return [dict(r[0]) for r in rows]

    def latest(self) -> dict | None:
        with _connection(self._pool) as conn:
            row = conn.execute("SELECT body FROM jobs ORDER BY created_at DESC LIMIT 1").fetchone()
        return dict(row[0]) if row else None

    def prune(self, keep: int, unfinished: Sequence[str]) -> None:
        with _connection(self._pool) as conn:
            conn.execute(
                "DELETE FROM jobs WHERE status <> ALL(%s) AND id NOT IN"
                " (SELECT id FROM jobs ORDER BY created_at DESC LIMIT %s)",
                (list(unfinished), keep),
            )

    def claim(self, job_id: str) -> bool:
        with self._lock:
            if job_id in self._claims:
                return False
        try:
            conn = psycopg.connect(self._pool.url, autocommit=True, connect_timeout=self._pool.connect_timeout)
        except psycopg.OperationalError as exc:
            raise StorageError("the database is unreachable; try again shortly") from exc
        got = conn.execute("SELECT pg_try_advisory_lock(%s, hashtext(%s))", (JOB_LOCKS, job_id)).fetchone()
        if not (got and got[0]):
            conn.close()
            return False
        with self._lock:
            self._claims[job_id] = conn
        return True

    def release(self, job_id: str) -> None:
        with self._lock:
            conn = self._claims.pop(job_id, None)
        if conn is None:
            return
        try:  # unlocked before the session ends: the server drops a closed session's locks a moment later
            conn.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", (JOB_LOCKS, job_id))
        except psycopg.Error:
            pass  # the session is gone already, and the lock with it
        finally:
            conn.close()

    def claimed_elsewhere(self, job_id: str) -> bool:
        with self._lock:
            if job_id in self._claims:
                return True
        with _connection(self._pool) as conn:
            got = conn.execute("SELECT pg_try_advisory_lock(%s, hashtext(%s))", (JOB_LOCKS, job_id)).fetchone()
            if got and got[0]:
                conn.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", (JOB_LOCKS, job_id))
                return False
        return True

    def close(self) -> None:
        with self._lock:
            claims, self._claims = self._claims, {}
        for conn in claims.values():
            conn.close()
