"""Evidence at sentence level: candidate sentences from hits, and how well a text supports a question
or a claim (idf-weighted term coverage plus embedding similarity)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from policykb.core.text import (
    content_words,
    counted_number,
    marker_style,
    number_style,
    split_sentences,
    stem,
    without_footnote_marks,
    without_reference_marks,
)
from policykb.core.types import SearchHit
from policykb.index.embedders import Embedder
from policykb.qa.shape import (
    OPERATIVE_VERBS,
    comparisons,
    finding,
    finding_end,
    finding_start,
    flaw,
    has_finding,
    introduces,
    opens_count,
    outcome,
    rating,
    strip_certainty,
    strip_dated_title,
    strip_leading_marks,
    strip_section_label,
    strip_trailing_marks,
    table_rows,
    third_person,
)

# Markdown links and emphasis; an underscore or a hash inside a word or a link is text ("steps_for_eval").
_MARKUP = re.compile(r"\[([^\]]*)\]\([^)]*\)|[*`◆•]+|(?<![\w/])_+|_+(?![\w/])|(?<![\w/&])#+")


def content_stems(text: str) -> set[str]:
    return {stem(w) for w in content_words(text)}


def clean(text: str) -> str:
    """Display form of a passage sentence: Markdown links and emphasis marks removed, references to the
    bibliography too ("(2,5)", "[12]"), whitespace squashed."""
    text = without_reference_marks(text)
    text = _MARKUP.sub(lambda m: m.group(1) or "", text)
    text = re.sub(r"\\([()\[\]*_#.!-])", r"\1", text)
    text = re.sub(r"(?<=[a-z])-[ \t]*\n\s*(?=[a-z])", "", text)  # words hyphenated at a line end
    return re.sub(r"\s+", " ", text).strip(" -–")


@dataclass(eq=False)
class Sentence:
    hit: SearchHit
    rank: int  # the hit's rank in the search results
    start: int  # offsets into the document's full text
    end: int
    text: str  # the exact document text
    display: str
    position: int = 0  # index among its passage's sentences
    bulleted: bool = False  # it opened with a bullet or a list number: a list item
    titled: bool = False  # an item of a list laid out without marks, which its title may introduce
    flaw: str | None = None  # why it cannot be quoted on its own (see shape.flaw), None when it can
    semantic: float = 0.0
    coverage: float = 0.0
    context_coverage: float = 0.0
    score: float = 0.0
    introduction: str | None = None  # what a list item continues ("URGES Member States:"), when it is one
    label: str | None = None  # the section label that heads it in the document ("CONCLUSIONS:"), not quoted
    row: str | None = None  # a table row's name ("Austria"): the row answers only a question that names it
    lead_in: str | None = None  # what a table row's table follows (its caption, the sentence before it): context
    outcome: str | None = None  # an evidence profile's outcome that the finding, or the summary under it, is about
    siblings: list[Sentence] = field(default_factory=list, repr=False, compare=False)
    # the sentence just before one that opens its passage, where another retrieved passage of the document
    # ends with it: what "It provides …" points back to when the chunk boundary fell between them
    before: Sentence | None = field(default=None, repr=False, compare=False)
    # the sentence opening the next passage of the document, where the answer reads that passage: what a list
    # that ends this passage runs on with
    after: Sentence | None = field(default=None, repr=False, compare=False)

    @property
    def claim_text(self) -> str:
        """What an answer shows for the sentence: a list item after its introduction, elided between."""
        return f"{self.introduction} … {self.display}" if self.introduction else self.display

    @property
    def mark(self) -> str | None:
        """How the list item it opens is marked (a number's style, a bullet's glyph), None when unmarked."""
        return marker_style(_line_of(self))

    @property
    def previous(self) -> Sentence | None:
        return self.siblings[self.position - 1] if self.position > 0 else None

    @property
    def following(self) -> Sentence | None:
        return self.siblings[self.position + 1] if self.position + 1 < len(self.siblings) else None

    def window(self, items: bool = True) -> str:
        """The sentence with its neighbours (and a list item's introduction, and their section labels: the
        sentences under "CONCLUSIONS:" are the conclusions): the immediate context a question's terms may be
        found in. Without `items`, a list item's neighbouring items are left out: they are other claims."""
        around = (
            part
            for s in (self.previous, self, self.following)
            if s is self or (s is not None and (items or not (self.bulleted and s.bulleted)))
            for part in (s.label, s.display)
        )
        return " ".join(part for part in (self.lead_in, self.introduction, *around) if part)


