"""`make bench`: ingest throughput, no-change re-ingest, search latency at 10k/100k/1M chunks, memory,
index size and cold start. Prints tables and writes bench/results/bench-latest.json.

Scale with POLICYKB_BENCH_SIZES (default "10000,100000,1000000").
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import policykb  # noqa: F401
from bench.common import ROOT, SHARED, WORK, table, write_result
from policykb.core.settings import Settings
from policykb.core.types import Chunk
from policykb.index.generation import (
    GENERATIONS,
    Generation,
    GenerationReader,
    _write_arrays,
    _write_dense,
    _write_lexical,
)
from policykb.index.search import HybridSearcher
from policykb.index.storage.base import ChunkRow
from policykb.index.storage.embedded import EmbeddedSnapshots
from policykb.ingest.readers import parse
from policykb.service.knowledge_base import KnowledgeBase

WHO = SHARED / "corpus" / "who"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def queries() -> list[str]:
    rows = [json.loads(x) for x in (ROOT / "bench" / "sample_questions.jsonl").read_text().splitlines() if x]
    return [r["question"] for r in rows] * 4


def ingest_throughput(out: dict) -> None:
    if not WHO.exists():
        print("../shared/corpus/who is absent: ingest throughput skipped", file=sys.stderr)
        return
    pdfs = sorted(WHO.glob("*.pdf"))
    started = time.perf_counter()
    pages = sum(len(parse(p, p.read_bytes()).page_starts) for p in pdfs)
    parse_seconds = time.perf_counter() - started

    data_dir = WORK / "who"
    shutil.rmtree(data_dir, ignore_errors=True)
    kb = KnowledgeBase(Settings(data_dir=data_dir))
    kb.embedder.embed_passages(["warm up the model"])
    started = time.perf_counter()
    report = kb.ingest([WHO])
    ingest_seconds = time.perf_counter() - started
    chunks = kb.status().chunks
    texts = [c.text for d in kb.documents() for c in kb.chunks(d.doc_id)]
    started = time.perf_counter()
    kb.embedder.embed_passages(sorted(texts, key=len))
    embed_seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = kb.ingest([WHO])
    reingest_seconds = time.perf_counter() - started
    generation = data_dir / GENERATIONS / (kb.status().generation or "")
    out["ingest"] = {
        "documents": len(report.added),
        "failed": report.failed,
        "pages": pages,
        "parse_pages_per_s": pages / parse_seconds,
        "chunks": chunks,
        "ingest_seconds": ingest_seconds,
        "ingest_chunks_per_s": chunks / ingest_seconds,
        "bare_embed_chunks_per_s": chunks / embed_seconds,
        "ratio_ingest_to_bare_embedder": (chunks / ingest_seconds) / (chunks / embed_seconds),
        "unchanged_reingest_seconds": reingest_seconds,
        "unchanged_reported": len(again.unchanged),
        "index_mb": folder_mb(generation),
        "registry_mb": (data_dir / "registry.sqlite").stat().st_size / 1e6,
        "peak_rss_mb_after_ingest": peak_rss_mb(),
    }


def unchanged_thousand(out: dict) -> None:
    """No-change re-ingest of 1,000 small documents (the stat gate must skip them without reading)."""
    folder = WORK / "thousand-files"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for i in range(1000):
        (folder / f"statement-{i:04d}.txt").write_text(f"Statement {i} on patient safety and access to medicines.")
    data_dir = WORK / "thousand"
    shutil.rmtree(data_dir, ignore_errors=True)
    kb = KnowledgeBase(Settings(data_dir=data_dir, embedder="hash"))
    kb.ingest([folder])
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        report = kb.ingest([folder])
        timings.append(time.perf_counter() - started)
        assert len(report.unchanged) == 1000
    out["unchanged_1000_docs_seconds"] = statistics.median(timings)


def synthetic_generation(size: int, vocabulary: list[str], dim: int, folder: Path) -> float:
    rng = np.random.default_rng(size)
    weights = 1 / np.arange(1, len(vocabulary) + 1)
    weights /= weights.sum()
    types = ["statement", "report", "guideline", "resolution", "press_release"]
    rows: list[ChunkRow] = []
    words = rng.choice(len(vocabulary), size=(size, 120), p=weights)
    for i in range(size):
        text = " ".join(vocabulary[w] for w in words[i])
        chunk = Chunk(f"c{i}", f"d{i // 20}", i % 20, text, 0, len(text), 1 + i % 30, 1 + i % 30, [])
        rows.append(
            ChunkRow(i + 1, chunk, f"Document {i // 20}", f"synthetic/{i // 20}.pdf", types[i % 5],
                     f"{2000 + i % 25}-0{1 + i % 9}", ["WHO"] if i % 3 else ["IAPO"], "en", None)
        )  # fmt: skip
    vectors = rng.standard_normal((size, dim), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    kind = _write_dense(folder / "dense.faiss", rows, vectors, Settings().exact_search_max_chunks)
    del vectors
    _write_lexical(folder / "lexical", rows)
    _write_arrays(folder, rows)
    (folder / "manifest.json").write_text(json.dumps({"name": folder.name, "chunks": size, "kind": kind}))
    return time.perf_counter() - started


def search_latency(out: dict, sizes: list[int]) -> None:
    settings = Settings()
    kb = KnowledgeBase(settings)
    embedder = kb.embedder
    text = " ".join(p.read_text() for p in (ROOT / "corpus").glob("*.txt"))
    vocabulary = list(dict.fromkeys(w.lower() for w in text.split() if w.isalpha()))
    qs = queries()
    results = []
    for size in sizes:
        data_dir = WORK / f"synthetic-{size}"
        folder = data_dir / GENERATIONS / "000001"
        build_seconds = synthetic_generation(size, vocabulary, embedder.dim, folder)
        (data_dir / "CURRENT").write_text("000001")
        reader = GenerationReader(data_dir, settings.search_threads, settings.ivf_nprobe)
        searcher = HybridSearcher(
            EmbeddedSnapshots(reader), embedder, settings.candidates, settings.fusion, settings.dense_weight
        )
        generation: Generation = reader.current()  # type: ignore[assignment]
        for q in qs[:5]:
            searcher.search(q)
        row = {"chunks": size, "kind": generation.manifest["kind"], "build_seconds": build_seconds,
               "index_mb": folder_mb(folder)}  # fmt: skip
        for mode in ("hybrid", "lexical", "dense"):
            timings = []
            for q in qs:
                started = time.perf_counter()
                searcher.search(q, k=10, mode=mode)  # type: ignore[arg-type]
                timings.append((time.perf_counter() - started) * 1000)
            row[f"{mode}_p50_ms"] = float(np.percentile(timings, 50))
            row[f"{mode}_p95_ms"] = float(np.percentile(timings, 95))
        timings = []
        for q in qs:
            started = time.perf_counter()
            embedder.embed_queries([q])
            timings.append((time.perf_counter() - started) * 1000)
        row["query_embedding_p50_ms"] = float(np.percentile(timings, 50))
        row["peak_rss_mb"] = peak_rss_mb()
        results.append(row)
        del searcher, reader, generation
        shutil.rmtree(data_dir, ignore_errors=True)
        print(f"  {size} chunks: {row}", file=sys.stderr)
    out["search"] = results
    out["rerank"] = "not measured: no packaged reranker exists (see README)"


def answer_latency(out: dict) -> None:
    """Extractive answers on the sample corpus, warm: each question asked three times over."""
    kb = KnowledgeBase(Settings(data_dir=WORK / "answer-sample"))
    kb.ingest([ROOT / "corpus"])
    rows = [json.loads(x) for x in (ROOT / "bench" / "sample_questions.jsonl").read_text().splitlines() if x]
    kb.ask("warm up the models")
    timings = []
    for _ in range(3):
        for r in rows:
            started = time.perf_counter()
            kb.ask(r["question"])
            timings.append((time.perf_counter() - started) * 1000)
    first = timings[: len(rows)]  # before the sentence-embedding cache has seen these passages
    out.update(answer_p50_ms=float(np.percentile(timings, 50)), answer_p95_ms=float(np.percentile(timings, 95)),
               first_pass_p50_ms=float(np.percentile(first, 50)), first_pass_p95_ms=float(np.percentile(first, 95)),
               questions=len(timings))  # fmt: skip


def cold_start(out: dict) -> None:
    data_dir = WORK / "who" if (WORK / "who" / "CURRENT").exists() else None
    if data_dir is None:
        return
    code = (
        "import time; t=time.perf_counter(); from policykb.service.knowledge_base import KnowledgeBase; "
        "from policykb.core.settings import Settings; "
        f"kb=KnowledgeBase(Settings(data_dir={str(data_dir)!r})); kb.search('malaria in pregnancy'); "
        "print(time.perf_counter()-t)"
    )
    started = time.perf_counter()
    inner = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    out["cold_start_to_first_search_seconds"] = {
        "process": time.perf_counter() - started,
        "in_process": float(inner.strip().splitlines()[-1]),
    }


def main() -> int:
    parts = os.environ.get("POLICYKB_BENCH_PARTS", "ingest,answer,search").split(",")
    sizes = [int(s) for s in os.environ.get("POLICYKB_BENCH_SIZES", "10000,100000,1000000").split(",") if s]
    if "ingest" in parts:
        out: dict = {}
        ingest_throughput(out)
        unchanged_thousand(out)
        cold_start(out)
        print_ingest(out, write_result("bench-ingest", out))
    if "answer" in parts:
        out = {}
        answer_latency(out)
        print(f"\nExtractive answer latency, warm, sample corpus: p50 {out['answer_p50_ms']:.0f} ms, "
              f"p95 {out['answer_p95_ms']:.0f} ms over {out['questions']} asks; first pass (passages not yet "
              f"seen) p50 {out['first_pass_p50_ms']:.0f} ms, p95 {out['first_pass_p95_ms']:.0f} ms")  # fmt: skip
        print(f"written: {write_result('bench-answer', out)}")
    if "search" in parts:
        out = {}
        search_latency(out, sizes)
        print_search(out, write_result("bench-search", out))
    return 0


def print_ingest(out: dict, path: Path) -> None:
    if "ingest" in out:
        i = out["ingest"]
        print(f"\nIngest of ../shared/corpus/who ({i['documents']} PDFs, {i['pages']} pages, {i['chunks']} chunks)")
        print(table(["measure", "value"], [
            ["parsing, pages/s", f"{i['parse_pages_per_s']:.0f}"],
            ["whole ingest, chunks/s", f"{i['ingest_chunks_per_s']:.1f}"],
            ["bare embedder, chunks/s", f"{i['bare_embed_chunks_per_s']:.1f}"],
            ["ratio ingest / bare embedder", f"{i['ratio_ingest_to_bare_embedder']:.2f}"],
            ["no-change re-ingest, s", f"{i['unchanged_reingest_seconds']:.3f}"],
            ["index size on disk, MB", f"{i['index_mb']:.1f}"],
            ["registry size on disk, MB", f"{i['registry_mb']:.1f}"],
            ["peak RSS after ingest, MB", f"{i['peak_rss_mb_after_ingest']:.0f}"],
        ]))  # fmt: skip
    print(f"\nNo-change re-ingest of 1,000 documents: {out['unchanged_1000_docs_seconds']:.3f} s")
    if "cold_start_to_first_search_seconds" in out:
        c = out["cold_start_to_first_search_seconds"]
        print(f"Cold start to first search: {c['in_process']:.1f} s in process, {c['process']:.1f} s with interpreter")
    print(f"written: {path}")


def print_search(out: dict, path: Path) -> None:
    rows = [[r["chunks"], r["kind"], f"{r['hybrid_p50_ms']:.1f}", f"{r['hybrid_p95_ms']:.1f}", f"{r['lexical_p50_ms']:.1f}",
             f"{r['dense_p50_ms']:.1f}", f"{r['query_embedding_p50_ms']:.1f}", f"{r['index_mb']:.0f}",
             f"{r['build_seconds']:.0f}", f"{r['peak_rss_mb']:.0f}"] for r in out["search"]]  # fmt: skip
    print("\nSearch latency, single queries, warm, 1 FAISS thread (ms; hybrid and dense include the query embedding)")
    print(table(["chunks", "dense index", "hybrid p50", "hybrid p95", "lexical p50", "dense p50", "query embed p50",
                 "index MB", "build s", "peak RSS MB"], rows))  # fmt: skip
    print(f"written: {path}")


if __name__ == "__main__":
    raise SystemExit(main())
