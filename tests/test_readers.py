from __future__ import annotations

from pathlib import Path

import pytest

from policykb.core.errors import IngestError
from policykb.ingest.readers import parse
from tests.conftest import SHARED, make_docx, make_image_only_pdf, make_pdf


def test_pdf_keeps_pages_and_offsets() -> None:
    data = make_pdf(["First page about patient safety.", "Second page on universal health coverage."])
    parsed = parse(Path("x.pdf"), data)
    assert len(parsed.page_starts) == 2
    second = parsed.text[parsed.page_starts[1] :]
    assert second.startswith("Second page")
    assert "First page" in parsed.text[: parsed.page_starts[1]]


def test_pdf_without_text_layer_is_reported() -> None:
    with pytest.raises(IngestError, match="no text layer"):
        parse(Path("scan.pdf"), make_image_only_pdf())


def test_html_keeps_main_content_and_metadata() -> None:
    html = b"""<html><head><title>Statement to WHA77</title>
    <meta property="article:published_time" content="2024-05-28T10:00:00Z">
    <link rel="canonical" href="https://example.org/statements/wha77"></head>
    <body><nav>Home | About</nav><header>Site header</header>
    <main><h1>Statement on patient safety</h1><p>IAPO calls on Member States.</p>
    <ul><li>First ask</li><li>Second ask</li></ul><script>alert(1)</script></main>
    <footer>Copyright footer</footer></body></html>"""
    parsed = parse(Path("s.html"), html)
    assert "IAPO calls on Member States." in parsed.text
    for noise in ("Home | About", "Site header", "Copyright footer", "alert"):
        assert noise not in parsed.text
    assert parsed.title == "Statement to WHA77"
    assert parsed.date == "2024-05-28T10:00:00Z"
    assert parsed.url == "https://example.org/statements/wha77"
    kinds = {parsed.text[b.start : b.end]: b.kind for b in parsed.blocks}
    assert kinds["Statement on patient safety"] == "heading"
    assert kinds["First ask"] == "list_item"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "latin-1", "cp1252"])
def test_text_charset_is_detected(encoding: str) -> None:
    text = "Les organisations de patients réclament une participation équitable à la santé publique. " * 3
    parsed = parse(Path("note.txt"), text.encode(encoding))
    assert "réclament" in parsed.text and "équitable" in parsed.text


def test_markdown_headings_and_lists() -> None:
    md = b"# Toolkit\n\nIntro paragraph.\n\n## Steps\n\n- one\n- two\n"
    parsed = parse(Path("t.md"), md)
    kinds = [(parsed.text[b.start : b.end], b.kind, b.level) for b in parsed.blocks]
    assert kinds == [
        ("Toolkit", "heading", 1),
        ("Intro paragraph.", "paragraph", 0),
        ("Steps", "heading", 2),
        ("one", "list_item", 0),
        ("two", "list_item", 0),
    ]


def test_markdown_paragraph_in_lower_case_goes_on_with_an_unfinished_one() -> None:
    md = (
        b"- IAPO joined partners including the International Federation of Pharmaceutical Manufacturers\n\n"
        b"and Associations (IFPMA), in publishing a [joint op-ed](#).\n\n- Next item.\n\n"
        b"a lowercase line after a full stop stays apart.\n"
    )
    parsed = parse(Path("t.md"), md)
    kinds = [(parsed.text[b.start : b.end], b.kind) for b in parsed.blocks]
    assert kinds == [
        ("IAPO joined partners including the International Federation of Pharmaceutical Manufacturers and "
         "Associations (IFPMA), in publishing a joint op-ed.", "list_item"),
        ("Next item.", "list_item"),
        ("a lowercase line after a full stop stays apart.", "paragraph"),
    ]  # fmt: skip


def test_docx_structure_and_title() -> None:
    data = make_docx([("Heading 1", "Why involve patients"), ("", "Patients bring lived experience."),
                      ("List Bullet", "Plan early")])  # fmt: skip
    parsed = parse(Path("t.docx"), data)
    assert parsed.title == "Toolkit on patient involvement"
    kinds = {parsed.text[b.start : b.end]: b.kind for b in parsed.blocks}
    assert kinds["Why involve patients"] == "heading"
    assert kinds["Plan early"] == "list_item"
    assert "Patients bring lived experience." in parsed.text


@pytest.mark.shared
@pytest.mark.skipif(not (SHARED / "corpus" / "who").exists(), reason="../shared/corpus/who is absent")
def test_real_who_pdfs_parse_with_page_map() -> None:
    for pdf in sorted((SHARED / "corpus" / "who").glob("WHA66.*.pdf"))[:6]:
        parsed = parse(pdf, pdf.read_bytes())
        assert parsed.text.strip()
        assert parsed.page_starts[0] == 0
        assert all(a < b for a, b in zip(parsed.page_starts, parsed.page_starts[1:], strict=False))


@pytest.mark.shared
@pytest.mark.skipif(not (SHARED / "corpus" / "who").exists(), reason="../shared/corpus/who is absent")
def test_real_who_tables_of_contents_end_where_their_entries_end() -> None:
    """The EMRO healthy-diet brochure's "Table of contents" (its titles, then a column of page numbers) is its
    contents page only: the short-lined pages after it read as headings and prose. The IPC guideline's
    contents keep their entries that wrap onto two or three lines, and end with the last numbered entry."""
    who = SHARED / "corpus" / "who"

    def blocks_by_page(name: str) -> list[tuple[int, str, str]]:
        parsed = parse(who / name, (who / name).read_bytes())
        pages = [max(i for i, s in enumerate(parsed.page_starts) if s <= b.start) for b in parsed.blocks]
        return [(p, b.kind, parsed.text[b.start : b.end]) for p, b in zip(pages, parsed.blocks, strict=True)]

    diet = blocks_by_page("WHO_EMRO_healthy_diet_factsheet_2019.pdf")
    assert {p for p, k, _ in diet if k == "toc"} == {4}
    assert (4, "toc", "Healthy diet for infants and young children") in diet
    assert (6, "heading", "Overview") in diet
    assert any(k == "paragraph" and t.startswith("Consuming a healthy diet throughout") for _, k, t in diet)

    ipc = blocks_by_page("WHO_IPC_core_components_guidelines_2016.pdf")
    contents = [t for p, k, t in ipc if k == "toc"]
    assert {p for p, k, _ in ipc if k == "toc"} == {2}
    assert contents[0] == "Acknowledgements 4" and contents[-1] == "V. A Holmes declaration of interests 90"
    assert {"prevention and control 26", "activities 53", "of the guidelines 75"} <= set(contents)
