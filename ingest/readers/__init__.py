"""One reader per format behind one signature: `read(path, data) -> Parsed`, raising IngestError."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from policykb.core.errors import IngestError
from policykb.ingest import limits
from policykb.ingest.parsed import Parsed
from policykb.ingest.readers import docx, html, markdown, pdf, text

Reader = Callable[[Path, bytes], Parsed]

READERS: dict[str, tuple[str, Reader]] = {
    ".pdf": ("pdf", pdf.read),
    ".html": ("html", html.read),
    ".htm": ("html", html.read),
    ".txt": ("txt", text.read),
    ".text": ("txt", text.read),
    ".md": ("markdown", markdown.read),
    ".markdown": ("markdown", markdown.read),
    ".docx": ("docx", docx.read),
}

SUPPORTED_EXTENSIONS = tuple(sorted(READERS))

# What a web server's Content-Type says -> the extension whose reader reads it (fetched links).
MEDIA_TYPES: dict[str, str] = {
    "application/pdf": ".pdf",
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}


def format_of(path: Path) -> str | None:
    entry = READERS.get(path.suffix.lower())
    return entry[0] if entry else None


def parse(path: Path, data: bytes) -> Parsed:
    """Parse `data` (the bytes of `path`) with the reader for its extension."""
    entry = READERS.get(path.suffix.lower())
    if entry is None:
        raise IngestError(f"unsupported file type '{path.suffix}' (supported: {', '.join(SUPPORTED_EXTENSIONS)})")
    if not data.strip():
        raise IngestError("empty file")
    fmt, reader = entry
    try:
        parsed = reader(path, data)
    except IngestError:
        raise
    except Exception as exc:  # a third-party parser's failure is a per-file error, never a crash
        raise IngestError(f"unreadable {fmt} file: {type(exc).__name__}: {exc}") from exc
    limits.check(pages=len(parsed.page_starts), chars=len(parsed.text))
    if not parsed.text.strip():
        raise IngestError("no text found in the file")
    return parsed
