"""`make bench`: ingest throughput, no-change re-ingest, search latency at 10k/100k/1M chunks, memory,
index size and cold start. Prints tables and writes bench/results/bench-latest.json.

Scale with POLICYKB_BENCH_SIZES (default "10000,100000,1000000").
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import numpy as np

import policykb  # noqa: F401
from bench.common import ROOT, SHARED, WORK, table, write_result
from policykb.core.settings import Settings
from policykb.core.text import search_text
from policykb.core.types import Chunk
from policykb.index.generation import (
    FORMAT,
    GENERATIONS,
    Generation,
    GenerationReader,
    _write_arrays,
    _write_dense,
    _write_lexical,
)
from policykb.index.rerank import RerankModel
from policykb.index.search import HybridSearcher
from policykb.index.storage.base import ChunkRow
from policykb.index.storage.embedded import EmbeddedSnapshots
from policykb.ingest.readers import parse
from policykb.service.grouping import group_by_document, passages_for
from policykb.service.knowledge_base import KnowledgeBase

WHO = SHARED / "corpus" / "who"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def queries() -> list[str]:
    rows = [json.loads(x) for x in (ROOT / "bench" / "sample_questions.jsonl").read_text().splitlines() if x]
    return [r["question"] for r in rows] * 4


RUNTIMES = ("torch", "onnx", "onnx-int8")
USER_VIEW = ("WHO_IPC_core_components_guidelines_2016.pdf", "CDC_outpatient_infection_prevention_guide_2016.pdf")


def who_files() -> list[Path]:
    """The WHO PDFs the ingest figures use: all with POLICYKB_BENCH_WHO=all, else the two of the user's view."""
    if os.environ.get("POLICYKB_BENCH_WHO") == "all":
        return sorted(WHO.glob("*.pdf"))
    return [WHO / name for name in USER_VIEW]


def runtime_settings(data_dir: Path, runtime: str) -> Settings:
    return Settings(data_dir=data_dir, embedder_runtime=runtime, models_dir=WORK / "models")  # type: ignore[arg-type]


