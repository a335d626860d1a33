"""The index encodings of the filters (tantivy query, numpy row mask) select exactly the rows that the
reference semantics accept, on generated documents and filters."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np
import pytest
import tantivy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policykb.core.errors import FilterError
from policykb.core.filters import Filters, document_matches_filter
from policykb.core.types import Chunk
from policykb.index.filters import row_mask, tantivy_filter_queries
from policykb.index.generation import FORMAT, Generation, _write_arrays, _write_dense, _write_lexical
from policykb.index.storage.base import ChunkRow
from tests.filter_conformance import FilterRow, assert_filter_conformance, filter_rows, filters

Selector = Callable[[Filters], set[int]]


def build_generation(folder: Path, rows: list[FilterRow]) -> Generation:
    """A real generation folder (tantivy index with the project's schema, filter columns, a flat FAISS index)."""
    chunk_rows = [
        ChunkRow(
            rowid=r.rowid,
            chunk=Chunk(f"c{r.rowid}", f"d{r.rowid}", 0, f"text {r.rowid}", 0, 6, None, None),
            title="t",
            source=r.source,
            doc_type=r.doc_type,
            date=r.date,
            organisations=list(r.organisations),
            language=r.language,
            url=None,
            meeting=r.meeting,
            agenda_item=r.agenda_item,
        )
        for r in rows
    ]
    vectors = np.random.default_rng(0).random((len(rows), 4), dtype=np.float32)
    _write_dense(folder / "dense.faiss", chunk_rows, vectors, exact_max=1000)
    _write_lexical(folder / "lexical", chunk_rows)
    _write_arrays(folder, chunk_rows)
    (folder / "manifest.json").write_text(json.dumps({"name": "000001", "format": FORMAT}))
    return Generation(folder, threads=1, nprobe=1)


def tantivy_rows(g: Generation) -> Selector:
    def select(f: Filters) -> set[int]:
        clauses = [(tantivy.Occur.Must, tantivy.Query.all_query())]
        clauses += [(tantivy.Occur.Must, q) for q in tantivy_filter_queries(g.schema, f)]
        hits = g.searcher.search(tantivy.Query.boolean_query(clauses), limit=g.size + 1).hits
        return {int(r) for r in g.searcher.fast_field_values("rowid", [address for _, address in hits])}

    return select


def mask_rows(g: Generation) -> Selector:
    def select(f: Filters) -> set[int]:
        mask = row_mask(g, f)
        return {int(r) for r in (g.rowid if mask is None else g.rowid[mask])}

    return select


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=filter_rows(), cases=st.lists(filters(), min_size=1, max_size=12))
def test_tantivy_and_mask_select_what_the_reference_accepts(rows: list[FilterRow], cases: list[Filters]) -> None:
    with TemporaryDirectory(ignore_cleanup_errors=True) as tmp:  # a tantivy reader may relock as the folder goes
        g = build_generation(Path(tmp), rows)
        for f in cases:
            assert_filter_conformance(tantivy_rows(g), rows, f, "tantivy query")
            assert_filter_conformance(mask_rows(g), rows, f, "numpy row mask")


def test_hand_picked_cases_of_the_reference_and_both_encodings() -> None:
    """Written-down answers (docs/filters.md): folders match whole segments, partial dates cover their period,
    undated rows fall out under any date bound, empty filters select everything."""
    rows = [
        FilterRow(1, "report", ("WHO", "IAPO"), "en", "who/wha/a.pdf", "2024"),
        FilterRow(2, "statement", (), "fr", "iapo/b.txt", "2019-03-02", "WHA72", "11.2"),
        FilterRow(3, "report", ("IAPO",), "en", "who/b.txt", None, "RC74 AFRO"),
    ]
    cases = [
        (Filters(organisation=["IAPO"]), {1, 3}),
        (Filters(source="who"), {1, 3}),
        (Filters(source="/who/wha/"), {1}),
        (Filters(source="wh"), set()),
        (Filters(date_from="2024-06"), {1}),
        (Filters(date_to="2019-03"), {2}),
        (Filters(date_from="2019-03-03", date_to="2023"), set()),
        (Filters(doc_type=["report"], language=["en"], date_to="2030"), {1}),
        (Filters(), {1, 2, 3}),
        (Filters(meeting=["WHA72"]), {2}),
        (Filters(meeting=["RC74 AFRO", "WHA72"], agenda_item=["11.2"]), {2}),
        (Filters(meeting=["WHA"]), set()),
        (Filters(agenda_item=["11"]), set()),
        (Filters(meeting=["RC74 AFRO"], doc_type=["report"]), {3}),
    ]
    with TemporaryDirectory(ignore_cleanup_errors=True) as tmp:  # a tantivy reader may relock as the folder goes
        g = build_generation(Path(tmp), rows)
        for f, expected in cases:
            assert {r.rowid for r in rows if document_matches_filter(f, r.doc_type, list(r.organisations), r.language,
                                                                     r.source, r.date, r.meeting,
                                                                     r.agenda_item)} == expected, f  # fmt: skip
            assert_filter_conformance(tantivy_rows(g), rows, f, "tantivy query")
            assert_filter_conformance(mask_rows(g), rows, f, "numpy row mask")


def test_a_malformed_date_is_an_error_in_every_encoding(tmp_path: Path) -> None:
    g = build_generation(tmp_path, [FilterRow(1, "report", (), "en", "a.txt", "2024")])
    bad = Filters(date_to="last spring")
    with pytest.raises(FilterError):
        document_matches_filter(bad, "report", [], "en", "a.txt", "2024")
    with pytest.raises(FilterError):
        tantivy_filter_queries(g.schema, bad)
    with pytest.raises(FilterError):
        row_mask(g, bad)


@pytest.mark.parametrize(
    ("date_from", "date_to"), [("2020", "2010"), ("2024-06", "2024-05-31"), ("2024-03-02", "2024-03-01")]
)
def test_an_empty_date_range_is_an_error_in_every_encoding(tmp_path: Path, date_from: str, date_to: str) -> None:
    """From after to selects nothing by intent: it is refused like a malformed date, never an empty result."""
    g = build_generation(tmp_path, [FilterRow(1, "report", (), "en", "a.txt", "2024")])
    empty = Filters(date_from=date_from, date_to=date_to)
    with pytest.raises(FilterError, match="the date range is empty"):
        empty.check()
    with pytest.raises(FilterError):
        document_matches_filter(empty, "report", [], "en", "a.txt", "2024")
    with pytest.raises(FilterError):
        tantivy_filter_queries(g.schema, empty)
    with pytest.raises(FilterError):
        row_mask(g, empty)
    assert Filters(date_from="2024-03", date_to="2024").check().bounds() == (20240301, 20241231)  # one month: fine
