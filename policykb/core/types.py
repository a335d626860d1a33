"""Core types shared by every layer; plain dataclasses so that no layer depends on another's library."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal, NamedTuple

_WORD = re.compile(r"\w")

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

DOC_TYPE_LABELS = {
    "toolkit": "Toolkit",
    "statement": "Statement",
    "guidance_note": "Guidance note",
    "report": "Report",
    "press_release": "Press release",
    "resolution": "Resolution",
    "guideline": "Guideline",
    "article": "Article",
    "event_summary": "Event summary",
    "other": "Other",
}


def doc_type_label(doc_type: str) -> str:
    """What people call a document type: "press_release" -> "Press release"."""
    return DOC_TYPE_LABELS.get(doc_type) or doc_type.replace("_", " ").capitalize()


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
    meeting: str | None = None  # the WHO governing-body session it belongs to: "WHA77", "EB154", "RC74 AFRO"
    agenda_item: str | None = None  # the agenda item it was delivered under: "11.2"
    source_url: str | None = None  # the web address a fetched document was taken from (kept fresh by refresh)


@dataclass(kw_only=True)
class Document(DocumentInfo):
    """A document in full: its metadata, extracted text and where each physical page starts in it."""

    text: str
    page_starts: list[int] = field(default_factory=list)
    page_labels: list[str] | None = None


class KindSpan(NamedTuple):
    """Document character offsets [start, end) of text of one block kind."""

    start: int
    end: int
    kind: str


def quotable(non_prose: list[KindSpan], start: int, end: int) -> bool:
    """Whether document offsets [start, end) overlap none of the non-prose spans (headings, tables...)."""
    return not any(s.start < end and start < s.end for s in non_prose)


def holds_a_claim(text: str, start: int, non_prose: list[KindSpan]) -> bool:
    """Whether anything in `text` (a passage from document offset `start`) could be quoted as a claim: some
    of its words lie outside its headings, captions, reference lists and tables of contents (a table's rows
    can be quoted under their headings)."""
    chars = list(text)
    for span in non_prose:
        if span.kind != "table":
            lo, hi = max(0, span.start - start), max(0, span.end - start)
            chars[lo:hi] = " " * len(chars[lo:hi])
    return _WORD.search("".join(chars)) is not None


@dataclass
class Chunk:
    """A contiguous slice `text[char_start:char_end]` of its document.

    `non_prose` lists the spans inside it that are searchable but are not prose to quote as a claim: headings,
    tables, figure captions, tables of contents and reference lists, each with its block kind.
    """

    chunk_id: str
    doc_id: str
    ordinal: int
    text: str
    char_start: int
    char_end: int
    page_start: int | None
    page_end: int | None
    headings: list[str] = field(default_factory=list)
    non_prose: list[KindSpan] = field(default_factory=list)

    def quotable(self, start: int, end: int) -> bool:
        """Whether document offsets [start, end) inside this chunk overlap no non-prose span."""
        return quotable(self.non_prose, start, end)

    def holds_a_claim(self) -> bool:
        """Whether anything in this chunk could be quoted as a claim (see `holds_a_claim`)."""
        return holds_a_claim(self.text, self.char_start, self.non_prose)


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
    highlight: str  # HTML-escaped text with what the query matched in <mark>
    score: float  # fused score (0 when browsing without a query)
    scores: dict[str, float]  # raw score of each retrieval half that found the chunk
    non_prose: list[KindSpan] = field(default_factory=list)  # headings, tables, captions...: not quotable
    snippet: str = ""  # like `highlight`, but only a window of the text around the matches
    meeting: str | None = None
    agenda_item: str | None = None
    more: list[SearchHit] = field(default_factory=list)  # grouped by document: its other passages that ranked

    def quotable(self, start: int, end: int) -> bool:
        """Whether document offsets [start, end) inside this passage overlap no non-prose span."""
        return quotable(self.non_prose, start, end)

    def holds_a_claim(self) -> bool:
        """Whether anything in this passage could be quoted as a claim (see `holds_a_claim`)."""
        return holds_a_claim(self.text, self.char_start, self.non_prose)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


SearchMode = Literal["hybrid", "dense", "lexical"]
SearchSort = Literal["relevance", "date"]
SearchGroup = Literal["document", "passage"]
TimelineOrder = Literal["oldest", "newest"]


@dataclass
class SearchResponse:
    results: list[SearchHit]
    generation: str | None
    took_ms: float
    mode: str
    term_idf: dict[str, float] = field(default_factory=dict)  # query stems -> BM25 idf in this generation
    corrections: dict[str, str] = field(default_factory=dict)  # misspelt query words -> the words searched
    # an answer's passages -> the next passage of each one's document (by chunk id): where a list runs on
    following: dict[str, SearchHit] = field(default_factory=dict)
    # and the passage before each one: where a list that a passage opens inside of began
    preceding: dict[str, SearchHit] = field(default_factory=dict)


@dataclass(kw_only=True)
class Citation(PassageRef):
    n: int
    quote: str
    char_start: int
    char_end: int
    page_end: int | None = None  # the last page, for a quote whose passage runs over a page break

    @property
    def pages(self) -> str:
        """ "p. 7", or "pp. 3–4" for a quote running over a page break; "" without page numbers."""
        if self.page is None:
            return ""
        return f"pp. {self.page}–{self.page_end}" if self.page_end and self.page_end != self.page else f"p. {self.page}"


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
    corrections: dict[str, str] = field(default_factory=dict)  # misspelt words of the question -> words asked
    # drawn from passages that may not answer the question directly: its confidence is under the level at
    # which calibrated answers were right nine times in ten, and its text says so before the quotes
    tentative: bool = False

    def claims(self) -> list[str]:
        """The answer cut after each citation marker, so that every streamed piece carries its [n];
        the pieces join back into the answer exactly."""
        return [part for part in _AFTER_CITATION.split(self.answer) if part]


_AFTER_CITATION = re.compile(r"(?<=\])(?=\s)")


ChangeAction = Literal["added", "updated", "moved", "removed", "failed"]


@dataclass
class Change:
    """One document's change in an ingest run. `detail`: the failure's reason, or where a moved file was."""

    action: ChangeAction
    source: str
    doc_id: str | None = None
    title: str | None = None
    detail: str | None = None


@dataclass
class ChangeRun:
    """One ingest run as the change feed keeps it: when, what triggered it, and what it changed.
    `trigger`: ingest (CLI), upload, reindex, watch, fetch, refresh, delete or repair."""

    at: float
    trigger: str
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    job_id: str | None = None
    error: str | None = None
    id: int | None = None  # given by the store, increasing

    def count(self, action: ChangeAction) -> int:
        return sum(1 for c in self.changes if c.action == action)