def timed(fn):  # type: ignore[no-untyped-def]
    """(result, wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def ingest_throughput(out: dict) -> None:
    """Whole ingest against the bare embedder on the same chunks, per runtime, side by side in one run:
    rounds interleave the runtimes, so a busy machine slows all of them alike."""
    if not WHO.exists():
        print("../shared/corpus/who is absent: ingest throughput skipped", file=sys.stderr)
        return
    files = who_files()
    pages, parse_seconds, _ = timed(lambda: sum(len(parse(p, p.read_bytes()).page_starts) for p in files))
    rounds = int(os.environ.get("POLICYKB_BENCH_ROUNDS", "2"))
    per_runtime: dict[str, list[dict]] = {r: [] for r in RUNTIMES}
    for round_ in range(rounds):
        for runtime in RUNTIMES:
            data_dir = WORK / f"who-{runtime}"
            shutil.rmtree(data_dir, ignore_errors=True)
            kb = KnowledgeBase(runtime_settings(data_dir, runtime))
            kb.embedder.embed_passages(["warm up the model"])  # loads it (and exports it the first time)
            report, ingest_wall, ingest_cpu = timed(lambda: kb.ingest(files))  # noqa: B023
            chunks = kb.status().chunks
            texts = sorted(  # what the ingest embedded: each chunk's search text (title, headings, text)
                (search_text(d.title, c.headings, c.text) for d in kb.documents() for c in kb.chunks(d.doc_id)), key=len
            )
            _, bare_wall, bare_cpu = timed(lambda: kb.embedder.embed_passages(texts))  # noqa: B023
            row = {"chunks": chunks, "documents": len(report.added), "ingest_seconds": ingest_wall,
                   "ingest_chunks_per_s": chunks / ingest_wall, "bare_chunks_per_s": chunks / bare_wall,
                   "ratio_ingest_to_bare": bare_wall / ingest_wall,
                   "ingest_cpu_seconds": ingest_cpu, "bare_cpu_seconds": bare_cpu}  # fmt: skip
            per_runtime[runtime].append(row)
            print(f"  round {round_ + 1} {runtime}: {row}", file=sys.stderr)
    default = Settings().embedder_runtime
    summary = {r: {k: statistics.median(row[k] for row in rows) for k in rows[0]} for r, rows in per_runtime.items()}
    out["ingest"] = {
        "files": [p.name for p in files],
        "pages": pages,
        "parse_pages_per_s": pages / parse_seconds,
        "rounds": rounds,
        "default_runtime": default,
        "runtimes": summary,
        "all_rounds": per_runtime,
        "default_whole_ingest_over_torch": summary[default]["ingest_chunks_per_s"]
        / summary["torch"]["ingest_chunks_per_s"],
    }
    data_dir = WORK / f"who-{default}"
    kb = KnowledgeBase(runtime_settings(data_dir, default))
    again, reingest_seconds, _ = timed(lambda: kb.ingest(files))
    generation = data_dir / GENERATIONS / (kb.status().generation or "")
    out["ingest"].update(
        unchanged_reingest_seconds=reingest_seconds,
        unchanged_reported=len(again.unchanged),
        index_mb=folder_mb(generation),
        registry_mb=(data_dir / "registry.sqlite").stat().st_size / 1e6,
        peak_rss_mb_after_ingest=peak_rss_mb(),
    )


def user_view(out: dict) -> None:
    """`policykb ingest` of the two PDFs as a user runs it (a new process, its start included; the ONNX export
    already cached) against bare sentence-transformers torch embedding of the same text cut into 200-token
    windows (model loaded and warm). A ratio >= 1 means the whole command beats the bare torch model."""
    files = [WHO / name for name in USER_VIEW]
    if not all(p.exists() for p in files):
        return
    from sentence_transformers import SentenceTransformer

    from policykb.index.embedders import minilm_path

    model = SentenceTransformer(str(minilm_path()), device="cpu", local_files_only=True)
    model.encode(["warm up the model"])
    text = "\n\n".join(parse(p, p.read_bytes()).text for p in files)
    offsets = model.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
    windows = [text[offsets[i][0] : offsets[min(i + 200, len(offsets)) - 1][1]] for i in range(0, len(offsets), 200)]
    rounds = int(os.environ.get("POLICYKB_BENCH_ROUNDS", "2"))
    rows: dict[str, list[dict]] = {"bare_torch": []} | {r: [] for r in RUNTIMES}
    for _ in range(rounds):
        _, seconds, _ = timed(lambda: model.encode(windows, batch_size=32, normalize_embeddings=True))
        rows["bare_torch"].append({"seconds": seconds, "windows": len(windows)})
        for runtime in RUNTIMES:
            data_dir = WORK / f"user-view-{runtime}"
            shutil.rmtree(data_dir, ignore_errors=True)
            env = os.environ | {"POLICYKB_DATA_DIR": str(data_dir), "POLICYKB_EMBEDDER_RUNTIME": runtime,
                                "POLICYKB_MODELS_DIR": str(WORK / "models"), "PYTHONPATH": str(ROOT)}  # fmt: skip
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "policykb.cli", "ingest", "--json", *map(str, files)], env=env,
                           check=True, capture_output=True)  # fmt: skip
            rows[runtime].append({"seconds": time.perf_counter() - started})
        print(f"  user view: { ({k: v[-1] for k, v in rows.items()}) }", file=sys.stderr)
    bare = statistics.median(r["seconds"] for r in rows["bare_torch"])
    out["user_view"] = {
        "files": list(USER_VIEW),
        "windows": len(windows),
        "bare_torch_seconds": bare,
        "cli_seconds": {r: statistics.median(x["seconds"] for x in rows[r]) for r in RUNTIMES},
        "ratio_bare_over_cli": {r: bare / statistics.median(x["seconds"] for x in rows[r]) for r in RUNTIMES},
        "all_rounds": rows,
    }


def p50_ms(fn: Callable[[str], object], items: list[str]) -> float:
    timings = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def query_side(out: dict) -> None:
    """Per runtime on the sample corpus: query embedding (cache misses), search and ask p50, warm; and a new
    process's cold start to its first answer."""
    questions = [
        json.loads(x)["question"] for x in (ROOT / "bench" / "sample_questions.jsonl").read_text().splitlines() if x
    ]
    result = {}
    for runtime in RUNTIMES:
        data_dir = WORK / f"sample-{runtime}"
        kb = KnowledgeBase(runtime_settings(data_dir, runtime))
        kb.ingest([ROOT / "corpus"])
        kb.ask("warm up the models")
        search = p50_ms(kb.search, questions)  # query vectors not yet cached
        embed = p50_ms(lambda q: kb.embedder.embed_passages([q]), questions)  # noqa: B023
        ask = p50_ms(kb.ask, questions)
        code = (
            "import time; t=time.perf_counter(); from policykb.service.knowledge_base import KnowledgeBase; "
            "from policykb.core.settings import Settings; "
            f"kb=KnowledgeBase(Settings(data_dir={str(data_dir)!r}, embedder_runtime={runtime!r}, "
            f"models_dir={str(WORK / 'models')!r})); kb.ask('What does IAPO do?'); print(time.perf_counter()-t)"
        )
        started = time.perf_counter()
        inner = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                               env=os.environ | {"PYTHONPATH": str(ROOT)}).stdout  # fmt: skip
        result[runtime] = {
            "query_embedding_p50_ms": embed,
            "search_p50_ms": search,
            "ask_p50_ms": ask,
            "cold_start_to_first_answer_seconds": time.perf_counter() - started,
            "cold_start_in_process_seconds": float(inner.strip().splitlines()[-1]),
        }
        print(f"  {runtime}: {result[runtime]}", file=sys.stderr)
    out["query_side"] = result


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
    (folder / "manifest.json").write_text(
        json.dumps({"name": folder.name, "format": FORMAT, "chunks": size, "kind": kind})
    )
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
            EmbeddedSnapshots(reader),
            embedder,
            settings.candidates,
            settings.fusion,
            settings.dense_weight,
            rerank=RerankModel.load() if settings.rerank else None,
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
        for q in qs:  # the faces' default: 10 documents, each its best passage with its other ranked ones
            started = time.perf_counter()
            group_by_document(searcher.search(q, k=passages_for(10, settings.candidates)).results, 10)
            timings.append((time.perf_counter() - started) * 1000)
        row["by_document_p50_ms"] = float(np.percentile(timings, 50))
        row["by_document_p95_ms"] = float(np.percentile(timings, 95))
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
    out["rerank"] = "hybrid includes the rerank stage (index/rerank.json) when POLICYKB_RERANK is on (default)"


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


