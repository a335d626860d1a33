"""WHO governing-body sessions: ordinal words, the session-year rules and which session a document is from."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policykb.ingest.sessions import ORDINAL_WORDS, Session, agenda_item, naming_words, ordinal_value, own_session


@pytest.mark.parametrize(
    ("words", "n"),
    [
        ("first", 1),
        ("Ninth", 9),
        ("tenth", 10),
        ("nineteenth", 19),
        ("twentieth", 20),
        ("Twenty-first", 21),
        ("Sixty-sixth", 66),
        ("SEVENTY-SEVENTH", 77),
        ("seventy-ninth", 79),
        ("sixty sixth", 66),
        ("66th", 66),
        ("152nd", 152),
        ("73rd", 73),
        ("session", None),
        ("sixty", None),
    ],
)
def test_ordinals_in_words_and_digits(words: str, n: int | None) -> None:
    assert ordinal_value(words) == n


def test_every_ordinal_word_from_first_to_ninety_ninth_is_known_once() -> None:
    assert sorted(ORDINAL_WORDS.values()) == list(range(1, 100))


@given(st.integers(min_value=1, max_value=199))
def test_numeric_ordinals_read_back(n: int) -> None:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    assert ordinal_value(f"{n}{suffix}") == n


@pytest.mark.parametrize(
    ("session", "year"),
    [
        (Session("WHA", 1), 1948),
        (Session("WHA", 66), 2013),
        (Session("WHA", 77), 2024),
        (Session("EB", 101), 1998),  # January 1998
        (Session("EB", 118), 2006),  # May 2006
        (Session("EB", 119), 2006),  # special session, November 2006
        (Session("EB", 120), 2007),  # January 2007
        (Session("EB", 132), 2013),  # January 2013
        (Session("EB", 133), 2013),  # May 2013, after WHA66
        (Session("EB", 152), 2023),
        (Session("EB", 154), 2024),  # 22-27 January 2024
        (Session("EB", 155), 2024),
        (Session("RC", 71, "AFRO"), 2021),  # Brazzaville, August 2021
        (Session("RC", 74, "AFRO"), 2024),  # Brazzaville, 26-30 August 2024
        (Session("RC", 68, "EMRO"), 2021),
        (Session("RC", 71, "EMRO"), 2024),  # Doha, 14-17 October 2024
        (Session("RC", 74, "EURO"), 2024),
        (Session("RC", 77, "SEARO"), 2024),
        (Session("RC", 75, "WPRO"), 2024),
        (Session("RC", 76, "AMRO"), 2024),
    ],
)
def test_session_years(session: Session, year: int) -> None:
    assert session.year()[0] == year


def test_uncertain_years_say_so() -> None:
    assert "uncertain" in Session("EB", 90).year()[1]
    assert "uncertain" in Session("RC", 74).year()[1]
    assert "uncertain" not in Session("EB", 154).year()[1]
    assert "uncertain" not in Session("RC", 74, "AFRO").year()[1]


def test_session_labels() -> None:
    assert Session("WHA", 77).label == "WHA77"
    assert Session("EB", 154).label == "EB154"
    assert Session("RC", 74, "AFRO").label == "RC74 AFRO"


@pytest.mark.parametrize(
    ("title", "head", "label"),
    [
        ("WHA66.10 Follow-up to the Political Declaration", "", "WHA66"),
        ("", "The Sixty-sixth World Health Assembly,\nHaving considered the report;", "WHA66"),
        ("", "SEVENTY-SEVENTH WORLD HEALTH ASSEMBLY\nAgenda item 11.2", "WHA77"),
        ("", "Statement\nWHA77 – Agenda item 11.2", "WHA77"),
        ("", "EXECUTIVE BOARD\n152nd session\nProvisional agenda item 5", "EB152"),
        ("", "154th session of the Executive Board\nAgenda item 7", "EB154"),
        ("", "EB154/12\n12 January 2024", "EB154"),
        ("", "REGIONAL COMMITTEE FOR AFRICA\nSeventy-fourth session", "RC74 AFRO"),
        ("", "Seventy-fourth session of the WHO Regional Committee for Africa", "RC74 AFRO"),
        ("", "EM/RC71/3\nSeventy-first session", "RC71 EMRO"),
        ("Statement of IAPO at RC74 AFRO", "", "RC74 AFRO"),
    ],
)
def test_own_session_from_title_and_head(title: str, head: str, label: str) -> None:
    found = own_session(title, head)
    assert found is not None and found.session.label == label


@pytest.mark.parametrize(
    "head",
    [
        # Sessions cited in running text are other sessions, not the document's.
        "Recalling resolution WHA65.22, which requested the Director-General to hold an open-ended meeting",
        "(3) to report, through the Executive Board, to the Seventy-third World Health Assembly on progress made "
        "during the period of the Twelfth General Programme of Work, 2014–2019, in consultation with Member States "
        "and partners, and annually thereafter.",
        "Guidelines on core components of infection prevention and control programmes",
    ],
)
def test_sessions_cited_in_running_text_are_not_the_documents(head: str) -> None:
    assert own_session("", head) is None


def test_agenda_item() -> None:
    assert agenda_item("WHA77\nAgenda item 11.2: Universal health coverage") == "11.2"
    assert agenda_item("Provisional agenda item 5") == "5"
    assert agenda_item("no item here") is None


def test_the_words_naming_a_resolution_are_those_of_its_symbol() -> None:
    assert naming_words("What does resolution WHA66.4 endorse?") == ["resolution", "WHA66", "4"]
    assert naming_words("How does decision EB130.R7 relate to AFR/RC74/R2?") == [
        "decision",
        "EB130",
        "R7",
        "AFR",
        "RC74",
        "R2",
    ]
    assert naming_words("What does WHA66.10 say about the 10 targets?") == ["WHA66"]  # "10" is asked about too
    assert naming_words("What does WHO recommend?") == []
