"""Hybrid search over one generation: BM25 (tantivy) and dense (FAISS), fused by a weighted sum of
min-max normalised scores (tuned on half of COVID-QA dev, see README) or by reciprocal rank.

Filter semantics are written down in docs/filters.md; both halves apply the same filters, the lexical
half inside tantivy and the dense half as a FAISS id selector.
"""

from __future__ import annotations

import html
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Literal

import faiss
import numpy as np
import tantivy
from nltk.stem.snowball import SnowballStemmer

from policykb.index.embedders import Embedder
from policykb.index.generation import Generation, GenerationReader, date_bounds
from policykb.ingest.metadata import strict_date

Mode = Literal["hybrid", "dense", "lexical"]
Sort = Literal["relevance", "date"]

_STOPWORDS_TEXT = (
    "a an and are as at be been but by can could did do does for from had has have how i if in into is "
    "it its me my no not of on or our she so such than that the their them then there these they this to "
    "was we were what when where which who whom why will with would you your many much often according "
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_PHRASE = re.compile(r'"([^"]+)"')
_WORD = re.compile(r"\w+", re.UNICODE)
_STEMMER = SnowballStemmer("english")


class FilterError(ValueError):
    """A filter value that cannot be understood (shown to the user)."""


@dataclass
class Filters:
    doc_type: list[str] = field(default_factory=list)
    organisation: list[str] = field(default_factory=list)
    language: list[str] = field(default_factory=list)
    date_from: str | None = None
    date_to: str | None = None
    source: str | None = None

    def is_empty(self) -> bool:
        return not (
            self.doc_type or self.organisation or self.language or self.date_from or self.date_to or self.source
        )

    def matches(self, doc_type: str, organisations: list[str], language: str, source: str, date: str | None) -> bool:
        """The same semantics, for one document (the index applies them in bulk, see docs/filters.md)."""
        if self.doc_type and doc_type not in self.doc_type:
            return False
        if self.organisation and not set(self.organisation) & set(organisations):
            return False
        if self.language and language not in self.language:
            return False
        if self.source and not (source == self.source.strip("/") or source.startswith(self.source.strip("/") + "/")):
            return False
        lo, hi = self.bounds()
        if lo is None and hi is None:
            return True
        if not date:
            return False
        d_lo, d_hi = date_bounds(date)
        return (lo is None or d_hi >= lo) and (hi is None or d_lo <= hi)

    def bounds(self) -> tuple[int | None, int | None]:
        lo = _bound(self.date_from, 0)
        hi = _bound(self.date_to, 1)
        return lo, hi


def _bound(value: str | None, side: int) -> int | None:
    if not value:
        return None
    iso = strict_date(value)
    if iso is None:
        raise FilterError(f"not a date: {value!r} (use YYYY, YYYY-MM or YYYY-MM-DD)")
    return date_bounds(iso)[side]


@dataclass
class SearchHit:
    rowid: int
    chunk_id: str
    doc_id: str
    title: str
    source: str
    doc_type: str
    date: str | None
    organisations: list[str]
    language: str
    url: str | None
    page: int | None
    page_end: int | None
    char_start: int
    char_end: int
    headings: list[str]
    text: str
    highlight: str
    score: float
    scores: dict[str, float]

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class SearchResponse:
    results: list[SearchHit]
    generation: str | None
    took_ms: float
    mode: str
    term_idf: dict[str, float] = field(default_factory=dict)  # query stems -> BM25 idf in this generation


@dataclass
class ParsedQuery:
    text: str
    phrases: list[str]
    terms: list[str]


def parse_query(query: str) -> ParsedQuery:
    phrases = [p.strip() for p in _PHRASE.findall(query) if _WORD.search(p)]
    rest = _PHRASE.sub(" ", query)
    terms = [w.lower() for w in _WORD.findall(rest) if w.lower() not in STOPWORDS and (len(w) > 1 or w.isdigit())]
    return ParsedQuery(query.replace('"', " ").strip(), phrases, terms)


class HybridSearcher:
    def __init__(
        self,
        reader: GenerationReader,
        embedder: Embedder,
        candidates: int = 50,
        fusion: Literal["score", "rrf"] = "score",
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
            pending = self._pool.submit(self._lexical, generation, parsed, filters, depth) if mode != "dense" else None
            dense = self._dense(generation, parsed, filters, depth) if mode != "lexical" else []
            lexical = pending.result() if pending is not None else []
            fused, scores_by = self._fuse(lexical, dense)
            ranked = sorted(fused, key=lambda r: -fused[r])
        if sort == "date":
            pos = generation.positions(np.array(ranked, dtype=np.int64))
            dates = generation.date_lo[pos] if len(ranked) else []
            order = sorted(range(len(ranked)), key=lambda i: (-int(dates[i]), -fused[ranked[i]]))
            ranked = [ranked[i] for i in order]
        ranked = ranked[:k]
        hits = self._materialise(generation, ranked, fused, scores_by, parsed)
        idf = self._idf(generation, parsed)
        return SearchResponse(hits, generation.name, (time.perf_counter() - started) * 1000, mode, idf)

    def _idf(self, g: Generation, q: ParsedQuery) -> dict[str, float]:
        """BM25 idf of each query stem: how much a term says about relevance (rare terms say more)."""
        n = max(1, g.searcher.num_docs)
        words = list(q.terms) + [w.lower() for p in q.phrases for w in _WORD.findall(p)]
        out = {}
        for word in dict.fromkeys(words):
            df = g.searcher.doc_freq("text", stem(word))
            out[stem(word)] = float(np.log(1 + (n - df + 0.5) / (df + 0.5)))
        return out

    # -------------------------------------------------------------------------------------------- halves

    def _lexical(self, g: Generation, q: ParsedQuery, f: Filters, depth: int) -> list[tuple[int, float]]:
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        if q.terms:
            clauses.append((tantivy.Occur.Should, self._terms_query(g, q.terms)))
        for phrase in q.phrases:
            clauses.append((tantivy.Occur.Must, self._phrase_query(g, phrase)))
        if not clauses:
            return []
        clauses.extend((tantivy.Occur.Must, fq) for fq in self._filter_queries(g, f))
        query = tantivy.Query.boolean_query(clauses)
        hits = g.searcher.search(query, limit=depth).hits
        rowids = g.searcher.fast_field_values("rowid", [address for _, address in hits])
        return [(int(rowid), float(score)) for (score, _), rowid in zip(hits, rowids, strict=True)]

    def _terms_query(self, g: Generation, terms: list[str]) -> tantivy.Query:
        text = " ".join(dict.fromkeys(terms))
        return g.lexical.parse_query(text, ["text", "title", "headings"], field_boosts={"title": 0.3, "headings": 0.5})

    def _phrase_query(self, g: Generation, phrase: str) -> tantivy.Query:
        words = " ".join(_WORD.findall(phrase))
        return g.lexical.parse_query(f'"{words}"', ["text", "title"])

    def _filter_queries(self, g: Generation, f: Filters) -> list[tantivy.Query]:
        schema = g.schema
        out: list[tantivy.Query] = []

        def any_of(field_name: str, values: list[str]) -> None:
            if values:
                out.append(
                    tantivy.Query.boolean_query(
                        [(tantivy.Occur.Should, tantivy.Query.term_query(schema, field_name, v)) for v in values]
                    )
                )

        any_of("doc_type", f.doc_type)
        any_of("organisations", f.organisation)
        any_of("language", f.language)
        if f.source:
            out.append(tantivy.Query.term_query(schema, "source_prefix", f.source.strip("/")))
        lo, hi = f.bounds()
        if lo is not None or hi is not None:
            out.append(tantivy.Query.range_query(schema, "date_lo", tantivy.FieldType.Integer, 1, hi))
            if lo is not None:
                out.append(tantivy.Query.range_query(schema, "date_hi", tantivy.FieldType.Integer, lo, None))
        return out

    def _mask(self, g: Generation, f: Filters) -> np.ndarray | None:
        if f.is_empty():
            return None
        mask = np.ones(g.size, dtype=bool)

        def codes(kind: str, values: list[str]) -> list[int]:
            vocab = g.vocab[kind]
            return [vocab.index(v) for v in values if v in vocab]

        if f.doc_type:
            mask &= np.isin(g.doc_type, codes("doc_type", f.doc_type))
        if f.language:
            mask &= np.isin(g.language, codes("language", f.language))
        if f.organisation:
            member = np.zeros(g.size, dtype=bool)
            member[g.org_row[np.isin(g.org_idx, codes("organisations", f.organisation))]] = True
            mask &= member
        if f.source:
            prefix = f.source.strip("/")
            sources = [i for i, s in enumerate(g.vocab["source"]) if s == prefix or s.startswith(prefix + "/")]
            mask &= np.isin(g.source, sources)
        lo, hi = f.bounds()
        if lo is not None or hi is not None:
            mask &= g.date_lo > 0
            if lo is not None:
                mask &= g.date_hi >= lo
            if hi is not None:
                mask &= g.date_lo <= hi
        return mask

    def _dense(self, g: Generation, q: ParsedQuery, f: Filters, depth: int) -> list[tuple[int, float]]:
        allowed: np.ndarray | None = None
        mask = self._mask(g, f)
        if mask is not None:
            allowed = g.rowid[mask]
        if q.phrases:
            with_phrases = np.array(
                [r for r, _ in self._lexical(g, ParsedQuery("", q.phrases, []), f, 10_000)], dtype=np.int64
            )
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

    def _fuse(
        self, lexical: list[tuple[int, float]], dense: list[tuple[int, float]]
    ) -> tuple[dict[int, float], dict[int, dict[str, float]]]:
        """Weighted sum of min-max normalised scores (or reciprocal rank fusion, if so configured)."""
        fused: dict[int, float] = {}
        by: dict[int, dict[str, float]] = {}
        for name, ranked, weight in (("lexical", lexical, 1.0), ("dense", dense, self.dense_weight)):
            if not ranked:
                continue
            scores = [score for _, score in ranked]
            lo, hi = min(scores), max(scores)
            for rank, (rowid, score) in enumerate(ranked):
                if self.fusion == "rrf":
                    contribution = weight / (self.rrf_k + rank + 1)
                else:
                    contribution = weight * ((score - lo) / (hi - lo) if hi > lo else 1.0)
                fused[rowid] = fused.get(rowid, 0.0) + contribution
                by.setdefault(rowid, {})[name] = score
        return fused, by

    def _browse(self, g: Generation, f: Filters, depth: int) -> list[int]:
        """No query text: the newest chunks that pass the filters (one per document)."""
        mask = self._mask(g, f)
        positions = np.flatnonzero(mask) if mask is not None else np.arange(g.size)
        order = positions[np.argsort(-g.date_lo[positions], kind="stable")]
        return [int(r) for r in g.rowid[order[:depth]]]

    # -------------------------------------------------------------------------------------------- output

    def _materialise(
        self,
        g: Generation,
        ranked: list[int],
        fused: dict[int, float],
        scores_by: dict[int, dict[str, float]],
        q: ParsedQuery,
    ) -> list[SearchHit]:
        if not ranked:
            return []
        query = tantivy.Query.term_set_query(g.schema, "rowid", ranked)
        stored = {}
        for _, address in g.searcher.search(query, limit=len(ranked)).hits:
            doc = g.searcher.doc(address).to_dict()
            stored[int(doc["rowid"][0])] = doc
        stems = {stem(t) for t in q.terms} | {stem(w.lower()) for p in q.phrases for w in _WORD.findall(p)}
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


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _STEMMER.stem(word)


def highlight(text: str, stems: set[str]) -> str:
    """HTML-escaped text with every word sharing a stem with the query wrapped in <mark>."""
    escaped = html.escape(text, quote=False)
    if not stems:
        return escaped

    def mark(m: re.Match[str]) -> str:
        word = m.group(0)
        return f"<mark>{word}</mark>" if stem(word.lower()) in stems else word

    return re.sub(r"(?<!&)\b\w+", mark, escaped)


def hits_json(response: SearchResponse) -> str:
    keys = ("chunk_id", "doc_id", "title", "source", "doc_type", "date", "page", "score", "text", "highlight")
    return json.dumps({"results": [{k: getattr(h, k) for k in keys} for h in response.results]}, ensure_ascii=False)
