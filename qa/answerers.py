"""Picks the answerer from settings; both return the same Answer with the same citation rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from policykb.core.settings import Settings
from policykb.core.types import Answer, SearchResponse
from policykb.index.embedders import Embedder
from policykb.qa.extractive import ExtractiveAnswerer
from policykb.qa.generative import OpenAICompatibleAnswerer


class Answerer(Protocol):
    def answer(self, question: str, response: SearchResponse) -> Answer: ...


def make_answerer(settings: Settings, embedder: Embedder) -> ExtractiveAnswerer | OpenAICompatibleAnswerer:
    if settings.answerer == "openai":
        if not settings.llm_url or not settings.llm_model:
            raise ValueError("POLICYKB_ANSWERER=openai needs POLICYKB_LLM_URL and POLICYKB_LLM_MODEL")
        return OpenAICompatibleAnswerer(
            settings.llm_url, settings.llm_model, settings.llm_api_key, embedder, settings.llm_timeout
        )
    return ExtractiveAnswerer(embedder)


def answer_events(answerer: ExtractiveAnswerer | OpenAICompatibleAnswerer, question: str, response: SearchResponse,
                  focus: str | None = None) -> Iterator[dict]:  # fmt: skip
    """A uniform event stream: tokens (generative only), then the final verified answer."""
    if isinstance(answerer, OpenAICompatibleAnswerer):
        yield from answerer.stream(question, response)
    else:
        yield {"type": "answer", "answer": answerer.answer(question, response, focus=focus)}