ANSWER_PASSAGES = 8  # the top passages an answer draws its sentences from


def candidate_sentences(
    hits: list[SearchHit],
    max_hits: int = ANSWER_PASSAGES,
    following: Mapping[str, SearchHit] | None = None,
    preceding: Mapping[str, SearchHit] | None = None,
) -> list[Sentence]:
    """Every sentence of the top passages in order, each marked with its flaw when it is not quotable (the
    block kind the ingest gave it, or what its shape shows);
    leading bullets and list numbers, section labels ("Abstract: RESULTS: "; kept as the sentence's context), a
    recommendation's dated title run into its sentence, and a footnote mark that ends a sentence are left out of
    the quoted span. `following` holds the next passage of a top passage's document: where a passage ends in a
    list or its introduction, the next one's sentences are read too, as what the list runs on with (they are
    no candidates of their own: that passage did not rank); `preceding` the passage before, read likewise
    where a passage opens inside a list, as where the list began. Where the best passage's section runs on
    into its next passage (the same headings) other than as a list, that passage's sentences are candidates,
    ranked after the top passages: an evidence summary's statements follow its PICO question, which is what
    ranks."""
    out: list[Sentence] = []
    tables: list[tuple[Sentence, list[Sentence]]] = []
    top = hits[:max_hits]
    ends_in_a_list: list[tuple[int, SearchHit]] = []
    opens_in_a_list: list[tuple[int, SearchHit]] = []
    for rank, hit in enumerate(top):
        siblings, passage_tables = _passage_sentences(hit, rank)
        tables += passage_tables
        out.extend(row for _, rows in passage_tables for row in rows)
        out.extend(siblings)
        if siblings and (siblings[-1].bulleted or introduces(siblings[-1].display)):
            ends_in_a_list.append((rank, hit))
        if siblings and siblings[0].bulleted:
            opens_in_a_list.append((rank, hit))
    for table, rows in tables:
        lead_in = _lead_in(table, out)
        for row in rows:
            row.lead_in = lead_in
    ranked = {h.chunk_id for h in top}
    runs_on = [
        sentence
        for rank, hit in ends_in_a_list
        if (after := (following or {}).get(hit.chunk_id)) is not None and after.chunk_id not in ranked
        for sentence in _passage_sentences(after, rank)[0]
    ]
    runs_before = [
        sentence
        for rank, hit in opens_in_a_list
        if (before := (preceding or {}).get(hit.chunk_id)) is not None and before.chunk_id not in ranked
        for sentence in _passage_sentences(before, rank)[0]
    ]
    best = top[0] if top and not any(rank == 0 for rank, _ in ends_in_a_list) else None  # a list runs on: read above
    after = (following or {}).get(best.chunk_id) if best is not None else None
    if best is not None and after is not None and after.chunk_id not in ranked and after.headings == best.headings:
        section, section_tables = _passage_sentences(after, len(top))
        out.extend(row for _, rows in section_tables for row in rows)
        out.extend(section)
    _link_across_passages(out, runs_on, runs_before)
    return out


