"""What a query matched in a passage, marked for display.

A quoted phrase is marked as a whole wherever its words occur in order (compared by stem, punctuation
between them ignored, as the lexical index matches it), never word by word; other query words are marked
one by one. A stopword is never marked on its own, and neither is a phrase made only of stopwords.
A snippet is the window of the passage that holds the most marks.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from policykb.core.text import STOPWORDS, WORD, stem, words

Span = tuple[int, int]

SNIPPET_CHARS = 320


def match_spans(text: str, terms: Sequence[str], phrases: Sequence[str]) -> list[Span]:
    """Sorted, disjoint character spans of `text` that the query's phrases and terms match."""
    tokens = [(m.start(), m.end(), stem(m.group(0).lower())) for m in WORD.finditer(text)]
    spans: list[Span] = []
    for phrase in phrases:
        said = [w.lower() for w in words(phrase)]
        if not said or all(w in STOPWORDS for w in said):
            continue
        keys = [stem(w) for w in said]
        n = len(keys)
        for i in range(len(tokens) - n + 1):
            if all(tokens[i + j][2] == keys[j] for j in range(n)):
                spans.append((tokens[i][0], tokens[i + n - 1][1]))
    term_keys = {stem(t.lower()) for t in terms if t.lower() not in STOPWORDS}
    spans.extend((start, end) for start, end, key in tokens if key in term_keys)
    return _merged(spans)


def _merged(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def highlight(text: str, spans: Sequence[Span]) -> str:
    """HTML-escaped `text` with each span wrapped in <mark>."""
    return _marked(text, 0, len(text), spans)


def snippet(text: str, spans: Sequence[Span], width: int = SNIPPET_CHARS) -> str:
    """About `width` characters of `text` around the densest run of matches, cut at word boundaries,
    whitespace collapsed, "…" where text was left out; HTML-escaped with the matches in <mark>. Without
    matches (a passage found by meaning alone), its opening."""
    start, end = _window(text, spans, width)
    if start > 0:
        start = _word_start_after(text, start)
    if end < len(text):
        end = _word_end_before(text, end)
    body = " ".join(_marked(text, start, end, spans).split())
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


def _window(text: str, spans: Sequence[Span], width: int) -> Span:
    if len(text) <= width or not spans:
        return 0, min(len(text), width)
    best, best_count = 0, 0
    for i, (first, _) in enumerate(spans):
        count = sum(1 for _, e in spans[i:] if e <= first + width)
        if count > best_count:
            best, best_count = i, count
    first = spans[best][0]
    last = max((e for _, e in spans[best : best + best_count]), default=spans[best][1])  # a match wider than `width`
    before = max(0, (width - (last - first)) // 3)  # some context before the first match, more after
    start = max(0, min(first - before, len(text) - width))
    return start, min(len(text), start + width)


def _word_start_after(text: str, i: int) -> int:
    """`i` if a word starts there, else the start of the next word."""
    if not (text[i - 1].isalnum() and text[i].isalnum()):
        return i
    m = re.compile(r"\W+").search(text, i)
    return m.end() if m else i


def _word_end_before(text: str, i: int) -> int:
    """`i` if a word ends there, else the end of the word before."""
    if not (text[i - 1].isalnum() and text[i].isalnum()):
        return i
    j = i
    while j > 0 and text[j - 1].isalnum():
        j -= 1
    return j if j > 0 else i


def _marked(text: str, start: int, end: int, spans: Sequence[Span]) -> str:
    parts, at = [], start
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        parts.append(html.escape(text[at:s], quote=False))
        parts.append(f"<mark>{html.escape(text[s:e], quote=False)}</mark>")
        at = e
    parts.append(html.escape(text[at:end], quote=False))
    return "".join(parts)
