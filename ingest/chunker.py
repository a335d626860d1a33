"""Structure-aware chunking under a token budget measured by the embedding model's own tokenizer.

Headings start new chunks and travel with the text below them; paragraphs and list items are kept
whole where they fit; longer blocks are cut at sentence boundaries (then at word boundaries) with a
small overlap. Every chunk is a contiguous slice `text[char_start:char_end]` of the document, so a
citation can always point at the exact characters it quotes.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from policykb.core.text import LIST_MARK, marker_style, split_sentences, trim_span
from policykb.core.types import Chunk, KindSpan
from policykb.ingest.parsed import NON_PROSE, Block, BlockKind

TokenCounter = Callable[[Sequence[str]], list[int]]

CHUNKER_VERSION = "12"


@dataclass
class _Unit:
    start: int
    end: int
    block: int
    kind: BlockKind
    level: int
    tokens: int = 0
    introductions: tuple[str, ...] = ()  # for a list item: the sentences ending in ":" that its list continues


class Chunker:
    def __init__(self, count_tokens: TokenCounter, max_tokens: int, overlap_tokens: int) -> None:
        if max_tokens < 8:
            raise ValueError("chunk budget must be at least 8 tokens")
        self.count_tokens = count_tokens
        self.max_tokens = max_tokens
        self.overlap_tokens = max(0, min(overlap_tokens, max_tokens // 4))

    @property
    def version(self) -> str:
        return f"{CHUNKER_VERSION}:{self.max_tokens}:{self.overlap_tokens}"

    def chunk(self, doc_id: str, text: str, blocks: Sequence[Block], page_starts: Sequence[int] = ()) -> list[Chunk]:
        units = self._units(text, blocks)
        if not units:
            return []
        groups = self._pack(text, units, page_starts)
        chunks = []
        for ordinal, (group, headings) in enumerate(groups):
            start, end = group[0].start, group[-1].end
            body = text[start:end]
            chunks.append(
                Chunk(
                    chunk_id=f"{doc_id}-{ordinal:05d}-{hashlib.sha1(body.encode()).hexdigest()[:10]}",
                    doc_id=doc_id,
                    ordinal=ordinal,
                    text=body,
                    char_start=start,
                    char_end=end,
                    page_start=_page(page_starts, start),
                    page_end=_page(page_starts, end - 1),
                    headings=headings,
                    non_prose=_non_prose(group),
                )
            )
        return chunks

    # -------------------------------------------------------------------------------------------- units

    def _units(self, text: str, blocks: Sequence[Block]) -> list[_Unit]:
        covered = _fill_gaps(text, sorted(blocks, key=lambda b: b.start))
        units: list[_Unit] = []
        for index, block in enumerate(covered):
            if block.kind == "heading":
                units.append(_Unit(*trim_span(text, block.start, block.end), index, "heading", block.level))
                continue
            for s, e in split_sentences(text, block.start, block.end):
                units.append(_Unit(s, e, index, block.kind, block.level))
        counts = self.count_tokens([text[u.start : u.end] for u in units])
        for unit, n in zip(units, counts, strict=True):
            unit.tokens = n
        pieces = [piece for unit in units for piece in self._fit(text, unit)]
        _mark_introductions(text, pieces)
        return pieces

    def _fit(self, text: str, unit: _Unit) -> list[_Unit]:
        """Cut a unit that exceeds the budget at its last clause end that keeps at least half a piece (a
        resolution's preamble is one sentence of recitals: each ends in ";"), else at a word boundary (or
        inside a giant word)."""
        if unit.tokens <= self.max_tokens:
            return [unit]
        words = [
            (unit.start + m.start(), unit.start + m.end()) for m in re.finditer(r"\S+", text[unit.start : unit.end])
        ]
        counts = self.count_tokens([text[s:e] for s, e in words])
        counts_of = dict(zip(words, counts, strict=True))
        pieces: list[_Unit] = []
        current: list[tuple[int, int]] = []
        current_tokens = 0
        for (s, e), n in zip(words, counts, strict=True):
            if n > self.max_tokens:
                if current:
                    pieces.append(self._piece(unit, current[0][0], current[-1][1], current_tokens))
                    current, current_tokens = [], 0
                pieces.extend(self._split_word(text, unit, s, e, n))
                continue
            if current and current_tokens + n > self.max_tokens:
                keep = _clause_end(text, current)
                kept, carried = current[:keep], current[keep:]
                pieces.append(self._piece(unit, kept[0][0], kept[-1][1], sum(counts_of[w] for w in kept)))
                current, current_tokens = carried, sum(counts_of[w] for w in carried)
            current.append((s, e))
            current_tokens += n
        if current:
            pieces.append(self._piece(unit, current[0][0], current[-1][1], current_tokens))
        return [p for piece in pieces for p in self._verify(text, piece)]

    def _split_word(self, text: str, unit: _Unit, start: int, end: int, tokens: int) -> list[_Unit]:
        step = max(1, (end - start) * self.max_tokens // (tokens * 2))
        cuts = [*list(range(start, end, step)), end]
        spans = list(itertools.pairwise(cuts))
        counts = self.count_tokens([text[s:e] for s, e in spans])
        return [self._piece(unit, s, e, n) for (s, e), n in zip(spans, counts, strict=True)]

    def _verify(self, text: str, piece: _Unit) -> list[_Unit]:
        """Token counts of word pieces are additive only approximately: re-measure and halve if needed."""
        real = self.count_tokens([text[piece.start : piece.end]])[0]
        if real <= self.max_tokens or piece.end - piece.start <= 1:
            piece.tokens = real
            return [piece]
        middle = text.rfind(" ", piece.start + 1, (piece.start + piece.end) // 2 + 1)
        middle = middle if middle > piece.start else (piece.start + piece.end) // 2
        left = _Unit(*trim_span(text, piece.start, middle), piece.block, piece.kind, piece.level)
        right = _Unit(*trim_span(text, middle, piece.end), piece.block, piece.kind, piece.level)
        return [u for half in (left, right) if half.end > half.start for u in self._verify(text, half)]

    @staticmethod
    def _piece(unit: _Unit, start: int, end: int, tokens: int) -> _Unit:
        return _Unit(start, end, unit.block, unit.kind, unit.level, tokens)

    # -------------------------------------------------------------------------------------------- packing

    def _pack(self, text: str, units: list[_Unit], page_starts: Sequence[int]) -> list[tuple[list[_Unit], list[str]]]:
        """Greedy packing; a page break always ends a chunk, so a hit's page is the page of all its text."""
        groups: list[tuple[list[_Unit], list[str]]] = []
        pending = deque(units)
        stack: list[tuple[int, str]] = []
        current: list[_Unit] = []
        headings: list[str] = []
        filling_block = -1  # the block being cut sentence by sentence, if any

        def has_content() -> bool:
            return any(u.kind != "heading" for u in current)

        def tokens_of(us: Sequence[_Unit]) -> int:
            return sum(u.tokens for u in us)

        def flush() -> None:
            nonlocal current
            # Joined slices can tokenize to more than the sum of their parts: hand trailing units back.
            while (
                len(current) > 1 and self.count_tokens([text[current[0].start : current[-1].end]])[0] > self.max_tokens
            ):
                pending.appendleft(current.pop())
            if current:
                first = next((u for u in current if u.kind != "heading"), current[0])
                # A chunk that opens inside a list is read under what the list continues: its items' introduction,
                # in the chunk before, joins the heading path (a quote of an item then shows it).
                groups.append((current, [*headings, *first.introductions] if first is current[0] else list(headings)))
            current = []

        def add(us: Sequence[_Unit]) -> None:
            nonlocal headings
            if not has_content():
                headings = [h for _, h in stack]
            current.extend(us)

        while pending or current:
            if not pending:
                flush()  # may hand trailing units back, which the loop then places
                continue
            unit = pending[0]
            if current and _page(page_starts, unit.start) != _page(page_starts, current[0].start):
                flush()
                continue
            if unit.kind == "heading":
                # A heading opens a new chunk unless what precedes it is only a fragment.
                if (has_content() and tokens_of(current) >= self.max_tokens // 4) or (
                    tokens_of(current) + unit.tokens > self.max_tokens
                ):
                    flush()
                    if pending[0] is not unit:
                        continue  # the flush handed units back: take them first
                pending.popleft()
                stack = [(lvl, h) for lvl, h in stack if lvl < unit.level]
                stack.append((unit.level, _clean(text[unit.start : unit.end])))
                current.append(unit)
                headings = [h for _, h in stack]  # a chunk belongs to the last section it enters
                continue
            if unit.block != filling_block:
                block_units = _leading_block(pending, unit.block)
                block_tokens = tokens_of(block_units)
                if tokens_of(current) + block_tokens <= self.max_tokens or (
                    has_content() and block_tokens <= self.max_tokens
                ):
                    if tokens_of(current) + block_tokens > self.max_tokens:
                        flush()
                        if pending[0] is not unit:
                            continue
                    for _ in block_units:
                        pending.popleft()
                    add(block_units)
                    continue
                filling_block = unit.block
            if current and tokens_of(current) + unit.tokens > self.max_tokens:
                previous = current
                flush()
                if pending[0] is not unit:
                    continue
                current = self._overlap(previous, unit)
            pending.popleft()
            add([unit])
        return groups

    def _overlap(self, previous: list[_Unit], following: _Unit) -> list[_Unit]:
        """Trailing sentences of the previous chunk from the same block, up to the overlap budget."""
        carried: list[_Unit] = []
        total = 0
        for unit in reversed(previous):
            if unit.block != following.block or unit.kind == "heading":
                break
            if total + unit.tokens > self.overlap_tokens:
                break
            carried.insert(0, unit)
            total += unit.tokens
        if total + following.tokens > self.max_tokens or len(carried) == len(previous):
            return []
        return carried


