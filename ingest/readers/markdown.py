"""Markdown (markdown-it-py, CommonMark with tables): passages carry plain text, never markup.

Links become their text, images their alt text, emphasis and backslash escapes disappear; headings become
heading blocks, list items list items and table rows table blocks. Raw HTML is dropped.
"""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from policykb.ingest.parsed import BlockKind, Parsed, TextBuilder
from policykb.ingest.readers.encoding import decode

_PARSER = MarkdownIt("commonmark").enable("table")


def read(path: Path, data: bytes) -> Parsed:
    return to_plain(decode(data))


def to_plain(source: str) -> Parsed:
    builder = TextBuilder()
    kind: BlockKind = "paragraph"
    level = 0
    row: list[str] = []
    in_cell = False
    lists = 0
    for token in _PARSER.parse(source):
        if token.type == "heading_open":
            kind, level = "heading", int(token.tag[1])
        elif token.type == "heading_close":
            kind, level = "paragraph", 0
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            lists += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists -= 1
        elif token.type == "tr_open":
            row = []
        elif token.type in ("th_open", "td_open", "th_close", "td_close"):
            in_cell = token.type.endswith("_open")
        elif token.type == "tr_close":
            builder.add(" | ".join(row), "table")
        elif token.type == "inline":
            text = inline_text(token)
            if in_cell:
                row.append(text)
            elif kind == "heading" or (not lists and _title_like(text) and not _continues(builder, text)):
                builder.add(text, "heading", level or 2)
            elif not lists and _continues(builder, text):
                builder.extend(text)
            else:
                builder.add(text, "list_item" if lists else "paragraph")
        elif token.type in ("fence", "code_block"):
            builder.add(token.content)
    return builder.build()


def _continues(builder: TextBuilder, text: str) -> bool:
    """A paragraph opening in lower case after prose that ends no sentence goes on with it ("… International
    Federation of Pharmaceutical Manufacturers" / blank line / "and Associations (IFPMA), …"): text converted
    from PDF breaks sentences with blank lines."""
    last = builder.last
    return (
        last is not None
        and last[1] in ("paragraph", "list_item")
        and text[:1].islower()
        and not re.search(r"[.!?:;][\"'”’)\]]*$", last[0])
    )


def _title_like(text: str) -> bool:
    """A lone short line without closing punctuation: a heading written as a paragraph (or in bold)."""
    return len(text) <= 90 and not re.search(r"[.!?:;,]$", text) and any(c.isalpha() for c in text)


def inline_text(token: Token) -> str:
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content or str(child.attrs.get("alt", "") or ""))
    return re.sub(r"\s+", " ", "".join(parts)).strip()
