"""doc_type, date and organisations on the five sample documents, extracted automatically (no manifest).

Decisions written down: the IAPG text is an `article` (a news story about a roundtable, no report
structure); the IFPMA/IAPO text is a `press_release` (Geneva dateline, "announce the launch", About
boilerplate): it announces the Note for Guidance rather than being the note itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policykb.core.dates import find_date_in_text
from policykb.ingest import metadata
from policykb.ingest.chunker import Chunker
from policykb.ingest.parsed import Parsed, TextBuilder
from policykb.ingest.pipeline import SourceFile, build_document, overrides_for
from policykb.ingest.readers import parse
from tests.conftest import CORPUS, SHARED, make_settings

EXPECTED = {
    "iapo-2024-activities-report.txt": ("report", "2024", "IAPO"),
    "iapo-letter-patient-involvement.txt": ("article", None, "IAPO"),
    "ieepo-2023-uniting-in-action.txt": ("event_summary", "2023-03-15", "IEEPO"),
    "iapg-roundtable-2016.txt": ("article", "2016-08-18", "IAPG"),
    "ifpma-iapo-note-for-guidance-2020.txt": ("press_release", "2020-03-17", "IFPMA"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_documents_are_classified_and_dated(name: str) -> None:
    path = CORPUS / name
    parsed = parse(path, path.read_bytes())
    title = metadata.extract_title(parsed, path.stem)
    doc_type, reasons = metadata.classify(title, parsed.text)
    expected_type, expected_date, org = EXPECTED[name]
    assert doc_type == expected_type, reasons
    assert metadata.extract_date(parsed, title).date == expected_date
    assert org in metadata.extract_organisations(parsed.text)
    assert metadata.detect_language(parsed.text) == "en"


def test_activities_report_title() -> None:
    path = CORPUS / "iapo-2024-activities-report.txt"
    parsed = parse(path, path.read_bytes())
    assert metadata.extract_title(parsed, "x") == "2024 Activities Report"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Geneva, March 17, 2020 - launch", "2020-03-17"),
        ("held on Wednesday 15th – Thursday 16th March 2023", "2023-03-15"),
        ("On 9 December 2024 we met", "2024-12-09"),
        ("published in October 2023", "2023-10"),
        ("no date at all", None),
    ],
)
def test_dates_in_text(text: str, expected: str | None) -> None:
    assert find_date_in_text(text) == expected


def test_rules_for_other_types() -> None:
    assert metadata.classify("Statement on agenda item 11", "Thank you, Chair. On behalf of IAPO...")[0] == "statement"
    assert metadata.classify("Advocacy Toolkit", "How to use this toolkit")[0] == "toolkit"
    assert metadata.classify("WHA66.7 Life-saving commodities", "URGES Member States")[0] == "resolution"
    assert metadata.classify("WHO guidelines for malaria", "strong recommendation for")[0] == "guideline"


def test_defined_acronyms_of_organisations_are_found() -> None:
    text = "The African Medicines Agency Treaty Alliance (AMATA) met. Universal Health Coverage (UHC) matters."
    orgs = metadata.extract_organisations(text)
    assert "AMATA" in orgs and "UHC" not in orgs


def test_sidecar_beats_manifest_beats_automatic(tmp_path: Path) -> None:
    from policykb.service.knowledge_base import KnowledgeBase

    folder = tmp_path / "in"
    folder.mkdir()
    body = "Patient organisations call for involvement. " * 30
    (folder / "a.txt").write_text(body)
    (folder / "b.txt").write_text(body + " b")
    (folder / "manifest.json").write_text(json.dumps({"a.txt": {"doc_type": "statement", "title": "From manifest"},
                                                      "b.txt": {"title": "B manifest"}}))  # fmt: skip
    (folder / "a.txt.meta.json").write_text(json.dumps({"title": "From sidecar", "date": "2019-05-01"}))
    kb = KnowledgeBase(make_settings(tmp_path))
    report = kb.ingest([folder])
    assert sorted(report.added) == ["a.txt", "b.txt"]
    docs = {d.source: d for d in kb.documents()}
    assert docs["a.txt"].title == "From sidecar" and docs["a.txt"].doc_type == "statement"
    assert docs["a.txt"].date == "2019-05-01"
    assert docs["b.txt"].title == "B manifest"
    # Editing a sidecar alone updates the document.
    (folder / "a.txt.meta.json").write_text(json.dumps({"title": "Edited"}))
    assert kb.ingest([folder]).updated == ["a.txt"]


def test_invalid_manifest_value_is_a_clear_error(tmp_path: Path) -> None:
    from policykb.service.knowledge_base import KnowledgeBase

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Some text about patients. " * 20)
    (folder / "a.meta.json").write_text(json.dumps({"doc_type": "memo"}))
    report = KnowledgeBase(make_settings(tmp_path)).ingest([folder])
    assert "doc_type 'memo' is not one of" in report.failed[0]["error"]


# ---------------------------------------------------------------------------------------------------- WHO documents


def _parsed(text: str) -> Parsed:
    return parse(Path("doc.txt"), text.encode())


def _blocks(*pieces: tuple[str, str]) -> Parsed:
    """A parsed document made of (kind, text) blocks, as a PDF reader would give them."""
    builder = TextBuilder()
    for kind, text in pieces:
        builder.add(text, kind)  # type: ignore[arg-type]
    return builder.build()


RESOLUTION = (
    "1 Document A66/10.\n\n"
    "WHA66.10 Follow-up to the Political Declaration of the High-level Meeting of the General Assembly on the "
    "Prevention and Control of Non-communicable Diseases The Sixty-sixth World Health Assembly, Having considered "
    "the reports to the Sixty-sixth World Health Assembly on noncommunicable diseases;\n\n"
    "Welcoming the outcome document of the United Nations Conference on Sustainable Development\n"
    "(Rio de Janeiro, 20–22 June 2012), entitled “The future we want”,\n\n"
    "1. DECIDES to endorse the global action plan;\n\n"
    "2. REQUESTS the Director-General to report to the Seventy-third World Health Assembly."
)


def test_resolution_is_dated_by_its_session_not_by_a_quoted_date() -> None:
    parsed = _blocks(*(("paragraph", part) for part in RESOLUTION.split("\n\n")))
    title = metadata.extract_title(parsed, "x")
    assert title == (
        "WHA66.10 Follow-up to the Political Declaration of the High-level Meeting of the General Assembly on the "
        "Prevention and Control of Non-communicable Diseases"
    )
    chosen = metadata.extract_date(parsed, title)
    assert chosen.date == "2013"
    assert "WHA66" in chosen.reason and "1947 + n" in chosen.reason
    assert metadata.extract_meeting(title, parsed.text) == ("WHA66", None)
    assert metadata.classify(title, parsed.text)[0] == "resolution"


def test_preamble_alone_dates_a_resolution() -> None:
    parsed = _parsed("The Sixty-sixth World Health Assembly,\n\nHaving considered the report;\n\nURGES Member States")
    assert metadata.extract_date(parsed, "Disability").date == "2013"


def test_adoption_line_gives_the_day() -> None:
    parsed = _parsed(RESOLUTION + "\n\nNinth plenary meeting, 27 May 2013\nA66/VR/9")
    chosen = metadata.extract_date(parsed, "WHA66.10 Follow-up")
    assert chosen.date == "2013-05-27" and "adoption line" in chosen.reason


@pytest.mark.parametrize(
    "text",
    [
        "Welcoming the outcome of the Conference on Sustainable Development (Rio de Janeiro, 20–22 June 2012).",
        "Welcoming the outcome of the Conference on Sustainable Development\n(Rio de Janeiro, 20–22 June 2012).",
        "The meeting recalled the declaration\nadopted in September 2011 by the General Assembly.",
    ],
)
def test_a_date_quoted_in_the_body_is_not_a_dateline(text: str) -> None:
    chosen = metadata.extract_date(_parsed(text), "Some title")
    assert not chosen.reason.startswith(("date: dateline", "date: adoption line")), chosen


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Geneva, 17 March 2020 – Patient groups announce", "2020-03-17"),
        ("Press release\n\n12 May 2024\n\nWe welcome", "2024-05-12"),
        ("Date: 3 February 2022\n\nDear colleagues", "2022-02-03"),
    ],
)
def test_datelines(text: str, expected: str) -> None:
    chosen = metadata.extract_date(_parsed(text), "Some title")
    assert chosen.date == expected and chosen.reason.startswith("date: dateline")


def test_statement_at_a_who_meeting() -> None:
    text = (
        "Seventy-seventh World Health Assembly\n\n"
        "Agenda item 11.2: Universal health coverage\n\n"
        "Statement by the International Alliance of Patients' Organizations (IAPO)\n\n"
        "Thank you, Chair. IAPO welcomes the report and calls on Member States to involve patients."
    )
    parsed = _parsed(text)
    title = metadata.extract_title(parsed, "x")
    doc_type, reasons = metadata.classify(title, parsed.text)
    assert doc_type == "statement", reasons
    assert metadata.extract_meeting(title, parsed.text) == ("WHA77", "11.2")
    assert metadata.extract_date(parsed, title).date == "2024"


@pytest.mark.parametrize(
    ("text", "meeting", "year"),
    [
        ("EXECUTIVE BOARD\n154th session\nAgenda item 7\n\nStatement on behalf of IAPO. Thank you, Chair.", "EB154", "2024"),
        ("RC74 AFRO – Agenda item 6\n\nIntervention by IAPO. Honourable Chair, distinguished delegates.", "RC74 AFRO", "2024"),
    ],
)  # fmt: skip
def test_statements_at_board_and_regional_committee(text: str, meeting: str, year: str) -> None:
    parsed = _parsed(text)
    title = metadata.extract_title(parsed, "x")
    assert metadata.classify(title, parsed.text)[0] == "statement"
    assert metadata.extract_meeting(title, parsed.text)[0] == meeting
    assert metadata.extract_date(parsed, title).date == year


def test_title_that_wraps_over_lines_and_blocks_is_joined() -> None:
    parsed = _blocks(
        ("heading", "GUIDE TO INFECTION PREVENTION"),
        ("paragraph", "FOR OUTPATIENT SETTINGS:"),
        ("heading", "MINIMUM EXPECTATIONS FOR SAFE CARE"),
        ("paragraph", "National Center for Emerging and Zoonotic Infectious Diseases"),
    )
    assert metadata.extract_title(parsed, "x") == (
        "GUIDE TO INFECTION PREVENTION FOR OUTPATIENT SETTINGS: MINIMUM EXPECTATIONS FOR SAFE CARE"
    )
    wrapped = _blocks(("heading", "Guidelines on core components\nof infection prevention and control"))
    assert metadata.extract_title(wrapped, "x") == "Guidelines on core components of infection prevention and control"


def test_title_is_not_joined_to_what_follows_it() -> None:
    parsed = _blocks(("heading", "Healthy diet"), ("heading", "WHO-EM/NUT/282/E"), ("paragraph", "Key facts."))
    assert metadata.extract_title(parsed, "x") == "Healthy diet"


def test_hyphenated_line_breaks_are_rejoined_in_titles() -> None:
    parsed = _parsed("We hear often about patient-cen-\ntred care and patient involve-\nment, but how aware are you")
    assert metadata.extract_title(parsed, "x").startswith(
        "We hear often about patient-centred care and patient involvement"
    )


def test_working_groups_are_not_organisations() -> None:
    text = (
        "© World Health Organization 2016. Some rights reserved.\n\n"
        "The Guideline Development Group (GDG) reviewed the evidence. The Cochrane Effective Practice and "
        "Organisation of Care (EPOC) criteria were used. The GDG met twice; EPOC criteria apply. "
        "She received funding from the Medical Research Council (UK). "
        + "Infection prevention matters. " * 200
        + "The United Nations has a role."
    )
    orgs = metadata.extract_organisations(text)
    assert orgs[0] == "WHO"
    assert not {"GDG", "EPOC", "UK", "UN"} & set(orgs)


def test_organisations_defined_in_the_text_or_named_often_are_kept() -> None:
    text = (
        "The Indian Alliance of Patient Groups (IAPG) met. "
        + "Health matters. " * 300
        + (" " + "Health matters. " * 10).join(["The United Nations acts.", "UN agencies act.", "The UN system acts."])
    )
    orgs = metadata.extract_organisations(text)
    assert "IAPG" in orgs and "UN" in orgs


def test_publisher_line_names_an_unknown_organisation() -> None:
    text = "Copyright 2021 Rare Disease Patients Network. All rights reserved.\n\nWe call for action."
    assert metadata.extract_organisations(text)[0] == "Rare Disease Patients Network"


def test_build_document_records_why_the_date_was_chosen(tmp_path: Path) -> None:
    path = tmp_path / "statement.txt"
    path.write_text("SEVENTY-SEVENTH WORLD HEALTH ASSEMBLY\n\nAgenda item 11.2\n\nStatement by IAPO. Thank you, Chair.")
    chunker = Chunker(lambda texts: [len(t.split()) for t in texts], 200, 20)
    document, _, reasons = build_document(SourceFile(path, path.name), path.read_bytes(), "0" * 64, {}, chunker)
    assert (document.meeting, document.agenda_item, document.date) == ("WHA77", "11.2", "2024")
    assert any(reason.startswith("date: session WHA77") for reason in reasons)
    overridden, _, reasons = build_document(
        SourceFile(path, path.name), path.read_bytes(), "0" * 64, {"date": "2024-05-28"}, chunker
    )
    assert overridden.date == "2024-05-28" and "date: set in metadata file" in reasons


WHO = SHARED / "corpus" / "who"


@pytest.mark.shared
@pytest.mark.skipif(not WHO.is_dir(), reason="the WHO corpus is not in ../shared")
def test_who_resolutions_get_their_session_and_whole_titles() -> None:
    for path in sorted(WHO.glob("WHA66.*.pdf")):
        parsed = parse(path, path.read_bytes())
        title = metadata.extract_title(parsed, path.stem)
        code = path.stem
        assert title.startswith(f"{code} ") and "World Health Assembly," not in title, title
        assert metadata.extract_date(parsed, title).date == "2013", path.name
        assert metadata.extract_meeting(title, parsed.text)[0] == "WHA66"
        assert metadata.classify(title, parsed.text)[0] == "resolution", path.name
        assert metadata.extract_organisations(parsed.text)[0] in {"WHO", "UN"}
    guideline = WHO / "WHO_IPC_core_components_guidelines_2016.pdf"
    if guideline.exists():
        orgs = metadata.extract_organisations(parse(guideline, guideline.read_bytes()).text)
        assert orgs[0] == "WHO" and not {"GDG", "EPOC"} & set(orgs)


def test_meeting_and_agenda_item_can_be_set_in_a_metadata_file(tmp_path: Path) -> None:
    path = tmp_path / "remarks.txt"
    path.write_text("Remarks by IAPO on patient safety. Thank you, Chair.")
    (tmp_path / "remarks.txt.meta.json").write_text(json.dumps({"meeting": "WHA76", "agenda_item": "13.1"}))
    chunker = Chunker(lambda texts: [len(t.split()) for t in texts], 200, 20)
    overrides = overrides_for(path)
    document, _, _ = build_document(SourceFile(path, path.name), path.read_bytes(), "0" * 64, overrides, chunker)
    assert (document.meeting, document.agenda_item) == ("WHA76", "13.1")


def test_an_undated_text_stays_undated_rather_than_taking_a_quoted_date() -> None:
    text = "Patient organisations met to discuss access.\n\nThe declaration (New York, 19 September 2011) helps."
    assert metadata.extract_date(_parsed(text), "Access to medicines").date is None
