"""OpenAI-compatible chat completions and model list over the knowledge base, so existing chat clients
(the official `openai` client among them) can use it."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import StreamingResponse

from policykb.api import deps
from policykb.api.routers.views import answer_view
from policykb.api.schemas import ChatRequest, ContentPart, ModelCard, ModelList
from policykb.core.events import Failed, Final, StreamEvent, Token
from policykb.core.text import NEEDS_A_WORD, has_a_word, read_as
from policykb.service.knowledge_base import KnowledgeBase

router = APIRouter(prefix="/v1", tags=["chat"])
MODEL_ID = "policykb"
STARTED = int(time.time())


def _text(content: str | list[ContentPart] | None) -> str:
    if isinstance(content, list):  # OpenAI content parts
        return " ".join(p.text for p in content if p.type == "text")
    return content or ""


def _model(kb: KnowledgeBase) -> dict:
    s = kb.settings
    answerer = f"openai:{s.llm_model}" if s.answerer == "openai" and s.llm_model else s.answerer
    return {"id": MODEL_ID, "object": "model", "created": STARTED, "owned_by": "policykb", "answerer": answerer}


@router.get("/models", response_model=ModelList, dependencies=[Depends(deps.require_reader)])
def models(kb: KnowledgeBase = Depends(deps.kb)) -> dict:
    """The one model: cited answers from the knowledge base, by the configured answerer."""
    return {"object": "list", "data": [_model(kb)]}


@router.get("/models/{model_id}", response_model=ModelCard, dependencies=[Depends(deps.require_reader)])
def model(model_id: str, kb: KnowledgeBase = Depends(deps.kb)) -> dict:
    if model_id != MODEL_ID:
        raise HTTPException(404, f"no model {model_id!r}; the model is {MODEL_ID!r}")
    return _model(kb)


def references(view: dict) -> str:
    """One line per document, however often it is cited: `[1, 3] Title (report, 2024, pp. 7, 9) — source`."""
    by_doc: dict[str, list[dict]] = {}
    for c in view["citations"]:
        by_doc.setdefault(c["doc_id"], []).append(c)
    lines = []
    for cited in by_doc.values():
        first = cited[0]
        pages = sorted({c["page"] for c in cited if c["page"]})
        where = f", {'pp.' if len(pages) > 1 else 'p.'} {', '.join(map(str, pages))}" if pages else ""
        numbers = ", ".join(str(c["n"]) for c in cited)
        lines.append(f"[{numbers}] {first['title']} ({first['doc_type']}, {first['date'] or 'undated'}{where}) — "
                     f"{first['source']}")  # fmt: skip
    return ("\n\nReferences:\n" + "\n".join(lines)) if lines else ""


def _read_as(view: dict) -> str:
    """The misspelt words of the question and what they were read as, as a paragraph of the message."""
    return f"\n\n{read_as(view['corrections'])}" if view["corrections"] else ""


def _usage(kb: KnowledgeBase, prompt: list[str], completion: str) -> dict:
    """Token counts by the embedder's tokenizer (the answer is extracted or checked with it)."""
    prompt_tokens, completion_tokens = kb.count_tokens(prompt), kb.count_tokens([completion])
    return {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens}  # fmt: skip


@router.post("/chat/completions", dependencies=[Depends(deps.require_reader)], response_model=None)
def chat_completions(body: ChatRequest, kb: KnowledgeBase = Depends(deps.kb)) -> dict[str, Any] | StreamingResponse:
    """Messages in, an assistant message out; citations in the extra field `citations` and as references.
    With `stream: true` the answer arrives claim by claim (or token by token from a language model); with
    `stream_options.include_usage` a last chunk carries the token counts."""
    turns = [{"role": m.role, "content": _text(m.content)} for m in body.messages if m.role in ("user", "assistant")]
    if not turns or turns[-1]["role"] != "user":
        raise HTTPException(422, "the last message must be a user message (the question)")
    if not has_a_word(turns[-1]["content"]):  # the rule of /v1/ask's question
        raise HTTPException(422, f"the last user message (the question) {NEEDS_A_WORD}")
    question, history = turns[-1]["content"], turns[:-1]
    prompt = [t["content"] for t in turns]
    completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    created = int(time.time())
    if not body.stream:
        view = answer_view(kb.ask(question, None, history))
        content = view["answer"] + _read_as(view) + references(view)
        return {
            "id": completion_id, "object": "chat.completion", "created": created, "model": body.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": _usage(kb, prompt, content),
            "citations": view["citations"], "answerable": view["answerable"], "tentative": view["tentative"],
            "related": view["related"],
        }  # fmt: skip
    events = kb.ask_events(question, None, history)
    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    stream = _stream(events, completion_id, created, body.model, (kb, prompt) if include_usage else None)
    return StreamingResponse(stream, media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


Delta = tuple[dict, str | None, dict]  # (delta, finish_reason, extra fields of the chunk)


def _deltas(events: Iterator[StreamEvent]) -> Iterator[Delta]:
    """The draft as it is written; then, if verification changed it, the verified answer; then references.
    A failure ends the message with a fixed note for its kind."""
    yield {"role": "assistant", "content": ""}, None, {}
    draft = ""
    for event in events:
        match event:
            case Token(text):
                draft += text
                yield {"content": text}, None, {}
            case Final(answer):
                view = answer_view(answer)
                text = "" if draft == view["answer"] else ("\n\nVerified answer:\n" if draft else "") + view["answer"]
                yield {"content": text + _read_as(view) + references(view)}, "stop", {"citations": view["citations"]}
            case Failed(_, message):
                yield {"content": f"\n\n[error: {message}]"}, "stop", {}


def _stream(
    events: Iterator[StreamEvent], completion_id: str, created: int, model: str,
    usage_of: tuple[KnowledgeBase, list[str]] | None,
) -> Iterator[str]:  # fmt: skip
    """Server-sent chunks; with `usage_of`, OpenAI's last usage chunk (no choices) counting what was sent."""

    def chunk(choices: list, **extra: object) -> str:
        body = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model,
                "choices": choices, **extra}  # fmt: skip
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    sent = ""
    for delta, finish, extra in _deltas(events):
        sent += delta["content"]
        yield chunk([{"index": 0, "delta": delta, "finish_reason": finish}], **extra)
    if usage_of:
        kb, prompt = usage_of
        yield chunk([], usage=_usage(kb, prompt, sent))
    yield "data: [DONE]\n\n"
