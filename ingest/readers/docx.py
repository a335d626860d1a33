"""DOCX (python-docx): paragraphs and tables in document order; heading and list styles kept as structure."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from policykb.core.errors import IngestError
from policykb.ingest.parsed import Parsed, TextBuilder


def read(path: Path, data: bytes) -> Parsed:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise IngestError("corrupt DOCX: not a zip container")
    document = docx.Document(io.BytesIO(data))
    builder = TextBuilder()
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            _add_paragraph(builder, item)
        elif isinstance(item, Table):
            for row in item.rows:
                cells = [c.text.strip() for c in row.cells]
                builder.add(" | ".join(dict.fromkeys(c for c in cells if c)), "table")
    props = document.core_properties
    date = props.created or props.modified
    return builder.build(
        title=(props.title or "").strip() or None,
        date=date.date().isoformat() if date else None,
    )


def _add_paragraph(builder: TextBuilder, paragraph: Paragraph) -> None:
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    heading = re.match(r"(?:Heading|Überschrift|Titre)\s*(\d)", style)
    if style == "Title":
        builder.add(paragraph.text, "heading", 1)
    elif heading:
        builder.add(paragraph.text, "heading", int(heading.group(1)))
    elif style.startswith("List") or (paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None):
        builder.add(paragraph.text, "list_item")
    else:
        builder.add(paragraph.text)
