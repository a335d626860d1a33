"""The lexical half: a query string parsed into terms and quoted phrases, and its BM25 encoding in tantivy
(used by the embedded backend's snapshot).

Quoted phrases are hard constraints (MUST clauses: every result contains each phrase, stemmed, in order);
the remaining content words are optional (SHOULD) terms over each chunk's search text (its document title,
heading path and text, spelled American: `policykb.core.text.search_text`), so a query's British spellings
meet the documents' American ones and the other way round.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import tantivy

from policykb.core.errors import StorageError
from policykb.core.filters import Filters
from policykb.core.text import american_spelling, content_words, index_term, spelled_acronyms, stem, words
from policykb.index.filters import tantivy_filter_queries
from policykb.index.generation import Generation
from policykb.index.spelling import corrections, one_edit, respell, spelled
from policykb.index.storage.base import SearchSnapshot

_PHRASE = re.compile(r'"([^"]+)"')


@dataclass
class ParsedQuery:
    text: str  # the query without quote marks (what the dense half embeds)
    phrases: list[str]
    terms: list[str]  # lower-cased content words outside the phrases


def parse_query(query: str) -> ParsedQuery:
    phrases = [p.strip() for p in _PHRASE.findall(query) if words(p)]
    rest = _PHRASE.sub(" ", query)
    return ParsedQuery(query.replace('"', " ").strip(), phrases, content_words(rest))


def with_acronyms(q: ParsedQuery, g: SearchSnapshot) -> ParsedQuery:
    """The query with the acronyms its capitalised words spell, where the index holds them: a passage that
    writes "the GDG met …" answers a question about the "Guidelines Development Group"."""
    found = [a.lower() for a in spelled_acronyms(q.text)]
    extra = [a for a in found if a not in q.terms and g.doc_freq(index_term(a)) > 0]
    return ParsedQuery(q.text, q.phrases, [*q.terms, *extra]) if extra else q


def with_spelling(
    q: ParsedQuery, g: SearchSnapshot, known: Callable[[str], bool]
) -> tuple[ParsedQuery, dict[str, str]]:
    """The query with its misspelt words read as the collection's (index/spelling.py), spelled as a passage
    holding them writes them, and those readings ({"carageenan": "carrageenan"}); quoted phrases are searched
    as typed."""
    terms = set(q.terms)
    stems = corrections((w for w in words(q.text) if w.lower() in terms), g.doc_freq, known)
    fixes = {}
    for word, reading in stems.items():
        others = [t for t in q.terms if t != word.lower()]
        top = g.lexical_top_k(others, [reading.form], Filters(), 1)  # the passage holding it with most other words
        if not top:
            continue
        text = g.rows([top[0][0]])[top[0][0]].chunk.text
        shown = spelled(word, reading.stem, text)
        beside = {index_term(w.lower()) for w in words(text)} & {index_term(t) for t in others}
        if one_edit(word, shown) and (beside or not others):
            fixes[word] = shown
    if not fixes:
        return q, {}
    lowered = {w.lower(): c.lower() for w, c in fixes.items()}
    return ParsedQuery(respell(q.text, fixes), q.phrases, [lowered.get(t, t) for t in q.terms]), fixes


def similarity_query(text: str) -> ParsedQuery:
    """A passage as a "more like this" query: its content words, nothing read as syntax (its quote marks,
    colons, brackets and AND/OR/NOT are text), no phrase constraints."""
    return ParsedQuery(" ".join(text.split()), [], content_words(text))


def tantivy_top_k(
    g: Generation,
    terms: Sequence[str],
    phrases: Sequence[str],
    f: Filters,
    depth: int,
) -> list[tuple[int, float]]:
    """(rowid, BM25 score) of the best `depth` rows with any of the terms, every phrase, and passing the
    filters, best first and equal scores by row id; [] without terms or phrases.

    tantivy orders equal scores by document address, which depends on how its segments were written and
    merged (several writer threads, incremental updates), so two builds of the same rows, or two replicas,
    could rank tied passages differently and even keep different ones at the cut. The tie group at the cut
    is therefore read whole, and the order made by (score, row id), which every build shares."""
    clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
    if terms:
        clauses.append((tantivy.Occur.Should, _terms_query(g, terms)))
    for phrase in phrases:
        clauses.append((tantivy.Occur.Must, _phrase_query(g, phrase)))
    if not clauses:
        return []
    clauses.extend((tantivy.Occur.Must, fq) for fq in tantivy_filter_queries(g.schema, f))
    query = tantivy.Query.boolean_query(clauses)
    if depth <= 0:
        return []
    limit = depth
    while True:
        hits = g.searcher.search(query, limit=limit + 1, count=False).hits
        if len(hits) <= limit or hits[limit][0] != hits[depth - 1][0]:
            break
        limit *= 2
    rowids = g.searcher.fast_field_values("rowid", [address for _, address in hits])
    return best_first([(_rowid(rowid), float(score)) for (score, _), rowid in zip(hits, rowids, strict=True)], depth)


def best_first(scored: Sequence[tuple[int, float]], depth: int) -> list[tuple[int, float]]:
    """The best `depth` of (rowid, score): higher score first, then lower row id."""
    return sorted(scored, key=lambda hit: (-hit[1], hit[0]))[:depth]


def _rowid(value: int | float | bool | None) -> int:
    """Every document carries the integer fast field `rowid`; anything else means the lexical index is corrupt."""
    if not isinstance(value, int):
        raise StorageError(f"lexical index document without an integer rowid: {value!r}")
    return value


def term_idf(g: SearchSnapshot, q: ParsedQuery) -> dict[str, float]:
    """BM25 idf of each query word, keyed by its stem: how much a term says about relevance (rare terms say more)."""
    n = max(1, g.size)
    query_words = list(q.terms) + [w.lower() for p in q.phrases for w in words(p)]
    out = {}
    for word in dict.fromkeys(query_words):
        df = g.doc_freq(index_term(word))
        out[stem(word)] = float(np.log(1 + (n - df + 0.5) / (df + 0.5)))
    return out


def _terms_query(g: Generation, terms: Sequence[str]) -> tantivy.Query:
    return g.lexical.parse_query(" ".join(dict.fromkeys(american_spelling(t) for t in terms)), ["search"])


def _phrase_query(g: Generation, phrase: str) -> tantivy.Query:
    return g.lexical.parse_query(f'"{" ".join(words(phrase))}"', ["text", "title"])
