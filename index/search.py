"""The hybrid searcher over the live snapshot: BM25 and dense candidates, fused, the best re-ordered.

It reads only through `SearchSnapshot` (index/storage/base.py), so every storage backend gets the same
ranking. The parts live beside it: query parsing and the BM25 encoding in `lexical`, filter encodings in
`filters` (semantics in docs/filters.md: both halves apply the same filters, so a filtered result is never
a post-filtered top-k), rank fusion in `fusion`, the rerank stage's features and model in `rerank` (with
document evidence from `evidence`), what matched, marked, and snippets in `highlight`. Both halves search each
chunk's search text (title, headings, text, spelled American); hits show the chunk's own text.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from policykb.core.filters import Filters
from policykb.core.text import american_text
from policykb.core.types import SearchHit, SearchMode, SearchResponse, SearchSort
from policykb.index.embedders import Embedder
from policykb.index.evidence import document_evidence
from policykb.index.fusion import FusionMethod, fuse
from policykb.index.highlight import highlight, match_spans, snippet
from policykb.index.lexical import ParsedQuery, parse_query, term_idf, with_acronyms, with_spelling
from policykb.index.rerank import FEATURES, Candidate, RerankModel, features
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
        rerank: RerankModel | None = None,
    ):
        self.reader = reader
        self.embedder = embedder
        self.candidates = candidates
        self.fusion = fusion
        self.dense_weight = dense_weight
        self.rrf_k = rrf_k
        self.rerank = rerank
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="bm25")

    def search(
        self,
        query: str | ParsedQuery,
        k: int = 10,
        filters: Filters | None = None,
        sort: Sort = "relevance",
        mode: Mode = "hybrid",
    ) -> SearchResponse:
        """The top `k` chunks (several may come from one document); raises FilterError for a malformed date.
        A string is parsed as query syntax (quoted phrases); a `ParsedQuery` is used as it is."""
        started = time.perf_counter()
        filters = filters or Filters()
        snapshot = self.reader.current()
        if snapshot is None or snapshot.size == 0:
            return SearchResponse([], snapshot.name if snapshot else None, 0.0, mode)
        fixes: dict[str, str] = {}
        if isinstance(query, ParsedQuery):
            parsed = query
        else:
            parsed, fixes = with_spelling(parse_query(query), snapshot, self._known)
            parsed = with_acronyms(parsed, snapshot)
        depth = max(self.candidates, k * 3 if sort == "date" else k)
        if not parsed.text:
            ranked = snapshot.newest(filters, depth)
            scores_by: dict[int, dict[str, float]] = {r: {} for r in ranked}
            fused = {r: 0.0 for r in ranked}
        else:
            ranked, fused, scores_by = self._fused(snapshot, parsed, filters, depth, mode)
        stored: dict[int, ChunkRow] = {}
        if parsed.text and sort == "relevance" and mode == "hybrid" and self.rerank is not None:
            ranked, fused, stored = self._reranked(snapshot, self.rerank, ranked, fused, scores_by, parsed)
        if parsed.text and sort == "relevance":
            ranked, stored = _claims_first(snapshot, ranked, stored, depth)
        if sort == "date":
            dates = snapshot.date_keys(ranked)
            order = sorted(range(len(ranked)), key=lambda i: (-int(dates[i]), -fused[ranked[i]]))
            ranked = [ranked[i] for i in order]
        ranked = ranked[:k]
        hits = self._materialise(snapshot, ranked, fused, scores_by, parsed, stored)
        idf = term_idf(snapshot, parsed)
        return SearchResponse(hits, snapshot.name, (time.perf_counter() - started) * 1000, mode, idf, fixes)

    def following(self, response: SearchResponse, hits: list[SearchHit]) -> dict[str, SearchHit]:
        """The passage that follows each of `hits` in its document (by the hit's chunk id), read from the
        snapshot `response` came from; none when a newer one has been published since (its row ids differ)."""
        return self._beside(response, hits, after=True)

    def preceding(self, response: SearchResponse, hits: list[SearchHit]) -> dict[str, SearchHit]:
        """The passage before each of `hits` in its document, as `following` reads the one after."""
        return self._beside(response, hits, after=False)

    def _beside(self, response: SearchResponse, hits: list[SearchHit], after: bool) -> dict[str, SearchHit]:
        snapshot = self.reader.current()
        if snapshot is None or snapshot.name != response.generation or not hits:
            return {}
        rowids = [h.rowid for h in hits]
        beside = snapshot.following(rowids) if after else snapshot.preceding(rowids)
        empty = ParsedQuery("", [], [])
        return {h.chunk_id: _hit(beside[h.rowid], 0.0, {}, empty) for h in hits if h.rowid in beside}

    def _known(self, word: str) -> bool:
        """Whether the embedder's vocabulary holds `word` whole: a real word, never read as a misspelling."""
        return self.embedder.count_tokens([word])[0] <= 1

    def _fused(
        self, g: SearchSnapshot, q: ParsedQuery, f: Filters, depth: int, mode: Mode = "hybrid"
    ) -> tuple[list[int], dict[int, float], dict[int, dict[str, float]]]:
        """Candidates of both halves fused, best first: (row ids, fused score by id, raw half scores by id)."""
        # BM25 runs beside the query embedding and the dense search (both release the GIL).
        pending = self._pool.submit(g.lexical_top_k, q.terms, q.phrases, f, depth) if mode != "dense" else None
        dense = self._dense(g, q, f, depth) if mode != "lexical" else []
        lexical = pending.result() if pending is not None else []
        fusion = fuse(lexical, dense, self.fusion, self.dense_weight, self.rrf_k)
        return [rowid for rowid, _, _ in fusion], {r: s for r, s, _ in fusion}, {r: h for r, _, h in fusion}

    def rerank_candidates(
        self, query: str, depth: int, filters: Filters | None = None
    ) -> tuple[list[ChunkRow], np.ndarray]:
        """The best `depth` fused candidates of a hybrid search and their rerank features (for fitting the model)."""
        snapshot = self.reader.current()
        if snapshot is None:
            return [], np.zeros((0, len(FEATURES)))
        parsed = with_acronyms(with_spelling(parse_query(query), snapshot, self._known)[0], snapshot)
        if not parsed.text:
            return [], np.zeros((0, len(FEATURES)))
        ranked, fused, scores_by = self._fused(snapshot, parsed, filters or Filters(), max(depth, self.candidates))
        stored, x = self._features(snapshot, ranked[:depth], fused, scores_by, parsed)
        return [stored[r] for r in ranked[:depth] if r in stored], x

    def _reranked(
        self,
        g: SearchSnapshot,
        model: RerankModel,
        ranked: list[int],
        fused: dict[int, float],
        scores_by: dict[int, dict[str, float]],
        q: ParsedQuery,
    ) -> tuple[list[int], dict[int, float], dict[int, ChunkRow]]:
        """The best `model.depth` candidates re-ordered by the rerank model (index/rerank.py); candidates below
        keep their order under those. A hit's score is read from the model as it was fitted, pairwise: twice the
        probability that it outranks the best candidate, 2·σ(s − s_best), so the best scores 1 and the others
        say how close they come (the model's raw scores have no scale of their own: squashed, all read 1.0)."""
        top = ranked[: model.depth]
        stored, x = self._features(g, top, fused, scores_by, q)
        top = [r for r in top if r in stored]
        if not top:
            return ranked, fused, stored
        raw = model.score(x)
        relative = 2 / (1 + np.exp(raw.max() - raw))
        order = np.argsort(-raw, kind="stable")
        scores = {top[i]: float(relative[i]) for i in order}
        rest = ranked[model.depth :]
        floor = min(scores.values())
        head = fused[rest[0]] if rest and fused[rest[0]] > 0 else 1.0
        scores.update({r: floor * 0.999 * max(0.0, fused[r]) / head for r in rest})
        return [top[i] for i in order] + rest, scores, stored

    def _features(
        self,
        g: SearchSnapshot,
        top: list[int],
        fused: dict[int, float],
        scores_by: dict[int, dict[str, float]],
        q: ParsedQuery,
    ) -> tuple[dict[int, ChunkRow], np.ndarray]:
        stored = g.rows(top)
        top = [r for r in top if r in stored]
        doc_of = dict(zip(top, (int(d) for d in g.doc_keys(top)), strict=True))
        evidence = document_evidence([(r, fused[r]) for r in top], doc_of)
        candidates = [
            Candidate(
                fused[r], scores_by.get(r, {}), stored[r].chunk.text, stored[r].title, stored[r].chunk.headings,
                evidence[doc_of[r]],
            )
            for r in top
        ]  # fmt: skip
        return stored, features(candidates, q.text, term_idf(g, q))

    def _dense(self, g: SearchSnapshot, q: ParsedQuery, f: Filters, depth: int) -> list[tuple[int, float]]:
        """(rowid, inner product) of the nearest rows that pass the filters and contain every quoted phrase."""
        allowed = g.filter_rowids(f)
        if q.phrases:
            with_phrases = np.array([r for r, _ in g.lexical_top_k([], q.phrases, f, 10_000)], dtype=np.int64)
            allowed = with_phrases if allowed is None else np.intersect1d(allowed, with_phrases)
        if allowed is not None and len(allowed) == 0:
            return []
        vector = self.embedder.embed_queries([american_text(q.text)])  # passages are embedded spelled American
        return g.dense_top_k(vector, depth, allowed)

    def _materialise(
        self,
        g: SearchSnapshot,
        ranked: list[int],
        fused: dict[int, float],
        scores_by: dict[int, dict[str, float]],
        q: ParsedQuery,
        stored: dict[int, ChunkRow],
    ) -> list[SearchHit]:
        """The ranked rows as hits, in rank order (rows already read are not read again)."""
        if not ranked:
            return []
        missing = [r for r in ranked if r not in stored]
        stored = {**stored, **g.rows(missing)} if missing else stored
        return [_hit(stored[rowid], fused[rowid], scores_by.get(rowid, {}), q) for rowid in ranked if rowid in stored]


def _claims_first(
    g: SearchSnapshot, ranked: list[int], stored: dict[int, ChunkRow], depth: int
) -> tuple[list[int], dict[int, ChunkRow]]:
    """The best `depth` candidates with the passages that hold a claim first, each part in its order: a
    bibliography entry or a contents line that shares the query's words ("Indoor residual spraying for
    preventing malaria …") stays findable but ranks under the passages that say something about it."""
    head = ranked[:depth]
    missing = [r for r in head if r not in stored]
    stored = {**stored, **g.rows(missing)} if missing else stored
    saying = [r for r in head if r in stored and stored[r].chunk.holds_a_claim()]
    if len(saying) == len(head):
        return ranked, stored
    kept = set(saying)
    return [*saying, *(r for r in head if r not in kept), *ranked[depth:]], stored


def _hit(row: ChunkRow, score: float, scores: dict[str, float], q: ParsedQuery) -> SearchHit:
    c = row.chunk
    matched = match_spans(c.text, q.terms, q.phrases)
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
        highlight=highlight(c.text, matched),
        snippet=snippet(c.text, matched),
        meeting=row.meeting,
        agenda_item=row.agenda_item,
        non_prose=c.non_prose,
        score=round(score, 6),
        scores={k: round(v, 6) for k, v in scores.items()},
    )
