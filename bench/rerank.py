"""`python -m bench.rerank`: fits the rerank stage's logistic model (index/rerank.json) on dev half 0 of the
policy, COVID-QA and sample sets and reports hybrid ranking without and with it on both halves (half 1 is
never seen by the fit). Needs ../shared; the indexes are the cached ones of `python -m bench.eval retrieval`.

Each question gives the best DEPTH fused candidates (the rerank stage's own depth); a candidate is a positive
when it is a hit by the set's rule (right document, and the right page ±1 or the gold answer in its text).
Only questions with a positive among their candidates inform the fit.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable

import numpy as np

from bench.common import table
from bench.eval import COVIDQA, POLICY, ROOT, WHO, cache_name, dev_half, knowledge_base, norm, sample_rows
from policykb.index.rerank import FEATURES, MODEL_PATH, RerankModel

DEPTH = 30
L2 = 1.0
Accept = Callable[[int | None, str], bool]  # (page, passage text) of a candidate from the gold document


def sets() -> dict[str, tuple[object, list[tuple[str, str, str, Accept]]]]:
    """Per set: its corpus folder and cases (id, question, gold source, accepts-row)."""
    out: dict[str, tuple[object, list[tuple[str, str, str, Accept]]]] = {}
    if POLICY.exists() and WHO.exists():
        rows = [json.loads(line) for line in POLICY.read_text().splitlines() if line.strip()]
        out["policy"] = (WHO, [(r["id"], r["question"], r["doc"], _on_pages(r["pages"])) for r in rows if r["doc"]])
    if COVIDQA.exists():
        rows = [json.loads(line) for line in (COVIDQA / "dev_questions.jsonl").read_text().splitlines() if line]
        out["covidqa"] = (
            COVIDQA / "docs",
            [(r["id"], r["question"], r["doc"], _contains([norm(a) for a in r["answers"]])) for r in rows],
        )
    out["sample"] = (
        ROOT / "corpus",
        [(r["id"], r["question"], r["source"], _contains([norm(r["expect"])])) for r in sample_rows() if r["source"]],
    )
    return out


def _on_pages(pages: list[int]) -> Accept:
    return lambda page, _: page is not None and any(abs(page - p) <= 1 for p in pages)


def _contains(answers: list[str]) -> Accept:
    return lambda _, text: any(a in norm(text) for a in answers)


def fit(xs: list[np.ndarray], ys: list[np.ndarray], sets_of: list[str]) -> np.ndarray:
    """Pairwise logistic regression (L2, Newton's method) on the differences between each positive candidate
    and each negative one of the same question: the model learns to order a question's candidates, not to
    score them across questions. Each set weighs as much as the others (COVID-QA would drown the policy set)
    and, within a set, each question as much as the others."""
    per_set = {name: sets_of.count(name) for name in set(sets_of)}
    diffs: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    for x, y, name in zip(xs, ys, sets_of, strict=True):
        pos, neg = x[y == 1], x[y == 0]
        if not len(neg):
            continue
        d = (pos[:, None, :] - neg[None, :, :]).reshape(-1, x.shape[1])
        diffs.append(d)
        weights.append(np.full(len(d), 1.0 / (per_set[name] * len(d))))
    d, w = np.vstack(diffs), np.concatenate(weights)
    w *= len(w) / w.sum()
    beta = np.zeros(d.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-(d @ beta)))
        grad = d.T @ (w * (p - 1)) + L2 * beta
        hess = (d * (w * p * (1 - p))[:, None]).T @ d + L2 * np.eye(len(beta))
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta


def main() -> int:
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    sets_of: list[str] = []
    kbs = {}
    for name, (corpus, cases) in sets().items():
        kb, _ = knowledge_base(cache_name(name), corpus, "minilm")  # type: ignore[arg-type]
        kb.searcher.rerank = None
        kbs[name] = (kb, cases)
        for qid, question, doc, accept in cases:
            if dev_half(name, qid) != 0:
                continue
            rows, x = kb.searcher.rerank_candidates(question, DEPTH)
            y = np.array([r.source == doc and accept(r.chunk.page_start, r.chunk.text) for r in rows], dtype=np.int8)
            if y.any():
                xs.append(x)
                ys.append(y)
                sets_of.append(name)
    model = RerankModel(tuple(float(w) for w in fit(xs, ys, sets_of)), DEPTH)
    y_all = np.concatenate(ys)
    print(f"fitted on {len(xs)} half-0 questions ({len(y_all)} candidates, {int(y_all.sum())} positive)")
    print(table(["feature", "weight"], [[f, w] for f, w in zip(FEATURES, model.weights, strict=True)]))
    rows = []
    for name, (kb, cases) in kbs.items():
        for label, stage in (("fused", None), ("reranked", model)):
            kb.searcher.rerank = stage
            for half in (0, 1):
                ranks = []
                for qid, question, doc, accept in cases:
                    if dev_half(name, qid) != half:
                        continue
                    hits = kb.search(question, k=10).results
                    found = (n for n, h in enumerate(hits, 1) if h.source == doc and accept(h.page, h.text))
                    ranks.append(next(found, None))
                n = len(ranks)
                rows.append([name, label, half, n, sum(1 for r in ranks if r == 1) / n, sum(1 for r in ranks if r and r <= 5) / n,
                             sum(1 / r for r in ranks if r) / n])  # fmt: skip
    print(table(["set", "ranking", "half", "n", "hit@1", "hit@5", "MRR@10"], rows))
    if sys.argv[1:] != ["--dry-run"]:
        MODEL_PATH.write_text(
            json.dumps(
                {
                    "features": list(FEATURES),
                    "weights": [round(w, 6) for w in model.weights],
                    "depth": DEPTH,
                    "fitted": f"{dt.date.today().isoformat()}: pairwise logistic regression (L2 {L2}) on dev half 0 of the policy,"
                    f" COVID-QA and sample sets, {len(xs)} questions, {len(y_all)} candidates",
                },
                indent=2,
            )
            + "\n"
        )
        print(f"written: {MODEL_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
