"""Evidence at sentence level: candidate sentences from hits, and how well a text supports a question
or a claim (idf-weighted term coverage plus embedding similarity)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from policykb.core.text import content_words, split_sentences, stem
from policykb.core.types import SearchHit
from policykb.index.embedders import Embedder

_MARKUP = re.compile(r"\[([^\]]*)\]\([^)]*\)|[*_`#◆•]+")


def content_stems(text: str) -> set[str]:
    return {stem(w) for w in content_words(text)}


def clean(text: str) -> str:
    """Display form of a passage sentence: Markdown links and emphasis marks removed, whitespace squashed."""
    text = _MARKUP.sub(lambda m: m.group(1) or "", text)
    text = re.sub(r"\\([()\[\]*_#.!-])", r"\1", text)
    text = re.sub(r"(?<=[a-z])-[ \t]*\n\s*(?=[a-z])", "", text)  # words hyphenated at a line end
    return re.sub(r"\s+", " ", text).strip(" -–")


@dataclass
class Sentence:
    hit: SearchHit
    rank: int  # the hit's rank in the search results
    start: int  # offsets into the document's full text
    end: int
    text: str  # the exact document text
    display: str
    semantic: float = 0.0
    coverage: float = 0.0
    context_coverage: float = 0.0
    score: float = 0.0


def candidate_sentences(hits: list[SearchHit], max_hits: int = 6, min_words: int = 4) -> list[Sentence]:
    out = []
    for rank, hit in enumerate(hits[:max_hits]):
        for s, e in split_sentences(hit.text, 0, len(hit.text)):
            text = hit.text[s:e]
            display = clean(text)
            if len(display.split()) < min_words:
                continue
            out.append(Sentence(hit, rank, hit.char_start + s, hit.char_start + e, text, display))
    return out


def coverage(question_idf: dict[str, float], text_stems: set[str]) -> float:
    """Share of the question's information (idf mass) that the text contains."""
    total = sum(question_idf.values())
    if total <= 0:
        return 0.0
    return sum(w for s, w in question_idf.items() if s in text_stems) / total


class SentenceEmbeddings:
    """Embeds sentences once; the same passages come back often, so vectors are cached by text."""

    def __init__(self, embedder: Embedder, max_items: int = 50_000) -> None:
        self.embedder = embedder
        self.cache: dict[str, np.ndarray] = {}
        self.max_items = max_items

    def vectors(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            if len(self.cache) + len(missing) > self.max_items:
                self.cache.clear()
            for text, vector in zip(missing, self.embedder.embed_passages(missing), strict=True):
                self.cache[text] = vector
        if not texts:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.stack([self.cache[t] for t in texts])
