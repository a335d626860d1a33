"""Index generations: immutable folders holding the dense (FAISS) and lexical (tantivy) indexes of one
catalog snapshot, switched atomically by renaming `CURRENT` (the embedded backend's published snapshots).

A reader never sees a half-built index: it keeps using the generation it loaded until a query finds a
new name in `CURRENT`, then loads that one whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np
import tantivy

from policykb.core.dates import date_bounds
from policykb.core.durable import fsync_dir
from policykb.core.text import search_text
from policykb.core.types import Chunk, KindSpan
from policykb.index.registry import state_of, text_sha
from policykb.index.storage.base import Catalog, ChunkRow, IndexUnavailable

CURRENT = "CURRENT"
GENERATIONS = "generations"
STAGING_PREFIX = ".staging-"

# What a generation's files hold; a reader refuses another format rather than answer from a different one.
# 2: the lexical index has the `search` field (the chunk's search text: title, headings, text, spelled American).
FORMAT = 2


# ------------------------------------------------------------------------------------------------ rows


def source_prefixes(source: str) -> list[str]:
    """'who/wha/WHA66.1.pdf' -> ['who', 'who/wha', 'who/wha/WHA66.1.pdf']: a folder filter is a term match."""
    parts = source.strip("/").split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


# ------------------------------------------------------------------------------------------------ schema


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("rowid", stored=True, indexed=True, fast=True)
    sb.add_text_field("search", stored=False, tokenizer_name="en_stem")
    sb.add_text_field("text", stored=True, tokenizer_name="en_stem")
    sb.add_text_field("title", stored=True, tokenizer_name="en_stem")
    sb.add_text_field("headings", stored=True, tokenizer_name="en_stem")
    for raw in (
        "chunk_id",
        "doc_id",
        "doc_type",
        "organisations",
        "language",
        "source",
        "source_prefix",
        "meeting",
        "agenda_item",
        "date",
        "url",
    ):
        sb.add_text_field(raw, stored=True, tokenizer_name="raw")
    sb.add_text_field("non_prose", stored=True, index_option="basic", tokenizer_name="raw")  # JSON spans
    for number in ("date_lo", "date_hi", "page_start", "page_end", "char_start", "char_end", "ordinal"):
        sb.add_integer_field(number, stored=True, indexed=True, fast=True)
    return sb.build()


# ------------------------------------------------------------------------------------------------ writing


@dataclass
class BuildStats:
    name: str
    chunks: int
    kind: str
    seconds: float


def build_generation(catalog: Catalog, data_dir: Path, model_id: str, dim: int, exact_max: int) -> BuildStats:
    """Write a new generation from one catalog snapshot, then publish it by renaming CURRENT."""
    started = time.perf_counter()
    root = data_dir / GENERATIONS
    root.mkdir(parents=True, exist_ok=True)
    rows, vectors = catalog.snapshot_rows(model_id, dim)
    chunks, content_hash = state_of(  # the registry's text_sha is the hash of the chunk's search text
        (r.rowid, r.chunk.chunk_id, text_sha(search_text(r.title, r.chunk.headings, r.chunk.text))) for r in rows
    )
    name = f"{_next_number(root):06d}"
    staging = root / f"{STAGING_PREFIX}{name}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    kind = _write_dense(staging / "dense.faiss", rows, vectors, exact_max)
    _write_lexical(staging / "lexical", rows)
    _write_arrays(staging, rows)
    (staging / "manifest.json").write_text(
        json.dumps(
            {"name": name, "format": FORMAT, "chunks": chunks, "model": model_id, "dim": dim, "kind": kind,
             "content_hash": content_hash, "files": _checksums(staging), "built_at": time.time()}
        )
    )  # fmt: skip
    _fsync_tree(staging)
    final = root / name
    os.rename(staging, final)
    fsync_dir(root)
    tmp = data_dir / f"{CURRENT}.tmp"
    tmp.write_text(name)
    with open(tmp) as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, data_dir / CURRENT)
    fsync_dir(data_dir)
    return BuildStats(name, len(rows), kind, time.perf_counter() - started)


def write_lexical_folder(folder: Path, name: str, rows: list[ChunkRow]) -> None:
    """A generation without its dense half: the tantivy index and filter columns of `rows` (sorted by row
    id). Backends that search vectors elsewhere (pgvector) derive this per reader from their catalog."""
    folder.mkdir(parents=True)
    _write_lexical(folder / "lexical", rows)
    _write_arrays(folder, rows)
    (folder / "manifest.json").write_text(
        json.dumps({"name": name, "format": FORMAT, "chunks": len(rows), "built_at": time.time()})
    )


def update_lexical_folder(
    previous: Generation, folder: Path, name: str, removed: np.ndarray, added: list[ChunkRow]
) -> None:
    """`write_lexical_folder` of `previous`'s rows less the `removed` row ids plus `added` (sorted, every id
    above `previous`'s), in time proportional to the change: the tantivy segments are hard-linked (tantivy
    never rewrites a segment file; it writes new ones and replaces its meta files by rename), then the
    change is applied as deletes and adds. `previous` stays intact for the queries still holding it."""
    folder.mkdir(parents=True)
    shutil.copytree(previous.folder / "lexical", folder / "lexical", copy_function=os.link,
                    ignore=shutil.ignore_patterns(".tantivy-*.lock"))  # fmt: skip
    index = tantivy.Index.open(str(folder / "lexical"))
    writer = index.writer(heap_size=64_000_000, num_threads=1)
    if len(removed):
        writer.delete_documents_by_query(tantivy.Query.term_set_query(index.schema, "rowid", removed.tolist()))
    _add_lexical_rows(writer, added)
    writer.commit()
    writer.wait_merging_threads()
    _write_arrays(folder, added, previous, ~np.isin(previous.rowid, removed))
    chunks = previous.size - int(np.isin(previous.rowid, removed).sum()) + len(added)
    (folder / "manifest.json").write_text(
        json.dumps({"name": name, "format": FORMAT, "chunks": chunks, "built_at": time.time()})
    )


def current_manifest(data_dir: Path) -> dict | None:
    name = read_current(data_dir)
    if name is None:
        return None
    try:
        return json.loads((data_dir / GENERATIONS / name / "manifest.json").read_text())
    except (OSError, ValueError):
        return None


def read_current(data_dir: Path) -> str | None:
    try:
        return (data_dir / CURRENT).read_text().strip() or None
    except FileNotFoundError:
        return None


def remove_old_generations(data_dir: Path, keep: int) -> None:
    """Keep the live generation and the `keep - 1` before it, so readers mid-query can finish."""
    root = data_dir / GENERATIONS
    live = read_current(data_dir)
    names = sorted(p.name for p in root.iterdir() if p.is_dir() and p.name.isdigit())
    for old in [n for n in names if n != live][: max(0, len(names) - keep)]:
        shutil.rmtree(root / old, ignore_errors=True)


def remove_staging(data_dir: Path) -> list[str]:
    """Delete staging folders left by writers that died. Call only while holding the writer lock: then no
    staging folder can belong to a live writer."""
    root = data_dir / GENERATIONS
    removed = [p.name for p in root.glob(f"{STAGING_PREFIX}*")] if root.is_dir() else []
    for name in removed:
        shutil.rmtree(root / name, ignore_errors=True)
    return removed


def _checksums(folder: Path) -> dict[str, str]:
    """sha256 of every file in a generation folder, by path relative to it (the manifest's own excluded)."""
    return {
        str(path.relative_to(folder)): _sha256(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != "manifest.json"
    }


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def damage_of(folder: Path, deep: bool = True) -> str | None:
    """Why a generation folder cannot be trusted (missing or, when `deep`, changed files), or None."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        return f"its manifest cannot be read ({type(exc).__name__})"
    expected: dict[str, str] = manifest.get("files") or {}
    for rel, digest in expected.items():
        path = folder / rel
        if not path.is_file():
            return f"{rel} is missing"
        if deep and _sha256(path) != digest:
            return f"{rel} does not match its checksum"
    return None


def _next_number(root: Path) -> int:
    numbers = [int(p.name) for p in root.iterdir() if p.name.isdigit()]
    return max(numbers, default=0) + 1


def _write_dense(path: Path, rows: list[ChunkRow], vectors: np.ndarray, exact_max: int) -> str:
    dim = vectors.shape[1] if len(vectors) else 1
    ids = np.array([r.rowid for r in rows], dtype=np.int64)
    index: faiss.Index
    if len(rows) <= exact_max:
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        kind = "flat"
    else:
        nlist = int(4 * np.sqrt(len(rows)))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
        sample = vectors[
            np.random.default_rng(0).choice(len(vectors), size=min(len(vectors), nlist * 40), replace=False)
        ]
        index.train(sample)
        kind = f"ivf{nlist}"
    if len(rows):
        index.add_with_ids(np.ascontiguousarray(vectors), ids)
    faiss.write_index(index, str(path))
    return kind


def _write_lexical(path: Path, rows: list[ChunkRow]) -> None:
    path.mkdir()
    index = tantivy.Index(_schema(), path=str(path))
    writer = index.writer(heap_size=256_000_000, num_threads=min(4, os.cpu_count() or 1))
    _add_lexical_rows(writer, rows)
    writer.commit()
    writer.wait_merging_threads()


def _add_lexical_rows(writer: tantivy.IndexWriter, rows: list[ChunkRow]) -> None:
    for r in rows:
        c = r.chunk
        lo, hi = date_bounds(r.date)
        writer.add_document(
            tantivy.Document(
                rowid=r.rowid,
                search=search_text(r.title, c.headings, c.text),
                text=c.text,
                title=r.title,
                headings=" / ".join(c.headings),
                chunk_id=c.chunk_id,
                doc_id=c.doc_id,
                doc_type=r.doc_type,
                organisations=r.organisations or [],
                language=r.language,
                source=r.source,
                source_prefix=source_prefixes(r.source),
                meeting=[r.meeting] if r.meeting else [],
                agenda_item=[r.agenda_item] if r.agenda_item else [],
                date=r.date or "",
                url=r.url or "",
                date_lo=lo,
                date_hi=hi,
                page_start=c.page_start or 0,
                page_end=c.page_end or 0,
                char_start=c.char_start,
                char_end=c.char_end,
                ordinal=c.ordinal,
                non_prose=json.dumps([[k.start, k.end, k.kind] for k in c.non_prose]),
            )
        )


def _write_arrays(
    folder: Path, rows: list[ChunkRow], previous: Generation | None = None, keep: np.ndarray | None = None
) -> None:
    """Per-row filter columns for the dense side (the lexical side filters inside tantivy). With `previous`,
    its rows where `keep` come first, then `rows`; its vocabularies are extended, so its codes stay valid (a
    value no row has any more matches nothing)."""
    kinds = ("doc_type", "language", "source", "organisations", "meeting", "agenda_item")
    vocab: dict[str, list[str]] = {k: list(previous.vocab[k]) if previous else [] for k in kinds}
    index_of: dict[str, dict[str, int]] = {k: {v: i for i, v in enumerate(vocab[k])} for k in kinds}

    def code(kind: str, value: str | None) -> int:
        if value is None:
            return -1
        table = index_of[kind]
        if value not in table:
            table[value] = len(vocab[kind])
            vocab[kind].append(value)
        return table[value]

    bounds = [date_bounds(r.date) for r in rows]
    org_counts = np.array([len(r.organisations) for r in rows], dtype=np.int64)
    org_idx = np.array([code("organisations", o) for r in rows for o in r.organisations], dtype=np.int32)
    columns: dict[str, np.ndarray] = {
        "rowid": np.array([r.rowid for r in rows], dtype=np.int64),
        "date_lo": np.array([b[0] for b in bounds], dtype=np.int32),
        "date_hi": np.array([b[1] for b in bounds], dtype=np.int32),
        "doc_type": np.array([code("doc_type", r.doc_type) for r in rows], dtype=np.int32),
        "language": np.array([code("language", r.language) for r in rows], dtype=np.int32),
        "source": np.array([code("source", r.source) for r in rows], dtype=np.int32),
        "meeting": np.array([code("meeting", r.meeting) for r in rows], dtype=np.int32),
        "agenda_item": np.array([code("agenda_item", r.agenda_item) for r in rows], dtype=np.int32),
    }
    if previous is not None and keep is not None:
        columns = {name: np.concatenate([getattr(previous, name)[keep], new]) for name, new in columns.items()}
        kept_orgs = previous.org_idx[np.repeat(keep, np.diff(previous.org_ptr))]
        org_idx = np.concatenate([kept_orgs, org_idx])
        org_counts = np.concatenate([np.diff(previous.org_ptr)[keep], org_counts])
    org_ptr = np.concatenate([[0], np.cumsum(org_counts)]).astype(np.int64)
    columns.update(org_ptr=org_ptr, org_idx=org_idx)
    np.savez(folder / "rows.npz", allow_pickle=False, **columns)
    (folder / "vocab.json").write_text(json.dumps(vocab))


def _fsync_tree(folder: Path) -> None:
    for dirpath, _, files in os.walk(folder):
        for f in files:
            with open(os.path.join(dirpath, f), "rb") as fh:
                os.fsync(fh.fileno())
        fsync_dir(Path(dirpath))


# ------------------------------------------------------------------------------------------------ reading


class Generation:
    """One loaded generation: FAISS in memory (when the folder has a dense half), tantivy memory-mapped,
    filter columns as numpy arrays."""

    def __init__(self, folder: Path, threads: int, nprobe: int) -> None:
        self.folder = folder
        damage = damage_of(folder)
        if damage is not None:
            raise IndexUnavailable(
                f"the live index generation {folder.name} is damaged: {damage}; run `policykb repair`"
            )
        self.manifest = json.loads((folder / "manifest.json").read_text())
        if self.manifest.get("format") != FORMAT:
            raise IndexUnavailable(
                f"index generation {folder.name} was built by an older policykb (format"
                f" {self.manifest.get('format', 1)}, this one reads {FORMAT}): run `policykb ingest` to rebuild it"
            )
        self.name = self.manifest["name"]
        dense_path = folder / "dense.faiss"
        self.dense = faiss.read_index(str(dense_path)) if dense_path.exists() else None
        if self.dense is not None and hasattr(self.dense, "nprobe"):
            self.dense.nprobe = nprobe
        self.lexical = tantivy.Index.open(str(folder / "lexical"))
        self.searcher = self.lexical.searcher()
        self.schema = self.lexical.schema
        arrays = np.load(folder / "rows.npz")
        self.rowid = arrays["rowid"]
        self.date_lo = arrays["date_lo"]
        self.date_hi = arrays["date_hi"]
        self.doc_type = arrays["doc_type"]
        self.language = arrays["language"]
        self.source = arrays["source"]
        self.meeting = arrays["meeting"]
        self.agenda_item = arrays["agenda_item"]
        self.org_ptr = arrays["org_ptr"]
        self.org_idx = arrays["org_idx"]
        self.vocab: dict[str, list[str]] = json.loads((folder / "vocab.json").read_text())
        self.org_row = np.repeat(np.arange(len(self.rowid)), np.diff(self.org_ptr))
        self.threads = threads

    @property
    def size(self) -> int:
        return len(self.rowid)

    def positions(self, rowids: np.ndarray) -> np.ndarray:
        """Row positions of registry ids (rows are stored sorted by id)."""
        return np.searchsorted(self.rowid, rowids)

    def stored_rows(self, rowids: Sequence[int]) -> dict[int, ChunkRow]:
        """The chunks and document fields stored in the lexical index for these row ids."""
        if not len(rowids):
            return {}
        query = tantivy.Query.term_set_query(self.schema, "rowid", list(rowids))
        out = {}
        for _, address in self.searcher.search(query, limit=len(rowids)).hits:
            row = _stored_row(self.searcher.doc(address).to_dict())
            out[row.rowid] = row
        return out


def _stored_row(doc: dict) -> ChunkRow:
    """Inverse of the fields `_write_lexical` stores (0 and "" stand for None there)."""

    def first(name: str) -> str:
        values = doc.get(name) or [""]
        return values[0]

    chunk = Chunk(
        chunk_id=first("chunk_id"),
        doc_id=first("doc_id"),
        ordinal=int(first("ordinal")),
        text=first("text"),
        char_start=int(first("char_start")),
        char_end=int(first("char_end")),
        page_start=int(first("page_start")) or None,
        page_end=int(first("page_end")) or None,
        headings=[h for h in first("headings").split(" / ") if h],
        non_prose=[KindSpan(int(a), int(b), str(k)) for a, b, k in json.loads(first("non_prose") or "[]")],
    )
    return ChunkRow(
        rowid=int(first("rowid")),
        chunk=chunk,
        title=first("title"),
        source=first("source"),
        doc_type=first("doc_type"),
        date=first("date") or None,
        organisations=list(doc.get("organisations") or []),
        language=first("language"),
        url=first("url") or None,
        meeting=first("meeting") or None,
        agenda_item=first("agenda_item") or None,
    )


class GenerationReader:
    """Hands out the live generation; reloads when CURRENT names a new one (no restart needed)."""

    def __init__(self, data_dir: Path, threads: int = 1, nprobe: int = 32) -> None:
        self.data_dir = data_dir
        self.threads = threads
        self.nprobe = nprobe
        self._loaded: Generation | None = None
        self._lock = threading.Lock()
        faiss.omp_set_num_threads(threads)

    def current(self) -> Generation | None:
        """The live generation; None before the first one was published. Raises IndexUnavailable when
        `CURRENT` is lost or names a damaged generation (never silent empty results)."""
        name = read_current(self.data_dir)
        loaded = self._loaded
        if name is None:
            if published_before(self.data_dir):
                raise IndexUnavailable("the index pointer CURRENT is missing; run `policykb repair`")
            return None
        if loaded is not None and loaded.name == name:
            return loaded
        with self._lock:
            if self._loaded is None or self._loaded.name != name:
                try:
                    self._loaded = Generation(self.data_dir / GENERATIONS / name, self.threads, self.nprobe)
                except IndexUnavailable:
                    raise
                except Exception as exc:  # unreadable FAISS or tantivy files
                    raise IndexUnavailable(
                        f"the live index generation {name} cannot be loaded ({type(exc).__name__}); "
                        "run `policykb repair`"
                    ) from exc
            return self._loaded


def published_before(data_dir: Path) -> bool:
    root = data_dir / GENERATIONS
    return root.is_dir() and any(p.name.isdigit() for p in root.iterdir())