def _passage_sentences(hit: SearchHit, rank: int) -> tuple[list[Sentence], list[tuple[Sentence, list[Sentence]]]]:
    """A passage's sentences in order, and the tables among them read as prose with their rows."""
    siblings: list[Sentence] = []
    tables: list[tuple[Sentence, list[Sentence]]] = []
    read_to = 0  # where a sentence made whole across a blank line ends: what it took is not read again
    finding_above: Sentence | None = None  # an evidence profile's last finding, which the next summary sums up
    rating_above: str | None = None  # a certainty cell alone just before, which rates the summary after it
    compared = comparisons(hit.text)  # what the evidence profiles in the passage compare, from where
    for s, e in (c for span in split_sentences(hit.text, 0, len(hit.text)) for c in clauses(hit.text, *span)):
        if e <= read_to:
            continue
        counted = _counted_item(hit.text, s)
        marks = counted or strip_leading_marks(hit.text[s:e])
        s += marks
        labelled = s
        while length := strip_section_label(hit.text[s:e]):  # "Abstract: BACKGROUND: …"
            s += length
        label = clean(hit.text[labelled:s]) or None
        s += strip_dated_title(hit.text[s:e])
        e -= strip_trailing_marks(hit.text[s:e])
        # an evidence profile's block, read as a table or, for the references MAGICapp sets among its rows, as a
        # reference list
        tabled = _block_kind(hit, hit.char_start + s, hit.char_start + e) in ("table", "reference")
        # a profile's rating and summary follow a finding read above: elsewhere "High …" opens a table's text
        in_profile = tabled and finding_above is not None
        # a rating and summary run into the next finding are read as that finding
        summary = in_profile and not rating(hit.text[s:e]) and not has_finding(hit.text[s:e])
        rated = strip_certainty(hit.text[s:e]) if summary else 0
        if rated:  # an evidence profile's summary, after its rating
            label = " ".join(filter(None, [label, clean(hit.text[s : s + rated])]))
            s += rated
        elif tabled:
            e = read_to = max(e, finding_end(hit.text, s, e))
            s += finding_start(hit.text[s:e])  # the table's column headings are no part of its first finding
        if s >= e:
            continue
        text = hit.text[s:e]
        found = finding(text) if tabled and not rated else None  # an evidence profile's finding reads as its row
        if found and siblings and _outcome_line(siblings[-1], hit.char_start + s):
            opening = siblings[-1].start - hit.char_start  # the outcome's first line ("Anaemia"), read apart
            if whole := finding(hit.text[opening:e]):
                siblings.pop()
                s, text, found = opening, hit.text[opening:e], whole
        sentence = Sentence(
            hit, rank, hit.char_start + s, hit.char_start + e, text, found or clean(text),
            bulleted=marks > 0 or opens_count(text), titled=counted > 0,
        )  # fmt: skip
        sentence.position, sentence.siblings = len(siblings), siblings
        sentence.label = label
        if found:
            sentence.flaw, sentence.outcome, finding_above = None, outcome(found), sentence
            # shown under what its profile compares, which it does not name ("… versus ITNs … Malaria incidence …")
            sentence.introduction = next((c for end, c in reversed(compared) if end <= s), None)
        elif (rated or rating_above) and finding_above is not None and not has_finding(text):
            # a summary says what it sums up only under its finding (the outcome, the effect), which the answer
            # shows before it; one whose finding is not in the passage, or that the next row runs into, is not
            # quoted: the summaries of a profile's outcomes all name the same comparison
            sentence.flaw = flaw(sentence.display)  # its cells' line breaks are layout
            sentence.introduction, sentence.outcome = finding_above.claim_text, finding_above.outcome
            sentence.label = " ".join(filter(None, [label, rating_above]))
            finding_above = None
        else:
            sentence.flaw = _block_kind(hit, sentence.start, sentence.end) or flaw(text, sentence.display)
            if has_finding(text):
                finding_above = None  # a row that cannot be told apart: what follows sums up no finding read
        rating_above = sentence.display if in_profile and not found and rating(text) else None
        siblings.append(sentence)
        if sentence.flaw in ("table", "fragment", "heading") and "\n" in text and (rows := _table_rows(sentence)):
            tables.append((sentence, rows))  # a table's lines read as prose are cells, or rows
    for sentence in siblings:
        continues = sentence.flaw == "fragment" and (sentence.titled or _continues_introduction(sentence.display))
        if sentence.bulleted and (continues or sentence.flaw is None):
            sentence.introduction = _introduction(sentence, hit)
            if sentence.introduction:
                sentence.flaw = None  # a list item, quotable together with what introduces it
    return siblings, tables


