"""Chunker invariants, checked on generated documents (hypothesis) and on the sample corpus."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policykb.core.text import BULLET_GLYPHS, split_sentences
from policykb.index.embedders import HashEmbedder
from policykb.ingest.chunker import Chunker
from policykb.ingest.parsed import blocks_from_plain_text
from policykb.ingest.readers import parse
from tests.conftest import CORPUS

COUNT = HashEmbedder().count_tokens

words = st.text(alphabet='abcdefghij KLMNOP0123.,;:!?-•#*"”’()\n', min_size=0, max_size=12)
line = st.lists(words, min_size=0, max_size=30).map(" ".join)
document = st.lists(
    st.one_of(line, line.map(lambda s: "# " + s), line.map(lambda s: "- " + s), st.just(""), st.just("x" * 700)),
    min_size=1,
    max_size=40,
).map("\n".join)


def _check(text: str, budget: int, overlap: int) -> None:
    chunker = Chunker(COUNT, budget, overlap)
    chunks = chunker.chunk("doc", text, blocks_from_plain_text(text))
    covered = [False] * len(text)
    for n, c in enumerate(chunks):
        assert c.ordinal == n
        assert text[c.char_start : c.char_end] == c.text, "offsets map back to the chunk's text"
        assert COUNT([c.text])[0] <= budget, "no chunk exceeds the budget"
        for i in range(c.char_start, c.char_end):
            covered[i] = True
    missing = [i for i, ch in enumerate(text) if not ch.isspace() and not covered[i]]
    assert not missing, f"uncovered characters at {missing[:5]}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document, st.integers(min_value=8, max_value=80), st.integers(min_value=0, max_value=20))
def test_invariants_on_generated_documents(text: str, budget: int, overlap: int) -> None:
    _check(text, budget, overlap)


def test_invariants_on_sample_corpus_with_the_real_tokenizer() -> None:
    from policykb.index.embedders import SentenceTransformerEmbedder, minilm_path

    counter = SentenceTransformerEmbedder("minilm", minilm_path()).count_tokens
    for path in sorted(CORPUS.glob("*.txt")):
        parsed = parse(path, path.read_bytes())
        chunks = Chunker(counter, 200, 32).chunk("d", parsed.text, parsed.blocks)
        assert chunks
        for c in chunks:
            assert parsed.text[c.char_start : c.char_end] == c.text
            assert counter([c.text])[0] <= 200


def test_headings_travel_with_their_section() -> None:
    text = (
        "# Annual report\n\nIntro text here.\n\n## Advocacy\n\n" + "We spoke at WHO. " * 30 + "\n\n## Finance\n\nMoney."
    )
    chunks = Chunker(COUNT, 40, 8).chunk("d", text, blocks_from_plain_text(text))
    advocacy = [c for c in chunks if "We spoke" in c.text]
    assert advocacy and all(
        c.headings[-1] == "## Advocacy".strip("# ") or "Advocacy" in c.headings[-1] for c in advocacy
    )
    finance = next(c for c in chunks if "Money." in c.text)
    assert finance.text.startswith("## Finance")
    assert finance.headings == ["Annual report", "Finance"]


def _list_chunks(text: str) -> list[tuple[list[str], str]]:
    return [(c.headings, c.text) for c in Chunker(COUNT, 40, 0).chunk("d", text, blocks_from_plain_text(text))]


def test_a_chunk_opening_inside_a_list_carries_its_introduction() -> None:
    items = "\n".join(f"- item number {i} of the facility's needs;" for i in range(12))
    text = f"# Built environment\n\nFacilities vary.\n\nAll facilities should provide at least the following:\n{items}"
    later = [h for h, t in _list_chunks(text) if t.startswith("- item number") and "following:" not in t]
    assert len(later) >= 2, "the list runs over more than one chunk"
    assert all(h == ["Built environment", "All facilities should provide at least the following:"] for h in later)


def test_sub_items_carry_the_item_they_continue_and_a_sibling_closes_it() -> None:
    subs = "\n".join(f"- sub-item number {i} of the requirements;" for i in range(12))
    siblings = "\n".join(f"• A sibling point number {i} stands on its own." for i in range(8))
    text = f"# Design\n\nThe GDG noted:\n• Other requirements for acute care facilities are:\n{subs}\n{siblings}"
    chunks = _list_chunks(text)
    subs_later = [h for h, t in chunks if t.startswith("- sub-item") and "are:" not in t]
    assert subs_later and all(
        h == ["Design", "The GDG noted:", "Other requirements for acute care facilities are:"] for h in subs_later
    )
    siblings_later = [h for h, t in chunks if t.startswith("• A sibling")]
    assert siblings_later and all(h == ["Design", "The GDG noted:"] for h in siblings_later)


def test_prose_without_a_colon_closes_a_list() -> None:
    items = "\n".join(f"- item number {i} of the facility's needs;" for i in range(6))
    strays = "\n".join(f"- a later point number {i} of another kind;" for i in range(12))
    text = f"# Needs\n\nProvide the following:\n{items}\n\nThat list is long. Other points follow.\n{strays}"
    later = [h for h, t in _list_chunks(text) if t.startswith("- a later point")]
    assert later and all(h == ["Needs"] for h in later)


def test_overlap_repeats_a_sentence_inside_long_blocks() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(60))
    chunks = Chunker(COUNT, 30, 10).chunk("d", text, blocks_from_plain_text(text))
    assert len(chunks) > 2
    assert any(b.char_start < a.char_end for a, b in itertools.pairwise(chunks))


def test_a_sentence_longer_than_a_chunk_is_cut_at_a_clause_end() -> None:
    """A resolution's preamble is one sentence of recitals: a chunk ends at a recital's ";", never inside a
    clause ("… urged Member States to continue, as appropriate," | "to invest in …")."""
    recitals = [
        f"Recalling resolution WHA{i}.9 on health financing and universal coverage in all regions;"
        for i in range(40, 52)
    ]
    text = (
        "The Health Assembly, " + " ".join(recitals) + " Recalling that it urged Member States to continue to invest."
    )
    chunks = Chunker(COUNT, 60, 0).chunk("d", text, blocks_from_plain_text(text))
    assert len(chunks) > 2
    assert all(c.text.endswith((";", ".")) for c in chunks)


def test_a_closing_quote_or_bracket_stays_with_its_sentence() -> None:
    text = 'He said "Stop now." Then he left (quietly.) The end.'
    assert [text[a:b] for a, b in split_sentences(text, 0, len(text))] == [
        'He said "Stop now."',
        "Then he left (quietly.)",
        "The end.",
    ]


def test_a_checklist_item_after_a_sentence_starts_its_own() -> None:
    text = "❑ Critical items must be sterile prior to use. ❑ Semi-critical items need disinfection. • Wash hands."
    assert [text[a:b] for a, b in split_sentences(text, 0, len(text))] == [
        "❑ Critical items must be sterile prior to use.",
        "❑ Semi-critical items need disinfection.",
        "• Wash hands.",
    ]


@pytest.mark.parametrize("glyph", list(BULLET_GLYPHS + "-*"))
def test_a_line_opening_with_any_bullet_starts_an_item(glyph: str) -> None:
    """Every glyph the reader takes for a bullet opens an item here too ("› Transmission-based precautions"
    after a dash item, a line or a blank line below), so no two items are read as one sentence."""
    for gap in ("\n", "\n\n"):
        text = f"- prevention of injuries from sharp instruments{gap}{glyph} Transmission-based precautions"
        assert [text[a:b] for a, b in split_sentences(text, 0, len(text))] == [
            "- prevention of injuries from sharp instruments",
            f"{glyph} Transmission-based precautions",
        ]


def test_items_counted_inside_a_sentence_keep_it_whole() -> None:
    """Roman-numbered items written on in the sentence ("for: i. Preparation ii. Testing …") end no sentence; a
    word ending in the same letters ("taxi.") still does."""
    text = (
        "Manufacturer instructions are followed for: i. Preparation ii. Testing for appropriate concentration,"
        " and iii. Replacement. They took a taxi. Then they left."
    )
    assert [text[a:b] for a, b in split_sentences(text, 0, len(text))] == [
        text[: text.index(" They")],
        "They took a taxi.",
        "Then they left.",
    ]


def test_a_long_run_of_blank_lines_is_one_break() -> None:
    """Each line break of the run is looked at once (the break was once searched for from every one)."""
    text = "First paragraph ends here\n" + " \n" * 30_000 + "Second paragraph starts here."
    spans = split_sentences(text, 0, len(text))
    assert [text[a:b] for a, b in spans] == ["First paragraph ends here", "Second paragraph starts here."]


def test_a_note_marked_with_an_asterisk_starts_a_sentence() -> None:
    text = "Give the drug. *Not evaluated using the GRADE framework. Then 3 * 4 is twelve."
    spans = split_sentences(text, 0, len(text))
    assert [text[a:b] for a, b in spans] == [
        "Give the drug.",
        "*Not evaluated using the GRADE framework.",
        "Then 3 * 4 is twelve.",
    ]


def test_sentences_do_not_split_after_abbreviations() -> None:
    text = "Dr. Smith spoke. The meeting ended."
    spans = split_sentences(text, 0, len(text))
    assert [text[a:b] for a, b in spans] == ["Dr. Smith spoke.", "The meeting ended."]
    code = "It is issued as WHO/UCN/GMP/2023.01 Rev. 1 in English. It replaces A66/20 Add. 1 of May."
    assert [code[a:b] for a, b in split_sentences(code, 0, len(code))] == [
        "It is issued as WHO/UCN/GMP/2023.01 Rev. 1 in English.",
        "It replaces A66/20 Add. 1 of May.",
    ]


def test_sentences_do_not_split_after_a_persons_initial_or_a_comma() -> None:
    text = (
        "The chair was M.\n\nLindsay Grayson (University of Melbourne,\n\nAustralia). Vaccines against hepatitis B. "
        "Vaccination is safe. Standard Precautions include: 1) hand hygiene,\n\n2) safe injection practices.\n\nEnd."
    )
    spans = split_sentences(text, 0, len(text))
    assert [" ".join(text[a:b].split()) for a, b in spans] == [
        "The chair was M. Lindsay Grayson (University of Melbourne, Australia).",
        "Vaccines against hepatitis B.",  # an initial only where a name follows
        "Vaccination is safe.",
        "Standard Precautions include: 1) hand hygiene, 2) safe injection practices.",
        "End.",
    ]


def test_page_numbers_follow_offsets(tmp_path: Path) -> None:
    text = "Page one text has several words in it.\n\nPage two text has several words in it."
    starts = [0, text.index("Page two")]
    chunks = Chunker(COUNT, 8, 0).chunk("d", text, blocks_from_plain_text(text), starts)
    assert [c.page_start for c in chunks] == [1, 2]
    assert re.search("two", chunks[-1].text)


def test_a_label_ending_in_a_colon_is_no_introduction_to_carry() -> None:
    items = "\n".join(f"- Remark number {i} stands as a sentence of its own." for i in range(12))
    later = [h for h, t in _list_chunks(f"# Notes\n\nRemarks:\n{items}") if t.startswith("- Remark number")]
    assert later and all(h == ["Notes"] for h in later)
