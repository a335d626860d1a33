"""Misspelt query words read as the collection's words: "carageenan" finds "carrageenan", "Clodstridium"
finds "Clostridium", "Zanamavir" finds "zanamivir".

A word is read as another only when the collection cannot mean it as written, and one edit makes it a word
the collection holds:
- the word (letters only; acronyms in capitals are names, not misspellings) stems to at least MIN_STEM
  letters, and no passage holds its stem; the language model's vocabulary does not hold it whole (a real
  word missing from the collection, "resign", is a question about something absent, not a typo of "resin");
- one deletion, insertion, substitution or swap of neighbours in the word or its stem, never of the first
  letter (typing rarely gets it wrong, and "didthe" is not "widthe"), gives a stem held by at least
  MIN_PASSAGES passages ("organisatons" -> "organisations": its stem "organisaton" is no edit from "organis");
  the most widely held wins (of equals, the first in alphabetical order, so every replica reads alike);
- the word as a passage writes it is one edit from the word as typed too (stems hide longer edits: "lesion"
  and "lessons" share a stem one edit apart), and where the query has other words, a passage holds the
  reading with one of them ("skin lesion" is not "skin lessons": no passage speaks of both).
Short stems are left alone: "cram" is one edit from "cream", and most short words have many neighbours.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from policykb.core.text import index_term

MIN_STEM = 6
MIN_PASSAGES = 2
_LETTERS = string.ascii_lowercase
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Reading:
    """What a misspelt word is read as: the stem the index holds, and a form that searches for it (an edit of
    the word as typed where one reaches the stem, "organisations"; else the stem itself)."""

    stem: str
    form: str


def corrections(
    words: Iterable[str], doc_freq: Callable[[str], int], known: Callable[[str], bool]
) -> dict[str, Reading]:
    """Each misspelt word of `words` (as written) with what it is read as; `doc_freq` counts the passages
    holding a stem, `known` says whether the language model's vocabulary holds a word whole."""
    out: dict[str, Reading] = {}
    for word in dict.fromkeys(words):
        if not word.isalpha() or word.isupper():
            continue
        lowered = word.lower()
        stem = index_term(lowered)
        if len(stem) < MIN_STEM or doc_freq(stem) > 0 or known(lowered):
            continue
        forms = {v: v for v in single_edits(stem)}
        forms |= {index_term(v): v for v in sorted(single_edits(lowered), reverse=True)}  # "organisatons": "organis"
        held = [(doc_freq(v), v) for v in sorted(set(forms) - {stem})]
        best = max(((n, v) for n, v in held if n >= MIN_PASSAGES), key=lambda nv: nv[0], default=None)
        if best is not None:
            out[word] = Reading(best[1], forms[best[1]])
    return out


def single_edits(stem: str) -> set[str]:
    """The strings one edit away from `stem` that keep its first letter."""
    first, rest = stem[0], stem[1:]
    splits = [(rest[:i], rest[i:]) for i in range(len(rest) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    edits |= {a + c + b for a, b in splits for c in _LETTERS}
    return {first + e for e in edits} - {stem}


def spelled(word: str, stem: str, text: str) -> str:
    """The stem as `text` (a passage holding it) writes it, with the misspelt word's first capital:
    "Bacteriphage" read as "bacteriophag" is shown as "Bacteriophage"."""
    held = [w for w in _WORD.findall(text) if index_term(w.lower()) == stem]
    found = next((w for w in held if one_edit(word, w)), held[0] if held else stem)  # "organisations", not "organ"
    return found[0].upper() + found[1:] if word[0].isupper() else found.lower()


def one_edit(typed: str, shown: str) -> bool:
    """Whether `shown` is one edit from `typed` as written (case aside), the first letter kept."""
    return shown.lower() in single_edits(typed.lower())


def respell(text: str, fixes: dict[str, str]) -> str:
    """`text` with each misspelt word replaced by its correction (whole words only)."""
    if not fixes:
        return text
    return _WORD.sub(lambda m: fixes.get(m.group(0), m.group(0)), text)
