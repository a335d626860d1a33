"""Plain text. Text converted from PDF (a blank line after every wrapped line) is reflowed into paragraphs;
a sentence a blank line cuts in two is one paragraph again; a word hard-wrapped at a hyphen is rejoined;
a sentence right after one-line list items is a paragraph of its own;
Markdown saved as .txt is read as Markdown, so that passages never carry markup."""

from __future__ import annotations

import re
from pathlib import Path

from policykb.ingest.clean import (
    clean_pages,
    end_items_before_prose,
    looks_converted_from_pdf,
    rejoin_broken_sentences,
    rejoin_wrapped_words,
    text_lines,
)
from policykb.ingest.parsed import Parsed, blocks_from_plain_text
from policykb.ingest.readers.encoding import decode
from policykb.ingest.readers.markdown import to_plain

# Markdown written into a .txt file: links, bold runs, `#` headings.
_MARKDOWN = re.compile(r"\[[^\]\n]+\]\([^)\s]*\)|\*\*[^*\n]+\*\*|^#{1,6} \S", re.M)


def read(path: Path, data: bytes) -> Parsed:
    text = decode(data)
    if len(_MARKDOWN.findall(text)) >= 3:
        return to_plain(text)
    if looks_converted_from_pdf(text):
        cleaned = clean_pages([text_lines(text)], strip=False)
        return Parsed(text=cleaned.text, blocks=cleaned.blocks)
    text = end_items_before_prose(rejoin_wrapped_words(rejoin_broken_sentences(text)))
    return Parsed(text=text, blocks=blocks_from_plain_text(text))
