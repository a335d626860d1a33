"""`make eval`: retrieval quality on the COVID-QA dev set (../shared) and on our own sample-corpus questions,
and cited-answer quality on the policy dev set (40 questions over the WHO PDFs in ../shared/corpus/who).

A COVID-QA hit is a result from the gold document whose text contains a gold answer span.
Run with POLICYKB_EVAL_EMBEDDERS=minilm,mpnet,e5 to compare embedders (default: minilm), and with
POLICYKB_EVAL_DOCS=N to restrict COVID-QA to its first N articles and their questions (the slower
embedders need 20-30 minutes for all 98 articles on 2 cores). `python -m bench.eval policy` runs the policy
section alone; indexes are cached per parser, chunker and search-text version, so a change re-ingests.
`python -m bench.eval retrieval` measures ranking alone (no answers) on all three sets, per dev half: the
halves split each set by a hash of the question id, so a weight fitted on one half is checked on the other.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from pypdf import PdfReader

import policykb  # noqa: F401
from bench.common import ROOT, SHARED, WORK, table, write_result
from policykb.core.events import Final
from policykb.core.settings import Settings
from policykb.core.text import SEARCH_TEXT_VERSION
from policykb.core.types import Answer, SearchHit
from policykb.ingest.chunker import CHUNKER_VERSION
from policykb.ingest.pipeline import PARSER_VERSION
from policykb.service.knowledge_base import KnowledgeBase

MODES = ("lexical", "dense", "hybrid")
COVIDQA = SHARED / "eval" / "covidqa"
POLICY = SHARED / "eval" / "policy" / "dev_questions.jsonl"
WHO = SHARED / "corpus" / "who"
POLICY_KINDS = ("fact", "paraphrase", "list", "unanswerable")


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


def dev_half(set_name: str, question_id: str) -> int:
    """0 or 1: the dev half a question falls in (a hash of its set and id, stable across runs)."""
    return hashlib.sha256(f"{set_name}:{question_id}".encode()).digest()[0] % 2


def rank_of(hits: list[SearchHit], doc: str, found: Callable[[SearchHit], bool]) -> int | None:
    """Rank (from 1) of the first hit from `doc` that `found` accepts."""
    return next((n for n, h in enumerate(hits, start=1) if h.source == doc and found(h)), None)


def ranking(kb: KnowledgeBase, set_name: str, cases: list[tuple[str, str, str, Callable[[SearchHit], bool]]]) -> dict:
    """hit@1, hit@5, hit@10 and MRR@10 of hybrid search, on each dev half and on all, and ms per query.

    Each case is (id, question, gold document, accepts-hit)."""
    ranks: list[tuple[int, int | None]] = []
    started = time.perf_counter()
    for qid, question, doc, found in cases:
        hits = kb.search(question, k=10).results
        ranks.append((dev_half(set_name, qid), rank_of(hits, doc, found)))
    ms = (time.perf_counter() - started) * 1000 / max(1, len(cases))

    def scores(rs: list[int | None]) -> dict[str, float]:
        n = max(1, len(rs))
        return {
            "n": len(rs),
            "hit1": sum(1 for r in rs if r and r <= 1) / n,
            "hit5": sum(1 for r in rs if r and r <= 5) / n,
            "hit10": sum(1 for r in rs if r) / n,
            "mrr10": sum(1 / r for r in rs if r) / n,
        }

    return {
        "half0": scores([r for h, r in ranks if h == 0]),
        "half1": scores([r for h, r in ranks if h == 1]),
        "all": scores([r for _, r in ranks]),
        "ms_per_query": ms,
    }


def retrieval_section(embedder: str) -> dict:
    """Ranking quality alone on the policy, COVID-QA and sample sets (the sets that are present)."""
    out: dict = {}
    if POLICY.exists() and WHO.exists():
        rows = [json.loads(line) for line in POLICY.read_text().splitlines() if line.strip()]
        kb, _ = knowledge_base(cache_name("policy"), WHO, embedder)
        out["policy"] = ranking(
            kb, "policy", [(r["id"], r["question"], r["doc"], _on_pages(r["pages"])) for r in rows if r["doc"]]
        )
    if COVIDQA.exists():
        kb, _ = knowledge_base(cache_name("covidqa"), COVIDQA / "docs", embedder)
        rows = [json.loads(line) for line in (COVIDQA / "dev_questions.jsonl").read_text().splitlines() if line]
        out["covidqa"] = ranking(
            kb,
            "covidqa",
            [(r["id"], r["question"], r["doc"], _contains([norm(a) for a in r["answers"]])) for r in rows],
        )
    kb, _ = knowledge_base(cache_name("sample"), ROOT / "corpus", embedder)
    out["sample"] = ranking(
        kb,
        "sample",
        [(r["id"], r["question"], r["source"], _contains([norm(r["expect"])])) for r in sample_rows() if r["source"]],
    )
    rows = [
        [
            name,
            part,
            s[part]["n"],
            s[part]["hit1"],
            s[part]["hit5"],
            s[part]["hit10"],
            s[part]["mrr10"],
            f"{s['ms_per_query']:.0f}",
        ]
        for name, s in out.items()
        for part in ("half0", "half1", "all")
    ]
    print(f"\nHybrid retrieval ({embedder}) per dev half")
    print(table(["set", "half", "n", "hit@1", "hit@5", "hit@10", "MRR@10", "ms/query"], rows))
    return out


def _on_pages(pages: list[int]) -> Callable[[SearchHit], bool]:
    return lambda h: h.page is not None and any(abs(h.page - p) <= 1 for p in pages)


def _contains(answers: list[str]) -> Callable[[SearchHit], bool]:
    return lambda h: any(a in norm(h.text) for a in answers)


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


def cache_name(corpus: str) -> str:
    """The cached index of a corpus is per parser, chunker and search-text version: a change re-ingests."""
    return f"{corpus}-p{PARSER_VERSION}-c{CHUNKER_VERSION}-s{SEARCH_TEXT_VERSION}"


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


# ------------------------------------------------------------------------------------------------ policy set


def states(text: str, groups: list[list[str]]) -> bool:
    """Every answer group has one alternative in `text` (case-insensitive, whitespace-squashed)."""
    t = norm(text)
    return all(any(norm(alt) in t for alt in group) for group in groups)


def running_lines(corpus: Path) -> set[str]:
    """Lines of three words or more that open or close at least a fifth of a PDF's pages (and three), digits
    folded, read independently of the readers under test with pypdf: never a claim a reader should see."""
    found: set[str] = set()
    for pdf in sorted(corpus.glob("*.pdf")):
        counts: Counter[str] = Counter()
        pages = PdfReader(pdf).pages
        for page in pages:
            lines = [x.strip() for x in (page.extract_text() or "").splitlines() if x.strip()]
            for line in {*lines[:2], *lines[-2:]}:
                counts[re.sub(r"\d+", "#", norm(line))] += 1
        least = max(3, len(pages) / 5)
        found |= {line for line, n in counts.items() if n >= least and len(re.findall(r"[a-z]{2,}", line)) >= 3}
    return found


_MARKUP = re.compile(r"\]\(|\\[()\[\]*_#`]|(?:^|\s)#{1,6}\s|\*\*|__|`|[\x00-\x08\x0b-\x1f\x7f-\x9f\ue000-\uf8ff]")
_HEADING_PREFIX = re.compile(
    r"^(?:[ivxlc]{1,6}|\d{1,3}(?:\.\d{1,2})*\.?)\s+[A-Z][a-z]+(?:\s+(?:[A-Z][\w-]*|of|on|and|for|the|in|to|a))+\s+[A-Z]"
)


def shown_claims(answer: str) -> dict[int, str]:
    """The claim an answer shows before each citation mark: "… text [2]" -> {2: "text"}."""
    return {int(n): text.strip() for text, n in re.findall(r"(?:^|(?<=\]\s))(.*?)\s*\[(\d+)\]", answer, re.S)}


def claim_flaws(quote: str, headers: set[str], shown: str | None = None) -> list[str]:
    """Why a cited claim is not clean prose: a question, a fragment, a running header, a heading or markup.
    A list item's quote reads on from its introduction ("to implement …;"): the claim shown with that
    introduction ("URGES Member States: … to implement …;") is what must be a whole sentence. A list shown
    with its bullets ("… the following ACTs: • artemether-lumefantrine (AL) • …") is whole without a full
    stop: its items are names, not sentences."""
    q = quote.strip()
    flat = " ".join(q.split())
    whole = shown if shown and " … " in shown and " ".join(shown.split()).endswith(flat[-40:]) else q
    listed = shown is not None and " • " in shown
    flaws = []
    if q.endswith("?"):
        flaws.append("question")
    if (not listed and not re.search(r"[.!?;:][\"'”’)\]]*$", whole)) or (shown if listed else whole)[:1].islower():
        flaws.append("fragment")
    folded = re.sub(r"\d+", "#", norm(q))
    if any(h in folded for h in headers):
        flaws.append("header")
    if _HEADING_PREFIX.match(q):
        flaws.append("heading")
    if _MARKUP.search(q):
        flaws.append("markup")
    return flaws


def ask_without(kb: KnowledgeBase, question: str, source: str) -> Answer:
    """Ask with one document excluded from the evidence: the index as if that document were not in it."""
    n = kb.settings.answer_passages
    response = kb.search(question, k=n * 4)
    response = replace(response, results=[h for h in response.results if h.source != source][:n])
    for event in kb.answerer.stream(question, response):
        if isinstance(event, Final):
            return event.answer
    raise RuntimeError("the answerer produced no answer")


def evaluate_policy(kb: KnowledgeBase, rows: list[dict], headers: set[str]) -> dict:
    per: dict[str, Counter[str]] = {kind: Counter() for kind in POLICY_KINDS}
    flaws: Counter[str] = Counter()
    examples: list[dict] = []
    for r in rows:
        c = per[r["kind"]]
        c["questions"] += 1
        if r["doc"]:
            hits = kb.search(r["question"], k=5).results
            on_gold = [
                h.source == r["doc"] and h.page is not None and any(abs(h.page - p) <= 1 for p in r["pages"])
                for h in hits
            ]
            c["hit1"] += any(on_gold[:1])
            c["hit5"] += any(on_gold)
        answer = kb.ask(r["question"])
        if not answer.answerable:
            c["refused"] += 1
            continue
        c["answered"] += 1
        c["tentative"] += answer.tentative
        right = bool(r["doc"]) and states(answer.answer, r["answers"])
        c["tentative_right" if answer.tentative else "assured_right"] += right
        if r["doc"]:
            c["correct"] += right
            quotes = " ".join(x.quote for x in answer.citations)
            c["cited_gold"] += any(x.source == r["doc"] and x.page in r["pages"] for x in answer.citations) or (
                states(quotes, r["answers"])
            )
        shown = shown_claims(answer.answer)
        bad = {x.quote: claim_flaws(x.quote, headers, shown.get(x.n)) for x in answer.citations}
        bad = {q: f for q, f in bad.items() if f}
        c["clean"] += not bad
        for q, f in bad.items():
            flaws.update(f)
            examples.append({"id": r["id"], "flaws": f, "quote": q[:200]})
    answerable = [r for r in rows if r["doc"]]
    without = [ask_without(kb, r["question"], r["doc"]) for r in answerable]
    removed_refused = sum(not a.answerable for a in without)
    removed_assured = sum(a.answerable and not a.tentative for a in without)
    table_rows = {}
    for kind, c in [*per.items(), ("all", sum(per.values(), Counter()))]:
        n, answered = c["questions"], c["answered"]
        gold = n if kind != "unanswerable" else 0
        if kind == "all":
            gold = len(answerable)
        table_rows[kind] = {
            "questions": n,
            "hit1": c["hit1"] / gold if gold else None,
            "hit5": c["hit5"] / gold if gold else None,
            "fact_recall": c["correct"] / gold if gold else None,
            "cited_gold": c["cited_gold"] / gold if gold else None,
            "answered": answered / n if n else None,
            "unanswerable_refused": c["refused"] / n if kind == "unanswerable" and n else None,
            "clean_answers": c["clean"] / answered if answered else None,
            "tentative": c["tentative"] / answered if answered else None,
        }
    total = sum(per.values(), Counter())
    assured = total["answered"] - total["tentative"]
    return {
        "kinds": table_rows,
        "gold_removed_refused": removed_refused / len(answerable),
        "gold_removed_questions": len(answerable),
        "gold_removed_assured": removed_assured / len(answerable),
        "assured_answers": assured,
        "assured_right": total["assured_right"] / assured if assured else None,
        "tentative_answers": total["tentative"],
        "tentative_right": total["tentative_right"] / total["tentative"] if total["tentative"] else None,
        "flaws": dict(flaws),
        "flawed_claims": examples,
    }


def policy_section(embedders: list[str]) -> dict:
    if not (POLICY.exists() and WHO.exists()):
        print("../shared/eval/policy or ../shared/corpus/who is absent: policy set skipped", file=sys.stderr)
        return {}
    rows = [json.loads(line) for line in POLICY.read_text().splitlines() if line.strip()]
    headers = running_lines(WHO)
    out = {}
    for embedder in embedders:
        kb, _ = knowledge_base(cache_name("policy"), WHO, embedder)
        out[embedder] = evaluate_policy(kb, rows, headers)
        print_policy(embedder, out[embedder])
    return out


def print_policy(embedder: str, result: dict) -> None:
    def cell(v: float | None) -> object:
        return "–" if v is None else v

    def share(v: float | None) -> str:
        return "–" if v is None else f"{v:.3f}"

    rows = [
        [kind, s["questions"], *(cell(s[k]) for k in ("hit1", "hit5", "fact_recall", "cited_gold", "answered",
                                                      "unanswerable_refused", "clean_answers", "tentative"))]
        for kind, s in result["kinds"].items()
    ]  # fmt: skip
    print(f"\nPolicy dev set ({embedder}, parser {PARSER_VERSION}, chunker {CHUNKER_VERSION})")
    print(table(["kind", "n", "hit@1", "hit@5", "fact recall", "cited gold", "answered", "unanswerable refused",
                 "clean answers", "tentative"], rows))  # fmt: skip
    print(
        f"gold document removed: {result['gold_removed_refused']:.3f} of {result['gold_removed_questions']}"
        f" answerable questions refused, {result['gold_removed_assured']:.3f} answered as assured; claim flaws:"
        f" {result['flaws']}"
    )
    print(
        f"answers stated as assured: {result['assured_answers']}, right {share(result['assured_right'])};"
        f" tentative: {result['tentative_answers']}, right {share(result['tentative_right'])}"
    )


def main() -> int:
    embedders = os.environ.get("POLICYKB_EVAL_EMBEDDERS", "minilm").split(",")
    if sys.argv[1:] == ["retrieval"]:
        print(f"written: {write_result('eval-retrieval', {e: retrieval_section(e) for e in embedders})}")
        return 0
    if sys.argv[1:] == ["policy"]:
        print(f"written: {write_result('eval-policy', {'policy': policy_section(embedders)})}")
        return 0
    results: dict = {
        "sample": {},
        "covidqa": {},
        "reranker": "index/rerank.json: a pairwise logistic model over lexical, dense and document features (no"
        " cross-encoder ships its weights on PyPI)",
    }
    sample = sample_questions()
    for embedder in embedders:
        kb, _ = knowledge_base(cache_name("sample"), ROOT / "corpus", embedder)
        scores = evaluate(kb, sample)
        paraphrases = evaluate(kb, [q for q in sample if q["kind"] == "paraphrase"])
        results["sample"][embedder] = {"all": scores, "paraphrase": paraphrases, "questions": len(sample)}
        results["sample"][embedder]["answers"] = evaluate_answers(kb, sample_rows())
    if COVIDQA.exists():
        questions = covidqa_questions()
        docs, name = COVIDQA / "docs", cache_name("covidqa")
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
    results["policy"] = policy_section(embedders)
    print(f"\nReranker: {results['reranker']}")
    kind = "eval" if not os.environ.get("POLICYKB_EVAL_DOCS") else f"eval-covidqa{os.environ['POLICYKB_EVAL_DOCS']}"
    print(f"written: {write_result(kind, results)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
