"""Retrieval and answer quality per embedder runtime (torch, onnx, onnx-int8) of all-MiniLM-L6-v2: the
evidence for the default `POLICYKB_EMBEDDER_RUNTIME`.

    python -m bench.runtimes [torch,onnx,onnx-int8]

For each runtime: the policy dev set (../shared/eval/policy over ../shared/corpus/who; a hit is the right
document with a page within one of a gold page) at hit@1/@5, the sample-set answers, and COVID-QA dev
answer-in-top-k and answers. Each runtime's result is written as soon as it is complete
(bench/results/runtime-quality-<runtime>-latest.json), so runtimes can run as separate processes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import policykb  # noqa: F401
from bench.common import RESULTS, ROOT, SHARED, WORK, table, write_result
from bench.eval import (
    COVIDQA,
    covidqa_questions,
    evaluate,
    evaluate_answers,
    evaluate_covidqa_answers,
    sample_questions,
    sample_rows,
)
from policykb.core.settings import Settings
from policykb.service.knowledge_base import KnowledgeBase

POLICY = SHARED / "eval" / "policy" / "dev_questions.jsonl"
WHO = SHARED / "corpus" / "who"
RUNTIMES = ("torch", "onnx", "onnx-int8")


def policy_hits(kb: KnowledgeBase, questions: list[dict], mode: str, k: int = 5) -> dict[str, float]:
    """hit@1 and hit@k over the answerable questions: a result from the gold document whose pages come within
    one of a gold page."""
    ranks = []
    for q in (q for q in questions if q["doc"]):
        rank = None
        for n, hit in enumerate(kb.search(q["question"], k=k, mode=mode).results, start=1):  # type: ignore[arg-type]
            first = hit.page or 0
            last = hit.page_end or first
            if hit.source == q["doc"] and any(first - 1 <= p <= last + 1 for p in q["pages"]):
                rank = n
                break
        ranks.append(rank)
    return {"hit1": sum(r == 1 for r in ranks) / len(ranks), f"hit{k}": sum(r is not None for r in ranks) / len(ranks)}


def knowledge_base(name: str, corpus: Path, runtime: str) -> KnowledgeBase:
    settings = Settings(
        data_dir=WORK / f"{name}-minilm-{runtime}",
        embedder_runtime=runtime,  # type: ignore[arg-type]
        models_dir=WORK / "models",
    )
    kb = KnowledgeBase(settings)
    report = kb.ingest([corpus])
    if report.failed:
        print(f"  {len(report.failed)} files failed: {report.failed[:3]}", file=sys.stderr)
    return kb


def measure(runtime: str) -> dict:
    out: dict = {"runtime": runtime}
    kb = knowledge_base("sample", ROOT / "corpus", runtime)
    out["sample_answers"] = evaluate_answers(kb, sample_rows())
    out["sample_retrieval"] = evaluate(kb, sample_questions())
    out["model_id"] = kb.embedder.model_id
    if POLICY.exists() and WHO.exists():
        questions = [json.loads(x) for x in POLICY.read_text().splitlines() if x]
        kb = knowledge_base("who", WHO, runtime)
        out["policy"] = {mode: policy_hits(kb, questions, mode) for mode in ("dense", "hybrid")}
        out["policy"]["questions"] = len(questions)
        write_result(f"runtime-quality-{runtime}", out)
    if COVIDQA.exists():
        questions = covidqa_questions()
        kb = knowledge_base("covidqa", COVIDQA / "docs", runtime)
        out["covidqa"] = evaluate(kb, questions)
        out["covidqa"]["questions"] = len(questions)
        write_result(f"runtime-quality-{runtime}", out)
        out["covidqa_answers"] = evaluate_covidqa_answers(kb, questions)
    write_result(f"runtime-quality-{runtime}", out)
    return out


def print_table(results: list[dict]) -> None:
    rows = []
    for r in results:
        c, p, a = r.get("covidqa", {}), r.get("policy", {}), r["sample_answers"]
        ca = r.get("covidqa_answers", {})
        rows.append([r["runtime"], *(c.get("hybrid", {}).get(k, "n/a") for k in ("top1", "top5", "top10")),
                     c.get("dense", {}).get("top5", "n/a"), p.get("hybrid", {}).get("hit1", "n/a"),
                     p.get("hybrid", {}).get("hit5", "n/a"), a["fact_recall"], a["citation_precision"],
                     a["refusal_rate_unanswerable"], ca.get("cited_passage_contains_gold", "n/a")])  # fmt: skip
    print(table(["runtime", "COVID-QA top-1", "top-5", "top-10", "dense top-5", "policy hit@1", "policy hit@5",
                 "sample fact recall", "citation precision", "unanswerable refused", "COVID-QA cited gold"], rows))  # fmt: skip


def main() -> int:
    runtimes = (sys.argv[1] if len(sys.argv) > 1 else ",".join(RUNTIMES)).split(",")
    for runtime in runtimes:
        if runtime not in RUNTIMES:
            print(f"unknown runtime {runtime!r} (one of {', '.join(RUNTIMES)})", file=sys.stderr)
            return 2
        measure(runtime)
    done = [RESULTS / f"runtime-quality-{r}-latest.json" for r in RUNTIMES]
    print_table([json.loads(path.read_text()) for path in done if path.exists()])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
