"""A passage's text as HTML for reading: paragraphs and list items, with the quoted span marked.

Shared by the web faces (the Ask tab's passage view and the API's reading view of a document). Offsets
always refer to the text as stored, so a citation's span marks exactly what it quotes; every piece of
text is HTML-escaped and the only markup added is `<p>`, `<ul>`, `<li>` and `<mark>`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Literal

# A list item: a bullet or a number at the start of a line, possibly followed by a decorative glyph.
ITEM = re.compile(r"[ \t]*(?:[-*•◆▪–]|\d{1,3}[.)])[ \t]+(?:[◆•▪][ \t]*)?")
BLANK = re.compile(r"[ \t]*$")
# Markdown left in text taken from web pages: `[words](#)` links and backslash-escaped punctuation.
LINK = re.compile(r"\[([^\]\n]*)\]\((?:#[^)\s]*|https?://[^)\s]*)?\)")
ESCAPED = re.compile(r"\\([()\[\]*_#.!-])")


@dataclass(frozen=True)
class Block:
    kind: Literal["paragraph", "item"]
    start: int  # offsets into the text; an item starts after its bullet
    end: int


def blocks(text: str) -> list[Block]:
    """Paragraphs (separated by blank lines; hard-wrapped lines belong to one paragraph) and list items (a
    line that starts with a bullet or a number; the lines after it, up to a blank line, continue it)."""
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
    return [b for b in found if text[b.start : b.end].strip()]


def readable(text: str) -> str:
    """Whitespace collapsed, and markdown link syntax and backslash escapes left by web pages removed."""
    return ESCAPED.sub(r"\1", LINK.sub(r"\1", re.sub(r"\s+", " ", text)))


def _escaped(text: str) -> str:
    return html.escape(readable(text))


def _block_html(text: str, block: Block, mark: tuple[int, int] | None) -> str:
    a, b = block.start, block.end
    if mark and max(a, mark[0]) < min(b, mark[1]):
        m0, m1 = max(a, mark[0]), min(b, mark[1])
        return f"{_escaped(text[a:m0])}<mark>{_escaped(text[m0:m1])}</mark>{_escaped(text[m1:b])}".strip()
    return _escaped(text[a:b]).strip()


def blocks_html(text: str, mark: tuple[int, int] | None = None) -> str:
    """`text` as `<p>` paragraphs and `<ul><li>` lists; `mark` (offsets into `text`) is wrapped in `<mark>`."""
    parts: list[str] = []
    in_list = False
    for block in blocks(text):
        if block.kind == "item" and not in_list:
            parts.append("<ul>")
        elif block.kind != "item" and in_list:
            parts.append("</ul>")
        in_list = block.kind == "item"
        tag = "li" if in_list else "p"
        parts.append(f"<{tag}>{_block_html(text, block, mark)}</{tag}>")
    if in_list:
        parts.append("</ul>")
    return "".join(parts)
