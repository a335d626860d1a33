"""What every answerer shares: citation numbering, claim verification, conflicting figures, refusals."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from policykb.core.text import STOPWORDS, split_sentences, stem
from policykb.core.types import Answer, Citation, RelatedDocument, SearchHit
from policykb.qa.evidence import SentenceEmbeddings, clean, content_stems

REFUSAL = "The documents in the knowledge base don't answer this question."
# Said before the quotes of a tentative answer: they are the closest the documents come, which a reader
# should check before repeating them.
TENTATIVE = "The documents may not answer this directly. The closest passages say:"


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
                    **hit.passage_ref(),
                    n=len(self.items) + 1,
                    quote=quote,
                    char_start=claim.quote_start,
                    char_end=claim.quote_end,
                    page_end=hit.page_end if hit.page_end != hit.page else None,
                )
            )
        return self._numbers[key]


def compose(
    claims: list[Claim],
    confidence: float,
    conflicts: list[str],
    query: str,
    unanswered: Sequence[str] = (),
    tentative: bool = False,
) -> Answer:
    """The claims with their citation numbers, after the TENTATIVE caveat when they may not answer the
    question; then the sources' conflicts and the parts of the question that no passage answers ("What
    declaration did it adopt?"), each said once."""
    citations = Citations()
    parts = []
    for claim in claims:
        n = citations.cite(claim)
        text = claim.text.rstrip()
        parts.append(f"{text} [{n}]")
    body = " ".join(parts)
    if tentative:
        body = f"{TENTATIVE}\n\n{body}"
    if conflicts:
        body += "\n\nNote: " + " ".join(conflicts)
    if unanswered:
        asked = " ".join(f"“{part}”" for part in unanswered)
        body += f"\n\nThe closest passages do not answer the rest of the question: {asked}"
    return Answer(body, True, round(confidence, 3), citations.items, [], conflicts, query, tentative=tentative)


def refusal(hits: list[SearchHit], confidence: float, query: str, missing: str | None = None, limit: int = 3) -> Answer:
    """No answer, the closest documents, and (when known) what part of the question they did not cover."""
    related: list[RelatedDocument] = []
    seen: set[str] = set()
    for hit in hits:
        if hit.doc_id in seen:
            continue
        seen.add(hit.doc_id)
        snippet = clean(hit.text)
        related.append(
            RelatedDocument(**hit.passage_ref(), snippet=snippet[:280] + ("…" if len(snippet) > 280 else ""))
        )
        if len(related) == limit:
            break
    text = f"{REFUSAL} {missing}" if missing else REFUSAL
    return Answer(text, False, round(confidence, 3), [], related, [], query)


class Verifier:
    """Is a claim supported by a passage? It must be supported by one sentence of it (with its neighbours),
    not by words gathered from all over the passage: lexically (its content words are there) or
    semantically (close in embedding space), and every figure and proper name it states must be there too,
    so a claim that recombines two facts ("the theme of Patient Solidarity Day was <another day's theme>")
    is not supported."""

    def __init__(self, embeddings: SentenceEmbeddings, lexical_min: float = 0.7, semantic_min: float = 0.75):
        self.embeddings = embeddings
        self.lexical_min = lexical_min
        self.semantic_min = semantic_min

    def best_span(self, claim: str, hit: SearchHit) -> tuple[float, int, int]:
        """(support, start, end): support >= 1 means supported; the span is the best sentence, in document offsets."""
        spans = split_sentences(hit.text, 0, len(hit.text)) or [(0, len(hit.text))]
        texts = [clean(hit.text[s:e]) or hit.text[s:e] for s, e in spans]
        windows = [" ".join(texts[max(0, i - 1) : i + 2]) for i in range(len(texts))]
        claim_stems = content_stems(claim)
        keys = key_terms(claim)
        lexical = [len(claim_stems & content_stems(w)) / len(claim_stems) if claim_stems else 0.0 for w in windows]
        own = [len(claim_stems & content_stems(t)) for t in texts]  # ties between windows: the sentence itself
        vectors = self.embeddings.vectors([clean(claim), *texts])
        sims = vectors[1:] @ vectors[0]
        best_support, best_own, best = 0.0, -1, 0
        for i, window in enumerate(windows):
            if keys - content_stems(window) - _lower_stems(window):
                continue  # a figure or a name of the claim is missing around this sentence
            support = max(float(sims[i]) / self.semantic_min, lexical[i] / self.lexical_min)
            if (support, own[i]) > (best_support, best_own):
                best_support, best_own, best = support, own[i], i
        s, e = spans[best]
        return best_support, hit.char_start + s, hit.char_start + e

    def lexically_supported(self, claim: str, quote: str) -> bool:
        claim_stems = content_stems(claim)
        return bool(claim_stems) and len(claim_stems & content_stems(quote)) / len(claim_stems) >= self.lexical_min

    def supported(self, claim: str, hit: SearchHit) -> tuple[bool, int, int]:
        support, start, end = self.best_span(claim, hit)
        return support >= 1.0, start, end


_KEY = re.compile(r"\b\d[\d,.]*\d\b|\b\d\b|(?<![.!?]\s)(?<!^)\b[A-Z][\w-]*")


def key_terms(claim: str) -> set[str]:
    """Stems of the figures and capitalised names a claim states (its first word excepted)."""
    claim = claim.strip()
    found = set()
    for m in _KEY.finditer(claim):
        word = m.group(0).replace(",", "")
        if m.start() == 0 or word.lower() in STOPWORDS:
            continue
        found.add(stem(word.lower()))
    return found


def _lower_stems(text: str) -> set[str]:
    return {stem(w.lower().replace(",", "")) for w in re.findall(r"\d[\d,.]*\d|\w+", text)}


_NUMBER_FACT = re.compile(r"\b(\d[\d,.]*)\s+((?:[A-Za-z][\w-]*\s*){1,2})")


def number_facts(text: str) -> list[tuple[str, str]]:
    """('250', 'member') from '250 members covering ...': a figure and the stem of what it counts."""
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
