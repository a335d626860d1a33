from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse

from policykb.api import deps
from policykb.api.routers.views import answer_view
from policykb.api.schemas import AskRequest, AskResponse
from policykb.core.events import Failed, Final, StreamEvent, Token
from policykb.service.knowledge_base import KnowledgeBase

router = APIRouter(prefix="/v1", tags=["ask"])


@router.post(
    "/ask",
    response_model=AskResponse,
    dependencies=[Depends(deps.require_reader)],
    responses={200: {"content": {"text/event-stream": {}}, "description": "JSON, or server-sent events with stream"}},
)
def ask(body: AskRequest, kb: KnowledgeBase = Depends(deps.kb)) -> dict[str, Any] | StreamingResponse:
    """A short answer in which every sentence cites its passage, or an honest refusal with related documents.
    With `stream: true`: server-sent `token` events, then one `answer` event holding the whole answer; a
    failure once the stream has started arrives as an `error` event with a `kind` and a `detail` message."""
    history = [t.model_dump() for t in body.history]
    if not body.stream:
        return answer_view(kb.ask(body.question, body.filters.to_filters(), history))
    events = kb.ask_events(body.question, body.filters.to_filters(), history)
    return StreamingResponse(sse(events), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


def sse(events: Iterator[StreamEvent]) -> Iterator[str]:
    """Tokens as they come (an extractive answer streams claim by claim), then the cited answer."""
    for event in events:
        match event:
            case Token(text):
                yield f"event: token\ndata: {json.dumps({'text': text})}\n\n"
            case Final(answer):
                yield f"event: answer\ndata: {json.dumps(answer_view(answer), ensure_ascii=False)}\n\n"
            case Failed(kind, message):
                yield f"event: error\ndata: {json.dumps({'kind': kind, 'detail': message})}\n\n"
