"""The UI's HTML renderers: document text is always escaped, chips and result lists say what they link to."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from policykb.core.types import Chunk, Citation, DocumentInfo, RelatedDocument, SearchHit
from policykb.ui import render
from policykb.ui.library import tables
from policykb.ui.search import SORTS

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
                        highlight=f"&lt;b&gt; <mark>text</mark> {n}", score=1.0, scores={})  # fmt: skip
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
    body = shown.split('<p style="white-space: pre-wrap">', 1)[1].rsplit("</p></div>", 1)[0]
    assert "<" not in _text_outside_tags(body, ("<mark>", "</mark>"))
    assert body.count("<mark>") == 1


def test_a_passage_marks_the_quote_and_links_to_its_page() -> None:
    text = f"Before {SCRIPT} the quoted span after."
    start = 100 + text.index("the quoted span")
    shown = render.passage_html(_citation(char_start=start, char_end=start + 15), _chunk(text))
    assert "<script>" not in shown and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in shown
    assert "<mark>the quoted span</mark>" in shown
    assert "Report &lt;b&gt;2024&lt;/b&gt;" in shown and "page 3" in shown
    assert f'href="/v1/documents/{"d" * 16}/file#page=3"' in shown
    assert "no longer in the knowledge base" in render.passage_html(_citation(), None)


def test_chip_labels_are_numbered_and_name_the_page() -> None:
    assert render.chip_label(_citation()) == "[2] Report <b>2024</b>, p. 3"
    assert render.chip_label(_citation(page=None, title="x" * 80)) == "[2] " + "x" * 60


def test_results_escape_titles_and_keep_only_the_highlight_marks() -> None:
    shown = render.results_html([_hit(1), _hit(2, date="2023-01-02", page=4, source="b.pdf")])
    assert "<script>" not in shown and shown.count('<div class="result">') == 2
    assert shown.index("1. Title 1") < shown.index("2. Title 2")
    assert "<mark>text</mark>" in shown and "&lt;b&gt;" in shown
    assert "undated" in shown and "2023-01-02 · p. 4" in shown and "file#page=4" in shown
    assert render.results_html([]) == "<p>No results.</p>"


def test_result_choices_carry_the_chunk_id_as_value() -> None:
    choices = render.result_choices([_hit(1), _hit(2, date="2023-01-02")])
    assert [value for _, value in choices] == ["c1", "c2"]
    assert choices[1][0].startswith("2. Title 2") and choices[1][0].endswith("(2023-01-02)")
    assert [value for _, value in SORTS] == ["relevance", "date"]


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

    table, by_type, by_year = tables(
        [doc(1, "report", "2024-01-01"), doc(2, "report", None), doc(3, "toolkit", "2023")]
    )
    assert list(table["title"]) == ["Doc 1", "Doc 2", "Doc 3"]
    assert by_type.values.tolist() == [["report", 2], ["toolkit", 1]]
    assert by_year.values.tolist() == [["2023", 1], ["2024", 1]]
