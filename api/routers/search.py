"""Search for staff: hybrid search grouped by document (or by passage), more like this, a timeline of
documents by date, the filter values, and the results as CSV."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from policykb.api import deps
from policykb.api.schemas import (
    MAX_K,
    FacetsModel,
    MoreLikeRequest,
    SearchRequest,
    SearchResponseModel,
    TimelineResponse,
)
from policykb.core.filters import Filters
from policykb.core.types import SearchResponse
from policykb.service.export import csv_filename, results_csv
from policykb.service.knowledge_base import KnowledgeBase

router = APIRouter(prefix="/v1", tags=["search"])

CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "the results (JSON, or CSV with format=csv)"}
}


def _csv(response: SearchResponse, query: str, filters: Filters, kind: str) -> Response:
    return Response(
        results_csv(response.results, query, filters, kind),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{csv_filename(query, kind)}"'},
    )


@router.post(
    "/search", response_model=SearchResponseModel, responses=CSV_RESPONSE, dependencies=[Depends(deps.require_reader)]
)
def search(body: SearchRequest, kb: KnowledgeBase = Depends(deps.kb)) -> dict | Response:
    """Hybrid keyword + semantic search with filters; exact phrases in double quotes. One result per
    document by default (`group`), its other ranked passages in `more`."""
    filters = body.filters.to_filters()
    response = kb.search(body.query, k=body.k, filters=filters, sort=body.sort, mode=body.mode, group=body.group)
    if body.format == "csv":
        return _csv(response, body.query, filters, "search")
    return SearchResponseModel.model_validate(response, from_attributes=True).model_dump()


@router.post("/more-like-this", response_model=SearchResponseModel, dependencies=[Depends(deps.require_reader)])
def more_like_this(body: MoreLikeRequest, kb: KnowledgeBase = Depends(deps.kb)) -> dict:
    """Passages or documents like a passage (`chunk_id`) or a document (`doc_id`); its text is the query,
    taken as plain text (quotes, colons, AND/OR/NOT are not syntax). It is itself left out."""
    response = kb.more_like(body.chunk_id, body.doc_id, k=body.k, filters=body.filters.to_filters(), mode=body.mode,
                            group=body.group)  # fmt: skip
    return SearchResponseModel.model_validate(response, from_attributes=True).model_dump()


@router.get(
    "/timeline", response_model=TimelineResponse, responses=CSV_RESPONSE, dependencies=[Depends(deps.require_reader)]
)
def timeline(
    query: str = Query("", max_length=2000, examples=["access to medicines"]),
    k: int = Query(20, ge=1, le=MAX_K),
    order: Literal["oldest", "newest"] = "oldest",
    mode: Literal["hybrid", "dense", "lexical"] = "hybrid",
    format: Literal["json", "csv"] = "json",
    filters: Filters = Depends(deps.filters),
    kb: KnowledgeBase = Depends(deps.kb),
) -> dict | Response:
    """The `k` documents most relevant to the query, in date order (oldest first, or newest), each with
    its best passage: what has been said about something, as a history. Undated documents come last."""
    response = kb.timeline(query, k=k, filters=filters, order=order, mode=mode)
    if format == "csv":
        return _csv(response, query, filters, "timeline")
    return {**SearchResponseModel.model_validate(response, from_attributes=True).model_dump(), "order": order}


@router.get("/facets", response_model=FacetsModel, dependencies=[Depends(deps.require_reader)])
def facets(kb: KnowledgeBase = Depends(deps.kb)) -> FacetsModel:
    """The values the filters can take now, with labels and document counts; none that no document has."""
    return FacetsModel.model_validate(kb.facets(), from_attributes=True)
