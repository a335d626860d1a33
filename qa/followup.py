"""Follow-up questions: a conversation turn such as "and what about in Asia?" becomes a standalone query."""

from __future__ import annotations

import re
from collections.abc import Callable

from policykb.core.text import content_words

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
    one leans on it: it opens with a connective, points back with a pronoun, or names fewer than two things of
    its own ("in Asia?"). A question that stands alone ("What did IAPO do in 2024?") is searched as asked."""
    previous = last_user_question(history)
    if not previous:
        return question
    rewritten = (rewrite(question, history) or "").strip()
    if rewritten:
        return rewritten
    if _CUE.search(question) or len(set(content_words(question))) < 2:
        return f"{previous} {question}"
    return question
