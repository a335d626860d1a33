"""The rerank stage: the best fused candidates re-ordered by a small logistic model over features of each
candidate, fitted by `python -m bench.rerank` on one dev half (coefficients and provenance in rerank.json).

Features, each in [0, 1]:
- `fused`: the fused score over the best candidate's; `lexical` and `dense`: each half's score min-max
  normalised over the candidates (0 where that half did not find the candidate),
- `coverage`: the idf-weighted share of the query's words in the passage's search text (title, headings,
  text); `sentence`: the same share in the passage's best single sentence (a passage that answers tends to
  hold one sentence with most of the question's words),
- `document`: the evidence of the passage's document over the best document's (index/evidence.py),
- `rank`: 1 / (1 + fused rank),
- `bigram`: the share of the query's adjacent word pairs that stand adjacent in the passage (content words,
  stemmed); `proximity`: the largest share of the query's words held in a span of PROXIMITY_SPAN words.
No cross-encoder ships offline, so these are what the stage has; it reads stored rows, never the model.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from policykb.core.text import content_words, search_context, split_sentences, stem

MODEL_PATH = Path(__file__).with_name("rerank.json")
FEATURES = ("fused", "lexical", "dense", "coverage", "sentence", "document", "rank", "bigram", "proximity")
PROXIMITY_SPAN = 20


@dataclass(frozen=True)
class RerankModel:
    weights: tuple[float, ...]  # a linear order: only differences between candidates of one query count
    depth: int  # candidates re-ordered; those below keep their fused order after them

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> RerankModel:
        data = json.loads(path.read_text())
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{path} was fitted on features {data['features']}, this stage has {list(FEATURES)}")
        return cls(tuple(float(w) for w in data["weights"]), int(data["depth"]))

    def score(self, features: np.ndarray) -> np.ndarray:
        return features @ np.asarray(self.weights)


@dataclass(frozen=True)
class Candidate:
    """What the stage knows of one fused candidate."""

    fused: float
    halves: Mapping[str, float]  # raw score of each half that found it
    text: str
    title: str
    headings: Sequence[str]
    document: float  # its document's evidence, 0..1


def features(candidates: Sequence[Candidate], query: str, idf: Mapping[str, float]) -> np.ndarray:
    """One row of FEATURES per candidate (in the given fused order); `idf` maps query stems to idf."""
    total = sum(idf.values()) or 1.0
    asked = [stem(w) for w in content_words(query)]
    pairs = set(itertools.pairwise(asked))
    distinct = set(asked)
    top = max((c.fused for c in candidates), default=0.0) or 1.0
    halves = {name: _minmax([c.halves.get(name) for c in candidates]) for name in ("lexical", "dense")}
    rows = []
    for rank, c in enumerate(candidates):
        context = search_context(c.title, c.headings)
        held = _stems(f"{context} {c.text}")
        sequence = [stem(w) for w in content_words(c.text)]
        best_sentence = max(
            (_share(_stems(c.text[a:b]), idf, total) for a, b in split_sentences(c.text, 0, len(c.text))),
            default=0.0,
        )
        rows.append(
            [
                c.fused / top,
                halves["lexical"][rank],
                halves["dense"][rank],
                _share(held, idf, total),
                best_sentence,
                c.document,
                1 / (1 + rank),
                len(pairs & set(itertools.pairwise(sequence))) / max(1, len(pairs)),
                _proximity(sequence, distinct),
            ]
        )
    return np.asarray(rows, dtype=np.float64).reshape(len(candidates), len(FEATURES))


def _proximity(sequence: list[str], asked: set[str]) -> float:
    """The largest share of the `asked` stems found together within PROXIMITY_SPAN consecutive words."""
    if not asked:
        return 0.0
    found = [(i, w) for i, w in enumerate(sequence) if w in asked]
    best = 0
    for a, (start, _) in enumerate(found):
        together = {w for i, w in found[a:] if i - start < PROXIMITY_SPAN}
        best = max(best, len(together))
    return best / len(asked)


def _stems(text: str) -> set[str]:
    return {stem(w) for w in content_words(text)}


def _share(held: set[str], idf: Mapping[str, float], total: float) -> float:
    return sum(w for s, w in idf.items() if s in held) / total


def _minmax(values: list[float | None]) -> list[float]:
    present = [v for v in values if v is not None]
    if not present:
        return [0.0] * len(values)
    lo, hi = min(present), max(present)
    return [0.0 if v is None else ((v - lo) / (hi - lo) if hi > lo else 1.0) for v in values]
