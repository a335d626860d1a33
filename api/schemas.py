"""Request and response models of the REST API (they generate /openapi.json), and the JSON the CLI prints.

Response models read the service's dataclasses directly (`Model.model_validate(obj, from_attributes=True)`),
so every face serialises a search hit, an answer or a document the same way.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, computed_field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from policykb.core.errors import FilterError
from policykb.core.filters import Filters
from policykb.core.text import NEEDS_A_WORD, WORD, has_a_word
from policykb.core.types import Change, ChangeRun
from policykb.service.knowledge_base import file_url, passage_url


def _encodable(value: str) -> str:
    """JSON may carry lone surrogates ("\\ud800"); they are not text and cannot be stored or searched."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("the text contains an unpaired surrogate (not valid Unicode)") from None
    return value


Text = Annotated[str, AfterValidator(_encodable)]
MAX_MESSAGE_CHARS = 20_000

# What every face accepts (the API's request models; the CLI validates its arguments with the same models
# and constants, and answers a usage error, exit 2, where the API answers 422).
MAX_K = 100  # the most results (documents or passages) one search, timeline or more-like-this gives
BLANK_QUERY = "the query has no word to rank by relevance: give a query, or sort by date to list the newest documents"
# pydantic error types of the rules above, which api/errors.py reads: a filter value the service would refuse
# (answered as "Invalid filter", like the service's FilterError), and a query with nothing to rank by
FILTER_ERROR = FilterError.kind
BLANK_QUERY_ERROR = "blank_query"


def _a_question(value: str) -> str:
    if not has_a_word(value):
        raise PydanticCustomError("no_word", NEEDS_A_WORD)
    return value


def _filter_problem(error: FilterError) -> PydanticCustomError:
    return PydanticCustomError(FILTER_ERROR, "{reason}", {"reason": str(error)})


class ContentPart(BaseModel):
    """An OpenAI content part; only text parts are read."""

    type: str = Field("text", max_length=32)
    text: Text = Field("", max_length=MAX_MESSAGE_CHARS)


class FilterModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    doc_type: list[str] = Field(default_factory=list, max_length=20)
    organisation: list[str] = Field(default_factory=list, max_length=50)
    language: list[str] = Field(default_factory=list, max_length=20)
    date_from: str | None = Field(None, max_length=32, examples=["2020"])
    date_to: str | None = Field(None, max_length=32, examples=["2024-12-31"])
    source: str | None = Field(None, max_length=500)
    meeting: list[str] = Field(default_factory=list, max_length=50, examples=[["WHA77", "RC74 AFRO"]])
    agenda_item: list[str] = Field(default_factory=list, max_length=50, examples=[["11.2"]])

    @field_validator("date_from", "date_to")
    @classmethod
    def _is_a_date(cls, value: str | None) -> str | None:
        try:
            Filters(date_from=value).check()
        except FilterError as exc:
            raise _filter_problem(exc) from exc
        return value

    @model_validator(mode="after")
    def _understood(self) -> FilterModel:
        """Every rule of `Filters.check` (an empty date range, ...), as the service would apply it."""
        try:
            self.to_filters().check()
        except FilterError as exc:
            raise _filter_problem(exc) from exc
        return self

    def to_filters(self) -> Filters:
        return Filters(**self.model_dump())


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: Text = Field(
        ...,
        max_length=2000,
        examples=["quarter century celebration"],
        description="at least one word when sorted by relevance; an empty query sorted by date lists the newest "
        "passages that pass the filters",
    )
    k: int = Field(10, ge=1, le=MAX_K, description="how many results: documents (group=document) or passages")
    filters: FilterModel = Field(default_factory=FilterModel)
    sort: Literal["relevance", "date"] = "relevance"
    mode: Literal["hybrid", "dense", "lexical"] = "hybrid"
    group: Literal["document", "passage"] = Field(
        "document",
        description="document: one result per document (its best passage; its other ranked passages in `more`), "
        "`k` documents; passage: `k` passages, several may come from one document",
    )
    format: Literal["json", "csv"] = Field("json", description="csv: the results as a CSV file (text/csv)")

    @model_validator(mode="after")
    def _something_to_rank_by(self) -> SearchRequest:
        if self.sort == "relevance" and not has_a_word(self.query):
            raise PydanticCustomError(BLANK_QUERY_ERROR, BLANK_QUERY)
        return self


