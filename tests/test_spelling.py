"""Misspelt query words read as the collection's words: the rules, and every face saying what was read."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from policykb.api.app import create_app
from policykb.core.text import index_term, read_as
from policykb.index.spelling import corrections, one_edit, respell, single_edits, spelled
from policykb.service.knowledge_base import KnowledgeBase
from tests.conftest import CORPUS, make_settings

HELD = {index_term(w): n for w, n in [("carrageenan", 34), ("clostridium", 8), ("virion", 57), ("resin", 4),
                                        ("salinent", 1), ("cream", 9), ("zanamivir", 36)]}  # fmt: skip


def _read(*words: str, known: frozenset[str] = frozenset()) -> dict[str, str]:
    found = corrections(words, lambda stem: HELD.get(stem, 0), lambda word: word in known)
    return {word: reading.stem for word, reading in found.items()}


def test_a_word_no_passage_holds_is_read_as_the_held_word_one_edit_away() -> None:
    assert _read("carageenan") == {"carageenan": index_term("carrageenan")}  # a letter left out
    assert _read("Clodstridium") == {"Clodstridium": index_term("clostridium")}  # one too many
    assert _read("Zanamavir") == {"Zanamavir": index_term("zanamivir")}  # one wrong
    assert _read("vrion") == {}  # stems of fewer than six letters are left alone


def test_words_that_may_mean_what_they_say_are_never_read_otherwise() -> None:
    assert _read("carrageenan") == {}  # held as written
    assert _read("resins", known=frozenset({"resins"})) == {}  # a real word the collection lacks
    assert _read("crammed") == {}  # a short stem ("cram") has too many neighbours ("cream")
    assert _read("salinet") == {}  # a neighbour held by one passage only (itself a typo) is no reading
    assert _read("barrageenan") == {}  # the first letter is never edited
    assert _read("CARAGEENAN") == {}  # capitals are an acronym or a name
    assert _read("carageenan2") == {}  # letters only


def test_the_most_widely_held_reading_wins_and_ties_go_to_the_first_in_order() -> None:
    held = {"abcdefx": 3, "abcdefy": 7, "abcdefz": 7}
    assert corrections(["abcdefw"], lambda s: held.get(s, 0), lambda w: False)["abcdefw"].stem == "abcdefy"


def test_a_word_whose_stem_no_edit_reaches_is_read_through_an_edit_of_the_word() -> None:
    """Stemming "organisatons" keeps "organisaton", one edit from nothing; "organisations" stems to the held
    "organis", and that form is what is searched."""
    held = {index_term("organisations"): 11}
    read = corrections(["organisatons"], lambda s: held.get(s, 0), lambda w: False)["organisatons"]
    assert (read.stem, read.form) == (index_term("organisations"), "organisations")


@given(st.text(alphabet="abcdefgh", min_size=2, max_size=9))
def test_single_edits_are_one_edit_away_and_keep_the_first_letter(stem: str) -> None:
    edits = single_edits(stem)
    assert stem not in edits
    for edit in edits:
        assert edit[0] == stem[0]
        assert _damerau(stem, edit) == 1
    assert stem[0] + stem[2:] in edits or len(stem) < 2  # a deletion
    assert stem + "a" in edits  # an insertion


def _damerau(a: str, b: str) -> int:
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def test_a_reading_is_spelled_as_the_passage_writes_it() -> None:
    passage = "Companies in the pharmaceutical industry met patient groups."
    assert spelled("pharmaceutcal", index_term("pharmaceutical"), passage) == "pharmaceutical"
    assert spelled("Pharmaceutcal", index_term("pharmaceutical"), passage) == "Pharmaceutical"
    assert respell("Do pharmaceutcal firms fund it?", {"pharmaceutcal": "pharmaceutical"}) == (
        "Do pharmaceutical firms fund it?"
    )
    assert read_as({"carageenan": "carrageenan"}) == (
        "No passage holds the words as typed; read “carageenan” as “carrageenan”."
    )
    assert read_as({}) == ""


@pytest.fixture
def misspelling_kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> KnowledgeBase:
    """The sample corpus with the hashing embedder, whose stand-in vocabulary knows no word whole."""
    kb = KnowledgeBase(make_settings(tmp_path))
    kb.ingest([CORPUS])
    monkeypatch.setattr(kb.searcher, "_known", lambda word: False)
    return kb


def test_search_reads_a_misspelt_word_and_says_so(misspelling_kb: KnowledgeBase) -> None:
    response = misspelling_kb.search("pharmaceutcal companies", k=3)
    assert response.corrections == {"pharmaceutcal": "pharmaceutical"}
    spelt = misspelling_kb.search("pharmaceutical companies", k=3)
    assert [h.chunk_id for h in response.results] == [h.chunk_id for h in spelt.results]  # searched as spelt
    assert "<mark>pharmaceutical</mark>" in response.results[0].highlight.lower()
    assert spelt.corrections == {}
    assert misspelling_kb.search("member organisatons", k=3).corrections == {"organisatons": "organisations"}
    phrase = misspelling_kb.search('"pharmaceutcal companies"', k=3)  # a quoted phrase is searched as typed
    assert phrase.corrections == {} and phrase.results == []


def test_a_reading_must_be_one_edit_as_written_and_beside_another_word_of_the_query(
    misspelling_kb: KnowledgeBase,
) -> None:
    assert one_edit("carageenan", "carrageenan") and one_edit("Zanamavir", "zanamivir")
    assert not one_edit("lesion", "lessons")  # stems one edit apart ("lesion", "lesson"), the words two
    assert misspelling_kb.search("pharmaceutcal zebras", k=3).corrections == {}  # no passage holds both


def test_every_face_says_what_a_misspelt_word_was_read_as(misspelling_kb: KnowledgeBase) -> None:
    answer = misspelling_kb.ask("How do pharmaceutcal companies work with patient organisations?")
    assert answer.corrections == {"pharmaceutcal": "pharmaceutical"}
    client = TestClient(create_app(misspelling_kb, with_ui=False))
    searched = client.post("/v1/search", json={"query": "pharmaceutcal companies"}).json()
    assert searched["corrections"] == {"pharmaceutcal": "pharmaceutical"}
    asked = client.post("/v1/ask", json={"question": "How do pharmaceutcal companies work with patients?"}).json()
    assert asked["corrections"] == {"pharmaceutcal": "pharmaceutical"}
    chat = client.post("/v1/chat/completions", json={"messages": [
        {"role": "user", "content": "How do pharmaceutcal companies work with patients?"}]}).json()  # fmt: skip
    assert "read “pharmaceutcal” as “pharmaceutical”" in chat["choices"][0]["message"]["content"]


@pytest.mark.model
def test_the_models_vocabulary_tells_a_typo_from_a_word(sample_kb: KnowledgeBase) -> None:
    assert sample_kb.searcher._known("resign")  # a whole word of the model's vocabulary
    assert not sample_kb.searcher._known("pharmaceutcal")
    assert sample_kb.search("pharmaceutcal companies", k=1).corrections == {"pharmaceutcal": "pharmaceutical"}
