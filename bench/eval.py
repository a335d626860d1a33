"""`make eval`: retrieval quality on the COVID-QA dev set (../shared) and on our own sample-corpus questions.

A COVID-QA hit is a result from the gold document whose text contains a gold answer span.
Run with POLICYKB_EVAL_EMBEDDERS=minilm,mpnet,e5 to compare embedders (default: minilm), and with
POLICYKB_EVAL_DOCS=N to restrict COVID-QA to its first N articles and their questions (the slower
embedders need 20-30 minutes for all 98 articles on 2 cores).
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
from policykb.core.settings import Settings
from policykb.service.knowledge_base import KnowledgeBase

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


def sentence_citing(answer_text: str, fact: str) -> list[int]:
    """Citation numbers attached to the answer sentence that states `fact`."""
    for part in re.split(r"(?<=\])\s+", answer_text):
        if fact in norm(part):
            return [int(n) for n in re.findall(r"\[(\d+)\]", part)]
    return []


def evaluate_answers(kb: KnowledgeBase, rows: list[dict]) -> dict[str, float]:
    """Fact recall (overall, and for fact questions and paraphrases apart), citation precision, refusals."""
    answerable = [r for r in rows if r["source"]]
    unanswerable = [r for r in rows if not r["source"]]
    stated_by_kind: dict[str, int] = {}
    stated = precise = refused_wrongly = 0
    for r in answerable:
        answer = kb.ask(r["question"])
        fact = norm(r["expect"])
        if not answer.answerable:
            refused_wrongly += 1
        if fact in norm(answer.answer):
            stated += 1
            stated_by_kind[r["kind"]] = stated_by_kind.get(r["kind"], 0) + 1
            cited = {c.n: c for c in answer.citations}
            numbers = sentence_citing(answer.answer, fact)
            if numbers and all(fact in norm(cited[n].quote) and cited[n].source == r["source"] for n in numbers):
                precise += 1
    refused = sum(1 for r in unanswerable if not kb.ask(r["question"]).answerable)
    kinds = {r["kind"] for r in answerable}
    by_kind = {
        f"fact_recall_{kind}": stated_by_kind.get(kind, 0) / sum(1 for r in answerable if r["kind"] == kind)
        for kind in sorted(kinds)
    }
    return {
        "fact_recall": stated / len(answerable),
        **by_kind,
        "citation_precision": precise / max(1, stated),
        "refusal_rate_unanswerable": refused / max(1, len(unanswerable)),
        "false_refusal_rate": refused_wrongly / len(answerable),
        "answerable_questions": len(answerable),
        "unanswerable_questions": len(unanswerable),
    }


def evaluate_covidqa_answers(kb: KnowledgeBase, questions: list[dict]) -> dict[str, float]:
    supported = refused = 0
    for q in questions:
        answer = kb.ask(q["question"])
        if not answer.answerable:
            refused += 1
            continue
        passages = {c.chunk_id: c for c in answer.citations}
        texts = [norm(chunk.text) for c in passages.values() if (chunk := kb.chunk(c.chunk_id)) is not None]
        if any(a in t for t in texts for a in q["answers"]):
            supported += 1
    return {
        "cited_passage_contains_gold": supported / len(questions),
        "refused": refused / len(questions),
        "questions": len(questions),
    }


def sample_rows() -> list[dict]:
    return [json.loads(line) for line in (ROOT / "bench" / "sample_questions.jsonl").read_text().splitlines() if line]


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


def covidqa_subset(n: int) -> Path:
    folder = WORK / f"covidqa-first-{n}"
    folder.mkdir(parents=True, exist_ok=True)
    for article in sorted((COVIDQA / "docs").glob("*.txt"))[:n]:
        link = folder / article.name
        if not link.exists():
            link.symlink_to(article)
    return folder


def knowledge_base(name: str, corpus: Path, embedder: str) -> tuple[KnowledgeBase, float | None]:
    """The knowledge base for one corpus and embedder, and its embedding speed (None when all was cached)."""
    settings = Settings(data_dir=WORK / f"{name}-{embedder}", embedder=embedder)  # type: ignore[arg-type]
    kb = KnowledgeBase(settings)
    started = time.perf_counter()
    report = kb.ingest([corpus])
    if report.failed:
        print(f"  {len(report.failed)} files failed: {report.failed[:3]}", file=sys.stderr)
    seconds = time.perf_counter() - started
    return kb, (report.embedded / seconds if report.embedded else None)


def main() -> int:
    embedders = os.environ.get("POLICYKB_EVAL_EMBEDDERS", "minilm").split(",")
    results: dict = {"sample": {}, "covidqa": {}, "reranker": "none: no cross-encoder ships its weights on PyPI"}
    sample = sample_questions()
    for embedder in embedders:
        kb, _ = knowledge_base("sample", ROOT / "corpus", embedder)
        scores = evaluate(kb, sample)
        paraphrases = evaluate(kb, [q for q in sample if q["kind"] == "paraphrase"])
        results["sample"][embedder] = {"all": scores, "paraphrase": paraphrases, "questions": len(sample)}
        results["sample"][embedder]["answers"] = evaluate_answers(kb, sample_rows())
    if COVIDQA.exists():
        questions = covidqa_questions()
        docs, name = COVIDQA / "docs", "covidqa"
        subset = int(os.environ.get("POLICYKB_EVAL_DOCS", "0"))
        if subset:
            docs, name = covidqa_subset(subset), f"covidqa{subset}"
            kept = {p.name for p in docs.iterdir()}
            questions = [q for q in questions if q["doc"] in kept]
        results["covidqa_articles"] = len(list(docs.glob("*.txt")))
        for embedder in embedders:
            kb, speed = knowledge_base(name, docs, embedder)
            scores = evaluate(kb, questions)
            answers = evaluate_covidqa_answers(kb, questions)
            results["covidqa"][embedder] = {
                "answers": answers,
                "modes": scores,
                "questions": len(questions),
                "chunks": kb.status().chunks,
                "ingest_chunks_per_s": round(speed, 1) if speed else None,
            }
    else:
        print("../shared/eval/covidqa is absent: COVID-QA skipped", file=sys.stderr)

    rows = []
    for embedder, data in results["covidqa"].items():
        for mode, s in data["modes"].items():
            rows.append([embedder, mode, s["top1"], s["top5"], s["top10"], s["mrr10"], f"{s['ms_per_query']:.0f}",
                         data["ingest_chunks_per_s"] or "cached"])  # fmt: skip
    if rows:
        n = next(iter(results["covidqa"].values()))["questions"]
        print(f"\nCOVID-QA dev ({results['covidqa_articles']} articles, {n} questions): answer-in-top-k and MRR@10")
        print(
            table(["embedder", "retrieval", "top-1", "top-5", "top-10", "MRR@10", "ms/query", "ingest chunks/s"], rows)
        )
    rows = []
    for embedder, data in results["sample"].items():
        for mode in MODES:
            rows.append([embedder, mode, data["all"][mode]["top1"], data["all"][mode]["top5"],
                         data["paraphrase"][mode]["top1"], data["paraphrase"][mode]["top5"]])  # fmt: skip
    print(f"\nSample corpus ({len(sample)} questions, of which paraphrases separately): hit@1 / hit@5")
    print(table(["embedder", "retrieval", "hit@1", "hit@5", "paraphrase hit@1", "paraphrase hit@5"], rows))
    rows = []
    for embedder, data in results["sample"].items():
        a = data["answers"]
        covid = results["covidqa"].get(embedder, {}).get("answers", {})
        rows.append([embedder, a["fact_recall"], a.get("fact_recall_fact", "n/a"), a.get("fact_recall_paraphrase", "n/a"),
                     a["citation_precision"], a["refusal_rate_unanswerable"],
                     a["false_refusal_rate"], covid.get("cited_passage_contains_gold", "n/a"),
                     covid.get("refused", "n/a")])  # fmt: skip
    print("\nExtractive answers: sample set (fact recall, citation precision, refusals) and COVID-QA")
    print(table(["embedder", "fact recall", "facts", "paraphrases", "citation precision", "unanswerable refused",
                 "answerable refused",
                 "COVID-QA cited passage has gold", "COVID-QA refused"], rows))  # fmt: skip
    print(f"\nReranker: {results['reranker']}")
    kind = "eval" if not os.environ.get("POLICYKB_EVAL_DOCS") else f"eval-covidqa{os.environ['POLICYKB_EVAL_DOCS']}"
    print(f"written: {write_result(kind, results)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
