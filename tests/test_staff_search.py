"""Searching past statements: results grouped by document, more like this, a timeline, meetings as
filters, facets with labels and counts, CSV export (service level, HashEmbedder)."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policykb.core.errors import NotFound
from policykb.core.filters import Filters
from policykb.core.types import SearchHit
from policykb.service.export import csv_filename, results_csv
from policykb.service.grouping import by_date, group_by_document
from policykb.service.knowledge_base import KnowledgeBase
from tests.conftest import CORPUS, make_pdf, make_settings

STATEMENTS = {
    "wha69.txt": "WHA69 – Agenda item 16.1\nStatement by the International Alliance of Patients' Organizations "
    "(IAPO)\n\nThank you, Chair. Access to medicines must be a priority: patients cannot wait for affordable "
    "essential medicines.",
    "wha77.txt": "WHA77 – Agenda item 11.2\nStatement by the International Alliance of Patients' Organizations "
    "(IAPO)\n\nThank you, Chair. Access to medicines remains out of reach for millions of patients. We call on "
    "Member States to make essential medicines affordable.",
    "rc74.txt": "RC74 AFRO – Agenda item 13\nStatement by the International Alliance of Patients' Organizations "
    "(IAPO)\n\nThank you, Chair. In the African Region, access to medicines and to health workers decides "
    "whether patients are treated.",
    "syntax.txt": 'Notes on "access to medicines" (WHO: NOT only AND OR) -- field:value [draft] {x} ~2 ^3 '
    'patients* ? and a lone quote " here.\n\nA second paragraph about vaccines for children in rural clinics.',
}


def write_statements(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in STATEMENTS.items():
        (folder / name).write_text(text)
    return folder


@pytest.fixture(scope="module")
def staff_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    tmp = tmp_path_factory.mktemp("staff")
    shutil.copytree(CORPUS, tmp / "corpus")
    write_statements(tmp / "corpus" / "statements")
    kb = KnowledgeBase(make_settings(tmp))
    kb.ingest([tmp / "corpus"])
    return kb


def _hit(n: int, doc: str, date: str | None = None) -> SearchHit:
    return SearchHit(rowid=n, chunk_id=f"c{n}", doc_id=doc, title=f"T {doc}", source=f"{doc}.txt", doc_type="report",
                     date=date, page=None, organisations=[], language="en", url=None, page_end=None, char_start=0,
                     char_end=1, headings=[], text="x", highlight="x", score=1.0 / n, scores={})  # fmt: skip


# ------------------------------------------------------------------------------------------------ grouping


@given(docs=st.lists(st.sampled_from("abcdef"), max_size=30), k=st.integers(1, 6))
def test_grouping_keeps_rank_order_and_every_passage_of_the_documents_it_keeps(docs: list[str], k: int) -> None:
    hits = [_hit(n, d) for n, d in enumerate(docs, start=1)]
    grouped = group_by_document(hits, k)
    assert [g.doc_id for g in grouped] == list(dict.fromkeys(docs))[:k]
    for g in grouped:
        passages = [g, *g.more]
        assert [p.rowid for p in passages] == [h.rowid for h in hits if h.doc_id == g.doc_id]
    assert all(h.more == [] for h in hits)  # the input is left as it was


def test_timeline_order_puts_undated_last() -> None:
    hits = [_hit(1, "a", "2024"), _hit(2, "b", None), _hit(3, "c", "2016-05"), _hit(4, "d", "2019-01-02")]
    assert [h.doc_id for h in by_date(hits, "oldest")] == ["c", "d", "a", "b"]
    assert [h.doc_id for h in by_date(hits, "newest")] == ["a", "d", "c", "b"]


def test_search_groups_by_document_with_the_other_passages_in_more(staff_kb: KnowledgeBase) -> None:
    passages = staff_kb.search("patients", k=40, group="passage").results
    assert len({h.doc_id for h in passages}) < len(passages)  # several passages of one document rank
    grouped = staff_kb.search("patients", k=5, group="document").results
    assert len(grouped) == 5 and len({g.doc_id for g in grouped}) == 5
    assert any(g.more for g in grouped)
    for g in grouped:
        assert all(p.doc_id == g.doc_id and p.chunk_id != g.chunk_id for p in g.more)
        assert g.score >= max((p.score for p in g.more), default=0)


def test_snippets_are_windows_of_the_passage_with_the_matches(staff_kb: KnowledgeBase) -> None:
    hits = staff_kb.search("anniversary", k=10, group="passage", mode="lexical").results
    long = [h for h in hits if len(h.text) > 600]
    assert long
    for h in long:
        assert "<mark>" in h.snippet and len(h.snippet) < len(h.highlight)


# ------------------------------------------------------------------------------------------------ more like this


def test_more_like_a_passage_full_of_query_syntax(staff_kb: KnowledgeBase) -> None:
    source = next(h for h in staff_kb.search("lone quote field value draft", k=20, group="passage").results
                  if "NOT only AND OR" in h.text)  # fmt: skip
    similar = staff_kb.more_like(chunk_id=source.chunk_id, k=10).results
    assert similar and all(h.chunk_id != source.chunk_id for h in similar)
    # its quoted words are not a phrase constraint: passages without "access to medicines" are found too
    assert any("access to medicines" not in " ".join(h.text.lower().split()) for h in similar)


def test_more_like_a_document_leaves_the_document_out(staff_kb: KnowledgeBase) -> None:
    wha77 = next(d for d in staff_kb.documents() if d.meeting == "WHA77")
    similar = staff_kb.more_like(doc_id=wha77.doc_id, k=5, group="document").results
    assert similar and all(h.doc_id != wha77.doc_id for h in similar)
    assert len({h.doc_id for h in similar}) == len(similar)
    assert similar[0].doc_type == "statement"  # the other statements on access to medicines come first


def test_more_like_an_unknown_id_is_not_found(staff_kb: KnowledgeBase) -> None:
    with pytest.raises(NotFound):
        staff_kb.more_like(chunk_id="no-such-passage")
    with pytest.raises(NotFound):
        staff_kb.more_like(doc_id="0000000000000000")


# ------------------------------------------------------------------------------------------------ meetings, timeline


def test_meetings_are_kept_and_filter_search_and_listing(staff_kb: KnowledgeBase) -> None:
    by_meeting = {d.meeting: d for d in staff_kb.documents() if d.meeting}
    assert set(by_meeting) == {"WHA69", "WHA77", "RC74 AFRO"}
    assert by_meeting["WHA77"].agenda_item == "11.2" and by_meeting["RC74 AFRO"].agenda_item == "13"
    hits = staff_kb.search("access to medicines", k=10, filters=Filters(meeting=["WHA77", "WHA69"])).results
    assert {h.meeting for h in hits} == {"WHA77", "WHA69"}
    only = staff_kb.search("patients", k=10, filters=Filters(agenda_item=["13"]), group="document").results
    assert [h.meeting for h in only] == ["RC74 AFRO"]
    assert [d.meeting for d in staff_kb.documents(Filters(meeting=["RC74 AFRO"]))] == ["RC74 AFRO"]


def test_the_timeline_reads_as_a_history(staff_kb: KnowledgeBase) -> None:
    since = Filters(doc_type=["statement"], date_from="2016")
    oldest = staff_kb.timeline("access to medicines", k=10, filters=since).results
    assert [h.meeting for h in oldest][:1] == ["WHA69"] and len(oldest) == 3
    dates = [h.date or "" for h in oldest]
    assert dates == sorted(dates)
    newest = staff_kb.timeline("access to medicines", k=10, filters=since, order="newest").results
    assert [h.date for h in newest] == sorted(dates, reverse=True)
    assert {h.doc_id for h in newest} == {h.doc_id for h in oldest}


def test_facets_label_and_count_types_and_offer_none_without_documents(staff_kb: KnowledgeBase) -> None:
    facets = staff_kb.facets()
    types = {f.value: (f.label, f.count) for f in facets.doc_types}
    documents = staff_kb.documents()
    assert types["press_release"] == ("Press release", sum(d.doc_type == "press_release" for d in documents))
    assert "toolkit" not in types and all(count > 0 for _, count in types.values())
    assert sum(count for _, count in types.values()) == len(documents)
    counts = [f.count for f in facets.doc_types]
    assert counts == sorted(counts, reverse=True)
    assert [m.value for m in facets.meetings] == ["RC74 AFRO", "WHA77", "WHA69"]


# ------------------------------------------------------------------------------------------------ CSV


def test_csv_is_plain_one_line_cells_with_the_query_and_filters_first(staff_kb: KnowledgeBase) -> None:
    filters = Filters(doc_type=["statement"], date_from="2016", meeting=["WHA77"])
    hits = staff_kb.search('"access to medicines"', k=5, filters=filters, group="document").results
    when = datetime(2026, 11, 23, 10, 5, tzinfo=UTC)
    text = results_csv(hits, '"access to medicines"', filters, now=when)
    first, rest = text.split("\n", 1)
    assert first.startswith('# policykb search: query: "access to medicines"; filters: type=statement; ')
    assert "meeting=WHA77" in first and "from=2016" in first and "2026-11-23 10:05 UTC" in first
    rows = list(csv.reader(io.StringIO(rest)))
    assert rows[0][:4] == ["rank", "title", "type", "date"] and len(rows) == len(hits) + 1
    assert all("\n" not in cell and "<mark>" not in cell for row in rows for cell in row)
    assert rows[1][2] == "Statement" and rows[1][4] == "WHA77"


def test_csv_guards_cells_a_spreadsheet_would_run() -> None:
    hit = _hit(1, "a")
    hit.title, hit.text = '=HYPERLINK("http://x")', "+1 line\nbreak"
    row = list(csv.reader(io.StringIO(results_csv([hit], "q", Filters()).split("\n", 1)[1])))[1]
    assert row[1].startswith("'=") and row[10] == "'+1 line break"


def test_csv_file_names_say_what_and_when() -> None:
    when = datetime(2026, 11, 23, tzinfo=UTC)
    assert csv_filename('"Access to medicines" since 2016', now=when) == (
        "policykb-search-access-to-medicines-since-2016-2026-11-23.csv"
    )
    assert csv_filename("", "timeline", now=when) == "policykb-timeline-all-2026-11-23.csv"
    assert (
        csv_filename("accès aux médicaments — 中文", now=when) == "policykb-search-acces-aux-medicaments-2026-11-23.csv"
    )


def test_a_bibliography_that_shares_the_query_ranks_under_a_passage_that_says_something(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "reading.pdf").write_bytes(make_pdf([
        "References\n1. Smith AB. Indoor residual spraying against malaria. Lancet. 2019;3:1-5.\n"
        "2. Brown D. Indoor residual spraying in Africa. J Trop Med. 2020;12:40-48.\n"
        "3. Green E. Residual spraying and nets. Malar J. 2021;7:10-19.",
    ]))  # fmt: skip
    (folder / "guide.txt").write_text("Spraying the inside walls of houses protects the people who sleep there.")
    kb = KnowledgeBase(make_settings(tmp_path))
    kb.ingest([folder])
    [listing] = [c for d in kb.documents() if d.source.endswith("reading.pdf") for c in kb.chunks(d.doc_id)]
    assert not listing.holds_a_claim() and {s.kind for s in listing.non_prose} >= {"reference"}
    lexical = kb.search("indoor residual spraying", k=5, mode="lexical", group="passage").results
    assert [h.source.rsplit("/", 1)[-1] for h in lexical] == ["guide.txt", "reading.pdf"]  # still found
