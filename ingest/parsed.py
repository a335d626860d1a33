"""What a reader returns: the document's full text, its structure and whatever metadata the file carries."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph", "list_item", "table", "caption", "toc", "reference"]
# Searchable but never prose to quote as a claim: carried to each chunk as `Chunk.non_prose`.
NON_PROSE: frozenset[str] = frozenset({"heading", "table", "caption", "toc", "reference"})


@dataclass
class Block:
    start: int
    end: int
    kind: BlockKind
    level: int = 0


@dataclass
class Parsed:
    text: str
    blocks: list[Block]
    page_starts: list[int] = field(default_factory=list)
    page_labels: list[str] | None = None
    title: str | None = None
    date: str | None = None
    url: str | None = None


class TextBuilder:
    """Appends blocks to a growing text, recording each block's offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.blocks: list[Block] = []
        self._last = ""

    def add(self, text: str, kind: BlockKind = "paragraph", level: int = 0) -> None:
        text = text.strip()
        if not text:
            return
        if self.parts:
            self.parts.append("\n\n")
            self.length += 2
        self.blocks.append(Block(self.length, self.length + len(text), kind, level))
        self.parts.append(text)
        self.length += len(text)
        self._last = text

    def extend(self, text: str) -> None:
        """Continue the last block with `text`, after a space: a sentence the source broke with a blank line."""
        text = text.strip()
        if not text or not self.blocks:
            self.add(text)
            return
        self.parts.append(" " + text)
        self.length += 1 + len(text)
        self.blocks[-1].end = self.length
        self._last += " " + text

    @property
    def last(self) -> tuple[str, BlockKind] | None:
        """The last block's text and kind."""
        if not self.blocks:
            return None
        return self._last, self.blocks[-1].kind

    def build(self, *, title: str | None = None, date: str | None = None, url: str | None = None) -> Parsed:
        return Parsed(text="".join(self.parts), blocks=self.blocks, title=title, date=date, url=url)


_BULLET = re.compile(r"^\s*(?:[-*+•◆▪●○◦‣∙·]|\(?\d{1,3}[.)]|\(?[a-z][.)])\s+")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+\S")
_SENTENCE_END = re.compile(r"[.!?:;,]\s*$")


def _paragraph_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    cursor = start
    for sep in re.finditer(r"\n[ \t\r\f\v]*\n", text[start:end]):
        spans.append((cursor, start + sep.start()))
        cursor = start + sep.end()
    spans.append((cursor, end))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def blocks_from_plain_text(text: str, start: int = 0, end: int | None = None) -> list[Block]:
    """Infer headings, list items and paragraphs from plain text (TXT, Markdown, PDF pages).

    Blank lines separate paragraphs; bullet or numbered lines start list items; a lone short line
    without closing punctuation, or a Markdown `#` line, is a heading.
    """
    end = len(text) if end is None else end
    blocks: list[Block] = []
    for p_start, p_end in _paragraph_spans(text, start, end):
        lines = list(re.finditer(r"[^\n]+", text[p_start:p_end]))
        current: Block | None = None
        for line in lines:
            l_text = line.group()
            l_start = p_start + line.start() + (len(l_text) - len(l_text.lstrip()))
            l_end = p_start + line.end() - (len(l_text) - len(l_text.rstrip()))
            if l_start >= l_end:
                continue
            md = _MD_HEADING.match(l_text)
            if md:
                blocks.append(Block(l_start, l_end, "heading", len(md.group(1))))
                current = None
            elif _BULLET.match(l_text):
                current = Block(l_start, l_end, "list_item")
                blocks.append(current)
            elif current is not None:
                current.end = l_end
            else:
                current = Block(l_start, l_end, "paragraph")
                blocks.append(current)
        if len(lines) == 1 and blocks and blocks[-1].kind == "paragraph":
            only = blocks[-1]
            line_text = text[only.start : only.end]
            if len(line_text) <= 90 and not _SENTENCE_END.search(line_text) and any(c.isalpha() for c in line_text):
                only.kind, only.level = "heading", 2
    return blocks
