"""Core types shared by every layer; plain dataclasses so that no layer depends on another's library."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

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
class Document:
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
    text: str
    page_starts: list[int] = field(default_factory=list)
    page_labels: list[str] | None = None
    url: str | None = None

    def page_at(self, offset: int) -> int | None:
        """1-based physical page holding character `offset`, or None for formats without pages."""
        if not self.page_starts:
            return None
        lo, hi = 0, len(self.page_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.page_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1


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


@dataclass(kw_only=True)
class PassageRef:
    """Where a passage comes from: the part that search hits, citations and related documents share
    (the API's `PassageRef` model is its wire form, plus the link to the file)."""

    chunk_id: str
    doc_id: str
    title: str
    source: str
    doc_type: str
    date: str | None
    page: int | None

    def passage_ref(self) -> dict[str, Any]:
        """The shared fields, to build another kind of reference to the same passage."""
        return {f.name: getattr(self, f.name) for f in fields(PassageRef)}


@dataclass(kw_only=True)
class SearchHit(PassageRef):
    """One ranked chunk; `text` is `document.text[char_start:char_end]`."""

    rowid: int
    organisations: list[str]
    language: str
    url: str | None
    page_end: int | None
    char_start: int
    char_end: int
    headings: list[str]
    text: str
    highlight: str  # HTML-escaped text with the query's words in <mark>
    score: float  # fused score (0 when browsing without a query)
    scores: dict[str, float]  # raw score of each retrieval half that found the chunk

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SearchResponse:
    results: list[SearchHit]
    generation: str | None
    took_ms: float
    mode: str
    term_idf: dict[str, float] = field(default_factory=dict)  # query stems -> BM25 idf in this generation


@dataclass(kw_only=True)
class Citation(PassageRef):
    n: int
    quote: str
    char_start: int
    char_end: int


@dataclass(kw_only=True)
class RelatedDocument(PassageRef):
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
