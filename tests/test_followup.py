"""Which conversation turns lean on the question before them."""

from __future__ import annotations

import pytest

from policykb.qa.followup import condense

HISTORY = [{"role": "user", "content": "What theme did Patient Solidarity Day 2024 have?"},
           {"role": "assistant", "content": "The Power of Community [1]"}]  # fmt: skip
PREVIOUS = HISTORY[0]["content"]


def _no_model(question: str, history: list[dict]) -> None:
    return None


@pytest.mark.parametrize(
    "question", ["and what about in Asia?", "What about 2023?", "Who chaired it?", "How were they chosen?", "Why?"]
)
def test_a_turn_that_leans_on_the_last_question_carries_it_along(question: str) -> None:
    assert condense(question, HISTORY, _no_model) == f"{PREVIOUS} {question}"


@pytest.mark.parametrize("question", ["What did IAPO do in 2024?", "Which countries ratified the tobacco convention?"])
def test_a_question_that_stands_alone_is_searched_as_asked(question: str) -> None:
    assert condense(question, HISTORY, _no_model) == question


def test_a_model_rewrite_wins_and_a_first_question_is_kept() -> None:
    assert condense("and in Asia?", HISTORY, lambda q, h: "Patient Solidarity Day theme in Asia") == (
        "Patient Solidarity Day theme in Asia"
    )
    assert condense("and in Asia?", [], _no_model) == "and in Asia?"
