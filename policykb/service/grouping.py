"""Search results shaped for reading: one row per document with its best passage, or a timeline of
documents by date. The faces only render what these return."""

from __future__ import annotations

from dataclasses import replace

from policykb.core.types import SearchHit, TimelineOrder

# Passages ranked per document shown: enough that `k` documents are usually found among them.
PASSAGES_PER_DOCUMENT = 5
MAX_PASSAGES = 500


def passages_for(documents: int, candidates: int) -> int:
    """How many passages to rank so that about `documents` distinct documents come out of grouping."""
    return min(MAX_PASSAGES, max(candidates, documents * PASSAGES_PER_DOCUMENT))


def group_by_document(hits: list[SearchHit], k: int) -> list[SearchHit]:
    """The first `k` documents in rank order, each as its best-ranked passage with the document's other
    ranked passages (in rank order) in `more`."""
    best: dict[str, SearchHit] = {}
    for hit in hits:
        first = best.get(hit.doc_id)
        if first is None:
            if len(best) < k:
                best[hit.doc_id] = replace(hit, more=[])
        else:
            first.more.append(hit)
    return list(best.values())


def by_date(hits: list[SearchHit], order: TimelineOrder) -> list[SearchHit]:
    """Hits in date order (oldest or newest first); undated ones last, in the order they came."""
    dated = sorted((h for h in hits if h.date), key=lambda h: h.date or "", reverse=order == "newest")
    return dated + [h for h in hits if not h.date]
