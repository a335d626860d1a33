"""Clean text at ingest: running headers and page numbers gone with the page map exact, hyphen breaks and
glyph gaps repaired, wrapped lines reflowed, headings/tables/captions/contents/references typed, Markdown and
PDF-converted text read as plain prose, and non-prose spans carried to the chunks and the registry."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from policykb.ingest.chunker import Chunker
from policykb.ingest.clean import Line, clean_pages, join_lines, repair_spacing, vocabulary
from policykb.ingest.readers import parse
from policykb.service.knowledge_base import KnowledgeBase

HEADER = "Guidelines on Patient Safety Compendium"

BODY = [
    [
        "3.1 Recommendations",
        "Health facilities are increasingly adopting programmes that prevent infection in",
        "patients and staff, and these programmes are increas-",
        "ingly supported by national policy and dedicated budgets for training.",
        "Each programme should follow evidence-",
        "based practice as its evidence base grows and based on local data.",
    ],
    [
        "Table 2: Staffing ratios by facility type",
        "Facility",
        "Nurses",
        "Beds",
        "Hospital",
        "One per 250",
        "Clinic",
        "One per 50",
        "Every facility should review its staffing ratio at least once a year with the",
        "infection prevention committee and record the result.",
    ],
    [
        "References",
        "1. Smith AB, Jones C. Hand hygiene in practice. J Infect Control. 2019;3:1-5.",
        "2. Brown D, Green E. Staffing and infection. Lancet. 2020;12:40-48.",
    ],
]


def make_report_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(False)
    pdf.set_font("helvetica", size=10)
    for number, lines in enumerate([*BODY, ["The last page holds a short closing statement on safety."]], start=1):
        pdf.add_page()
        pdf.cell(0, 6, f"{number} {HEADER}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        for line in lines:
            pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(-20)
        pdf.cell(0, 6, f"Page {number} of 4", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def kinds_of(parsed) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {parsed.text[b.start : b.end]: b.kind for b in parsed.blocks}


def blocks_of(cleaned) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Each block's kind and text, in order."""
    return [(b.kind, cleaned.text[b.start : b.end]) for b in cleaned.blocks]


def test_pdf_running_headers_and_page_numbers_are_removed_with_the_page_map_exact() -> None:
    parsed = parse(Path("report.pdf"), make_report_pdf())
    assert HEADER not in parsed.text and "Page 2 of 4" not in parsed.text
    assert len(parsed.page_starts) == 4
    first_lines = ["3.1 Recommendations", "Table 2", "References", "The last page"]
    for start, first in zip(parsed.page_starts, first_lines, strict=True):
        assert parsed.text[start:].startswith(first)


def test_pdf_hyphen_breaks_rejoined_but_real_compounds_kept_and_lines_reflowed() -> None:
    text = parse(Path("report.pdf"), make_report_pdf()).text
    assert "these programmes are increasingly supported by national policy" in text
    assert "increas-" not in text
    assert "follow evidence-based practice" in text


def test_pdf_headings_tables_captions_and_references_are_typed() -> None:
    parsed = parse(Path("report.pdf"), make_report_pdf())
    kinds = kinds_of(parsed)
    assert kinds["3.1 Recommendations"] == "heading"
    assert kinds["Table 2: Staffing ratios by facility type"] == "caption"
    assert kinds["Facility\nNurses\nBeds\nHospital\nOne per 250\nClinic\nOne per 50"] == "table"
    references = [t for t, k in kinds.items() if k == "reference"]
    assert [r[:8] for r in references] == ["1. Smith", "2. Brown"]
    [body] = [k for t, k in kinds.items() if t.startswith("Health facilities")]
    assert body == "paragraph"


def test_lines_numbered_by_capital_roman_numerals_are_list_items_but_a_lone_one_is_a_section() -> None:
    body = [Line(f"Body line {n} of the checklist text runs on here.", 10.0) for n in range(6)]
    page = [
        Line("Infection Control Domains for Gap Assessment", 12.0),
        Line("I. Infection Control Program and Infrastructure", 10.0),
        Line("II. Infection Control Training and Competency", 10.0),
        Line("V.a/b. Hand Hygiene", 10.0),
        Line("XIII. High-level Disinfection of Reusable Devices (if applicable)", 10.0),
    ]
    blocks = blocks_of(clean_pages([body + page]))
    assert [kind for kind, _ in blocks[-4:]] == ["list_item"] * 4
    assert blocks[-2] == ("list_item", "V.a/b. Hand Hygiene")
    section = [Line("IV. Surveillance and Disease Reporting", 12.0), *body]
    assert blocks_of(clean_pages([section]))[0] == ("heading", "IV. Surveillance and Disease Reporting")


def test_a_larger_title_after_a_sentence_that_goes_on_elsewhere_opens_its_own_block() -> None:
    """A page's last body line stops mid-sentence (it goes on over the page), and the layout sets a section's
    banner and title after it in larger type: they are headings, not the sentence's next words, and the
    recommendation under them is a paragraph of its own."""
    body = [Line(f"Body line {n} of the guideline text runs on here.", 10.0) for n in range(6)]
    page = [
        Line("In many cases, hand hygiene has been considered to be the", 10.0),
        Line("Core component 5: Multimodal strategies", 13.0),
        Line("5b. National level", 14.5),
        Line("The panel recommends that national programmes should coordinate these strategies.", 10.0),
    ]
    blocks = blocks_of(clean_pages([body + page]))
    assert blocks[-4:] == [
        ("paragraph", " ".join(x.text for x in body) + " In many cases, hand hygiene has been considered to be the"),
        ("heading", "Core component 5: Multimodal strategies"),
        ("heading", "5b. National level"),
        ("paragraph", "The panel recommends that national programmes should coordinate these strategies."),
    ]
    smaller = [Line("In many cases, hand hygiene has been considered to be the", 10.0), Line("door to safety.", 11.0)]
    assert blocks_of(clean_pages([body + smaller]))[-1][1].endswith("to be the door to safety.")  # not set apart


def test_a_recommendations_grade_label_heads_it_with_its_title_whatever_it_interrupts() -> None:
    """A guideline sets each recommendation under its GRADE label and a bold title, sometimes between the lines
    of a sentence that goes on after the box: label and title are one heading, the sentence before keeps its
    words, and the recommendation is a paragraph of its own."""
    body = [Line(f"Body line {n} of the guideline text runs on here.", 10.0) for n in range(6)]
    page = [
        Line("In the case of the extension of the recommendation, an explicit entomological", 10.0),
        Line("Conditional recommendation against , Very low certainty evidence Updated", 9.2),
        Line("Routine malaria testing at points of entry (2022)", 10.0, bold=True),
        Line("Routine malaria testing of people arriving at points of entry is not recommended.", 10.0),
        Line("Strong recommendation for", 10.0),
        Line("Young children and infants (2015)", 10.0, bold=True),
        Line("Infants should be treated with an ACT at the same target dose.", 10.0),
    ]
    blocks = blocks_of(clean_pages([body + page]))
    assert blocks[-5:] == [
        ("paragraph", page[0].text),
        ("heading", f"{page[1].text} {page[2].text}"),
        ("paragraph", page[3].text),
        ("heading", f"{page[4].text} {page[5].text}"),
        ("paragraph", page[6].text),
    ]
    wrapped = [Line("The panel made a", 10.0), Line("Strong recommendation for", 10.0), Line("the use of nets.", 10.0)]
    assert blocks_of(clean_pages([body + wrapped]))[-1][1].endswith("a Strong recommendation for the use of nets.")


