"""A passage's text as HTML for reading: headings, paragraphs, list items and tables, with the quoted span
marked.

Shared by the web faces (the Ask tab's passage view and the API's reading view of a document). Offsets
always refer to the text as stored, so a citation's span marks exactly what it quotes; the block kinds
that ingest records on a chunk (`Chunk.non_prose`: headings, tables, captions…) say how a block is shown.
Every piece of text is HTML-escaped; the only markup added is structural (`p`, `h3`, `ul`, `li`, `table`,
`tr`, `td`, `figcaption`) and `<mark>`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

# A list item: a bullet or a number at the start of a line, possibly followed by a decorative glyph.
ITEM = re.compile(r"[ \t]*(?:[-*•◆▪–]|\d{1,3}[.)])[ \t]+(?:[◆•▪][ \t]*)?")
BLANK = re.compile(r"[ \t]*$")
# Markdown left in text taken from web pages: `[words](#)` links and backslash-escaped punctuation.
LINK = re.compile(r"\[([^\]\n]*)\]\((?:#[^)\s]*|https?://[^)\s]*)?\)")
ESCAPED = re.compile(r"\\([()\[\]*_#.!-])")


Kind = Literal["paragraph", "item", "heading", "table", "caption"]
SHOWN_KINDS: dict[str, Kind] = {"heading": "heading", "table": "table", "caption": "caption"}


@dataclass(frozen=True)
class Block:
    kind: Kind
    start: int  # offsets into the text; an item starts after its bullet
    end: int


def blocks(text: str, spans: Sequence[tuple[int, int, str]] = ()) -> list[Block]:
    """Paragraphs (separated by blank lines; hard-wrapped lines belong to one paragraph) and list items (a
    line that starts with a bullet or a number; the lines after it, up to a blank line, continue it). A
    paragraph inside a span (start, end, kind) of text offsets takes the span's kind: heading, table, caption."""
    found: list[Block] = []
    kind: Literal["paragraph", "item"] | None = None
    start = end = 0
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        item = ITEM.match(body)
        if BLANK.match(body):
            if kind:
                found.append(Block(kind, start, end))
            kind = None
        elif item:
            if kind:
                found.append(Block(kind, start, end))
            kind, start, end = "item", offset + item.end(), offset + len(body)
        else:
            if kind is None:
                kind, start = "paragraph", offset + len(body) - len(body.lstrip())
            end = offset + len(body)
        offset += len(line)
    if kind:
        found.append(Block(kind, start, end))
    return [_typed(b, spans) for b in found if text[b.start : b.end].strip()]


def _typed(block: Block, spans: Sequence[tuple[int, int, str]]) -> Block:
    for start, end, kind in spans:
        if start <= block.start and block.end <= end and kind in SHOWN_KINDS and block.kind == "paragraph":
            return Block(SHOWN_KINDS[kind], block.start, block.end)
    return block


def readable(text: str) -> str:
    """Whitespace collapsed, and markdown link syntax and backslash escapes left by web pages removed."""
    return ESCAPED.sub(r"\1", LINK.sub(r"\1", re.sub(r"\s+", " ", text)))


def _escaped(text: str) -> str:
    return html.escape(readable(text))


def _span_html(text: str, a: int, b: int, mark: tuple[int, int] | None) -> str:
    if mark and max(a, mark[0]) < min(b, mark[1]):
        m0, m1 = max(a, mark[0]), min(b, mark[1])
        return f"{_escaped(text[a:m0])}<mark>{_escaped(text[m0:m1])}</mark>{_escaped(text[m1:b])}".strip()
    return _escaped(text[a:b]).strip()


def _rows_html(text: str, block: Block, mark: tuple[int, int] | None) -> str:
    """A table block: one row per line, cells split at " | " (HTML, Word and Markdown tables); a PDF's
    table, one cell per line, reads as one row of cells."""
    lines, offset = [], block.start
    for line in text[block.start : block.end].split("\n"):
        if line.strip():
            lines.append((offset, offset + len(line)))
        offset += len(line) + 1
    if not any(" | " in text[a:b] for a, b in lines):
        return "<tr>" + "".join(f"<td>{_span_html(text, a, b, mark)}</td>" for a, b in lines) + "</tr>"
    rows = []
    for a, b in lines:
        cells, start = [], a
        for part in text[a:b].split(" | "):
            cells.append(f"<td>{_span_html(text, start, start + len(part), mark)}</td>")
            start += len(part) + 3
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return "".join(rows)


GROUPS = {"item": ("<ul>", "</ul>"), "table": ('<table class="passage-table"><tbody>', "</tbody></table>")}
TAGS = {"paragraph": "p", "item": "li", "heading": "h3", "caption": "figcaption"}


def blocks_html(text: str, mark: tuple[int, int] | None = None, spans: Sequence[tuple[int, int, str]] = ()) -> str:
    """`text` as HTML blocks (see `blocks`); consecutive list items form a `<ul>`, consecutive table blocks a
    `<table>`; `mark` (offsets into `text`) is wrapped in `<mark>`."""
    parts: list[str] = []
    group: str | None = None
    for block in blocks(text, spans):
        if group != block.kind:
            if group in GROUPS:
                parts.append(GROUPS[group][1])
            if block.kind in GROUPS:
                parts.append(GROUPS[block.kind][0])
            group = block.kind
        if block.kind == "table":
            parts.append(_rows_html(text, block, mark))
        else:
            tag = TAGS[block.kind]
            parts.append(f"<{tag}>{_span_html(text, block.start, block.end, mark)}</{tag}>")
    if group in GROUPS:
        parts.append(GROUPS[group][1])
    return "".join(parts)
