"""The default answerer, with no LLM: it selects the passage sentences that best answer the question and
quotes them, each with its citation. It cannot hallucinate: every sentence is a document's own text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from policykb.core.events import AnswerEvent, Final, Token
from policykb.core.types import Answer, SearchResponse
from policykb.index.embedders import Embedder
from policykb.qa.compose import Claim, Verifier, compose, number_facts, refusal
from policykb.qa.evidence import Sentence, SentenceEmbeddings, candidate_sentences, content_stems, coverage


@dataclass
class ExtractiveConfig:
    max_sentences: int = 3
    min_semantic: float = 0.30  # cosine between question and the best sentence (all-MiniLM-L6-v2)
    min_coverage: float = 0.55  # idf share of the question found in the best sentence's passage
    margin: float = 0.12  # further sentences must score within this of the best
    weights: tuple[float, float, float] = (0.5, 0.3, 0.2)  # semantic, sentence coverage, passage coverage


class ExtractiveAnswerer:
    def __init__(self, embedder: Embedder, config: ExtractiveConfig | None = None) -> None:
        self.embedder = embedder
        self.config = config or ExtractiveConfig()
        self.embeddings = SentenceEmbeddings(embedder)
        self.verifier = Verifier(self.embeddings)

    def stream(self, question: str, response: SearchResponse, *, focus: str | None = None) -> Iterator[AnswerEvent]:
        """The answer claim by claim (each piece carries its [n]), then the answer itself."""
        answer = self._answer(question, response, focus)
        for claim in answer.claims():
            yield Token(claim)
        yield Final(answer)

    def rewrite_followup(self, question: str, history: list[dict]) -> str | None:
        return None  # no model to rewrite with: the facade's heuristic carries the previous question along

    def _answer(self, question: str, response: SearchResponse, focus: str | None) -> Answer:
        """`focus`: the user's latest words when `question` was expanded from a conversation."""
        hits = response.results
        idf = dict(response.term_idf)
        if focus:
            for s in content_stems(focus):
                if s in idf:
                    idf[s] *= 2.0  # the follow-up's own words matter most
        sentences = candidate_sentences(hits)
        if not sentences:
            return refusal(hits, 0.0, question)
        self._score(question, sentences, idf)
        sentences.sort(key=lambda s: -s.score)
        best = sentences[0]
        c = self.config
        confidence = float(np.clip(best.score / 0.75, 0.0, 1.0))
        if best.semantic < c.min_semantic or best.context_coverage < c.min_coverage:
            return refusal(hits, confidence, question)
        chosen = self._select(sentences)
        conflicts = self._conflicts(chosen, sentences)
        claims = []
        for s in chosen:
            if self.verifier.lexically_supported(s.display, s.text):  # an extract: the check guards the invariant
                claims.append(Claim(s.display, s.hit, s.start, s.end))
        if not claims:
            return refusal(hits, confidence, question)
        return compose(claims, confidence, [text for text, _ in conflicts], question)

    def _score(self, question: str, sentences: list[Sentence], idf: dict[str, float]) -> None:
        query = self.embedder.embed_queries([question])[0]
        vectors = self.embeddings.vectors([s.display for s in sentences])
        semantic = vectors @ query
        passage_stems: dict[str, set[str]] = {}
        w_sem, w_cov, w_ctx = self.config.weights
        for s, sim in zip(sentences, semantic, strict=True):
            if s.hit.chunk_id not in passage_stems:
                # The passage's context includes what the document is ("according to the press release").
                about = [
                    s.hit.text,
                    s.hit.title,
                    *s.hit.headings,
                    s.hit.doc_type.replace("_", " "),
                    *s.hit.organisations,
                ]
                passage_stems[s.hit.chunk_id] = content_stems(" ".join(about))
            s.semantic = float(sim)
            s.coverage = coverage(idf, content_stems(s.text))
            s.context_coverage = coverage(idf, passage_stems[s.hit.chunk_id])
            s.score = w_sem * s.semantic + w_cov * s.coverage + w_ctx * s.context_coverage - 0.01 * s.rank
            s.score += _answer_type_bonus(question, s.display, idf)

    def _select(self, ranked: list[Sentence]) -> list[Sentence]:
        c = self.config
        best = ranked[0]
        chosen = [best]
        for s in ranked[1:]:
            if len(chosen) == c.max_sentences or s.score < best.score - c.margin:
                break
            if s.semantic < c.min_semantic or s.context_coverage < c.min_coverage:
                continue
            stems = content_stems(s.text)
            if any(_jaccard(stems, content_stems(o.text)) > 0.6 for o in chosen):
                continue
            chosen.append(s)
        # A sentence that merely sets the scene ("IAPO delivered a statement…") is often completed by the
        # next one ("…urged Member States to…"): keep that neighbour when it is relevant too. A sentence
        # that introduces a list ("…three core themes:") brings its items.
        for s in list(chosen):
            if s.display.rstrip().endswith(":"):
                anchor = s
                for _ in range(6):
                    item = _next_sentence(anchor, ranked)
                    if item is None or item in chosen:
                        break
                    chosen.insert(chosen.index(anchor) + 1, item)
                    anchor = item
                continue
            follower = _next_sentence(s, ranked)
            if (
                follower is not None
                and follower not in chosen
                and len(chosen) < c.max_sentences + 1
                and follower.semantic >= max(c.min_semantic, best.semantic - 0.3)
            ):
                chosen.insert(chosen.index(s) + 1, follower)
        return chosen

    def _conflicts(self, chosen: list[Sentence], ranked: list[Sentence]) -> list[tuple[str, Sentence]]:
        """Figures that disagree between documents: the other source's sentence joins the answer."""
        c = self.config
        notes: list[tuple[str, Sentence]] = []
        for s in list(chosen):
            for value, noun in number_facts(s.display):
                for other in ranked:
                    if other.hit.doc_id == s.hit.doc_id or other.semantic < c.min_semantic:
                        continue
                    if other.context_coverage < c.min_coverage * 0.8:
                        continue
                    for other_value, other_noun in number_facts(other.display):
                        if other_noun == noun and other_value != value:
                            if other not in chosen:
                                chosen.append(other)
                            note = (
                                f"The sources differ: {value} {noun}… in “{s.hit.title}” ({s.hit.date or 'undated'}) "
                                f"and {other_value} {noun}… in “{other.hit.title}” ({other.hit.date or 'undated'})."
                            )
                            if all(n != note for n, _ in notes):
                                notes.append((note, other))
        return notes


