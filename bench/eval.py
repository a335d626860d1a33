"""`make eval`: retrieval quality on the COVID-QA dev set (../shared) and on our own sample-corpus questions.

A COVID-QA hit is a result from the gold document whose text contains a gold answer span.
Run with POLICYKB_EVAL_EMBEDDERS=minilm,mpnet,... to compare embedders (default: minilm).
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

import policykb  # noqa: F401
from bench.common import ROOT, SHARED, WORK, table, write_result
from policykb.service import KnowledgeBase
from policykb.settings import Settings

MODES = ("lexical", "dense", "hybrid")
COVIDQA = SHARED / "eval" / "covidqa"


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def evaluate(kb: KnowledgeBase, questions: list[dict], k: int = 10) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for mode in MODES:
        ranks: list[int | None] = []
        started = time.perf_counter()
        for q in questions:
            hits = kb.search(q["question"], k=k, mode=mode).results  # type: ignore[arg-type]
            rank = None
            for n, h in enumerate(hits, start=1):
                if h.source == q["doc"] and any(a in norm(h.text) for a in q["answers"]):
                    rank = n
                    break
            ranks.append(rank)
        total = len(questions)
        out[mode] = {
            "top1": sum(1 for r in ranks if r and r <= 1) / total,
            "top5": sum(1 for r in ranks if r and r <= 5) / total,
            "top10": sum(1 for r in ranks if r and r <= 10) / total,
            "mrr10": sum(1 / r for r in ranks if r) / total,
            "ms_per_query": (time.perf_counter() - started) * 1000 / total,
        }
    return out


def sample_questions() -> list[dict]:
    rows = [json.loads(line) for line in (ROOT / "bench" / "sample_questions.jsonl").read_text().splitlines() if line]
    return [
        {"question": r["question"], "doc": r["source"], "answers": [norm(r["expect"])], "kind": r["kind"]}
        for r in rows
        if r["source"]
    ]


def covidqa_questions() -> list[dict]:
    rows = [json.loads(line) for line in (COVIDQA / "dev_questions.jsonl").read_text().splitlines() if line]
    return [{"question": r["question"], "doc": r["doc"], "answers": [norm(a) for a in r["answers"]]} for r in rows]


def knowledge_base(name: str, corpus: Path, embedder: str) -> tuple[KnowledgeBase, float]:
    settings = Settings(data_dir=WORK / f"{name}-{embedder}", embedder=embedder)  # type: ignore[arg-type]
    kb = KnowledgeBase(settings)
    started = time.perf_counter()
    report = kb.ingest([corpus])
    if report.failed:
        print(f"  {len(report.failed)} files failed: {report.failed[:3]}", file=sys.stderr)
    return kb, time.perf_counter() - started


def main() -> int:
    embedders = os.environ.get("POLICYKB_EVAL_EMBEDDERS", "minilm").split(",")
    results: dict = {"sample": {}, "covidqa": {}, "reranker": "none: no cross-encoder ships its weights on PyPI"}
    sample = sample_questions()
    for embedder in embedders:
        kb, _ = knowledge_base("sample", ROOT / "corpus", embedder)
        scores = evaluate(kb, sample)
        paraphrases = evaluate(kb, [q for q in sample if q["kind"] == "paraphrase"])
        results["sample"][embedder] = {"all": scores, "paraphrase": paraphrases, "questions": len(sample)}
    if COVIDQA.exists():
        questions = covidqa_questions()
        limit = int(os.environ.get("POLICYKB_EVAL_LIMIT", "0")) or len(questions)
        questions = questions[:limit]
        for embedder in embedders:
            kb, seconds = knowledge_base("covidqa", COVIDQA / "docs", embedder)
            scores = evaluate(kb, questions)
            results["covidqa"][embedder] = {
                "modes": scores,
                "questions": len(questions),
                "chunks": kb.status().chunks,
                "ingest_seconds": round(seconds, 1),
            }
    else:
        print("../shared/eval/covidqa is absent: COVID-QA skipped", file=sys.stderr)

    rows = []
    for embedder, data in results["covidqa"].items():
        for mode, s in data["modes"].items():
            rows.append([embedder, mode, s["top1"], s["top5"], s["top10"], s["mrr10"], f"{s['ms_per_query']:.0f}"])
    if rows:
        n = next(iter(results["covidqa"].values()))["questions"]
        print(f"\nCOVID-QA dev ({n} questions): answer-in-top-k and MRR@10")
        print(table(["embedder", "retrieval", "top-1", "top-5", "top-10", "MRR@10", "ms/query"], rows))
    rows = []
    for embedder, data in results["sample"].items():
        for mode in MODES:
            rows.append([embedder, mode, data["all"][mode]["top1"], data["all"][mode]["top5"],
                         data["paraphrase"][mode]["top1"], data["paraphrase"][mode]["top5"]])  # fmt: skip
    print(f"\nSample corpus ({len(sample)} questions, of which paraphrases separately): hit@1 / hit@5")
    print(table(["embedder", "retrieval", "hit@1", "hit@5", "paraphrase hit@1", "paraphrase hit@5"], rows))
    print(f"\nReranker: {results['reranker']}")
    print(f"written: {write_result('eval', results)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
