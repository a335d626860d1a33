from __future__ import annotations

import json
import logging
from collections.abc import Iterator

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse

from policykb.api import deps
from policykb.api.routers.views import answer_view
from policykb.api.schemas import AskRequest, AskResponse
from policykb.qa.compose import claims_of
from policykb.service.knowledge_base import KnowledgeBase

router = APIRouter(prefix="/v1", tags=["ask"])
log = logging.getLogger("policykb.api")


@router.post(
    "/ask",
    response_model=AskResponse,
    dependencies=[Depends(deps.require_reader)],
    responses={200: {"content": {"text/event-stream": {}}, "description": "JSON, or server-sent events with stream"}},
)
def ask(body: AskRequest, kb: KnowledgeBase = Depends(deps.kb)):  # type: ignore[no-untyped-def]
    """A short answer in which every sentence cites its passage, or an honest refusal with related documents.
    With `stream: true`: server-sent `token` events, then one `answer` event holding the whole answer."""
    history = [t.model_dump() for t in body.history]
    events = kb.ask_stream(body.question, body.filters.to_filters(), history)
    if not body.stream:
        final = next(e["answer"] for e in events if e["type"] == "answer")
        return answer_view(final)
    return StreamingResponse(sse(events), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


def sse(events: Iterator[dict]) -> Iterator[str]:
    """Tokens as they come (an extractive answer streams claim by claim), then the cited answer. A failure
    once the stream has started arrives as an `error` event: the status line is already sent."""
    try:
        yield from _sse(events)
    except Exception as exc:
        log.exception("streaming answer failed")
        yield f"event: error\ndata: {json.dumps({'detail': f'{type(exc).__name__}: {exc}'})}\n\n"


def _sse(events: Iterator[dict]) -> Iterator[str]:
    streamed = False
    for event in events:
        if event["type"] == "token":
            streamed = True
            yield f"event: token\ndata: {json.dumps({'text': event['text']})}\n\n"
        elif event["type"] == "answer":
            view = answer_view(event["answer"])
            if not streamed:
                for claim in claims_of(view["answer"]):
                    yield f"event: token\ndata: {json.dumps({'text': claim})}\n\n"
            yield f"event: answer\ndata: {json.dumps(view, ensure_ascii=False)}\n\n"