class MoreLikeRequest(BaseModel):
    """Passages or documents like one passage (`chunk_id`) or one document (`doc_id`): give exactly one."""

    model_config = ConfigDict(extra="forbid")

    chunk_id: str | None = Field(None, max_length=200)
    doc_id: str | None = Field(None, max_length=200)
    k: int = Field(10, ge=1, le=MAX_K, description="how many results: documents (group=document) or passages")
    filters: FilterModel = Field(default_factory=FilterModel)
    mode: Literal["hybrid", "dense", "lexical"] = "hybrid"
    group: Literal["document", "passage"] = "document"

    @model_validator(mode="after")
    def _exactly_one(self) -> MoreLikeRequest:
        if (self.chunk_id is None) == (self.doc_id is None):
            raise ValueError("give exactly one of chunk_id and doc_id")
        return self


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

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passage_url(self) -> str:
        """A PDF at its page; other formats in the reading view at the passage."""
        return passage_url(self.doc_id, self.source, self.page, self.chunk_id)


class PassageResult(PassageRef):
    score: float = Field(
        ...,
        description="relevance within this response, not across queries: with the rerank stage (hybrid relevance "
        "search) twice the model's probability that this passage outranks the best one, so the best scores 1; "
        "otherwise the fused score of the two halves",
    )
    text: str
    highlight: str = Field(..., description="the passage, HTML-escaped, with what the query matched in <mark>")
    snippet: str = Field(..., description="like highlight, but only a window of the passage around the matches")
    meeting: str | None = None
    agenda_item: str | None = None


class SearchResult(PassageResult):
    more: list[PassageResult] = Field(
        default_factory=list, description="grouped by document: the document's other passages that ranked"
    )


class SearchResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    results: list[SearchResult]
    generation: str | None = None
    took_ms: float = 0.0
    corrections: dict[str, str] = Field(
        default_factory=dict,
        description="misspelt query words that no passage holds, each with the collection's word searched "
        'instead ({"carageenan": "carrageenan"}); quoted phrases are searched as typed',
    )

    @field_validator("took_ms")
    @classmethod
    def _rounded(cls, value: float) -> float:
        return round(value, 2)


class TimelineResponse(SearchResponseModel):
    """The most relevant documents in date order (undated last), each as its best passage."""

    order: Literal["oldest", "newest"]


class FacetValueModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    value: str
    label: str
    count: int


class FacetsModel(BaseModel):
    """The values the filters can take now; a value no document has is not listed."""

    model_config = ConfigDict(from_attributes=True)

    doc_types: list[FacetValueModel]
    organisations: list[str]
    years: list[str]
    meetings: list[FacetValueModel]


class Turn(BaseModel):
    role: Literal["user", "assistant", "system"]
    content: Text = Field(..., max_length=MAX_MESSAGE_CHARS)


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: Annotated[Text, AfterValidator(_a_question)] = Field(
        ...,
        max_length=2000,
        examples=["What theme did Patient Solidarity Day 2024 have?"],
        description="at least one word (letters or digits)",
        json_schema_extra={"minLength": 1, "pattern": WORD.pattern},
    )
    filters: FilterModel = Field(default_factory=FilterModel)
    history: list[Turn] = Field(default_factory=list, max_length=50)
    stream: bool = False


class CitationModel(PassageRef):
    n: int
    quote: str
    char_start: int
    char_end: int
    page_end: int | None = Field(None, description="the last page, when the quoted passage runs over a page break")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passage_url(self) -> str:
        """A PDF at its page; other formats in the reading view at the passage, the quote marked."""
        return passage_url(self.doc_id, self.source, self.page, self.chunk_id, (self.char_start, self.char_end))


class RelatedModel(PassageRef):
    snippet: str


class AskResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    answer: str
    answerable: bool
    tentative: bool = Field(
        False,
        description="answered from passages that may not answer the question directly: the confidence is under the "
        "level from which calibrated answers were right nine times in ten, and the answer text says so before "
        "its quotes. Check the cited passages before repeating it",
    )
    confidence: float = Field(
        ...,
        description="how strongly the best candidate sentence answers the question (the extractive answerer's "
        "fitted probability; an answer needs its threshold). A refusal can carry a high value when that sentence "
        "could not be quoted as a clean, supported claim",
    )
    citations: list[CitationModel]
    related: list[RelatedModel]
    conflicts: list[str] = Field(default_factory=list)
    corrections: dict[str, str] = Field(
        default_factory=dict,
        description="misspelt words of the question that no passage holds, each with the collection's word the "
        "answer was drawn for instead",
    )


class ChatMessage(BaseModel):
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: (
        Annotated[Text, Field(max_length=MAX_MESSAGE_CHARS)] | Annotated[list[ContentPart], Field(max_length=50)] | None
    ) = None


class StreamOptions(BaseModel):
    include_usage: bool = False


class ChatRequest(BaseModel):
    model: str = "policykb"
    messages: list[ChatMessage] = Field(..., min_length=1, max_length=100)
    stream: bool = False
    stream_options: StreamOptions | None = None
    temperature: float | None = None
    max_tokens: int | None = None


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str
    answerer: str = Field(..., description="extractive, or openai:<model> for a language model endpoint")


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


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
    meeting: str | None = None
    agenda_item: str | None = None
    source_url: str | None = Field(None, description="the web address the document was fetched from")

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
    index: str = Field(
        description="ok | empty | behind | damaged | missing: does the live generation match the registry"
    )
    index_detail: str
    registry: str = Field(description='"ok", or what SQLite\'s quick_check (or the write-ahead log check) found')


class JobModel(BaseModel):
    id: str
    kind: Literal["upload", "reindex", "ingest", "watch", "fetch", "refresh", "delete", "repair"]
    status: Literal["queued", "running", "cancelling", "done", "failed", "cancelled"]
    stage: str
    done: int
    total: int
    report: dict | None
    error: str | None
    paths: list[str] = Field(description="files and folders; for fetch and refresh jobs, web addresses")
    gone: list[str] = Field(default_factory=list, description="vanished files a watch job forgets")
    roots: list[str] = Field(default_factory=list, description="the watched folders, which name the files in them")
    doc_id: str | None = Field(None, description="the document a delete job removes")
    attempts: int = Field(0, description="how often the job was started (a restart re-queues unfinished jobs)")
    created_at: float
    finished_at: float | None


class ChangeModel(BaseModel):
    action: Literal["added", "updated", "moved", "removed", "failed"]
    source: str
    doc_id: str | None = Field(None, description="absent for a file that failed")
    title: str | None
    detail: str | None = Field(None, description="why it failed, or where a moved file was")
    read_url: str | None = Field(None, description="the document's reading view (none once it is removed)")


class ChangeRunModel(BaseModel):
    """One ingest run: when, what triggered it, and what it changed."""

    id: int
    at: float = Field(description="seconds since the epoch")
    trigger: str = Field(description="ingest (CLI), upload, reindex, watch, fetch, refresh, delete or repair")
    job_id: str | None
    error: str | None = Field(description="why the whole run failed, if it did")
    unchanged: int
    changes: list[ChangeModel]


class ChangeFeed(BaseModel):
    runs: list[ChangeRunModel]


class LinksRequest(BaseModel):
    """Web pages and PDFs to fetch and keep (`POST /v1/documents` with a JSON body)."""

    urls: list[Annotated[str, Field(min_length=1, max_length=2000)]] = Field(..., min_length=1, max_length=100)


def change_feed(runs: list[ChangeRun]) -> dict:
    """The change feed's wire form: each change with a link to the document's reading view while it exists."""

    def read_url(change: Change) -> str | None:
        if change.doc_id is None or change.action in ("removed", "failed"):
            return None
        return f"/v1/documents/{change.doc_id}/read"

    return {
        "runs": [
            {**asdict(run), "changes": [{**asdict(c), "read_url": read_url(c)} for c in run.changes]} for run in runs
        ]
    }
