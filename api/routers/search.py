from __future__ import annotations

from fastapi import APIRouter, Depends

from policykb.api import deps
from policykb.api.routers.views import hit_view
from policykb.api.schemas import SearchRequest, SearchResponseModel
from policykb.service.knowledge_base import KnowledgeBase

router = APIRouter(prefix="/v1", tags=["search"])


@router.post("/search", response_model=SearchResponseModel, dependencies=[Depends(deps.require_reader)])
def search(body: SearchRequest, kb: KnowledgeBase = Depends(deps.kb)) -> dict:
    """Hybrid keyword + semantic search with filters; exact phrases in double quotes."""
    response = kb.search(body.query, k=body.k, filters=body.filters.to_filters(), sort=body.sort, mode=body.mode)
    return {"results": [hit_view(h) for h in response.results], "generation": response.generation,
            "took_ms": round(response.took_ms, 2)}  # fmt: skip
