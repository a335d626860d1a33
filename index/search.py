"""The hybrid searcher over the live generation: BM25 (tantivy) and dense (FAISS) candidates, fused.

The parts live beside it: query parsing and the BM25 half in `lexical`, filter encodings in `filters`
(semantics in docs/filters.md: both halves apply the same filters, so a filtered result is never a
post-filtered top-k), rank fusion in `fusion`, query-word marking in `highlight`.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import faiss
import numpy as np
import tantivy

from policykb.core.filters import Filters
from policykb.core.types import SearchHit, SearchResponse
from policykb.index.embedders import Embedder
from policykb.index.filters import row_mask
from policykb.index.fusion import FusionMethod, fuse
from policykb.index.generation import Generation, GenerationReader
from policykb.index.highlight import highlight
from policykb.index.lexical import ParsedQuery, lexical_search, parse_query, rows_with_phrases, term_idf

Mode = Literal["hybrid", "dense", "lexical"]
Sort = Literal["relevance", "date"]


class HybridSearcher:
    def __init__(
        self,
        reader: GenerationReader,
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
        generation = self.reader.current()
        if generation is None or generation.size == 0:
            return SearchResponse([], generation.name if generation else None, 0.0, mode)
        parsed = parse_query(query)
        depth = max(self.candidates, k * 3 if sort == "date" else k)
        if not parsed.text:
            ranked = self._browse(generation, filters, depth)
            scores_by: dict[int, dict[str, float]] = {r: {} for r in ranked}
            fused = {r: 0.0 for r in ranked}
        else:
            # BM25 runs beside the query embedding and the FAISS search (both release the GIL).
            pending = self._pool.submit(lexical_search, generation, parsed, filters, depth) if mode != "dense" else None
            dense = self._dense(generation, parsed, filters, depth) if mode != "lexical" else []
            lexical = pending.result() if pending is not None else []
            fusion = fuse(lexical, dense, self.fusion, self.dense_weight, self.rrf_k)
            ranked = [rowid for rowid, _, _ in fusion]
            fused = {rowid: score for rowid, score, _ in fusion}
            scores_by = {rowid: halves for rowid, _, halves in fusion}
        if sort == "date":
            pos = generation.positions(np.array(ranked, dtype=np.int64))
            dates = generation.date_lo[pos] if len(ranked) else []
            order = sorted(range(len(ranked)), key=lambda i: (-int(dates[i]), -fused[ranked[i]]))
            ranked = [ranked[i] for i in order]
        ranked = ranked[:k]
        hits = self._materialise(generation, ranked, fused, scores_by, parsed)
        idf = term_idf(generation, parsed)
        return SearchResponse(hits, generation.name, (time.perf_counter() - started) * 1000, mode, idf)

    def _dense(self, g: Generation, q: ParsedQuery, f: Filters, depth: int) -> list[tuple[int, float]]:
        """(rowid, inner product) of the nearest rows that pass the filters and contain every quoted phrase."""
        allowed: np.ndarray | None = None
        mask = row_mask(g, f)
        if mask is not None:
            allowed = g.rowid[mask]
        if q.phrases:
            with_phrases = rows_with_phrases(g, q.phrases, f)
            allowed = with_phrases if allowed is None else np.intersect1d(allowed, with_phrases)
        if allowed is not None and len(allowed) == 0:
            return []
        vector = self.embedder.embed_queries([q.text])
        params = None
        if allowed is not None:
            selector = faiss.IDSelectorBatch(allowed)
            params = faiss.SearchParametersIVF(sel=selector, nprobe=getattr(g.dense, "nprobe", 1))
            if not hasattr(g.dense, "nprobe"):
                params = faiss.SearchParameters(sel=selector)
        scores, ids = g.dense.search(vector, min(depth, g.size), params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def _browse(self, g: Generation, f: Filters, depth: int) -> list[int]:
        """No query text: the newest `depth` chunks that pass the filters (several may share a document)."""
        mask = row_mask(g, f)
        positions = np.flatnonzero(mask) if mask is not None else np.arange(g.size)
        order = positions[np.argsort(-g.date_lo[positions], kind="stable")]
        return [int(r) for r in g.rowid[order[:depth]]]

    def _materialise(
        self,
        g: Generation,
        ranked: list[int],
        fused: dict[int, float],
        scores_by: dict[int, dict[str, float]],
        q: ParsedQuery,
    ) -> list[SearchHit]:
        """Stored fields of the ranked rows, read from tantivy, as hits in rank order."""
        if not ranked:
            return []
        query = tantivy.Query.term_set_query(g.schema, "rowid", ranked)
        stored = {}
        for _, address in g.searcher.search(query, limit=len(ranked)).hits:
            doc = g.searcher.doc(address).to_dict()
            stored[int(doc["rowid"][0])] = doc
        stems = q.stems()
        hits = []
        for rowid in ranked:
            doc = stored.get(rowid)
            if doc is None:
                continue

            def first(name: str, d: dict = doc) -> str:
                values = d.get(name) or [""]
                return values[0]

            text = first("text")
            hits.append(
                SearchHit(
                    rowid=rowid,
                    chunk_id=first("chunk_id"),
                    doc_id=first("doc_id"),
                    title=first("title"),
                    source=first("source"),
                    doc_type=first("doc_type"),
                    date=first("date") or None,
                    organisations=list(doc.get("organisations") or []),
                    language=first("language"),
                    url=first("url") or None,
                    page=int(first("page_start")) or None,
                    page_end=int(first("page_end")) or None,
                    char_start=int(first("char_start")),
                    char_end=int(first("char_end")),
                    headings=[h for h in first("headings").split(" / ") if h],
                    text=text,
                    highlight=highlight(text, stems),
                    score=round(fused[rowid], 6),
                    scores={k: round(v, 6) for k, v in scores_by.get(rowid, {}).items()},
                )
            )
        return hits
