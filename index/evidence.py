"""Document-level evidence, a feature of the rerank stage: how well a passage's document as a whole matches
the query, so that a passage from a document that answers it broadly can outrank an equally matching
passage from a document that matches only there.

A pure function of the fused candidates and the document each comes from: a document's evidence is the sum
of its best `depth` fused scores among the candidates, scaled so that the best document has 1.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TypeVar

Key = TypeVar("Key", bound=Hashable)


def document_evidence(fused: list[tuple[Key, float]], doc_of: dict[Key, int], depth: int = 3) -> dict[int, float]:
    """Each candidate document's evidence in [0, 1]: the sum of its best `depth` scores over the best document's."""
    per_doc: dict[int, list[float]] = {}
    for key, score in fused:
        per_doc.setdefault(doc_of[key], []).append(score)
    evidence = {doc: sum(sorted(scores, reverse=True)[:depth]) for doc, scores in per_doc.items()}
    top = max(evidence.values(), default=0.0)
    return {doc: (e / top if top > 0 else 0.0) for doc, e in evidence.items()}
