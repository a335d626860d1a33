"""Retrieval: acceptance queries, exact phrases, filters, date sort, deletes and updates, live reindex."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from policykb.core.errors import FilterError
from policykb.core.filters import Filters, document_matches_filter
from policykb.service.knowledge_base import KnowledgeBase
from tests.conftest import make_settings


def test_quarter_century_finds_the_25th_anniversary(sample_kb: KnowledgeBase) -> None:
    top = sample_kb.search("quarter century celebration", k=3).results
    assert top[0].source == "iapo-2024-activities-report.txt"
    assert any("25th anniversary" in h.text or "quarter century" in h.text for h in top[:1])


def test_paraphrase_without_shared_keywords_is_found_by_dense(sample_kb: KnowledgeBase) -> None:
    hits = sample_kb.search("pharmaceutical companies and patient associations agree how to work together", k=3)
    assert hits.results[0].source == "ifpma-iapo-note-for-guidance-2020.txt"


def test_quoted_phrase_returns_only_exact_matches(sample_kb: KnowledgeBase) -> None:
    hits = sample_kb.search('"The Power of Community"', k=10).results
    assert hits
    assert all("power of community" in h.text.lower() for h in hits)
    assert "<mark>the power of community</mark>" in hits[0].highlight.lower()  # the phrase as a whole
    assert "<mark>power</mark>" not in hits[0].highlight.lower()


def test_filters_by_type_org_date_and_source(sample_kb: KnowledgeBase) -> None:
    only_press = sample_kb.search("patients", k=20, filters=Filters(doc_type=["press_release"])).results
    assert only_press and {h.doc_type for h in only_press} == {"press_release"}
    ieepo = sample_kb.search("healthcare", k=20, filters=Filters(organisation=["IEEPO"])).results
    assert ieepo and {h.source for h in ieepo} == {"ieepo-2023-uniting-in-action.txt"}
    dated = sample_kb.search("patients", k=20, filters=Filters(date_from="2020", date_to="2023-12")).results
    assert dated and {h.date for h in dated} <= {"2020-03-17", "2023-03-15"}
    by_source = sample_kb.search("patients", k=20, filters=Filters(source="iapg-roundtable-2016.txt")).results
    assert by_source and {h.source for h in by_source} == {"iapg-roundtable-2016.txt"}
    assert sample_kb.search("patients", filters=Filters(doc_type=["toolkit"])).results == []
    with pytest.raises(FilterError):
        sample_kb.search("patients", filters=Filters(date_from="last spring"))


def test_sort_by_date_puts_newest_first(sample_kb: KnowledgeBase) -> None:
    hits = sample_kb.search("patient organisations", k=10, sort="date").results
    dates = [h.date or "" for h in hits]
    assert dates == sorted(dates, reverse=True)
    assert dates[0].startswith("2024")


def test_json_fields_and_page(sample_kb: KnowledgeBase) -> None:
    hit = sample_kb.search("IFPMA Code of Practice", k=1).results[0]
    assert hit.page is None  # text files have no pages
    document = sample_kb.document(hit.doc_id)
    assert document is not None and document.text[hit.char_start : hit.char_end] == hit.text


def test_pdf_hits_carry_their_physical_page(kb: KnowledgeBase, tmp_path: Path) -> None:
    from tests.conftest import make_pdf

    folder = tmp_path / "pdfs"
    folder.mkdir()
    (folder / "g.pdf").write_bytes(
        make_pdf(
            ["Cover page words about the annual programme. " * 30, "Tuberculosis screening guidance appears here."]
        )
    )
    kb.ingest([folder])
    hit = kb.search("tuberculosis screening", k=1).results[0]
    assert hit.page == 2


def test_delete_and_update_leave_nothing_stale(kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Zanzibar malaria statement delivered at the assembly. " * 10)
    (folder / "b.txt").write_text("Quokka vaccination guidance for member states. " * 10)
    kb.ingest([folder])
    assert kb.search("zanzibar", mode="lexical").results
    doc_a = next(d for d in kb.documents() if d.source == "a.txt")
    assert kb.delete(doc_a.doc_id)
    for mode in ("lexical", "dense", "hybrid"):
        assert all(h.doc_id != doc_a.doc_id for h in kb.search("zanzibar malaria", mode=mode).results)
    (folder / "a.txt").unlink()
    (folder / "b.txt").write_text("Platypus vaccination guidance for member states. " * 10)
    kb.ingest([folder])
    assert kb.search("quokka", mode="lexical").results == []
    assert all("Quokka" not in h.text for h in kb.search("quokka vaccination", mode="dense", k=20).results)
    assert kb.search("platypus", mode="lexical").results


def test_the_passages_beside_a_hit_come_from_the_snapshot_searched(kb: KnowledgeBase, tmp_path: Path) -> None:
    """A hit's next and previous passages are read from the snapshot the hit came from; once another is published the row
    ids may name other chunks, so none is given rather than a wrong one."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "\n\n".join(f"Paragraph {n} about quokka vaccination in Zanzibar. " * 6 for n in range(4))
    )
    kb.ingest([folder])
    response = kb.search("quokka vaccination", k=2)
    following = kb.searcher.following(response, response.results)
    chunks = kb.chunks(response.results[0].doc_id)
    assert len(chunks) > 1 and following
    for hit in response.results:
        ordinal = next(c.ordinal for c in chunks if c.chunk_id == hit.chunk_id)
        if ordinal + 1 < len(chunks):
            assert following[hit.chunk_id].chunk_id == chunks[ordinal + 1].chunk_id
            assert following[hit.chunk_id].text == chunks[ordinal + 1].text
        else:
            assert hit.chunk_id not in following
    preceding = kb.searcher.preceding(response, response.results)
    assert preceding  # two hits of one document: one of them is not its first passage
    for hit in response.results:
        ordinal = next(c.ordinal for c in chunks if c.chunk_id == hit.chunk_id)
        if ordinal > 0:
            assert preceding[hit.chunk_id].chunk_id == chunks[ordinal - 1].chunk_id
        else:
            assert hit.chunk_id not in preceding
    (folder / "b.txt").write_text("Platypus guidance for member states.")
    kb.ingest([folder])
    assert kb.searcher.following(response, response.results) == {}
    assert kb.searcher.preceding(response, response.results) == {}


