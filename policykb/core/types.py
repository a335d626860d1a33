"""Core types shared by every layer; plain dataclasses so that no layer depends on another's library."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

DOC_TYPES = (
    "toolkit",
    "statement",
    "guidance_note",
    "report",
    "press_release",
    "resolution",
    "guideline",
    "article",
    "event_summary",
    "other",
)


@dataclass
class DocumentInfo:
    """A document's metadata: what listings need, without loading its text."""

    doc_id: str
    source: str
    path: str
    title: str
    doc_type: str
    date: str | None
    organisations: list[str]
    language: str
    pages: int | None
    sha256: str
    format: str
    url: str | None = None


@dataclass(kw_only=True)
class Document(DocumentInfo):
    """A document in full: its metadata, extracted text and where each physical page starts in it."""

    text: str
    page_starts: list[int] = field(default_factory=list)
    page_labels: list[str] | None = None


@dataclass
class Chunk:
    chunk_id: str
    doc_id: str
    ordinal: int
    text: str
    char_start: int
    char_end: int
    page_start: int | None
    page_end: int | None
    headings: list[str] = field(default_factory=list)


@dataclass
class Citation:
    n: int
    chunk_id: str
    doc_id: str
    title: str
    source: str
    doc_type: str
    date: str | None
    page: int | None
    quote: str
    char_start: int
    char_end: int


@dataclass
class RelatedDocument:
    doc_id: str
    title: str
    source: str
    doc_type: str
    date: str | None
    page: int | None
    chunk_id: str
    snippet: str


@dataclass
class Answer:
    answer: str
    answerable: bool
    confidence: float
    citations: list[Citation] = field(default_factory=list)
    related: list[RelatedDocument] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    query: str = ""

    def claims(self) -> list[str]:
        """The answer cut after each citation marker, so that every streamed piece carries its [n];
        the pieces join back into the answer exactly."""
        return [part for part in _AFTER_CITATION.split(self.answer) if part]


_AFTER_CITATION = re.compile(r"(?<=\])(?=\s)")
