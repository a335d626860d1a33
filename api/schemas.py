"""Request and response models of the REST API (they generate /openapi.json), and the JSON the CLI prints.

Response models read the service's dataclasses directly (`Model.model_validate(obj, from_attributes=True)`),
so every face serialises a search hit, an answer or a document the same way.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator

from policykb.core.errors import FilterError
from policykb.core.filters import Filters
from policykb.service.knowledge_base import file_url


class FilterModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    doc_type: list[str] = Field(default_factory=list, max_length=20)
    organisation: list[str] = Field(default_factory=list, max_length=50)
    language: list[str] = Field(default_factory=list, max_length=20)
    date_from: str | None = Field(None, max_length=32, examples=["2020"])
    date_to: str | None = Field(None, max_length=32, examples=["2024-12-31"])
    source: str | None = Field(None, max_length=500)

    @field_validator("date_from", "date_to")
    @classmethod
    def _is_a_date(cls, value: str | None) -> str | None:
        try:
            Filters(date_from=value).bounds()
        except FilterError as exc:
            raise ValueError(str(exc)) from exc
        return value

    def to_filters(self) -> Filters:
        return Filters(**self.model_dump())


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(..., max_length=2000, examples=["quarter century celebration"])
    k: int = Field(10, ge=1, le=100)
    filters: FilterModel = Field(default_factory=FilterModel)
    sort: Literal["relevance", "date"] = "relevance"
    mode: Literal["hybrid", "dense", "lexical"] = "hybrid"


class PassageRef(BaseModel):
    """Where a passage comes from: shared by search results, citations and related documents (the wire
    form of `policykb.core.types.PassageRef`, plus the link to the file)."""

    model_config = ConfigDict(from_attributes=True)

    chunk_id: str
    doc_id: str
    title: str
    source: str
    doc_type: str
    date: str | None
    page: int | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def file_url(self) -> str:
        return file_url(self.doc_id, self.source, self.page)


class SearchResult(PassageRef):
    score: float
    text: str
    highlight: str


class SearchResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    results: list[SearchResult]
    generation: str | None = None
    took_ms: float = 0.0

    @field_validator("took_ms")
    @classmethod
    def _rounded(cls, value: float) -> float:
        return round(value, 2)


class Turn(BaseModel):
    role: Literal["user", "assistant", "system"]
    content: str = Field(..., max_length=20000)


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        ..., min_length=1, max_length=2000, examples=["What theme did Patient Solidarity Day 2024 have?"]
    )
    filters: FilterModel = Field(default_factory=FilterModel)
    history: list[Turn] = Field(default_factory=list, max_length=50)
    stream: bool = False


class CitationModel(PassageRef):
    n: int
    quote: str
    char_start: int
    char_end: int


class RelatedModel(PassageRef):
    snippet: str


class AskResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    answer: str
    answerable: bool
    confidence: float
    citations: list[CitationModel]
    related: list[RelatedModel]
    conflicts: list[str] = Field(default_factory=list)


class ChatMessage(BaseModel):
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list | None = None


class ChatRequest(BaseModel):
    model: str = "policykb"
    messages: list[ChatMessage] = Field(..., min_length=1, max_length=100)
    stream: bool = False
    temperature: float | None = None
    max_tokens: int | None = None


class DocumentModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    doc_id: str
    title: str
    doc_type: str
    date: str | None
    organisations: list[str]
    language: str
    pages: int | None
    source: str
    format: str
    url: str | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def file_url(self) -> str:
        return file_url(self.doc_id, self.source, None)


class ChunkModel(BaseModel):
    chunk_id: str
    ordinal: int
    text: str
    page_start: int | None
    page_end: int | None
    char_start: int
    char_end: int
    headings: list[str]


class DocumentDetail(DocumentModel):
    chunks: list[ChunkModel]


class DocumentList(BaseModel):
    documents: list[DocumentModel]
    total: int
    offset: int
    limit: int


class StatusModel(BaseModel):
    """Counts and the live index generation."""

    model_config = ConfigDict(from_attributes=True)

    documents: int
    chunks: int
    generation: str | None
    indexed_chunks: int
    embedder: str


class JobModel(BaseModel):
    id: str
    kind: str
    status: str
    stage: str
    done: int
    total: int
    report: dict | None
    error: str | None
    paths: list[str]