def _outcome_line(sentence: Sentence, start: int) -> bool:
    """Whether `sentence` is a short heading just before `start`: in an evidence profile, the first line of
    the outcome whose finding follows ("Anaemia" over "(haemoglobin conc <80g/L) prevalence Relative risk …")."""
    short = len(sentence.display.split()) <= 6 and start - sentence.end <= _GAP
    return short and (sentence.flaw == "heading" or sentence.display.endswith(":"))  # "Clinical malaria:"


def _link_across_passages(sentences: list[Sentence], runs_on: list[Sentence], runs_before: list[Sentence]) -> None:
    """Give each sentence that opens its passage the sentence before it in the document, when another
    retrieved passage holds that one (adjacent passages, or overlapping ones; also `runs_before`, the
    passages read before), and that one the sentence after it (what a list at a passage's end runs on with,
    also from `runs_on`, the next passages read). Between a passage's last sentence and the next one's first
    there may be a list's bullet as well."""
    ends: dict[tuple[str, int], Sentence] = {}
    passage_ends: dict[tuple[str, int], Sentence] = {}
    for s in (*sentences, *runs_before):
        if s.row is None:
            ends.setdefault((s.hit.doc_id, s.end), s)
            if s.following is None and not s.hit.text[s.end - s.hit.char_start :].strip():
                passage_ends.setdefault((s.hit.doc_id, s.hit.char_end), s)
    for s in (*sentences, *runs_on):
        if s.position == 0 and s.row is None:
            doc = s.hit.doc_id
            s.before = next(
                (b for gap in range(1, _GAP + 1) if (b := ends.get((doc, s.start - gap))) is not None),
                next((b for gap in range(_GAP + 1) if (b := passage_ends.get((doc, s.hit.char_start - gap)))), None),
            )
            if s.before is not None and s.before.after is None:
                s.before.after = s


_GAP = 3  # characters between two sentences of a document: a space, a line break or a blank line


def _lead_in(table: Sentence, sentences: list[Sentence]) -> str | None:
    """What a table follows: the sentence or caption just before it in its passage, or at the end of a
    retrieved passage that ends where the table's begins ("… shall pay its arrears … as set out below;")."""
    if table.previous is not None:
        return table.previous.display
    before = [
        s
        for s in sentences
        if s.hit.doc_id == table.hit.doc_id and s.row is None and table.start - 3 <= s.hit.char_end <= table.start
    ]
    return max(before, key=lambda s: s.end).display if before else None


def _table_rows(table: Sentence) -> list[Sentence]:
    """The rows of a table laid out a row per line, each quotable under its column headings (the
    headings are what introduces it) and standing alone: its neighbours are other rows, not its context."""
    layout = table_rows(table.text)
    if layout is None:
        return []
    rows = []
    for row in layout.rows:
        text = table.text[row.start : row.end]
        start = table.start + row.start
        sentence = Sentence(table.hit, table.rank, start, start + len(text), text, clean(text))
        sentence.siblings, sentence.introduction, sentence.row = [sentence], clean(layout.header), row.label
        rows.append(sentence)
    return rows


_ITEM_NUMBER = re.compile(r"^\(?[a-z0-9ivx]{1,4}[.)]\s+")


def _continues_introduction(display: str) -> bool:
    """A list item that reads on from an introduction ("to implement …;", "screening of visitors for
    cough"): lowercase and long enough, closed like a sentence or a clause or, as a bullet's line often is,
    not at all."""
    return display[:1].islower() and len(display.split()) >= 3 and not re.search(r"[,(\[–-]$", display)