def test_prose_set_in_a_large_font_is_no_heading_and_a_large_title_still_wraps() -> None:
    """An acknowledgements page is set larger than the body: a line that ends in a comma, leaves a parenthesis
    open, or opens a sentence that ends a few lines on in the same font is prose; a cover title wrapping
    after "of" is still one heading."""
    body = [Line(f"Body line {n} of the guideline text runs on here.", 10.0) for n in range(8)]
    cover = [Line("Guidelines on Core Components of", 20.0), Line("Infection Prevention Programmes", 20.0)]
    thanks = [
        Line("WHO Guidelines Development Group", 13.3),
        Line("The chair of the Guidelines Development Group was M.", 12.0),
        Line("Lindsay Grayson (Austin Health and University of Melbourne,", 12.0),
        Line("Australia).", 12.0),
        Line("Benedetta Allegranzi and Julie Storr (Department of", 12.0),
        Line("Service Delivery and Safety, WHO) coordinated the writing of the", 12.0),
        Line("guidelines.", 12.0),
    ]
    cleaned = clean_pages([cover + body[:4], body[4:], thanks])
    blocks = blocks_of(cleaned)
    assert blocks[0] == ("heading", "Guidelines on Core Components of Infection Prevention Programmes")
    assert [t for k, t in blocks if k == "heading"][1:] == ["WHO Guidelines Development Group"]
    assert (
        "paragraph",
        "The chair of the Guidelines Development Group was M. Lindsay Grayson (Austin Health and University of "
        "Melbourne, Australia).",
    ) in blocks
    assert ("paragraph", "Benedetta Allegranzi and Julie Storr (Department of Service Delivery and Safety, WHO) "
            "coordinated the writing of the guidelines.") in blocks  # fmt: skip


def test_a_short_line_that_cuts_a_name_the_document_uses_wraps_its_sentence() -> None:
    """After a full stop, a short capitalised line is read as a title when prose follows, unless the line
    break cuts a name the document writes whole elsewhere ("… WHO Guidelines" / "Development Group was …"):
    then the sentence wraps. A title followed by a sentence opening with a function word stays a title."""
    lines = [
        "WHO Guidelines Development Group",
        "The chair of the Guidelines Development Group was M. Lindsay Grayson, from Melbourne.",
        "The GRADE methodologist of the WHO Guidelines",
        "Development Group was Matthias Egger (University of Bern, Switzerland).",
        "Resource implications of the programme",
        "The GDG is confident that the resources required are worth the expected benefits for patients.",
    ]
    cleaned = clean_pages([[Line(x, 10.0) for x in lines]])
    blocks = blocks_of(cleaned)
    assert any(k == "paragraph" and " ".join(lines[2:4]) in t for k, t in blocks)
    assert [t for k, t in blocks if k == "heading"] == [lines[0], lines[4]]
    alone = clean_pages([[Line(x, 10.0) for x in lines[2:4]]])  # the name written nowhere else: a title
    assert [b.kind for b in alone.blocks] == ["heading", "paragraph"]


def test_the_page_number_under_a_section_label_is_dropped() -> None:
    """Printed page numbers mostly open or close a page; one standing a line under a label ("Key facts" / "8")
    is dropped too when it is the number the document's numbering gives that page, and a figure in the body
    that is no page number stays."""
    topics = ["salt", "sugar", "fat", "fruit", "water", "fibre", "protein"]
    pages = [[Line(f"{n}"), Line(f"The fact sheet sets out its advice on {topic} in full sentences.")]
             for n, topic in enumerate(topics, start=1)]  # fmt: skip
    pages.append([Line("Key facts"), Line("8"), Line("A healthy diet helps protect against malnutrition."),
                  Line("5"), Line("portions of fruit a day are advised.")])  # fmt: skip
    cleaned = clean_pages(pages)
    last = cleaned.text[cleaned.page_starts[7] :]
    assert last.startswith("Key facts") and "\n8\n" not in last and "8 A healthy" not in last
    assert "5 portions" in last or "\n5\n" in last or "5\n\nportions" in last
    assert "advice on fat" in cleaned.text and "3" not in cleaned.text


def test_a_bold_line_is_a_title_unless_its_bold_run_is_a_sentence() -> None:
    """A title set in bold at the body's size is a heading (wrapped titles joined); a recommendation set in
    bold is a sentence, as is a bold opening that the regular text goes on in lower case, a bold introduction
    ending in a colon, and a bold term its definition continues. A body set in bold marks nothing out."""
    regular = [Line(f"Paragraph {n} of the guideline text runs on over the full width of its column here.") for n in
               range(6)]  # fmt: skip
    page = [
        regular[0],
        Line("Review, update and evaluation of the", bold=True),
        Line("recommendations", bold=True),
        Line("Implementation of these guidelines can be measured in a number of ways."),
        Line("The panel recommends that every facility has an IPC", bold=True),
        Line("programme with a dedicated, trained team.", bold=True),
        Line("Eat at least 5 portions of fruit", bold=True),
        Line("and vegetables a day, not counting potatoes."),
        Line("Key recommendations for hand hygiene in", bold=True),
        Line("outpatient settings:", bold=True),
        Line("• Perform hand hygiene before and after touching a patient."),
        Line("Grading of Recommendations Assessment, Development and", bold=True),
        Line("Evaluation (GRADE): an approach used to assess the quality of a body of evidence."),
        *regular[1:],
    ]
    cleaned = clean_pages([page])
    headings = [cleaned.text[b.start : b.end] for b in cleaned.blocks if b.kind == "heading"]
    assert headings == ["Review, update and evaluation of the recommendations"]
    assert "The panel recommends that every facility has an IPC programme" in cleaned.text
    assert "Eat at least 5 portions of fruit and vegetables a day" in cleaned.text
    all_bold = clean_pages([[Line(x.text, bold=True) for x in page]])
    assert "Review, update and evaluation of the recommendations" not in [
        all_bold.text[b.start : b.end] for b in all_bold.blocks if b.kind == "heading"
    ]


