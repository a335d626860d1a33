from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from policykb.api import deps
from policykb.service.knowledge_base import KnowledgeBase

router = APIRouter(tags=["health"])

METRICS = CollectorRegistry()
REQUESTS = Counter("policykb_requests_total", "HTTP requests", ["method", "route", "status"], registry=METRICS)
LATENCY = Histogram("policykb_request_seconds", "HTTP request latency", ["route"], registry=METRICS,
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))  # fmt: skip
DOCUMENTS = Gauge("policykb_documents", "documents in the registry", registry=METRICS)
CHUNKS = Gauge("policykb_index_chunks", "chunks in the live index generation", registry=METRICS)


@router.get("/healthz")
def healthz() -> dict:
    """The process is alive."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(kb: KnowledgeBase = Depends(deps.kb)) -> dict:
    """Queries can be answered: 200 with `index` "ok", or "behind" (the registry holds changes not yet
    published; they are repaired by the next ingest or `policykb repair`); 503 when nothing is published
    yet or the live generation is missing or damaged."""
    status = kb.status(deep=False)
    if status.index == "empty":
        raise HTTPException(503, "no index generation yet: ingest documents first")
    if status.index not in ("ok", "behind"):
        raise HTTPException(503, f"the index is {status.index}: {status.index_detail}")
    return {"status": "ready", "generation": status.generation, "chunks": status.indexed_chunks,
            "index": status.index, "detail": status.index_detail}  # fmt: skip


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
def metrics(kb: KnowledgeBase = Depends(deps.kb)) -> Response:
    """Prometheus metrics: request counts and latencies, index size."""
    status = kb.status(deep=False)
    DOCUMENTS.set(status.documents)
    CHUNKS.set(status.indexed_chunks)
    return Response(generate_latest(METRICS), media_type=CONTENT_TYPE_LATEST)
