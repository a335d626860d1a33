"""Follow-up questions: a conversation turn such as "and what about in Asia?" becomes a standalone query."""

from __future__ import annotations

import re
from collections.abc import Callable

_CUE = re.compile(
    r"^\s*(and|but|also|what about|how about|what of|same|then|so)\b|\b(it|they|them|this|that|those|these|there)\b",
    re.I,
)


def last_user_question(history: list[dict]) -> str | None:
    for turn in reversed(history):
        if turn.get("role") == "user" and str(turn.get("content", "")).strip():
            return str(turn["content"]).strip()
    return None


def condense(question: str, history: list[dict], rewrite: Callable[[str, list[dict]], str | None]) -> str:
    """Let the answerer rewrite (an LLM can); when it does not, carry the previous question along when this
    one leans on it."""
    previous = last_user_question(history)
    if not previous:
        return question
    rewritten = (rewrite(question, history) or "").strip()
    if rewritten:
        return rewritten
    if len(question.split()) <= 8 or _CUE.search(question):
        return f"{previous} {question}"
    return question