def test_the_pdf_reader_tells_bold_titles_from_bold_words() -> None:
    """The reader marks a line bold when its first and last letters are: a title wrapping after "of the" is a
    heading, and a line that opens with a bold word is prose."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=10)

    def line(text: str, style: str = "") -> None:
        pdf.set_font("helvetica", style, size=10)
        pdf.cell(0, 6, text, new_x="LMARGIN", new_y="NEXT", markdown=True)

    for n in range(4):
        line(f"Paragraph {n} of the guideline text runs on over the full width here.")
    line("Review, update and evaluation of the", "B")
    line("recommendations", "B")
    line("Implementation of these guidelines can be measured in a number of ways.")
    line("**Remarks** on the evaluation follow in the annex to these guidelines")
    line("and are repeated in its summary.")
    parsed = parse(Path("guideline.pdf"), bytes(pdf.output()))
    kinds = kinds_of(parsed)
    assert kinds["Review, update and evaluation of the recommendations"] == "heading"
    assert [k for t, k in kinds.items() if "Remarks on the evaluation follow" in t] == ["paragraph"]


def test_an_entry_that_ends_in_a_publishers_imprint_is_a_citation() -> None:
    """Source documents listed in the body ("• Global action plan on antimicrobial resistance. Geneva: WHO;
    2015 (34)") are citations, never quoted as claims; a list item that states something stays one."""
    lines = [
        "The following documents informed these guidelines:",
        "• Global action plan on antimicrobial resistance. Geneva: WHO; 2015 (34)",
        "• Guideline: Sugars intake for adults and children. Geneva: World Health Organization; 2015.",
        "• Hand hygiene stations should stand within 5 metres of every toilet.",
    ]
    cleaned = clean_pages([[Line(x) for x in lines]])
    assert [b.kind for b in cleaned.blocks][1:] == ["reference", "reference", "list_item"]


def test_glyph_gaps_are_repaired_only_into_words_of_the_document() -> None:
    pages = [[Line("Testing is preventive care."), Line("T esting and pr eventive work in a nother way.")]]
    vocab = vocabulary(pages)
    assert repair_spacing("T esting and pr eventive work in a nother way.", vocab) == (
        "Testing and preventive work in a nother way."  # "another" never occurs: left alone
    )
    assert repair_spacing("in formation", vocabulary([[Line("information in formation")]])) == "in formation"


def test_a_link_wrapped_after_a_separator_is_rejoined() -> None:
    vocab = vocabulary([[Line("infection control")]])
    assert join_lines(["(available at: http://www.cdc.", "gov/hai/steps_for_eval_", "IC_breach.html)."], vocab) == (
        "(available at: http://www.cdc.gov/hai/steps_for_eval_IC_breach.html)."
    )
    assert join_lines(["http://www.cdc.gov/hicpac/pdf/", "InfectControl98.pdf"], vocab).endswith(
        "/pdf/InfectControl98.pdf"
    )
    assert join_lines(["see http://www.cdc.gov/", "for details"], vocab) == "see http://www.cdc.gov/ for details"
    assert join_lines(["visit www.who.int.", "The next sentence."], vocab) == "visit www.who.int. The next sentence."


def test_an_acronym_hyphenated_at_a_line_end_keeps_its_hyphen() -> None:
    assert join_lines(["Training in IPC-", "related practices is needed."], vocabulary([])) == (
        "Training in IPC-related practices is needed."
    )


def test_hyphen_join_uses_the_document_vocabulary() -> None:
    vocab = vocabulary([[Line("follow-up care and evidence based on data, decision making")]])
    assert join_lines(["the follow-", "up visit"], vocab) == "the follow-up visit"
    assert join_lines(["a deci-", "sion"], vocab) == "a decision"
    assert join_lines(["strong evidence-", "based advice"], vocab) == "strong evidence-based advice"
    assert join_lines(["surveys post\x02MDA and", "anti\x02HIV drugs"], vocab) == "surveys post-MDA and anti-HIV drugs"


def test_control_and_private_use_characters_are_dropped_and_symbol_bullets_kept_as_bullets() -> None:
    cleaned = clean_pages([[Line("\x9f The programme must have clear objectives.\x01"), Line("Plain \ue001text.")]])
    assert cleaned.text == "• The programme must have clear objectives. Plain text."
    assert [b.kind for b in cleaned.blocks] == ["list_item"]
    checklist = clean_pages([[Line("Reprocessing of devices:"), Line("❑ Noncritical items (e.g., blood pressure cuffs) are"),
                              Line("cleaned and disinfected."), Line("■ Critical items are sterilized.")]])  # fmt: skip
    assert blocks_of(checklist)[1:] == [
        ("list_item", "• Noncritical items (e.g., blood pressure cuffs) are cleaned and disinfected."),
        ("list_item", "• Critical items are sterilized."),
    ]
    assert clean_pages([[Line("Tick ✓ when done and ■ mark the box.")]]).text == "Tick ✓ when done and ■ mark the box."


def test_a_forms_answer_boxes_are_table_cells_apart_from_its_items() -> None:
    """A checklist prints "Yes No" / "Not applicable" under every item: they are table cells, so no item's
    sentence (one ending without a full stop included) carries them, and the next item or section title after
    them begins afresh. A "No" written once in the text is no box."""
    lines = [
        "A. Devices are cleaned according to manufacturer instructions.",
        " Yes No",
        " Not applicable",
        "B. For chemicals used in disinfection, manufacturer instructions are followed for:",
        "i. Preparation",
        "ii. Replacement (i.e., upon expiration or loss of efficacy)",
        " Yes No",
        " Not applicable",
        "II. Training and Competency",
        "A. Staff are trained on these procedures upon hire.",
        " Yes No",
        " Not applicable",
        "No",
        "one is allowed to skip the training.",
    ]
    blocks = blocks_of(clean_pages([[Line(x, 10.0) for x in lines]]))
    assert blocks == [
        ("paragraph", lines[0]),
        ("table", "Yes No\nNot applicable"),
        ("paragraph", lines[3]),
        ("list_item", "i. Preparation ii. Replacement (i.e., upon expiration or loss of efficacy)"),
        ("table", "Yes No\nNot applicable"),
        ("heading", "II. Training and Competency"),
        ("paragraph", lines[9]),
        ("table", "Yes No\nNot applicable"),
        ("paragraph", "No one is allowed to skip the training."),
    ]


def test_table_of_contents_is_typed() -> None:
    lines = ["Contents", "Acknowledgements 4", "1 Background 18", "2 Scope and objectives 19", "3 Methods 21"]
    cleaned = clean_pages([[Line(x) for x in lines]])
    assert [b.kind for b in cleaned.blocks] == ["heading", "toc", "toc", "toc", "toc"]


# A page as (font size, text) lines; a page's ("column", [...]) entry sets page numbers in a column of their own
# after the titles (their text comes after all the titles, as a brochure's layout gives them).
Page = list[tuple[float | str, object]]


def make_pdf_pages(pages: list[Page]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(False)
    for lines in pages:
        pdf.add_page()
        top = pdf.get_y()
        for size, text in lines:
            if size == "column":
                pdf.set_font("helvetica", size=12)
                for row, number in enumerate(text):  # type: ignore[arg-type]
                    pdf.set_xy(170, top + 14 + 8 * row)
                    pdf.cell(20, 8, str(number))
                continue
            pdf.set_font("helvetica", size=float(size))
            pdf.cell(0, 8 if float(size) > 11 else 5, str(text), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


GUIDE_PROSE = [  # short lines without a full stop, as a contents entry's title would be
    "This guideline sets out the core components of infection prevention and",
    "control programmes at the national and facility level, with the evidence",
    "behind each recommendation and advice on adapting it to a country.",
]


def test_contents_end_where_the_prose_begins() -> None:
    """A "Contents" heading opens a table of contents that lasts while its lines look like entries: a title
    ending in its page number, one wrapped onto a second line, a group title, the entries going on over the
    page break. The first line of prose ends it, and the prose after it is quotable text again."""
    contents: Page = [
        (20, "Contents"),
        (11, "Acknowledgements 4"),
        (11, "1 Background 8"),
        (11, "2 Scope and objectives of the guideline and"),
        (11, "its target audience 9"),
        (11, "Recommendations"),
        (11, "3 Core component 1: programmes 12"),
        (11, "4 Core component 2: guidelines 15"),
    ]
    more: Page = [(11, "5 Methods 21"), (11, "Annex: evidence profiles 30"), *[(11, x) for x in GUIDE_PROSE]]
    parsed = parse(Path("guide.pdf"), make_pdf_pages([contents, more]))
    blocks = blocks_of(parsed)
    entries = [str(x) for _, x in contents[1:]] + ["5 Methods 21", "Annex: evidence profiles 30"]
    assert [t for k, t in blocks if k == "toc"] == entries
    assert blocks[0] == ("heading", "Contents")
    assert blocks[-1] == ("paragraph", " ".join(GUIDE_PROSE))

    chunker = Chunker(lambda texts: [len(t.split()) for t in texts], max_tokens=200, overlap_tokens=0)
    chunks = chunker.chunk("d", parsed.text, parsed.blocks, parsed.page_starts)
    start = parsed.text.index("This guideline")
    [chunk] = [c for c in chunks if c.char_start <= start < c.char_end]
    assert chunk.quotable(start, start + len(" ".join(GUIDE_PROSE)))


BROCHURE_TOC: Page = [
    (28, "Table of contents"),
    *[(16, x) for x in ["Overview", "Key facts", "Healthy diet", "Fats", "Practical advice", "WHO response"]],
    ("column", [12, 14, 16, 18, 20, 22]),  # the last three are dropped as page numbers at the page's foot
]
OVERVIEW = [
    "Consuming a healthy diet throughout",
    "a person's life helps prevent",
    "malnutrition in all its forms as well",
    "as a range of noncommunicable",
    "diseases and conditions.",
]
SALT = ["Keeping salt intake to less than 5 g", "per day helps prevent hypertension", "and reduces the risk of stroke."]


def test_a_brochure_table_of_contents_does_not_swallow_the_brochure() -> None:
    """A brochure's "Table of contents" lists its titles in one column and their page numbers in another (all
    of them contents); the pages after it are set in short lines without a full stop or a page number. They
    are headings and prose, never contents: the prose is reflowed, quotable and filed under its own heading."""
    overview: Page = [
        (28, "Overview"),
        *[(12, x) for x in OVERVIEW],
        (16, "LIMIT SALT INTAKE"),
        *[(12, x) for x in SALT],
    ]
    parsed = parse(Path("brochure.pdf"), make_pdf_pages([BROCHURE_TOC, overview]))
    blocks = blocks_of(parsed)
    assert blocks[:7] == [("heading", "Table of contents"), *[("toc", str(t)) for _, t in BROCHURE_TOC[1:-1]]]
    assert blocks[7:10] == [("toc", "12"), ("toc", "14"), ("toc", "16")]
    assert blocks[10:] == [
        ("heading", "Overview"),
        ("paragraph", " ".join(OVERVIEW)),
        ("heading", "LIMIT SALT INTAKE"),
        ("paragraph", " ".join(SALT)),
    ]
    chunker = Chunker(lambda texts: [len(t.split()) for t in texts], max_tokens=24, overlap_tokens=0)
    chunks = chunker.chunk("d", parsed.text, parsed.blocks, parsed.page_starts)
    start = parsed.text.index("Consuming")
    [chunk] = [c for c in chunks if c.char_start <= start < c.char_end]
    assert "Table of contents" not in chunk.headings and chunk.headings[-1] == "Overview"
    assert chunk.quotable(start, start + len(" ".join(OVERVIEW)))


def test_a_contents_heading_over_short_lines_without_page_numbers_is_no_table_of_contents() -> None:
    """A page headed "Table of contents" whose short lines carry no page numbers: the run of lines without
    page numbers ends the contents at once, and the page reads as headings and prose."""
    page: Page = [
        (28, "Table of contents"),
        (16, "Key facts"),
        *[(12, x) for x in OVERVIEW],
        (16, "Limit salt intake"),
        *[(12, x) for x in SALT],
    ]
    blocks = blocks_of(parse(Path("brochure.pdf"), make_pdf_pages([page])))
    assert [k for k, _ in blocks] == ["heading", "heading", "paragraph", "heading", "paragraph"]
    assert blocks[2] == ("paragraph", " ".join(OVERVIEW))


def test_contents_without_a_heading_take_their_wrapped_entries() -> None:
    """A table of contents known by its run of "Title 12" lines (its heading printed elsewhere) keeps an entry
    whose title wraps onto two or three lines, up to the prose after it."""
    lines = [
        "Acknowledgements 4",
        "1 Background 18",
        "2 Scope and objectives 19",
        "5 Important issues in infection",
        "prevention and control 26",
        "Core component 5: Multimodal strategies for",
        "implementing infection prevention and control",
        "activities 53",
        "References 77",
        *GUIDE_PROSE,
    ]
    blocks = blocks_of(parse(Path("guide.pdf"), make_pdf_pages([[(11, x) for x in lines]])))
    assert [t for k, t in blocks if k == "toc"] == lines[:9]
    assert blocks[-1] == ("paragraph", " ".join(GUIDE_PROSE))


def test_a_page_number_going_back_ends_the_contents() -> None:
    """Entries' page numbers ascend: a line after the contents that ends in a smaller number ("Chapter 1")
    opens the body."""
    contents = [Line("Contents", 20.0), *[Line(x, 10.0) for x in ["1 Background 8", "2 Scope 9", "3 Methods 12"]]]
    body = [Line("Chapter 1", 20.0), Line("The programme was reviewed in 2014", 10.0), Line("by the committee.", 10.0)]
    cleaned = clean_pages([contents, body])
    blocks = blocks_of(cleaned)
    assert blocks[-2:] == [
        ("heading", "Chapter 1"),
        ("paragraph", "The programme was reviewed in 2014 by the committee."),
    ]
    assert [k for k, _ in blocks[:4]] == ["heading", "toc", "toc", "toc"]


def test_a_sentence_the_page_break_cut_is_one_block_and_the_page_map_stays_exact() -> None:
    body = "The Assembly requests the Director-General to report to the Sixty-seventh World Health Assembly"
    first = [
        Line("The Assembly met in Geneva in May 2013 and heard the reports of its committees."),
        Line(body.removesuffix(" Assembly")),
    ]
    second = [Line("Assembly, through the Executive Board at its 134th session."), Line("It closed on 27 May.")]
    cleaned = clean_pages(
        [first, second, [Line("(8) to report on the review; and")], [Line("2. URGES Member States.")]]
    )
    blocks = [cleaned.text[b.start : b.end] for b in cleaned.blocks]
    assert blocks[0].endswith(f"committees. {body}, through the Executive Board at its 134th session.")
    assert cleaned.text[cleaned.page_starts[1] :].startswith("Assembly, through")
    assert cleaned.text[cleaned.page_starts[1] - 1] == " "
    # a page ending its sentence, or followed by a numbered item, keeps its break
    assert cleaned.text[cleaned.page_starts[2] - 2 : cleaned.page_starts[2]] == "\n\n"
    assert cleaned.text[cleaned.page_starts[3] - 2 : cleaned.page_starts[3]] == "\n\n"
    assert blocks[-1] == "2. URGES Member States."


def test_only_the_cut_sentence_crosses_the_page_break_so_a_chunk_keeps_its_page() -> None:
    first = [Line("The Assembly decided to request the Director-General to report to the Sixty-seventh World Health")]
    second = [
        Line("Assembly, through the Executive Board. The budget for 2014-2015 was US$ 3977 million and approved.")
    ]
    cleaned = clean_pages([first, second])
    blocks = [cleaned.text[b.start : b.end] for b in cleaned.blocks]
    assert blocks == [
        "The Assembly decided to request the Director-General to report to the Sixty-seventh World Health Assembly,"
        " through the Executive Board.",
        "The budget for 2014-2015 was US$ 3977 million and approved.",
    ]
    chunks = Chunker(lambda texts: [len(t.split()) for t in texts], 200, 0).chunk("d", cleaned.text, cleaned.blocks,
                                                                                 cleaned.page_starts)  # fmt: skip
    budget = next(c for c in chunks if "3977" in c.text)
    assert (budget.page_start, budget.page_end) == (2, 2) and "Assembly decided" not in budget.text
    # a list item ending without a full stop is not followed by the next page's sentence in capitals
    item = clean_pages([[Line("• ensure sustainable financing at every level of the health system")],
                        [Line("The Secretariat will report on progress in 2015.")]])  # fmt: skip
    assert [item.text[b.start : b.end] for b in item.blocks][-1] == "The Secretariat will report on progress in 2015."
    # … unless it stops inside a name
    clause = clean_pages([[Line("(8) to report on the review of the mechanisms to the Sixty-seventh World Health")],
                          [Line("Assembly, through the Executive Board at its 134th session.")]])  # fmt: skip
    assert [clause.text[b.start : b.end] for b in clause.blocks] == [
        "(8) to report on the review of the mechanisms to the Sixty-seventh World Health Assembly, through the "
        "Executive Board at its 134th session."
    ]


def test_a_row_label_set_last_on_a_page_inside_a_sentence_heads_it_and_the_sentence_reads_on() -> None:
    cell = [
        Line("The vaccine, provided in a four-dose schedule, has been demonstrated in clinical trials and the pilot"),
        Line("Benefits and harms"),
    ]
    first = [
        Line("Evidence to decision"),
        Line("The vaccine is safe and well tolerated by children of all ages."),
        *cell,
    ]
    second = [
        Line("implementation studies to have meaningful impact on hospital admissions for severe malaria cases."),
        Line("Values and preferences"),
    ]
    cleaned = clean_pages([first, second])
    blocks = blocks_of(cleaned)
    assert ("heading", "Benefits and harms") in blocks
    sentence = next(text for kind, text in blocks if "four-dose" in text)
    assert "and the pilot implementation studies to have" in sentence and "harms" not in sentence
    assert cleaned.text.index("Benefits and harms") < cleaned.page_starts[1]  # still on its own page
    assert cleaned.text[cleaned.page_starts[1] :].startswith("implementation studies")
    # a short last line that ends its sentence, or a next page opening in capitals, moves nothing
    ended = clean_pages([[*first[:2], cell[0], Line("Benefits and harms.")], second])
    assert "the pilot Benefits and harms." in ended.text
    capital = clean_pages([first, [Line("Implementation studies showed a meaningful impact on admissions."), *second]])
    assert "the pilot Benefits and harms" in capital.text


def test_a_resolution_title_is_a_heading_up_to_its_enacting_formula() -> None:
    """A resolution's title wraps onto lines that look like prose ("… including east Jerusalem,") and is followed
    by a title-like line that opens the body: the title is one heading, the body starts with the formula."""
    lines = [
        "1 Document A66/28.",
        "WHA66.10 Follow-up to the Political Declaration of the High-level Meeting of the General",
        "Assembly on the Prevention and Control of Non-communicable Diseases",
        "The Sixty-sixth World Health Assembly,",
        "Having considered the reports to the Sixty-sixth World Health Assembly on noncommunicable diseases;",
        "Recalling the Political Declaration of the High-level Meeting of the General Assembly;",
    ]
    cleaned = clean_pages([[Line(x, 10.0) for x in lines]])
    blocks = blocks_of(cleaned)
    assert blocks[1] == (
        "heading",
        "WHA66.10 Follow-up to the Political Declaration of the High-level Meeting of the General Assembly on the"
        " Prevention and Control of Non-communicable Diseases",
    )
    assert blocks[2][0] == "paragraph"
    assert blocks[2][1].startswith("The Sixty-sixth World Health Assembly, Having considered")
    short = clean_pages([[Line(x, 10.0) for x in ["WHA66.12 Neglected tropical diseases", *lines[3:]]]])
    assert [b.kind for b in short.blocks][:2] == ["heading", "paragraph"]
    assert short.text.split("\n\n")[0] == "WHA66.12 Neglected tropical diseases"


def test_a_count_inside_a_sentence_that_wraps_at_its_markers_stays_one_sentence() -> None:
    """ "… include: 1) hand hygiene," then "2) use of …" on the next line goes on counting inside the sentence:
    no list begins at "2)", so the sentence reaches its full stop; a list whose items open their lines is kept."""
    lines = [
        "These practices protect staff. Standard Precautions include: 1) hand hygiene,",
        "2) use of personal protective equipment (e.g., gloves, gowns, masks), 3) safe injection practices,",
        "4) safe handling of potentially contaminated equipment, and 5) respiratory hygiene/cough etiquette.",
        "Each of these is described below:",
        "1) hand hygiene",
        "2) safe injection practices",
    ]
    cleaned = clean_pages([[Line(x, 10.0) for x in lines]])
    blocks = blocks_of(cleaned)
    assert blocks[0] == ("paragraph", " ".join(lines[:4]))
    assert blocks[1:] == [("list_item", "1) hand hygiene"), ("list_item", "2) safe injection practices")]


def test_a_numbered_list_introduction_is_a_heading_its_items_carry() -> None:
    """An operative paragraph ("1. URGES Member States:") introduces the items below it, even after a recital
    that ends in a comma: it is a heading nested under the title, so every chunk of its items names it."""
    lines = [
        "WHA66.12 Neglected tropical diseases",
        "The Sixty-sixth World Health Assembly,",
        "Recognizing the burden of these diseases and their associated stigmatization,",
        "1. URGES Member States:2",
        "(1) to ensure continued country ownership of programmes for disease prevention and control;",
        "(2) to implement and sustain coverage with preventive chemotherapy of at least 75% of the populations;",
        "2. REQUESTS the Director-General:",
        "(1) to sustain WHO's leadership in the drive to overcome neglected tropical diseases;",
        "3. Members noted the report, and further:",  # a sentence that ends in a colon, not a list introduction
        "welcomed it.",
    ]
    cleaned = clean_pages([[Line(x, 10.0) for x in lines]])
    headings = [(b.level, cleaned.text[b.start : b.end]) for b in cleaned.blocks if b.kind == "heading"]
    assert headings == [(1, lines[0]), (6, "1. URGES Member States:2"), (6, "2. REQUESTS the Director-General:")]
    chunks = Chunker(lambda texts: [len(t.split()) for t in texts], 24, 0).chunk("d", cleaned.text, cleaned.blocks)

    def headings_of(item: str) -> list[str]:
        return next(c.headings for c in chunks if item in c.text)

    assert headings_of("(2) to implement") == [lines[0], "1. URGES Member States:2"]
    assert headings_of("(1) to sustain") == [lines[0], "2. REQUESTS the Director-General:"]


def test_an_annexs_list_numbered_without_marks_is_items_under_their_titles() -> None:
    """Lines that open with a bare number and count on ("1 Oxytocin – …", "2 …", "3 …"), short titles between
    them, are list items under those titles, not one paragraph; a footnote ("2 Document A66/14.") ends a
    sentence and a numbered section title over prose counts nothing."""
    lines = [
        "2 Document A66/14.",
        "ANNEX",
        "Commodities by life stage",
        "Maternal health commodities",
        "1 Oxytocin – post partum haemorrhage (PPH)",
        "2 Misoprostol – post-partum haemorrhage",
        "3 Magnesium sulfate – eclampsia and severe pre-eclampsia",
        "Newborn health commodities",
        "4 Injectable antibiotics – newborn sepsis",
        "5 Chlorhexidine – newborn cord care",
    ]
    methods = ["3 Methods", "The group met twice in Geneva and reviewed the evidence on each of the commodities above."]
    cleaned = clean_pages([[Line(x, 10.0) for x in lines], [Line(x, 10.0) for x in methods]])
    blocks = [(b.kind, b.level, cleaned.text[b.start : b.end]) for b in cleaned.blocks]
    assert blocks[:11] == [
        ("paragraph", 0, "2 Document A66/14."),
        ("heading", 2, "ANNEX"),
        ("heading", 3, "Commodities by life stage"),
        ("heading", 4, "Maternal health commodities"),
        ("list_item", 0, lines[4]),
        ("list_item", 0, lines[5]),
        ("list_item", 0, lines[6]),
        ("heading", 4, "Newborn health commodities"),
        ("list_item", 0, lines[8]),
        ("list_item", 0, lines[9]),
        ("heading", 1, "3 Methods"),
    ]


def test_an_operative_paragraph_that_wraps_before_its_items_introduces_them() -> None:
    """ "2. CALLS upon WHO's partners, including …:" over three lines is its items' heading, so they are never
    taken for the items of "1. URGES Member States:" before it."""
    lines = [
        "WHA66.12 Neglected tropical diseases",
        "1. URGES Member States:",
        "(1) to ensure continued country ownership of programmes;",
        "2 Document A66/20.",
        "2. CALLS upon WHO's international partners, including intergovernmental, international and",
        "nongovernmental organizations, financing bodies, academic and research institutions, civil society and the",
        "private sector:",
        "(1) to support Member States, as appropriate;",
        "(2) to collaborate with WHO in measuring progress;",
    ]
    cleaned = clean_pages([[Line(x, 10.0) for x in lines]])
    headings = [cleaned.text[b.start : b.end] for b in cleaned.blocks if b.kind == "heading"]
    assert headings[1:] == ["1. URGES Member States:", " ".join(lines[4:7])]
    chunks = Chunker(lambda texts: [len(t.split()) for t in texts], 24, 0).chunk("d", cleaned.text, cleaned.blocks)
    assert next(c.headings for c in chunks if "(2) to collaborate" in c.text)[-1].startswith("2. CALLS upon")


def test_an_operative_paragraph_whose_number_the_page_lost_still_introduces_its_items() -> None:
    """ "REQUESTS the Director-General:" without its "5." is still the introduction of the items below it:
    they are the Director-General's, not the Member States' of the paragraph before."""
    lines = [
        "WHA66.5 Health conditions in the occupied territory",
        "2. URGES Member States:",
        "(1) to help overcome the health crisis;",
        "4. EXPRESSES its deep appreciation to the Director-General for her efforts;",
        "REQUESTS the Director-General:",
        "(1) to provide support to the health services;",
        "(2) to provide technical assistance to the population;",
        "NOTE this line is not followed by items:",
        "It ends a paragraph.",
        "Vaccines are recommended by the",
        "UNICEF and WHO joint statement for all countries:",  # mid-sentence, and no operative verb
        "(a) children under five;",
    ]
    cleaned = clean_pages([[Line(x, 10.0) for x in lines]])
    headings = [(b.level, cleaned.text[b.start : b.end]) for b in cleaned.blocks if b.kind == "heading"]
    assert headings == [(1, lines[0]), (6, lines[1]), (6, "REQUESTS the Director-General:")]
    chunks = Chunker(lambda texts: [len(t.split()) for t in texts], 24, 0).chunk("d", cleaned.text, cleaned.blocks)
    assert next(c.headings for c in chunks if "(2) to provide technical" in c.text)[-1] == lines[4]


_WORDS = st.sampled_from(["health", "patient", "policy", "access", "safety", "care", "nurse", "water", "clinic"])


def _tag(page: int, line: int) -> str:
    """A word unique to one line (letters only: digits are folded when running lines are compared)."""
    return "q" + "".join("abcdefghij"[int(d)] for d in f"{page:02d}{line:02d}")


@st.composite
def documents(draw: st.DrawFn) -> list[list[str]]:
    pages = []
    for p in range(draw(st.integers(3, 8))):
        lines = []
        for i in range(draw(st.integers(0, 6))):
            words = draw(st.lists(_WORDS, min_size=1, max_size=12))
            end = draw(st.sampled_from(["", ".", ","]))
            lines.append(" ".join([_tag(p, i), *words]) + end)
        pages.append(lines)
    return pages


@settings(max_examples=60, deadline=None)
@given(documents())
def test_cleaning_keeps_the_page_map_exact_drops_running_lines_and_keeps_body_order(pages: list[list[str]]) -> None:
    framed = [
        [Line(f"{HEADER} {n + 1}"), *(Line(x) for x in body), Line(f"- {n + 1} -")] for n, body in enumerate(pages)
    ]
    cleaned = clean_pages(framed)
    assert len(cleaned.page_starts) == len(pages)
    ends = [*cleaned.page_starts[1:], len(cleaned.text)]
    for body, start, end in zip(pages, cleaned.page_starts, ends, strict=True):
        page_text = cleaned.text[start:end]
        assert page_text.split() == " ".join(body).split()  # every page's own body text, in order, nothing else
        assert page_text.startswith(body[0].split()[0] if body else "")
    assert HEADER not in cleaned.text
    for block in cleaned.blocks:
        assert cleaned.text[block.start : block.end].strip() == cleaned.text[block.start : block.end]


def test_text_converted_from_pdf_is_reflowed() -> None:
    wrapped = [
        "Pharma industry and patient groups agree on a new note on best practice",
        "for interaction with patients, caregivers and patient organizations",
        "across the world.",
        "The note complements the code of practice that covers the promotion of",
        "medicines and interactions with health care professionals and with",
        "patient organizations everywhere.",
        "It sets out principles that protect the independence, privacy and",
        "integrity of patients when they receive support from companies and",
        "associations of any size.",
    ]
    data = ("\n\n".join(wrapped) + "\n").encode()
    text = parse(Path("note.txt"), data).text
    assert "best practice for interaction with patients, caregivers and patient organizations across the world." in text
    assert "\n\nfor interaction" not in text


def test_in_text_converted_from_pdf_one_line_items_end_before_a_capitalised_paragraph() -> None:
    wrapped = [
        "This year the patient organisations met for two days of exchange and",
        "learning, and the event tackled three core themes from the position",
        "paper that the members agreed on after a long consultation:",
        "• Putting people at the heart of healthcare",
        "• Prioritising diversity, equity and inclusion",
        "• Power of patient data and healthcare digitalisation",
        "The event provided a platform for the global patient community to exchange",
        "learnings and opportunities, hearing case studies for action on the ground.",
        "Across the two days experts in patient advocacy and health policy came",
        "together to discuss how healthcare can be made more humane for all of us.",
    ]
    parsed = parse(Path("event.txt"), ("\n\n".join(wrapped) + "\n").encode())
    blocks = [(b.kind, parsed.text[b.start : b.end]) for b in parsed.blocks]
    assert ("list_item", "• Power of patient data and healthcare digitalisation") in blocks
    assert any(kind == "paragraph" and text.startswith("The event provided") for kind, text in blocks)


def test_a_hard_wrapped_text_file_rejoins_words_broken_at_a_hyphen() -> None:
    data = (
        b"Patients need access to advice about medicines, treat-\n"
        b"ment and how to respond. Care in hos-\n"
        b"pitals must be evidence-\n"
        b"based; evidence is based on data. Patients self-\n"
        b"manage their conditions, well-\n"
        b"known to their doctors.\n"
    )
    text = parse(Path("letter.txt"), data).text
    assert "medicines, treatment\nand how" in text  # the line break moves after the word: lines stay lines
    assert "in hospitals\nmust" in text  # halves of the break are no evidence of words
    assert "evidence-based;" in text  # both halves are words elsewhere: a compound
    assert "self-manage\ntheir" in text and "well-known\nto" in text  # prefixes English hyphenates
    assert " ment " not in text and "treat- " not in text
    alone = parse(Path("short.txt"), b"Patients need treat-\nment\nand support, hos-\npitals.").text
    assert alone == "Patients need treatment\nand support, hospitals."  # a word alone on its line: no blank line


def test_markdown_passages_are_plain_text() -> None:
    md = (
        b"# Patient voice\n\nJoin [Patient Solidarity Day \\(PSD\\)](#) on *9 December*, a **global** day.\n\n"
        b"1. Plan early\n2. Invite `patients`\n\n| Year | Theme |\n|---|---|\n| 2024 | Access |\n"
    )
    parsed = parse(Path("voice.md"), md)
    kinds = [(parsed.text[b.start : b.end], b.kind) for b in parsed.blocks]
    assert kinds == [
        ("Patient voice", "heading"),
        ("Join Patient Solidarity Day (PSD) on 9 December, a global day.", "paragraph"),
        ("Plan early", "list_item"),
        ("Invite patients", "list_item"),
        ("Year | Theme", "table"),
        ("2024 | Access", "table"),
    ]


def test_markdown_saved_as_txt_is_read_as_markdown() -> None:
    data = b"**Our year**\n\nWe marked our [25th anniversary](#) and [World Patient Day](https://x.org) together.\n\n**Next**\n"
    text = parse(Path("report.txt"), data).text
    assert text == "Our year\n\nWe marked our 25th anniversary and World Patient Day together.\n\nNext"


def test_non_prose_spans_reach_the_chunks_and_survive_the_registry(kb: KnowledgeBase, tmp_path: Path) -> None:
    source = tmp_path / "docs" / "guide.md"
    source.parent.mkdir()
    source.write_text(
        "# Staffing\n\nEach hospital should have one infection preventionist per 250 beds.\n\n"
        "| Facility | Ratio |\n|---|---|\n| Hospital | 1:250 |\n"
    )
    kb.ingest([source.parent])
    [info] = kb.documents()
    doc = kb.document(info.doc_id)
    assert doc is not None
    [chunk] = kb.chunks(doc.doc_id)
    spans = [(doc.text[s.start : s.end], s.kind) for s in chunk.non_prose]
    assert spans == [("Staffing", "heading"), ("Facility | Ratio\n\nHospital | 1:250", "table")]
    sentence = doc.text.index("Each hospital")
    assert chunk.quotable(sentence, sentence + 20)
    assert not chunk.quotable(chunk.non_prose[1].start, chunk.non_prose[1].start + 5)
    assert kb.chunk(chunk.chunk_id).non_prose == chunk.non_prose  # type: ignore[union-attr]


def test_chunker_marks_table_and_reference_units() -> None:
    parsed = parse(Path("report.pdf"), make_report_pdf())
    chunker = Chunker(lambda texts: [len(t.split()) for t in texts], max_tokens=200, overlap_tokens=0)
    chunks = chunker.chunk("d", parsed.text, parsed.blocks, parsed.page_starts)
    kinds = {s.kind for c in chunks for s in c.non_prose}
    assert kinds == {"heading", "caption", "table", "reference"}
    for chunk in chunks:
        for span in chunk.non_prose:
            assert chunk.char_start <= span.start < span.end <= chunk.char_end


def test_html_and_docx_tables_and_captions_are_typed() -> None:
    html = (
        b"<html><body><main><p>Intro text here.</p><table><tr><th>Year</th><th>Theme</th></tr>"
        b"<tr><td>2024</td><td>Access</td></tr></table><figure><img src='x.png'>"
        b"<figcaption>Figure 1: Members by region</figcaption></figure></main></body></html>"
    )
    parsed = parse(Path("page.html"), html)
    assert [(parsed.text[b.start : b.end], b.kind) for b in parsed.blocks] == [
        ("Intro text here.", "paragraph"),
        ("Year | Theme", "table"),
        ("2024 | Access", "table"),
        ("Figure 1: Members by region", "caption"),
    ]


def test_registry_from_before_non_prose_gains_the_column(tmp_path: Path) -> None:
    import sqlite3

    from policykb.index.registry import Registry

    path = tmp_path / "registry.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE chunks (id INTEGER PRIMARY KEY AUTOINCREMENT, chunk_id TEXT NOT NULL UNIQUE, doc_id TEXT"
            " NOT NULL, ordinal INTEGER NOT NULL, text TEXT NOT NULL, text_sha TEXT NOT NULL, char_start INTEGER"
            " NOT NULL, char_end INTEGER NOT NULL, page_start INTEGER, page_end INTEGER, headings TEXT NOT NULL)"
        )
        conn.execute("INSERT INTO chunks VALUES (1, 'c1', 'd1', 0, 'Old text.', 'x', 0, 9, NULL, NULL, '[]')")
    registry = Registry(path)
    chunk = registry.chunk("c1")
    assert chunk is not None and chunk.non_prose == []


def test_pdf_page_labels_kept_and_a_lone_line_per_page_is_content() -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    for i, style in enumerate(["r", "D", None]):
        pdf.add_page()
        if style:
            pdf.set_page_label(label_style=style, label_start=1)
        pdf.cell(0, 6, f"Page body text number {i}.")
    parsed = parse(Path("labelled.pdf"), bytes(pdf.output()))
    assert parsed.page_labels == ["i", "1", "2"]
    assert parsed.text == "Page body text number 0.\n\nPage body text number 1.\n\nPage body text number 2."


def test_a_sentence_cut_by_a_blank_line_is_one_paragraph_again() -> None:
    data = (
        b"Infection Control in Hospitals\n\nhttps://example.org/article\n\n"
        b"This year we are working with physicians \nas part of a WHO project to deliver an \n\n"
        b"online training resource for health pro-\nfessionals. At the European level we test,\n\n\n"
        b"in several countries, new ways.\n\nThe priorities are:\n\na) access;\n\nb) safety.\n"
    )
    parsed = parse(Path("letter.txt"), data)
    paragraphs = [parsed.text[b.start : b.end] for b in parsed.blocks]
    assert any("deliver an\nonline training resource for health professionals." in p for p in paragraphs)
    assert any(p.endswith("we test,\nin several countries, new ways.") for p in paragraphs)
    assert "Infection Control in Hospitals" in paragraphs  # a title before a link stays a paragraph of its own
    assert "a) access;" in paragraphs and "b) safety." in paragraphs  # lettered items stay items


def test_a_sentence_after_one_line_list_items_is_a_paragraph_of_its_own() -> None:
    data = (
        "The alliance will move forward by:\n"
        "•  Running workshops for smaller organizations\n"
        "•  Raising awareness of\nNational Days.\n"
        "•  Organizing patient surveys\n"
        "•  Collaborating with organizations in public activities\n"
        "There will be many challenges for the alliance as it moves forward.\n"
    ).encode()
    parsed = parse(Path("alliance.txt"), data)
    blocks = [(b.kind, parsed.text[b.start : b.end]) for b in parsed.blocks]
    assert ("list_item", "•  Collaborating with organizations in public activities") in blocks
    assert ("paragraph", "There will be many challenges for the alliance as it moves forward.") in blocks
    assert ("list_item", "•  Raising awareness of\nNational Days.") in blocks  # cut after "of": it goes on


def test_an_annex_closes_the_chapter_before_it_and_a_number_that_does_not_go_on_opens_its_own_path() -> None:
    """An annex's title line is a part of its own, however its font came out, and a section number that does
    not go on from the open sections ("4.1.2" after "10.5") closes them: the annex's evidence is no part of
    the chapter on contributors and their interests."""
    body = [Line(f"Body line {n} of the guideline text runs on here and ends.", 10.0) for n in range(6)]
    chapter = [
        Line("10. Contributors and interests", 16.0, bold=True),
        *body[:2],
        Line("10.5 Recommendations for the final phase", 14.0, bold=True),
        *body[2:4],
    ]
    annex = [
        Line("Annex: All evidence profiles, sorted by sections", 10.0),
        Line("Pyrethroid-only nets reduce child mortality compared to no nets, with high certainty.", 10.0),
        Line("4.1.2. Co-deploying ITNs and IRS", 12.0, bold=True),
        *body[4:],
    ]
    cleaned = clean_pages([chapter, annex])
    levels = [(cleaned.text[b.start : b.end], b.level) for b in cleaned.blocks if b.kind == "heading"]
    assert levels == [
        ("10. Contributors and interests", 1),
        ("10.5 Recommendations for the final phase", 2),
        ("Annex: All evidence profiles, sorted by sections", 1),
        ("4.1.2. Co-deploying ITNs and IRS", 3),
    ]
    chunks = Chunker(lambda texts: [len(t.split()) for t in texts], 40, 0).chunk("d", cleaned.text, cleaned.blocks)
    nets = next(c for c in chunks if "Pyrethroid-only nets" in c.text)
    assert nets.headings == ["Annex: All evidence profiles, sorted by sections"]
    restart = clean_pages([[*chapter, Line("4.1.2. Co-deploying ITNs and IRS", 12.0, bold=True), *body[4:]]])
    levels = [(restart.text[b.start : b.end], b.level) for b in restart.blocks if b.kind == "heading"]
    assert levels[-1] == ("4.1.2. Co-deploying ITNs and IRS", 1)  # closes 10 and 10.5
    siblings = [
        Line("Chapter 3 Prevention", 16.0, bold=True),
        Line("3.1 Vector control", 14.0, bold=True),
        *body[:2],
        Line("3.2 Preventive chemotherapy", 14.0, bold=True),
        *body[2:4],
    ]
    cleaned = clean_pages([siblings])
    levels = [(cleaned.text[b.start : b.end], b.level) for b in cleaned.blocks if b.kind == "heading"]
    assert levels[1:] == [("3.1 Vector control", 2), ("3.2 Preventive chemotherapy", 2)]  # siblings, not a restart


def test_an_annex_table_caption_and_a_contents_line_naming_an_annex_are_no_annex_title() -> None:
    body = Line("The table below gives the cases reported by each country over the five years.", 10.0)
    page = [
        body,
        Line("Annex Table 3 Cases of malaria by country and year", 10.0),
        Line("Annex 2: Evidence profiles .......... 45", 10.0),
        body,
    ]
    kinds = {clean_pages([page]).text[b.start : b.end]: b for b in clean_pages([page]).blocks}
    assert kinds["Annex Table 3 Cases of malaria by country and year"].kind == "caption"
    assert all(b.kind != "heading" or b.level != 1 for b in kinds.values())


def test_numbered_sections_set_the_heading_levels_and_unnumbered_headings_nest_under_them() -> None:
    body = [Line(f"Body line {n} of the guideline text runs on here and ends.", 10.0) for n in range(6)]
    page = [
        Line("4. Prevention", 16.0, bold=True),
        *body[:2],
        Line("4.2 Preventive chemotherapies", 14.0, bold=True),
        *body[2:4],
        Line("4.2.6.3 Mass drug administration to reduce transmission", 12.0, bold=True),
        Line("Seasonal chemoprevention probably reduces clinical malaria in young children.", 10.0),
        Line("Evidence to decision", 13.0, bold=True),
        *body[4:],
        Line("5. Case management", 16.0, bold=True),
        Line("Diagnosis comes before treatment in every setting described here.", 10.0),
    ]
    cleaned = clean_pages([page])
    levels = [(cleaned.text[b.start : b.end], b.level) for b in cleaned.blocks if b.kind == "heading"]
    assert levels == [
        ("4. Prevention", 1),
        ("4.2 Preventive chemotherapies", 2),
        ("4.2.6.3 Mass drug administration to reduce transmission", 4),
        ("Evidence to decision", 5),  # a part of section 4.2.6.3, not a sibling of 4.2
        ("5. Case management", 1),
    ]
    chunks = Chunker(lambda texts: [len(t.split()) for t in texts], 60, 0).chunk("d", cleaned.text, cleaned.blocks)
    [evidence] = [c for c in chunks if c.text.startswith("Evidence to decision")]
    assert evidence.headings == [
        "4. Prevention",
        "4.2 Preventive chemotherapies",
        "4.2.6.3 Mass drug administration to reduce transmission",
        "Evidence to decision",
    ]