def _introduction(item: Sentence, hit: SearchHit, depth: int = 2) -> str | None:
    """What introduces a list item: the nearest earlier sentence or heading of its passage that ends in a
    colon ("1. DECIDES:"; when that is an item itself, with what introduces it), or else the passage's last
    heading when that ends in a colon ("2. URGES Member States:"). Without one the item stays a fragment.
    A line numbered like the item ("4. RESOLVES … as follows:" above "8. FURTHER AUTHORIZES …") is its
    sibling, not its introduction."""
    style = number_style(_line_of(item))
    before = item.previous
    crossed = False  # over the items of a sub-list ("›" under a "•" item), whose introduction is not this item's
    while before is not None:
        if before.display.endswith(":") and (before.flaw in (None, "heading") or before.bulleted):
            if (style and number_style(_line_of(before)) == style) or (crossed and before.mark == item.mark):
                return None
            if before.bulleted and depth > 1 and before.display[:1].islower():
                outer = _introduction(before, hit, depth - 1)
                return f"{outer} … {before.display}" if outer else None
            return _label_after_cut(before.display)
        if item.titled and before.flaw == "heading":  # "Maternal health commodities" over "1 Oxytocin – …"
            title = before.previous  # and the title over it ("Commodities by life stage")
            return f"{title.display} … {before.display}" if title and title.flaw == "heading" else before.display
        if not before.bulleted and not _page_furniture(before):
            return None  # prose between: the item belongs to no introduction seen here
        crossed = crossed or (before.bulleted and item.mark is not None and before.mark not in (None, item.mark))
        before = before.previous
    if crossed:
        return None  # what the passage's headings carry introduces the sub-list it opens inside
    headings = [without_footnote_marks(h.strip()) for h in hit.headings]
    if item.titled and headings:
        return headings[-1]
    return _carried_introduction(headings, style, depth)


# A two-column page read across: an unfinished sentence of one column runs into the next column's label
# ("The trials were conducted Desirable effects:"), which is what introduces the items below it; a title's
# capitalised words before it are no cut sentence ("… for Respiratory Hygiene/Cough Etiquette in outpatient
# settings:").
_CUT_BEFORE_LABEL = re.compile(r"^\S.*\s[a-z][^\s]*[a-z] (?P<label>[A-Z][a-z]+(?: [a-z]+){0,3}:)$")


def _label_after_cut(introduction: str) -> str:
    """The introduction without an unfinished sentence glued before its label."""
    glued = _CUT_BEFORE_LABEL.match(introduction)
    return glued["label"] if glued and len(introduction.split()) - len(glued["label"].split()) >= 3 else introduction


def _counted_item(text: str, start: int) -> int:
    """Characters of the bare number opening a list item laid out without marks ("4 Injectable antibiotics – …"
    on a line of its own, where another line of the passage counts 3 or 5), 0 when `start` opens no such item."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line = text[start : line_end if line_end >= 0 else len(text)]
    number = counted_number(line)
    if number is None or text[line_start:start].strip():
        return 0
    counts = {counted_number(other) for other in text.splitlines()}
    mark = re.match(r"\d{1,2}\s+", line)
    return mark.end() if mark and counts & {number - 1, number + 1} else 0


def _page_furniture(sentence: Sentence) -> bool:
    """A footnote that a page break set between a list's items ("3 Document A66/12."): a few words that are
    no sentence, which neither end the list nor introduce it."""
    return sentence.flaw in ("footnote", "fragment") and len(sentence.display.split()) <= 5


def _carried_introduction(headings: list[str], style: str | None, depth: int) -> str | None:
    """The introduction a passage's heading path carries: its last heading when that ends in a colon, and,
    when that is an item itself ("to devise plans …, notably:", carried from the passage before), with the
    heading it reads on from ("URGES Member States: … to devise plans …, notably:")."""
    heading = headings[-1] if headings else ""
    if not heading.endswith(":") or (style and number_style(heading) == style):
        return None
    introduction = _ITEM_NUMBER.sub("", heading)
    if introduction[:1].islower():
        outer = _carried_introduction(headings[:-1], None, depth - 1) if depth > 1 else None
        return f"{outer} … {introduction}" if outer else None
    return introduction


def _line_of(sentence: Sentence) -> str:
    """The document line a sentence starts on, from the line's start: with the number a quote leaves out."""
    text = sentence.hit.text
    start = sentence.start - sentence.hit.char_start
    return text[text.rfind("\n", 0, start) + 1 : start + 20]


