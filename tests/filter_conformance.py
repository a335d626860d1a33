"""The filter conformance check, reusable by any encoding of the filter semantics.

An encoding is a function `select_rows(filters) -> set[int]` over an index built from `DOCUMENTS`-like
rows; `assert_filter_conformance` checks that it selects exactly the rows that the reference,
`policykb.core.filters.document_matches_filter`, accepts. A storage backend's contract suite calls it with
its own encoding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import strategies as st

from policykb.core.filters import Filters, document_matches_filter


@dataclass(frozen=True)
class FilterRow:
    """What the filters see of one indexed chunk."""

    rowid: int
    doc_type: str
    organisations: tuple[str, ...]
    language: str
    source: str
    date: str | None
    meeting: str | None = None
    agenda_item: str | None = None


def reference_rows(rows: list[FilterRow], filters: Filters) -> set[int]:
    return {
        r.rowid
        for r in rows
        if document_matches_filter(
            filters, r.doc_type, list(r.organisations), r.language, r.source, r.date, r.meeting, r.agenda_item
        )
    }


def assert_filter_conformance(
    select_rows: Callable[[Filters], set[int]], rows: list[FilterRow], filters: Filters, encoding: str
) -> None:
    expected = reference_rows(rows, filters)
    got = select_rows(filters)
    assert got == expected, (
        f"{encoding} disagrees with the reference for {filters}: "
        f"extra {sorted(got - expected)}, missing {sorted(expected - got)}"
    )


# ------------------------------------------------------------------------------------------------ strategies

DOC_TYPES = ["report", "statement", "toolkit", "press_release"]
ORGS = ["WHO", "IAPO", "IFPMA", "IEEPO", "UN"]
LANGUAGES = ["en", "fr", "es"]
FOLDERS = ["who", "who/wha", "who/wha/66", "iapo", "iapo/reports", "reports"]
MEETINGS = ["WHA77", "WHA76", "EB154", "RC74 AFRO"]
AGENDA_ITEMS = ["11.2", "13", "3"]


@st.composite
def dates(draw: st.DrawFn) -> str | None:
    year = draw(st.integers(2018, 2024))
    precision = draw(st.sampled_from(["none", "year", "month", "day"]))
    if precision == "none":
        return None
    if precision == "year":
        return f"{year}"
    month = draw(st.integers(1, 12))
    if precision == "month":
        return f"{year}-{month:02d}"
    return f"{year}-{month:02d}-{draw(st.integers(1, 28)):02d}"


@st.composite
def filter_rows(draw: st.DrawFn) -> list[FilterRow]:
    n = draw(st.integers(1, 25))
    rows = []
    for rowid in range(1, n + 1):
        folder = draw(st.sampled_from(["", *FOLDERS]))
        name = draw(st.sampled_from(["a.pdf", "b.txt", "wha.pdf"]))
        rows.append(
            FilterRow(
                rowid=rowid,
                doc_type=draw(st.sampled_from(DOC_TYPES)),
                organisations=tuple(draw(st.lists(st.sampled_from(ORGS), max_size=3, unique=True))),
                language=draw(st.sampled_from(LANGUAGES)),
                source=f"{folder}/{name}" if folder else name,
                date=draw(dates()),
                meeting=draw(st.one_of(st.none(), st.sampled_from(MEETINGS))),
                agenda_item=draw(st.one_of(st.none(), st.sampled_from(AGENDA_ITEMS))),
            )
        )
    return rows


@st.composite
def filters(draw: st.DrawFn) -> Filters:
    """Every field, each often left open; values include ones no row has (they match nothing). A date range
    is never empty (from after to is a FilterError, which test_filters_conformance checks on its own)."""
    some = st.lists
    date_from, date_to = draw(st.one_of(st.none(), dates())), draw(st.one_of(st.none(), dates()))
    if date_from and date_to and Filters(date_from=date_from).bounds()[0] > Filters(date_to=date_to).bounds()[1]:
        date_from, date_to = date_to, date_from
    return Filters(
        doc_type=draw(some(st.sampled_from([*DOC_TYPES, "guideline"]), max_size=2)),
        organisation=draw(some(st.sampled_from([*ORGS, "NOBODY"]), max_size=3)),
        language=draw(some(st.sampled_from([*LANGUAGES, "de"]), max_size=2)),
        date_from=date_from,
        date_to=date_to,
        source=draw(
            st.one_of(st.none(), st.sampled_from([*FOLDERS, "who/", "/iapo", "wh", "who/wha/66/a.pdf", "b.txt"]))
        ),
        meeting=draw(some(st.sampled_from([*MEETINGS, "WHA", "RC74"]), max_size=2)),
        agenda_item=draw(some(st.sampled_from([*AGENDA_ITEMS, "11"]), max_size=2)),
    )
