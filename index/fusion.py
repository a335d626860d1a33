"""Fusing the lexical and dense rankings into one: a pure function of the two candidate lists.

"score" (the default, tuned on half of COVID-QA dev, see README): each half's scores are min-max
normalised to [0, 1] over its own candidates and summed with weights 1 (lexical) and `dense_weight`; a half
whose candidates all score alike gives each of them 1. "rrf" (reciprocal rank fusion): each half adds
weight / (rrf_k + rank), rank counted from 1.
"""

from __future__ import annotations

from typing import Literal, TypeVar

Key = TypeVar("Key")
FusionMethod = Literal["score", "rrf"]


def fuse(
    lexical: list[tuple[Key, float]],
    dense: list[tuple[Key, float]],
    method: FusionMethod = "score",
    dense_weight: float = 0.4,
    rrf_k: int = 60,
) -> list[tuple[Key, float, dict[str, float]]]:
    """(id, fused score, {half: raw score}) for every candidate of either half, best first.

    Each half lists its candidates best first, each id at most once. Equal fused scores keep the order
    in which ids were first met: lexical candidates in rank order, then dense-only ones.
    """
    fused: dict[Key, float] = {}
    by_half: dict[Key, dict[str, float]] = {}
    for name, ranked, weight in (("lexical", lexical, 1.0), ("dense", dense, dense_weight)):
        if not ranked:
            continue
        scores = [score for _, score in ranked]
        lo, hi = min(scores), max(scores)
        for rank, (key, score) in enumerate(ranked):
            if method == "rrf":
                contribution = weight / (rrf_k + rank + 1)
            else:
                contribution = weight * ((score - lo) / (hi - lo) if hi > lo else 1.0)
            fused[key] = fused.get(key, 0.0) + contribution
            by_half.setdefault(key, {})[name] = score
    ranked_keys = sorted(fused, key=lambda k: -fused[k])
    return [(key, fused[key], by_half[key]) for key in ranked_keys]