def test_ingest_while_searching_gives_no_errors_and_no_mixed_results(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()

    def write(word: str) -> None:
        for i in range(6):
            (folder / f"d{i}.txt").write_text(f"{word} statement number {i} on patient safety. " * 15)

    write("alpha")
    writer_kb = KnowledgeBase(make_settings(tmp_path))
    writer_kb.ingest([folder])
    reader_kb = KnowledgeBase(make_settings(tmp_path))
    errors: list[BaseException] = []
    seen: set[str] = set()
    searches = [0]  # completed searches, over all readers
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                response = reader_kb.search("alpha beta statement", k=20, mode="lexical")
                words = {("alpha" if "alpha" in h.text else "beta") for h in response.results}
                assert len(words) == 1, f"mixed generations in one response: {words}"
                seen.update(words)
                searches[0] += 1
            except BaseException as exc:
                errors.append(exc)
                return

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for round_ in range(4):
        write("beta" if round_ % 2 == 0 else "alpha")
        writer_kb.ingest([folder])
        published_after = searches[0] + len(threads)  # some search then began after the new generation went live
        deadline = time.monotonic() + 30
        while searches[0] <= published_after and not errors and time.monotonic() < deadline:
            time.sleep(0.01)
    stop.set()
    for t in threads:
        t.join()
    assert not errors, errors
    assert seen == {"alpha", "beta"}  # each reader response came whole from one generation, and both were seen


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(date_from="2024-06-01"), True),  # a document dated 2024 covers the whole year
        (Filters(date_to="2023"), False),
        (Filters(date_from="2024", date_to="2024"), True),
        (Filters(doc_type=["report", "toolkit"], organisation=["WHO", "IAPO"]), True),
        (Filters(language=["fr"]), False),
        (Filters(source="reports"), True),
        (Filters(source="report"), False),  # a folder prefix matches whole path segments only
    ],
)
def test_document_filter_semantics(filters: Filters, expected: bool) -> None:
    assert document_matches_filter(filters, "report", ["IAPO"], "en", "reports/2024/annual.pdf", "2024") is expected
    assert not document_matches_filter(Filters(date_from="2000"), "report", [], "en", "x.txt", None)  # undated out
