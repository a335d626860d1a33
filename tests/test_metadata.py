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
from policykb.ingest.readers import parse
from tests.conftest import CORPUS, make_settings

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
    assert metadata.extract_date(parsed, title) == expected_date
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
