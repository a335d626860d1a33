"""PDF reader (pypdf): text per page, page offsets and printed page labels kept."""

from __future__ import annotations

import io
import logging
import re
from datetime import datetime
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError

from policykb.ingest import limits
from policykb.ingest.parsed import Block, IngestError, Parsed, blocks_from_plain_text

logging.getLogger("pypdf").setLevel(logging.ERROR)

_PAGE_SEPARATOR = "\n\n"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def read(path: Path, data: bytes) -> Parsed:
    if not data.lstrip().startswith(b"%PDF"):
        raise IngestError("not a PDF file (missing %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError("encrypted PDF: a password is required")
        pages = reader.pages
        n_pages = len(pages)
    except (FileNotDecryptedError, NotImplementedError) as exc:
        raise IngestError(f"encrypted PDF: {exc}") from exc
    except PdfReadError as exc:
        raise IngestError(f"corrupt or truncated PDF: {exc}") from exc
    if n_pages == 0:
        raise IngestError("corrupt or truncated PDF: no pages")
    limits.check(pages=n_pages)

    parts: list[str] = []
    page_starts: list[int] = []
    blocks: list[Block] = []
    offset = 0
    for page in pages:
        limits.check(pages=len(page_starts), chars=offset)
        try:
            page_text = _CONTROL.sub(" ", page.extract_text() or "").strip()
        except Exception as exc:
            if isinstance(exc, IngestError | FileNotDecryptedError):
                raise
            page_text = ""
        if parts:
            parts.append(_PAGE_SEPARATOR)
            offset += len(_PAGE_SEPARATOR)
        page_starts.append(offset)
        parts.append(page_text)
        blocks.extend(
            Block(b.start + offset, b.end + offset, b.kind, b.level) for b in blocks_from_plain_text(page_text)
        )
        offset += len(page_text)
    text = "".join(parts)
    if not text.strip():
        raise IngestError(f"no text layer: the PDF's {n_pages} page(s) hold no extractable text (scanned?)")

    title, date = _info(reader)
    return Parsed(
        text=text,
        blocks=blocks,
        page_starts=page_starts,
        page_labels=_labels(reader, n_pages),
        title=title,
        date=date,
    )


def _labels(reader: PdfReader, n_pages: int) -> list[str] | None:
    try:
        labels = list(reader.page_labels)
    except Exception:
        return None
    if len(labels) != n_pages or labels == [str(i + 1) for i in range(n_pages)]:
        return None
    return labels


def _info(reader: PdfReader) -> tuple[str | None, str | None]:
    try:
        meta = reader.metadata
    except Exception:
        return None, None
    if not meta:
        return None, None
    title = (meta.title or "").strip() or None
    created: datetime | None = None
    try:
        created = meta.creation_date
    except Exception:
        created = None
    return title, created.date().isoformat() if created else None
