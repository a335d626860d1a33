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
    events = kb.ask_stream(question, None, history)
    if not body.stream:
        view = answer_view(next(e["answer"] for e in events if e["type"] == "answer"))
        content = view["answer"] + references(view)
        return {
            "id": completion_id, "object": "chat.completion", "created": created, "model": body.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            "citations": view["citations"], "answerable": view["answerable"], "related": view["related"],
        }  # fmt: skip
    return StreamingResponse(_chunks(events, completion_id, created, body.model), media_type="text/event-stream")


def _chunks(events: Iterator[dict], completion_id: str, created: int, model: str) -> Iterator[str]:
    def chunk(delta: dict, finish: str | None = None, **extra: object) -> str:
        payload = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model,
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}  # fmt: skip
        return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    try:
        yield from _answer_chunks(events, chunk)
    except Exception as exc:
        yield chunk({"content": f"\n\n[error: {type(exc).__name__}: {exc}]"}, "stop")
    yield "data: [DONE]\n\n"


def _answer_chunks(events: Iterator[dict], chunk) -> Iterator[str]:  # type: ignore[no-untyped-def]
    streamed = False
    for event in events:
        if event["type"] == "token":
            streamed = True
            yield chunk({"content": event["text"]})
        elif event["type"] == "answer":
            view = answer_view(event["answer"])
            # A streamed model draft may lose unsupported sentences in verification: send the verified answer.
            text = ("\n\n" if streamed else "") + (("Verified answer:\n" if streamed else "") + view["answer"])
            yield chunk({"content": text + references(view)}, "stop", citations=view["citations"])