def server_start(out: dict, rounds: int = 3) -> None:
    """`policykb serve` on the sample corpus, a new process each round: seconds to `/readyz` 200 and to the
    web page (/ui 200), which is built after the server listens."""
    data_dir = WORK / "startup-sample"
    env = os.environ | {"PYTHONPATH": str(ROOT), "POLICYKB_DATA_DIR": str(data_dir)}
    subprocess.run([sys.executable, "-m", "policykb.cli", "ingest", str(ROOT / "corpus")], env=env, check=True,
                   capture_output=True)  # fmt: skip
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    ready, page = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        server = subprocess.Popen([sys.executable, "-m", "policykb.cli", "serve", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            ready.append(_first_ok(f"{base}/readyz", started))
            page.append(_first_ok(f"{base}/ui/", started))
        finally:
            server.terminate()
            server.wait(30)
    out["server_start"] = {"ready_seconds": ready, "ui_seconds": page,
                           "ready_median_s": float(np.median(ready)), "ui_median_s": float(np.median(page))}  # fmt: skip


def _first_ok(url: str, started: float, limit_s: float = 120) -> float:
    while time.perf_counter() - started < limit_s:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return time.perf_counter() - started
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer 200 within {limit_s} s")


def main() -> int:
    parts = os.environ.get("POLICYKB_BENCH_PARTS", "ingest,answer,search,startup").split(",")
    sizes = [int(s) for s in os.environ.get("POLICYKB_BENCH_SIZES", "10000,100000,1000000").split(",") if s]
    if "ingest" in parts:
        out: dict = {}
        ingest_throughput(out)
        user_view(out)
        query_side(out)
        unchanged_thousand(out)
        print_ingest(out, write_result("bench-ingest", out))
    if "answer" in parts:
        out = {}
        answer_latency(out)
        print(f"\nExtractive answer latency, warm, sample corpus: p50 {out['answer_p50_ms']:.0f} ms, "
              f"p95 {out['answer_p95_ms']:.0f} ms over {out['questions']} asks; first pass (passages not yet "
              f"seen) p50 {out['first_pass_p50_ms']:.0f} ms, p95 {out['first_pass_p95_ms']:.0f} ms")  # fmt: skip
        print(f"written: {write_result('bench-answer', out)}")
    if "startup" in parts:
        out = {}
        server_start(out)
        st = out["server_start"]
        print(f"\nServer start on the sample corpus (median of {len(st['ready_seconds'])} new processes): /readyz "
              f"{st['ready_median_s']:.1f} s, web page {st['ui_median_s']:.1f} s (target: ready <= 3 s)")  # fmt: skip
        print(f"written: {write_result('bench-startup', out)}")
    if "search" in parts:
        out = {}
        search_latency(out, sizes)
        print_search(out, write_result("bench-search", out))
    return 0


def print_ingest(out: dict, path: Path) -> None:
    if "ingest" in out:
        i = out["ingest"]
        r = i["runtimes"]
        print(f"\nIngest of {len(i['files'])} WHO PDFs ({i['pages']} pages, {r['torch']['chunks']:.0f} chunks), "
              f"median of {i['rounds']} interleaved rounds; default runtime {i['default_runtime']}")  # fmt: skip
        print(table(["runtime", "whole ingest chunks/s", "bare embedder chunks/s", "ratio ingest / bare",
                     "ingest CPU s", "bare CPU s"],
                    [[n, f"{x['ingest_chunks_per_s']:.1f}", f"{x['bare_chunks_per_s']:.1f}",
                      f"{x['ratio_ingest_to_bare']:.2f}", f"{x['ingest_cpu_seconds']:.0f}",
                      f"{x['bare_cpu_seconds']:.0f}"] for n, x in r.items()]))  # fmt: skip
        print(f"whole ingest, default runtime over torch: {i['default_whole_ingest_over_torch']:.2f}x; "
              f"parsing {i['parse_pages_per_s']:.0f} pages/s; no-change re-ingest {i['unchanged_reingest_seconds']:.3f} s; "
              f"index {i['index_mb']:.1f} MB + registry {i['registry_mb']:.1f} MB; "
              f"peak RSS {i['peak_rss_mb_after_ingest']:.0f} MB")  # fmt: skip
    if "user_view" in out:
        u = out["user_view"]
        print(f"\nUser's view: `policykb ingest` of the two PDFs (process start included) against bare torch "
              f"embedding of {u['windows']} 200-token windows ({u['bare_torch_seconds']:.1f} s)")  # fmt: skip
        print(table(["runtime", "policykb ingest s", "ratio bare / ingest"],
                    [[r, f"{s:.1f}", f"{u['ratio_bare_over_cli'][r]:.2f}"] for r, s in u["cli_seconds"].items()]))  # fmt: skip
    if "query_side" in out:
        print("\nQueries on the sample corpus, warm (p50 ms), and a new process's start to its first answer (s)")
        print(table(["runtime", "query embedding", "search", "ask", "cold start to first answer"],
                    [[r, f"{q['query_embedding_p50_ms']:.1f}", f"{q['search_p50_ms']:.1f}", f"{q['ask_p50_ms']:.1f}",
                      f"{q['cold_start_to_first_answer_seconds']:.1f}"] for r, q in out["query_side"].items()]))  # fmt: skip
    print(f"\nNo-change re-ingest of 1,000 documents: {out['unchanged_1000_docs_seconds']:.3f} s")
    print(f"written: {path}")


def print_search(out: dict, path: Path) -> None:
    rows = [[r["chunks"], r["kind"], f"{r['hybrid_p50_ms']:.1f}", f"{r['hybrid_p95_ms']:.1f}",
             f"{r['by_document_p50_ms']:.1f}", f"{r['by_document_p95_ms']:.1f}", f"{r['lexical_p50_ms']:.1f}",
             f"{r['dense_p50_ms']:.1f}", f"{r['query_embedding_p50_ms']:.1f}", f"{r['index_mb']:.0f}",
             f"{r['build_seconds']:.0f}", f"{r['peak_rss_mb']:.0f}"] for r in out["search"]]  # fmt: skip
    print("\nSearch latency, single queries, warm, 1 FAISS thread (ms; hybrid and dense include the query embedding;"
          " by document: 10 documents from the top 50 passages, hybrid)")  # fmt: skip
    print(table(["chunks", "dense index", "hybrid p50", "hybrid p95", "by document p50", "by document p95",
                 "lexical p50", "dense p50", "query embed p50", "index MB", "build s", "peak RSS MB"], rows))  # fmt: skip
    print(f"written: {path}")


if __name__ == "__main__":
    raise SystemExit(main())
