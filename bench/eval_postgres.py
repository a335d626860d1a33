"""Retrieval quality of the PostgreSQL backend beside the embedded one, on the same questions: each corpus
is ingested once into the embedded store (bench/eval.py's knowledge bases, reused when cached), moved
into PostgreSQL with `migrate` (the same vectors: any difference comes from halfvec + HNSW and the
derived lexical index), and both are scored with bench/eval.py's `evaluate`.

Sets, in the order POLICYKB_EVAL_SETS names them (default "sample,policy,covidqa"; the results file is
rewritten after each): the sample-corpus questions, the policy dev set on the WHO corpus (a hit: a result
from the gold document holding any gold answer) and COVID-QA dev (POLICYKB_EVAL_DOCS=N: its first N articles).
"""

from __future__ import annotations

import json
import os
import sys

import policykb  # noqa: F401
from bench.common import ROOT, SHARED, WORK, table, write_result
from bench.eval import (
    COVIDQA,
    MODES,
    covidqa_questions,
    covidqa_subset,
    evaluate,
    knowledge_base,
    norm,
    sample_questions,
)
from bench.postgres import fresh_database
from policykb.core.settings import Settings
from policykb.index.storage.pglocal import start_local
from policykb.service.knowledge_base import KnowledgeBase
from policykb.service.migrate import migrate

POLICY = SHARED / "eval" / "policy" / "dev_questions.jsonl"
WHO = SHARED / "corpus" / "who"


def policy_questions() -> list[dict]:
    rows = [json.loads(line) for line in POLICY.read_text().splitlines() if line]
    return [
        {"question": r["question"], "doc": r["doc"], "answers": [norm(a) for fact in r["answers"] for a in fact]}
        for r in rows
        if r.get("doc") and r.get("answers")
    ]


def compare(server_url: str, name: str, corpus, questions: list[dict]) -> dict:  # type: ignore[no-untyped-def]
    embedded, _ = knowledge_base(name, corpus, "minilm")
    url = fresh_database(server_url, f"eval_{name.replace('-', '_')}")
    migrate(str(embedded.data_dir), url, embedded.settings)
    postgres = KnowledgeBase(Settings(data_dir=WORK / f"{name}-pg", database_url=url))
    result = {"questions": len(questions), "embedded": evaluate(embedded, questions),
              "postgres": evaluate(postgres, questions)}  # fmt: skip
    postgres.storage.close()
    print(f"  {name}: {result}", file=sys.stderr)
    return result


def main() -> int:
    server = start_local(WORK / "postgres-eval")
    results: dict = {}
    try:
        for name in os.environ.get("POLICYKB_EVAL_SETS", "sample,policy,covidqa").split(","):
            if name == "sample":
                results["sample"] = compare(server.url, "sample", ROOT / "corpus", sample_questions())
            elif name == "policy" and POLICY.exists() and WHO.exists():
                results["policy"] = compare(server.url, "who", WHO, policy_questions())
            elif name == "covidqa" and COVIDQA.exists():
                questions = covidqa_questions()
                docs, label = COVIDQA / "docs", "covidqa"
                subset = int(os.environ.get("POLICYKB_EVAL_DOCS", "0"))
                if subset:
                    docs, label = covidqa_subset(subset), f"covidqa{subset}"
                    kept = {p.name for p in docs.iterdir()}
                    questions = [q for q in questions if q["doc"] in kept]
                results[label] = compare(server.url, label, docs, questions)
            write_result("eval-postgres", results)
    finally:
        server.stop()
    rows = []
    for name, r in results.items():
        for mode in MODES:
            e, p = r["embedded"][mode], r["postgres"][mode]
            rows.append(
                [name, r["questions"], mode, e["top1"], p["top1"], e["top5"], p["top5"], e["mrr10"], p["mrr10"]]
            )
    print("\nRetrieval quality, embedded vs PostgreSQL (same vectors)")
    print(table(["set", "questions", "mode", "top-1 emb", "top-1 pg", "top-5 emb", "top-5 pg", "MRR emb", "MRR pg"],
                rows))  # fmt: skip
    print(f"written: {write_result('eval-postgres', results)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
