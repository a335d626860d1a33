"""The one answerer interface, and the factory that picks the answerer from settings.

Every answerer streams: zero or more `Token`s, then exactly one `Final` holding the verified, cited answer
(or a refusal). Draining a stream into an `Answer` is the facade's job, done in one place.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from policykb.core.errors import ConfigError
from policykb.core.events import AnswerEvent
from policykb.core.settings import Settings
from policykb.index.embedders import Embedder
from policykb.index.search import SearchResponse
from policykb.qa.extractive import ExtractiveAnswerer
from policykb.qa.generative import OpenAICompatibleAnswerer


class Answerer(Protocol):
    def stream(self, question: str, response: SearchResponse, *, focus: str | None = None) -> Iterator[AnswerEvent]:
        """Answer `question` from the retrieved passages. `focus`: the user's latest words when `question`
        was expanded from a conversation."""
        ...

    def rewrite_followup(self, question: str, history: list[dict]) -> str | None:
        """A standalone search question for a conversation turn, or None to leave it to the heuristic."""
        ...


def make_answerer(settings: Settings, embedder: Embedder) -> Answerer:
    if settings.answerer == "openai":
        if not settings.llm_url or not settings.llm_model:
            raise ConfigError("POLICYKB_ANSWERER=openai needs POLICYKB_LLM_URL and POLICYKB_LLM_MODEL")
        return OpenAICompatibleAnswerer(
            settings.llm_url, settings.llm_model, settings.llm_api_key, embedder, settings.llm_timeout
        )
    return ExtractiveAnswerer(embedder)
