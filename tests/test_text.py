"""Text analysis at the floor: words, stems, British/American spelling variants, dates."""

from __future__ import annotations

from pathlib import Path

import pytest
import tantivy
from hypothesis import given
from hypothesis import strategies as st

from policykb.core.dates import date_bounds, normalise_date
from policykb.core.text import (
    CONTEXT_WORDS,
    acronym_expansion,
    acronym_stems,
    american_spelling,
    american_text,
    content_words,
    index_term,
    search_context,
    search_text,
    spelled_acronyms,
    stem,
    unit_stems,
    without_footnote_marks,
    without_reference_marks,
    words,
)


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
    ("plural", "singular"), [("children", "child"), ("women", "woman"), ("criteria", "criterion"), ("mice", "mouse")]
)
def test_an_irregular_plural_shares_its_singulars_stem(plural: str, singular: str) -> None:
    assert stem(plural) == stem(singular)


@pytest.mark.parametrize(
    ("noun", "verb"),
    [
        ("reduction", "reduced"),
        ("production", "produces"),
        ("description", "described"),
        ("decision", "decided"),
        ("registration", "registered"),
        ("administration", "administered"),
    ],
)
def test_a_noun_made_from_a_verb_shares_its_stem(noun: str, verb: str) -> None:
    assert stem(noun) == stem(verb)
    assert stem("script") != stem("scribe") and stem("duct") == "duct"  # a short stem is left as it is


def test_verbs_spelled_like_irregular_plurals_keep_their_stem() -> None:
    assert stem("lives") == stem("living") and stem("leaves") == stem("leaving")
    assert stem("analyses") == stem("analysed") and stem("diagnoses") == stem("diagnosed")


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


def test_a_stopword_in_capitals_amid_prose_is_an_acronym() -> None:
    assert content_words("Who is the Director-General of WHO?") == ["director", "general", "who"]
    assert content_words("A 2015 WHO/UNICEF global report") == ["2015", "who", "unicef", "global", "report"]
    assert content_words("WHO IS ELIGIBLE FOR TREATMENT") == ["eligible", "treatment"]  # a shouted heading
    assert content_words("Why isn't it safe, and doesn't WHO say? I can't, they've, it won’t") == ["safe", "who", "say"]
    assert content_words("Which country won the award?") == ["country", "won", "award"]
    assert content_words("WHO?") == []
    assert content_words("Do NOT reuse syringes AND/OR needles") == ["reuse", "syringes", "needles"]  # emphasis


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


def test_american_text_respells_british_words_and_leaves_the_rest_as_written() -> None:
    assert american_text("The Organisation's programme, in Colour.") == "The organization's program, in color."
    assert american_text("WHO recommends Paracetamol") == "WHO recommends Paracetamol"


def test_search_context_is_title_then_heading_path_each_once_and_capped() -> None:
    assert search_context("Malaria guide", ["Malaria guide", "Treatment", "  Dosing  in children "]) == (
        "Malaria guide > Treatment > Dosing in children"
    )
    assert search_context("", []) == ""
    long_title = " ".join(f"word{i}" for i in range(100))
    assert len(search_context(long_title, ["Heading"]).split()) == CONTEXT_WORDS


def test_search_text_puts_the_context_above_the_chunk_text() -> None:
    assert (
        search_text("Vaccine guide", ["Storage"], "Keep vials cold.") == "Vaccine guide > Storage\n\nKeep vials cold."
    )
    assert search_text("", [], "Keep vials cold.") == "Keep vials cold."


@given(st.text(alphabet=st.characters(categories=["L", "N", "Zs", "P"]), max_size=80))
def test_american_text_keeps_every_word_boundary(text: str) -> None:
    assert len(words(american_text(text))) == len(words(text))


@pytest.mark.parametrize(
    ("acronym", "text", "expansion"),
    [
        ("NCD", "the prevention and control of noncommunicable diseases 2013–2020", "noncommunicable diseases"),
        ("NCD", "the Prevention and Control of Non-communicable Diseases", "Non communicable Diseases"),
        ("IPC", "national infection prevention and control programmes", "infection prevention and control"),
        ("WHO", "the World Health Organization said", "World Health Organization"),
        ("AMR", "to stem the spread of antimicrobial resistance", "antimicrobial resistance"),
        ("WHO", "which hospitals offer care", None),  # a stopword never opens an expansion
        ("IPC", "infection and prevention", None),  # letters out of order
        ("NTD", "neglected diseases", None),  # a letter missing
    ],
)
def test_an_acronym_is_spelled_out_by_the_initials_of_a_run_of_words(
    acronym: str, text: str, expansion: str | None
) -> None:
    assert acronym_expansion(acronym, text) == expansion


def test_acronyms_support_the_words_they_stand_for_both_ways() -> None:
    assert acronym_stems("Which targets on NCDs were set?", "control of noncommunicable diseases") == {stem("ncds")}
    assert acronym_stems("What about noncommunicable diseases?", "NCDs are rising") == {
        stem("noncommunicable"),
        stem("diseases"),
    }
    assert acronym_stems("What does the plan say?", "NCDs are rising") == set()


def test_a_unit_word_is_supported_by_its_symbol_after_a_figure() -> None:
    assert unit_stems("How many grams of fruit a day?", "at least 400 g of fruit") == {stem("grams")}
    assert unit_stems("What percent of facilities?", "38% of facilities") == {stem("percent")}
    assert unit_stems("How many grams?", "patients in group G") == set()  # no figure before it
    assert unit_stems("How many metres?", "5 mg twice") == set()  # another unit


def test_capitalised_runs_spell_their_acronyms() -> None:
    assert spelled_acronyms("When did the Guidelines Development Group meet?") == ["GDG"]
    assert spelled_acronyms("Infection Prevention and Control at the World Health Assembly and the United Nations") == [
        "IPC",
        "WHA",  # one connecting word is passed over, "and the" ends the run
    ]
    assert spelled_acronyms("Which WHO Member States agreed?") == []  # a stopword and an acronym lend no letter


def test_footnote_marks_are_left_out_and_figures_kept() -> None:
    assert without_footnote_marks("2. URGES Member States:2") == "2. URGES Member States:"
    assert without_footnote_marks("Recalling the Declaration on Diseases,1 which") == (
        "Recalling the Declaration on Diseases, which"
    )
    assert without_footnote_marks("on eye health; 4 Recalling it") == "on eye health;  Recalling it"
    assert without_footnote_marks("Some 39 million; 4 in 5 could be treated, 12 of them") == (
        "Some 39 million; 4 in 5 could be treated, 12 of them"
    )


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("less than 10% of total energy intake (2,5).", "less than 10% of total energy intake."),
        ("as reported [12] and confirmed [13–15] .", "as reported and confirmed."),
        ("in Beijing (22), there were", "in Beijing, there were"),
        ("the tool (15) lists IPC as one of 20 indicators (16).", "the tool lists IPC as one of 20 indicators."),
        ("headaches (6 cases), sore throat (2), myalgia (1) and nausea (1).", None),  # counts
        ("under Article (5) of the Convention", None),  # a designated number
        ("including (1) hand hygiene and (2) masks", None),  # an inline enumeration's counters
        ("an R0 of (2.2) in Wuhan (2020)", None),  # a decimal, a year
        ("as in resolution WHA66.10 (1)", None),  # after a figure: no word's reference
    ],
)
def test_references_to_the_bibliography_are_left_out_of_what_is_shown(text: str, shown: str | None) -> None:
    assert without_reference_marks(text) == (shown or text)
