"""The hybrid searcher over the live snapshot: BM25 and dense candidates, fused.

It reads only through `SearchSnapshot` (index/storage/base.py), so every storage backend gets the same
ranking. The parts live beside it: query parsing and the BM25 encoding in `lexical`, filter encodings in
`filters` (semantics in docs/filters.md: both halves apply the same filters, so a filtered result is never
a post-filtered top-k), rank fusion in `fusion`, query-word marking in `highlight`.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from policykb.core.filters import Filters
from policykb.core.types import SearchHit, SearchMode, SearchResponse, SearchSort
from policykb.index.embedders import Embedder
from policykb.index.fusion import FusionMethod, fuse
from policykb.index.highlight import highlight
from policykb.index.lexical import ParsedQuery, parse_query, term_idf
from policykb.index.storage.base import ChunkRow, SearchSnapshot, SnapshotSource

Mode = SearchMode
Sort = SearchSort


class HybridSearcher:
    def __init__(
        self,
        reader: SnapshotSource,
        embedder: Embedder,
        candidates: int = 50,
        fusion: FusionMethod = "score",
        dense_weight: float = 0.4,
        rrf_k: int = 60,
    ):
        self.reader = reader
        self.embedder = embedder
        self.candidates = candidates
        self.fusion = fusion
        self.dense_weight = dense_weight
        self.rrf_k = rrf_k
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="bm25")

    def search(
        self,
        query: str,
        k: int = 10,
        filters: Filters | None = None,
        sort: Sort = "relevance",
        mode: Mode = "hybrid",
    ) -> SearchResponse:
        """The top `k` chunks (several may come from one document); raises FilterError for a malformed date."""
        started = time.perf_counter()
        filters = filters or Filters()
        snapshot = self.reader.current()
        if snapshot is None or snapshot.size == 0:
            return SearchResponse([], snapshot.name if snapshot else None, 0.0, mode)
        parsed = parse_query(query)
        depth = max(self.candidates, k * 3 if sort == "date" else k)
        if not parsed.text:
            ranked = snapshot.newest(filters, depth)
            scores_by: dict[int, dict[str, float]] = {r: {} for r in ranked}
            fused = {r: 0.0 for r in ranked}
        else:
            # BM25 runs beside the query embedding and the dense search (both release the GIL).
            pending = None
            if mode != "dense":
                pending = self._pool.submit(snapshot.lexical_top_k, parsed.terms, parsed.phrases, filters, depth)
            dense = self._dense(snapshot, parsed, filters, depth) if mode != "lexical" else []
            lexical = pending.result() if pending is not None else []
            fusion = fuse(lexical, dense, self.fusion, self.dense_weight, self.rrf_k)
            ranked = [rowid for rowid, _, _ in fusion]
            fused = {rowid: score for rowid, score, _ in fusion}
            scores_by = {rowid: halves for rowid, _, halves in fusion}
        if sort == "date":
            dates = snapshot.date_keys(ranked)
            order = sorted(range(len(ranked)), key=lambda i: (-int(dates[i]), -fused[ranked[i]]))
            ranked = [ranked[i] for i in order]
        ranked = ranked[:k]
        hits = self._materialise(snapshot, ranked, fused, scores_by, parsed)
        idf = term_idf(snapshot, parsed)
        return SearchResponse(hits, snapshot.name, (time.perf_counter() - started) * 1000, mode, idf)

    def _dense(self, g: SearchSnapshot, q: ParsedQuery, f: Filters, depth: int) -> list[tuple[int, float]]:
        """(rowid, inner product) of the nearest rows that pass the filters and contain every quoted phrase."""
        allowed = g.filter_rowids(f)
        if q.phrases:
            with_phrases = np.array([r for r, _ in g.lexical_top_k([], q.phrases, f, 10_000)], dtype=np.int64)
            allowed = with_phrases if allowed is None else np.intersect1d(allowed, with_phrases)
        if allowed is not None and len(allowed) == 0:
            return []
        vector = self.embedder.embed_queries([q.text])
        return g.dense_top_k(vector, depth, allowed)

    def _materialise(
        self,
        g: SearchSnapshot,
        ranked: list[int],
        fused: dict[int, float],
        scores_by: dict[int, dict[str, float]],
        q: ParsedQuery,
    ) -> list[SearchHit]:
        """The ranked rows as hits, in rank order."""
        if not ranked:
            return []
        stored = g.rows(ranked)
        stems = q.stems()
        return [
            _hit(stored[rowid], fused[rowid], scores_by.get(rowid, {}), stems) for rowid in ranked if rowid in stored
        ]


def _hit(row: ChunkRow, score: float, scores: dict[str, float], stems: set[str]) -> SearchHit:
    c = row.chunk
    return SearchHit(
        rowid=row.rowid,
        chunk_id=c.chunk_id,
        doc_id=c.doc_id,
        title=row.title,
        source=row.source,
        doc_type=row.doc_type,
        date=row.date,
        organisations=row.organisations,
        language=row.language,
        url=row.url,
        page=c.page_start,
        page_end=c.page_end,
        char_start=c.char_start,
        char_end=c.char_end,
        headings=c.headings,
        text=c.text,
        highlight=highlight(c.text, stems),
        non_prose=c.non_prose,
        score=round(score, 6),
        scores={k: round(v, 6) for k, v in scores.items()},
    )
