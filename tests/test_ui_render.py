"""The UI's HTML renderers: document text is always escaped, chips and result lists say what they link to."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from policykb.core.filters import Filters
from policykb.core.types import Chunk, Citation, DocumentInfo, RelatedDocument, SearchHit
from policykb.service import reading
from policykb.ui import render
from policykb.ui.library import tables
from policykb.ui.search import SORTS, VIEWS, _csv_file

SCRIPT = "<script>alert('x')</script>"


def _citation(**overrides: object) -> Citation:
    values: dict = dict(n=2, chunk_id="c1", doc_id="d" * 16, title="Report <b>2024</b>", source="r.pdf",
                        doc_type="report", date="2024-05-01", page=3, quote="", char_start=110, char_end=120)  # fmt: skip
    values.update(overrides)
    return Citation(**values)


def _chunk(text: str, start: int = 100) -> Chunk:
    return Chunk("c1", "d" * 16, 0, text, start, start + len(text), 3, 3)


def _hit(n: int, **overrides: object) -> SearchHit:
    values: dict = dict(rowid=n, chunk_id=f"c{n}", doc_id="d" * 16, title=f"Title {n} {SCRIPT}", source="a.txt",
                        doc_type="statement", date=None, organisations=[], language="en", url=None, page=None,
                        page_end=None, char_start=0, char_end=10, headings=[], text=f"text {n}",
                        highlight=f"&lt;b&gt; <mark>text</mark> {n}", score=1.0, scores={},
                        snippet=f"&lt;i&gt; <mark>snippet</mark> {n}")  # fmt: skip
    values.update(overrides)
    return SearchHit(**values)


def _text_outside_tags(fragment: str, tags: tuple[str, ...]) -> str:
    for tag in tags:
        fragment = fragment.replace(tag, "")
    return fragment


@given(st.text(max_size=80), st.integers(0, 40), st.integers(0, 40))
def test_a_passage_shows_any_document_text_as_text(text: str, a: int, b: int) -> None:
    a, b = sorted((min(a, len(text)), min(b, len(text))))
    shown = render.passage_html(_citation(char_start=100 + a, char_end=100 + b), _chunk(text))
    body = shown.split('<div class="passage-text">', 1)[1].rsplit("</div></section>", 1)[0]
    tags = ("<mark>", "</mark>", "<p>", "</p>", "<ul>", "</ul>", "<li>", "</li>")
    assert "<" not in _text_outside_tags(body, tags)
    assert body.count("<mark>") == body.count("</mark>") <= body.count("<p>") + body.count("<li>")
    if text[a:b].strip():
        assert body.count("<mark>") >= 1


def test_a_passage_marks_the_quote_and_links_to_its_page() -> None:
    text = f"Before {SCRIPT} the quoted span after."
    start = 100 + text.index("the quoted span")
    shown = render.passage_html(_citation(char_start=start, char_end=start + 15), _chunk(text))
    assert "<script>" not in shown and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in shown
    assert "<mark>the quoted span</mark>" in shown
    assert "Report &lt;b&gt;2024&lt;/b&gt;" in shown and "page 3" in shown
    assert f'href="/v1/documents/{"d" * 16}/file#page=3"' in shown and "open the original at page 3" in shown
    assert "no longer in the knowledge base" in render.passage_html(_citation(), None)


def test_chip_labels_say_what_they_point_to() -> None:
    title = "International Alliance of Patients' Organizations: 2024 Activities Report"
    quote = "We celebrated Patient Solidarity Day on 9 December 2024 under the theme"
    labels = render.chip_labels([
        _citation(n=1, title=title, page=7, quote=quote),
        _citation(n=2, title=title, page=9, quote="Second quote."),
        _citation(n=3, title=title, page=7, quote="Third quote on the same page."),
        _citation(n=4, doc_id="e" * 16, title="x" * 80, page=None, quote="Undated text."),
        _citation(n=5, doc_id="e" * 16, title="x" * 80, page=None, quote="More of it."),
    ])  # fmt: skip
    assert labels[0] == "[1] 2024 Activities Report, p. 7 — “We celebrated Patient Solidarity Day on 9 December…”"
    assert labels[1] == "[2] 2024 Activities Report, p. 9 — “Second quote.”"
    assert labels[2] == "[3] 2024 Activities Report, p. 7 (same page as [1]) — “Third quote on the same page.”"
    assert labels[3] == "[4] " + "x" * 47 + "… — “Undated text.”"
    assert labels[4].startswith("[5] " + "x" * 47 + "… (same document as [4]) — ")
    over = render.chip_labels([_citation(n=1, title=title, page=3, page_end=4, quote="A quote over the page break.")])
    assert over == ["[1] 2024 Activities Report, pp. 3–4 — “A quote over the page break.”"]


def test_a_text_passage_links_to_the_reading_view_at_the_quote() -> None:
    text = "Intro line.\n\n- First item\n  wrapped on.\n- Second item"
    citation = _citation(source="r.txt", page=None, char_start=100 + text.index("First"), char_end=100 + len(text))
    shown = render.passage_html(citation, Chunk("c1", "d" * 16, 0, text, 100, 100 + len(text), None, None,
                                                ["Part 1", "Goals"]))  # fmt: skip
    assert (
        "<p>Intro line.</p><ul><li><mark>First item wrapped on.</mark></li><li><mark>Second item</mark></li></ul>"
        in shown
    )
    assert "Part 1 › Goals" in shown and "open the original at the passage" in shown
    assert (
        f'href="/v1/documents/{"d" * 16}/read?start={citation.char_start}&amp;end={citation.char_end}#chunk-c1"'
        in shown
    )


def test_the_search_page_says_what_a_misspelt_word_was_read_as() -> None:
    note = render.corrections_note({"carageenan": "carrageenan", "<b>x": "y"})
    assert note.startswith('<p class="meta" id="corrections-note">No passage holds the words as typed; read')
    assert "“carageenan” as “carrageenan”" in note and "<b>" not in note  # escaped
    assert render.corrections_note({}) == ""


def test_chat_text_keeps_apostrophes_and_escapes_markup() -> None:
    assert render.chat_text('IAPO\'s <b>view</b> & "more"') == 'IAPO\'s &lt;b&gt;view&lt;/b&gt; &amp; "more"'


@given(st.integers(0, 10_000))
def test_ticks_are_integers_from_zero_reaching_the_largest(largest: int) -> None:
    ticks = render.ticks(largest)
    assert ticks[0] == 0 and ticks[-1] >= largest and len(ticks) <= 5
    assert all(b > a for a, b in pairwise(ticks))


def test_charts_start_at_zero_and_a_single_value_is_a_table() -> None:
    chart = render.bars_html("Documents by type", [("report", 3), ("toolkit", 1), ("<x>", 2)], "chart-type")
    assert chart.count('class="bar"') == 3 and "width: 100.0%" in chart and "width: 33.3%" in chart
    assert '<span class="tick" style="left: 0.0%">0</span>' in chart and "&lt;x&gt;" in chart
    single = render.bars_html("Documents by year", [("2024", 5)], "chart-year")
    assert "<table>" in single and 'class="bar"' not in single and "<td>5</td>" in single


def test_results_escape_titles_and_show_snippets_with_their_marks() -> None:
    shown = render.results_html([_hit(1), _hit(2, date="2023-01-02", page=4, source="b.pdf", meeting="WHA77",
                                                agenda_item="11.2")])  # fmt: skip
    assert "<script>" not in shown and shown.count('<div class="result">') == 2
    assert shown.index("1. Title 1") < shown.index("2. Title 2")
    assert "<mark>snippet</mark>" in shown and "&lt;i&gt;" in shown and "<mark>text</mark>" not in shown
    assert "Statement · undated" in shown and "Statement · 2023-01-02 · WHA77, agenda item 11.2 · p. 4" in shown
    assert "file#page=4" in shown and "more-passages" not in shown
    assert render.results_html([]) == "<p>No results.</p>"


def test_a_documents_other_passages_fold_out_under_its_best() -> None:
    best = _hit(1, more=[_hit(2, page=7, source="a.pdf"), _hit(3)])
    shown = render.results_html([best])
    assert shown.count('<div class="result">') == 1
    assert '<details class="more-passages"><summary>2 more passages in this document</summary>' in shown
    assert shown.count("<li>") == 2 and "p. 7" in shown
    assert "1 more passage in this document<" in render.results_html([_hit(1, more=[_hit(2)])])


def test_the_timeline_puts_a_heading_over_each_year() -> None:
    shown = render.timeline_html([_hit(1, date="2016"), _hit(2, date="2016-05-01"), _hit(3, date="2024-01-02"),
                                  _hit(4)])  # fmt: skip
    years = [part.split("<", 1)[0] for part in shown.split('<h3 class="timeline-year">')[1:]]
    assert years == ["2016", "2024", "Undated"]
    assert shown.index("2016") < shown.index("1. Title 1") < shown.index("2. Title 2") < shown.index("2024")


def test_result_choices_offer_each_passage_and_its_document() -> None:
    choices = render.result_choices([_hit(1), _hit(2, date="2023-01-02", doc_id="e" * 16)])
    assert [value for _, value in choices] == ["chunk:c1", "doc:" + "d" * 16, "chunk:c2", "doc:" + "e" * 16]
    assert choices[2][0].startswith("2. Passages like this one: Title 2") and choices[2][0].endswith("(2023-01-02)")
    assert choices[3][0].startswith("2. Documents like this one: Title 2")
    assert [value for _, value in SORTS] == ["relevance", "date"]
    assert [value for _, value in VIEWS] == ["document", "passage", "timeline"]


def test_related_documents_are_escaped_and_linked() -> None:
    related = [
        RelatedDocument(
            doc_id="d" * 16,
            title=SCRIPT,
            source="a.pdf",
            doc_type="report",
            date=None,
            page=2,
            chunk_id="c1",
            snippet="snippet <i>x</i>",
        )
    ]
    shown = render.related_html(related)
    assert shown.startswith('<div id="related-docs">') and shown.count("<li>") == 1
    assert "<script>" not in shown and "<i>" not in shown and "file#page=2" in shown
    assert render.related_html([]) == ""


def test_compact_drops_runs_of_blank_lines() -> None:
    assert render.compact("  a\n\n \n\tb\nc  ") == "a\nb\nc"


def test_library_tables_count_by_type_and_year() -> None:
    def doc(n: int, doc_type: str, date: str | None) -> DocumentInfo:
        return DocumentInfo(str(n), f"{n}.txt", f"{n}.txt", f"Doc {n}", doc_type, date, ["IAPO"], "en", None, "", "txt")

    docs = [doc(1, "report", "2024-01-01"), doc(2, "press_release", None), doc(3, "press_release", "2023")]
    table, counted = tables(docs)
    assert list(table["title"]) == ["Doc 1", "Doc 2", "Doc 3"]
    assert list(table["type"]) == ["Report", "Press release", "Press release"]
    assert counted["type"] == [("Press release", 2), ("Report", 1)]
    assert counted["year"] == [("2023", 1), ("2024", 1)]
    assert counted["organisation"] == [("IAPO", 3)]


def test_the_ingest_report_is_readable() -> None:
    doc = DocumentInfo("d" * 16, "n.txt", "/x/n.txt", "Alliance: Vaccine access note", "statement", None, [], "en",
                       None, "", "txt")  # fmt: skip
    report = {"added": ["n.txt"], "updated": [], "unchanged": ["a.txt", "b.txt"],
              "failed": [{"path": "bad.pdf", "error": "encrypted <PDF>"}], "seconds": 1.25}  # fmt: skip
    shown = render.report_html(report, [doc])
    assert "1 added · 0 updated · 2 unchanged · 1 failed" in shown
    assert f'href="/v1/documents/{"d" * 16}/read"' in shown and "Vaccine access note" in shown
    assert "bad.pdf: encrypted &lt;PDF&gt;" in shown and "Try a question about it" in shown


def test_progress_shows_percent_rate_and_time_left() -> None:
    shown = render.progress_html("running", "embeddings", 30, 120, 15.0)
    assert 'value="25"' in shown and "25%" in shown and "30/120 chunks" in shown
    assert "15.0 chunks/s" in shown and "about 6 s left" in shown


@given(st.text(alphabet=st.sampled_from("ab -•1.\n\t<&"), max_size=120))
def test_blocks_are_ordered_disjoint_and_keep_every_word(text: str) -> None:
    found = reading.blocks(text)
    assert all(0 <= b.start < b.end <= len(text) for b in found)
    assert all(a.end <= b.start for a, b in pairwise(found))
    inside = "".join(text[b.start : b.end] for b in found)
    assert inside.count("a") + inside.count("b") == text.count("a") + text.count("b")


def test_blocks_read_paragraphs_and_list_items() -> None:
    text = "Title line\nwrapped.\n\n- ◆ First\n  continued\n2. Second\n\nAfter."
    kinds = [(b.kind, " ".join(text[b.start : b.end].split())) for b in reading.blocks(text)]
    assert kinds == [("paragraph", "Title line wrapped."), ("item", "First continued"), ("item", "Second"),
                     ("paragraph", "After.")]  # fmt: skip
    assert reading.readable("[our site](https://x.org/a) and \\(this\\)") == "our site and (this)"


def test_block_kinds_from_ingest_show_as_headings_tables_and_captions() -> None:
    text = "Results\n\nName | Count\nA | 1\n\nFigure 2 Clinics per region\n\nNorth\nSouth\nEast"
    at = text.index
    spans = [(0, 7, "heading"), (at("Name"), at("| 1") + 3, "table"), (at("Figure"), at("North") - 2, "caption"),
             (at("North"), len(text), "table")]  # fmt: skip
    count = text.index("Count")
    shown = reading.blocks_html(text, (count, count + 5), spans)
    assert shown == (
        "<h3>Results</h3>"
        '<table class="passage-table"><tbody><tr><td>Name</td><td><mark>Count</mark></td></tr>'
        "<tr><td>A</td><td>1</td></tr></tbody></table>"
        "<figcaption>Figure 2 Clinics per region</figcaption>"
        '<table class="passage-table"><tbody><tr><td>North</td><td>South</td><td>East</td></tr></tbody></table>'
    )


def test_the_csv_export_is_named_after_the_query_and_records_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = Path(_csv_file([_hit(1), _hit(2)], "access to medicines", Filters(doc_type=["statement"]), "search") or "")
    assert re.fullmatch(r"policykb-search-access-to-medicines-\d{4}-\d{2}-\d{2}\.csv", path.name)
    first, header, *rows = path.read_text().splitlines()
    assert first.startswith("# policykb search: query: access to medicines; filters: type=statement;")
    assert header.startswith("rank,title,type") and len(rows) == 2
    assert _csv_file([], "nothing", Filters(), "search") is None
