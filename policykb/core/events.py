"""The events of an answer stream: tokens as the answer is written, then the final verified answer, or,
for faces that have already started a response, one `Failed` event in place of an exception.

`Token` texts are a draft: the `Final` answer is what counts, and it may differ (a model's sentences that
no passage supports are dropped). A `Failed` event never carries an exception's text, only a fixed
message for its kind, so nothing internal (URLs, paths, tracebacks) reaches a user through a stream.
"""

from __future__ import annotations

from dataclasses import dataclass

from policykb.core.errors import INTERNAL, kind_of
from policykb.core.types import Answer


@dataclass(frozen=True)
class Token:
    text: str


@dataclass(frozen=True)
class Final:
    answer: Answer


FAILURE_MESSAGES: dict[str, str] = {
    "question": "Ask a question with at least one word (letters or digits).",
    "filter": "A filter value could not be understood (dates are YYYY, YYYY-MM or YYYY-MM-DD).",
    "not_found": "Something the answer needed is no longer in the knowledge base; please ask again.",
    "llm": "The language model did not answer; please try again later.",
    "storage": "The knowledge base cannot be read right now; please try again later.",
    "config": "The server is not configured to answer questions; an administrator needs to fix its settings.",
    INTERNAL: "Answering failed because of an error on the server; it has been logged.",
}


@dataclass(frozen=True)
class Failed:
    kind: str
    message: str

    @classmethod
    def of(cls, error: BaseException) -> Failed:
        kind = kind_of(error)
        return cls(kind, FAILURE_MESSAGES.get(kind, FAILURE_MESSAGES[INTERNAL]))


AnswerEvent = Token | Final
StreamEvent = Token | Final | Failed