# An operative clause's verb, written in capitals ("APPROVES the construction …").
_OPERATIVE_VERB = rf"(?:{'|'.join(third_person(v).upper() for v in OPERATIVE_VERBS)})\b"
# A page read across its columns, or a heading run into its text, glues a sentence's start onto words that do not
# end one ("… and the other in a forested The systematic review identified two studies"; "Health care facility
# level The panel recommends …"): a lowercase word before a capitalised "The" and a lowercase one is a seam.
# So is a web address that a box's line ends with, unpunctuated, before the heading under it that introduces a
# list ("… please visit OneandOnlyCampaign.org Key recommendations for safe injection practices …:"); a name
# holding an address goes on ("the Malaria.org Foundation and …"). And a GRADE statement's certainty in
# brackets, which ends it where the next runs on without a full stop ("… (Rate ratio: 1.31; 95% CI: 0.91–1.88;
# one cRCT; low-certainty evidence) IRS may result in …").
_CLAUSE_BREAK = re.compile(
    rf"(?<=;)(?:\s?\d{{1,2}})?\s+(?=[A-Z][a-z])|(?<=,)(?:\s?\d{{1,2}})?\s+(?={_OPERATIVE_VERB})"
    r"|(?<=[a-z]{2}) (?=The [a-z]{3,})|(?<=\w\.(?:org|com|gov|int|net|edu)) (?=[A-Z][a-z]+ [a-z][^.!?;]*:)"
    r"|(?<=evidence\)) (?=[A-Z][\w,/-]* [a-z])"
)


def clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The sentence text[start:end] cut after each semicolon that a capitalised clause follows, after the
    comma that ends a resolution's preamble before its operative verb ("…, APPROVES the construction …"), and
    at a seam where a sentence's start was glued onto words that do not end one ("… level The panel …"); a
    footnote mark after the punctuation, glued to it or spaced, is left out: a resolution's recitals
    ("Recalling …; Noting that …;") run as one sentence, and each is a statement of its own. A semicolon
    inside brackets separates citations, not clauses ("(Kherad et al., 2010; Jafarinejad et al., 2017)")."""
    spans, cursor = [], start
    for m in _CLAUSE_BREAK.finditer(text, start, end):
        if _open_brackets(text, cursor, m.start()):
            continue
        spans.append((cursor, m.start()))
        cursor = m.end()
    spans.append((cursor, end))
    return spans


def _open_brackets(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] leaves a round or square bracket open."""
    return text.count("(", start, end) > text.count(")", start, end) or (
        text.count("[", start, end) > text.count("]", start, end)
    )


def _block_kind(hit: SearchHit, start: int, end: int) -> str | None:
    """The kind of the non-prose block (heading, table, caption, contents, reference) the span overlaps."""
    return next((span.kind for span in hit.non_prose if span.start < end and start < span.end), None)


def coverage(question_idf: dict[str, float], text_stems: set[str]) -> float:
    """Share of the question's information (idf mass) that the text contains."""
    total = sum(question_idf.values())
    if total <= 0:
        return 0.0
    return sum(w for s, w in question_idf.items() if s in text_stems) / total


class SentenceEmbeddings:
    """Embeds sentences once; the same passages come back often, so vectors are cached by text."""

    def __init__(self, embedder: Embedder, max_items: int = 50_000) -> None:
        self.embedder = embedder
        self.cache: dict[str, np.ndarray] = {}
        self.max_items = max_items

    def vectors(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            if len(self.cache) + len(missing) > self.max_items:
                self.cache.clear()
            for text, vector in zip(missing, self.embedder.embed_passages(missing), strict=True):
                self.cache[text] = vector
        if not texts:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.stack([self.cache[t] for t in texts])
