"""OpenAI-compatible chat completions over the knowledge base, so existing chat clients can use it."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import StreamingResponse

from policykb.api import deps
from policykb.api.routers.views import answer_view
from policykb.api.schemas import ChatRequest, ContentPart
from policykb.core.events import Failed, Final, StreamEvent, Token
from policykb.service.knowledge_base import KnowledgeBase

router = APIRouter(prefix="/v1", tags=["chat"])


def _text(content: str | list[ContentPart] | None) -> str:
    if isinstance(content, list):  # OpenAI content parts
        return " ".join(p.text for p in content if p.type == "text")
    return content or ""


def references(view: dict) -> str:
    lines = []
    for c in view["citations"]:
        page = f", p. {c['page']}" if c["page"] else ""
        lines.append(f"[{c['n']}] {c['title']} ({c['doc_type']}, {c['date'] or 'undated'}{page}) — {c['source']}")
    return ("\n\nReferences:\n" + "\n".join(lines)) if lines else ""


@router.post("/chat/completions", dependencies=[Depends(deps.require_reader)])
def chat_completions(body: ChatRequest, kb: KnowledgeBase = Depends(deps.kb)):  # type: ignore[no-untyped-def]
    """Messages in, an assistant message out; citations in the extra field `citations` and as references."""
    turns = [{"role": m.role, "content": _text(m.content)} for m in body.messages if m.role in ("user", "assistant")]
    if not turns or turns[-1]["role"] != "user" or not turns[-1]["content"].strip():
        raise HTTPException(422, "the last message must be a non-empty user message")
    question, history = turns[-1]["content"], turns[:-1]
    completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    created = int(time.time())
    if not body.stream:
        view = answer_view(kb.ask(question, None, history))
        content = view["answer"] + references(view)
        return {
            "id": completion_id, "object": "chat.completion", "created": created, "model": body.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            "citations": view["citations"], "answerable": view["answerable"], "related": view["related"],
        }  # fmt: skip
    events = kb.ask_events(question, None, history)
    return StreamingResponse(_chunks(events, completion_id, created, body.model), media_type="text/event-stream")


def _chunks(events: Iterator[StreamEvent], completion_id: str, created: int, model: str) -> Iterator[str]:
    """The draft as it is written; then, if verification changed it, the verified answer; then references.
    A failure ends the message with a fixed note for its kind."""

    def chunk(delta: dict, finish: str | None = None, **extra: object) -> str:
        payload = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model,
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}  # fmt: skip
        return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    draft = ""
    for event in events:
        match event:
            case Token(text):
                draft += text
                yield chunk({"content": text})
            case Final(answer):
                view = answer_view(answer)
                text = "" if draft == view["answer"] else ("\n\nVerified answer:\n" if draft else "") + view["answer"]
                yield chunk({"content": text + references(view)}, "stop", citations=view["citations"])
            case Failed(_, message):
                yield chunk({"content": f"\n\n[error: {message}]"}, "stop")
    yield "data: [DONE]\n\n"