def _mark_introductions(text: str, units: Sequence[_Unit]) -> None:
    """Give each list item the introductions its list continues: the sentence ending in ":" before the list
    ("… should provide at least the following:"), and the item ending in ":" that its sub-items (marked
    otherwise: "›" under "•") continue. An item marked like an open introduction is that one's sibling and
    closes it; prose without a colon, a heading or anything but a list item closes them all."""
    open_: list[tuple[str, str | None]] = []  # (introduction, the marker of the item it ends, if one)
    style: str | None = None
    previous_block = -1
    for unit in units:
        sentence = text[unit.start : unit.end].strip()
        if unit.kind == "list_item":
            if unit.block != previous_block:
                style = marker_style(text[unit.start : unit.start + 12])
                while open_ and style is not None and open_[-1][1] == style:
                    open_.pop()
            unit.introductions = tuple(intro for intro, _ in open_)
            if _introduces(sentence):
                open_.append((_clean(LIST_MARK.sub("", sentence)), style))
        elif unit.kind == "paragraph" and _introduces(sentence):
            open_ = [(_clean(sentence), None)]
        else:
            open_ = []
        previous_block = unit.block


def _introduces(sentence: str) -> bool:
    """A sentence that ends in ":" and says something ("… should provide at least the following:"), not a label
    ("Remark:", "Notes:") nor a paragraph too long to carry as a heading."""
    return sentence.endswith(":") and 3 <= len(LIST_MARK.sub("", sentence).split()) <= 60


