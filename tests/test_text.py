"""Text analysis at the floor: words, stems, British/American spelling variants, dates."""

from __future__ import annotations

from pathlib import Path

import pytest
import tantivy
from hypothesis import given
from hypothesis import strategies as st

from policykb.core.dates import date_bounds, normalise_date
from policykb.core.text import american_spelling, content_words, index_term, stem


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("organisation", "organization"),
        ("organisations", "organizations"),
        ("organised", "organized"),
        ("organisational", "organizational"),
        ("recognise", "recognize"),
        ("prioritising", "prioritizing"),
        ("analyse", "analyze"),
        ("paralysed", "paralyzed"),
        ("programme", "program"),
        ("programmes", "programs"),
        ("behaviour", "behavior"),
        ("behavioural", "behavioral"),
        ("colourful", "colorful"),
        ("favourite", "favorite"),
        ("neighbourhood", "neighborhood"),
        ("labour", "labor"),
        ("centre", "center"),
        ("centres", "centers"),
        ("centred", "centered"),
        ("litre", "liter"),
        ("fibre", "fiber"),
        ("haemorrhage", "hemorrhage"),
        ("anaemia", "anemia"),
        ("leukaemia", "leukemia"),
        ("anaesthesia", "anesthesia"),
        ("paediatric", "pediatric"),
        ("orthopaedic", "orthopedic"),
        ("oesophagus", "esophagus"),
        ("oestrogen", "estrogen"),
        ("diarrhoea", "diarrhea"),
        ("foetal", "fetal"),
        ("defence", "defense"),
        ("licence", "license"),
        ("practise", "practice"),
        ("judgement", "judgment"),
        ("catalogue", "catalog"),
        ("ageing", "aging"),
        ("travelled", "traveled"),
    ],
)
def test_british_and_american_spellings_share_a_stem(british: str, american: str) -> None:
    assert stem(british) == stem(american)
    assert american_spelling(american) == american  # the American form is already canonical


@pytest.mark.parametrize(
    "word",
    [
        # -ise, -our, -re that are not British spellings of -ize, -or, -er
        "advertise", "advise", "revised", "unsupervised", "exercise", "enterprise", "promise", "premises",
        "precise", "surprising", "otherwise", "franchise", "compromise", "praised", "fundraising", "noise",
        "hour", "your", "four", "tour", "flour", "contour", "detour", "devour", "glamour",
        "acre", "genre", "macabre", "hatred", "more", "there", "store",
        # words that merely contain the letters
        "aerial", "michael", "algae", "crisis", "analysis", "journal", "source",
    ],
)  # fmt: skip
def test_words_that_only_look_british_are_left_alone(word: str) -> None:
    assert american_spelling(word) == word


def test_index_term_is_the_plain_snowball_stem_that_tantivy_indexes(tmp_path: Path) -> None:
    schema = tantivy.SchemaBuilder().add_text_field("text", stored=False, tokenizer_name="en_stem").build()
    index = tantivy.Index(schema, path=str(tmp_path))
    writer = index.writer()
    writer.add_document(tantivy.Document(text="Organisations of patients"))
    writer.commit()
    index.reload()
    searcher = index.searcher()
    for word in ("organisations", "patients"):
        assert searcher.doc_freq("text", index_term(word)) == 1
    assert index_term("organisations") != index_term("organizations")
    assert stem("organisations") == stem("organizations")
    assert index_term("patients") == stem("patients") == "patient"


def test_content_words_drop_stopwords_and_single_letters_but_keep_digits() -> None:
    assert content_words("What is the Role of a UN 5 x-ray?") == ["role", "un", "5", "ray"]


@given(st.text(alphabet=st.characters(categories=["Ll"]), max_size=20))
def test_spelling_is_idempotent(word: str) -> None:
    once = american_spelling(word)
    assert american_spelling(once) == once


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2024", "2024"), ("2024-03", "2024-03"), ("2024-03-15T10:00:00Z", "2024-03-15"), ("15 March 2023", "2023-03-15"),
     ("2024-02-30", "2024-02"), ("last spring", None), ("", None), (None, None)],
)  # fmt: skip
def test_normalise_date(value: str | None, expected: str | None) -> None:
    assert normalise_date(value) == expected


def test_date_bounds_cover_the_whole_period() -> None:
    assert date_bounds("2024") == (20240101, 20241231)
    assert date_bounds("2024-02") == (20240201, 20240231)
    assert date_bounds("2024-02-09") == (20240209, 20240209)
    assert date_bounds(None) == (0, 0)