_QUANTITY = re.compile(
    r"\bhow (?:many|much|large|big|often)\b|\bnumber of\b|\bwhat (?:percentage|share|proportion)\b", re.I
)
_WHEN = re.compile(r"^\s*when\b|\bwhat (?:date|year|day|month)\b", re.I)
_DATE = re.compile(
    r"\b(?:19|20)\d{2}\b|\b\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]+|\b[A-Z][a-z]+\s+\d{1,2}(?:st|nd|rd|th)?,"
)


def _answer_type_bonus(question: str, sentence: str, idf: dict[str, float]) -> float:
    """A sentence holding the kind of thing asked for (a figure about the asked noun, a date) ranks higher."""
    if _QUANTITY.search(question):
        facts = number_facts(sentence)
        if any(noun in idf for _, noun in facts):
            return 0.15
        return 0.03 if facts else 0.0
    if _WHEN.search(question) and _DATE.search(sentence):
        return 0.15
    return 0.0


def _next_sentence(s: Sentence, ranked: list[Sentence]) -> Sentence | None:
    """The candidate that directly follows `s` in the same passage (only whitespace between them)."""
    offset = s.hit.char_start
    return next(
        (o for o in ranked if o.hit.chunk_id == s.hit.chunk_id and o.start >= s.end
         and not s.hit.text[s.end - offset : o.start - offset].strip()),
        None,
    )  # fmt: skip


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0