def _clause_end(text: str, words: list[tuple[int, int]]) -> int:
    """How many of `words` to keep in a piece: up to the last that ends a clause (";" or ":", else ",") in
    their second half, or all of them."""
    half = len(words) // 2
    for end in _CLAUSE_ENDS:
        for i in range(len(words) - 1, max(half, 1) - 1, -1):
            if end.search(text, words[i][0], words[i][1]):
                return i + 1
    return len(words)


# A word that ends a clause, perhaps with a footnote mark glued on ("guidelines;1"): the strongest first.
_CLAUSE_ENDS = (re.compile(r"[;:]\d{0,2}$"), re.compile(r",\d{0,2}$"))


def _leading_block(units: Iterable[_Unit], block: int) -> list[_Unit]:
    """The run of units at the front of `units` that belong to `block`."""
    return list(itertools.takewhile(lambda u: u.block == block, units))


def _non_prose(units: Sequence[_Unit]) -> list[KindSpan]:
    """Spans of non-prose units, consecutive units of one kind merged."""
    spans: list[KindSpan] = []
    previous: _Unit | None = None
    for unit in units:
        if unit.kind in NON_PROSE:
            if spans and previous is not None and previous.kind == unit.kind:
                spans[-1] = KindSpan(spans[-1].start, unit.end, unit.kind)
            else:
                spans.append(KindSpan(unit.start, unit.end, unit.kind))
        previous = unit
    return spans


def _clean(heading: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[*_`#]+", "", heading)).strip()


def _fill_gaps(text: str, blocks: list[Block]) -> list[Block]:
    """Turn any non-whitespace text that no block covers into paragraphs, and drop overlaps."""
    filled: list[Block] = []
    cursor = 0
    for block in blocks:
        start = max(block.start, cursor)
        if start >= block.end:
            continue
        if text[cursor:start].strip():
            filled.append(Block(cursor, start, "paragraph"))
        filled.append(Block(start, block.end, block.kind, block.level))
        cursor = block.end
    if text[cursor:].strip():
        filled.append(Block(cursor, len(text), "paragraph"))
    return filled


def _page(page_starts: Sequence[int], offset: int) -> int | None:
    if not page_starts:
        return None
    lo, hi = 0, len(page_starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if page_starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo + 1
