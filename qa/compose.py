"""What every answerer shares: citation numbering, claim verification, conflicting figures, refusals."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from index.search import SearchHit
from policykb.types import Answer, Citation, RelatedDocument
from qa.evidence import SentenceEmbeddings, clean, content_stems

REFUSAL = "The documents in the knowledge base don't answer this question."


@dataclass
class Claim:
    """One answer sentence and the passage span that supports it."""

    text: str
    hit: SearchHit
    quote_start: int  # offsets into the document's full text
    quote_end: int


class Citations:
    """Numbers citations in order of first use; the same quoted span always gets the same number."""

    def __init__(self) -> None:
        self.items: list[Citation] = []
        self._numbers: dict[tuple[str, int, int], int] = {}

    def cite(self, claim: Claim) -> int:
        key = (claim.hit.chunk_id, claim.quote_start, claim.quote_end)
        if key not in self._numbers:
            hit = claim.hit
            offset = claim.quote_start - hit.char_start
            quote = hit.text[offset : offset + (claim.quote_end - claim.quote_start)]
            self._numbers[key] = len(self.items) + 1
            self.items.append(
                Citation(
                    n=len(self.items) + 1,
                    chunk_id=hit.chunk_id,
                    doc_id=hit.doc_id,
                    title=hit.title,
                    source=hit.source,
                    doc_type=hit.doc_type,
                    date=hit.date,
                    page=hit.page,
                    quote=quote,
                    char_start=claim.quote_start,
                    char_end=claim.quote_end,
                )
            )
        return self._numbers[key]


def compose(claims: list[Claim], confidence: float, conflicts: list[str], query: str) -> Answer:
    citations = Citations()
    parts = []
    for claim in claims:
        n = citations.cite(claim)
        text = claim.text.rstrip()
        parts.append(f"{text} [{n}]")
    body = " ".join(parts)
    if conflicts:
        body += "\n\nNote: " + " ".join(conflicts)
    return Answer(body, True, round(confidence, 3), citations.items, [], conflicts, query)


def claims_of(answer: str) -> list[str]:
    """An answer cut after each citation marker, so that every streamed piece carries its [n]."""
    return [part for part in re.split(r"(?<=\])(?=\s)", answer) if part]


def refusal(hits: list[SearchHit], confidence: float, query: str, limit: int = 3) -> Answer:
    related: list[RelatedDocument] = []
    seen: set[str] = set()
    for hit in hits:
        if hit.doc_id in seen:
            continue
        seen.add(hit.doc_id)
        snippet = clean(hit.text)
        related.append(
            RelatedDocument(
                hit.doc_id,
                hit.title,
                hit.source,
                hit.doc_type,
                hit.date,
                hit.page,
                hit.chunk_id,
                snippet[:280] + ("…" if len(snippet) > 280 else ""),
            )
        )
        if len(related) == limit:
            break
    return Answer(REFUSAL, False, round(confidence, 3), [], related, [], query)


class Verifier:
    """Is a claim supported by a passage? Lexical support (its content words are in the passage) or
    semantic support (close to one of the passage's sentences)."""

    def __init__(self, embeddings: SentenceEmbeddings, lexical_min: float = 0.6, semantic_min: float = 0.75):
        self.embeddings = embeddings
        self.lexical_min = lexical_min
        self.semantic_min = semantic_min

    def best_span(self, claim: str, hit: SearchHit) -> tuple[float, int, int]:
        """(support, start, end): the passage sentence that best supports the claim, in document offsets."""
        from ingest.chunker import split_sentences

        spans = split_sentences(hit.text, 0, len(hit.text)) or [(0, len(hit.text))]
        claim_stems = content_stems(claim)
        passage_stems = content_stems(hit.text)
        lexical = len(claim_stems & passage_stems) / len(claim_stems) if claim_stems else 0.0
        texts = [clean(hit.text[s:e]) or hit.text[s:e] for s, e in spans]
        vectors = self.embeddings.vectors([clean(claim), *texts])
        sims = vectors[1:] @ vectors[0]
        best = int(np.argmax(sims))
        lexical_best = [len(claim_stems & content_stems(t)) / len(claim_stems) if claim_stems else 0.0 for t in texts]
        if max(lexical_best) > 0 and lexical_best[int(np.argmax(lexical_best))] > sims[best]:
            best = int(np.argmax(lexical_best))
        support = max(float(sims.max()) / self.semantic_min, lexical / self.lexical_min)
        s, e = spans[best]
        return support, hit.char_start + s, hit.char_start + e

    def lexically_supported(self, claim: str, quote: str) -> bool:
        claim_stems = content_stems(claim)
        return bool(claim_stems) and len(claim_stems & content_stems(quote)) / len(claim_stems) >= self.lexical_min

    def supported(self, claim: str, hit: SearchHit) -> tuple[bool, int, int]:
        support, start, end = self.best_span(claim, hit)
        return support >= 1.0, start, end


_NUMBER_FACT = re.compile(r"\b(\d[\d,.]*)\s+((?:[A-Za-z][\w-]*\s*){1,2})")


def number_facts(text: str) -> list[tuple[str, str]]:
    """('250', 'member') from '250 members covering ...': a figure and the stem of what it counts."""
    from index.search import stem

    facts = []
    for m in _NUMBER_FACT.finditer(text):
        value = m.group(1).rstrip(".,").replace(",", "")
        noun = m.group(2).split()[0].lower()
        if (
            noun in {"and", "or", "of", "to", "in", "on", "the", "a", "per", "percent"}
            or (value.startswith("19") and len(value) == 4)
            or (value.startswith("20") and len(value) == 4)
        ):
            continue
        facts.append((value, stem(noun)))
    return facts
