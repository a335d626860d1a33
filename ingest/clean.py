"""Clean text at ingest: what a reader of a cited answer should never see is removed here or marked as such.

Pages arrive as lines (PDF text layers, or text files converted from PDF). Running headers, footers and page
numbers are dropped; hyphenated line ends are rejoined; hard-wrapped lines are reflowed into paragraphs;
words split by glyph spacing ("T esting") are repaired; control and private-use characters are dropped. Each
paragraph gets a block kind: heading, paragraph, list item, table, caption, table of contents or reference.

Invariant: the page map stays exact. Page i's cleaned text begins at `page_starts[i]`, pages are separated by
a blank line (or by a space where a sentence runs on over the page break), and within a page the blocks keep
the order of the source lines, but for a table row's label set last on the page inside its cell's sentence,
which goes before the paragraph it interrupts.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from policykb.core.text import BULLET_GLYPHS, LINE_END, STOPWORDS, counted_number, split_sentences, trim_span
from policykb.ingest.parsed import Block, BlockKind
from policykb.ingest.sessions import ENACTING_FORMULA, RESOLUTION_SYMBOL

PAGE_SEPARATOR = "\n\n"
BLOCK_SEPARATOR = "\n\n"


@dataclass
class Line:
    text: str
    height: float = 0.0  # glyph height where the parser gives it (0: unknown)
    bold: bool = False  # set in a bold face throughout, where the parser tells


@dataclass
class Cleaned:
    text: str
    blocks: list[Block]
    page_starts: list[int]


@dataclass
class _Para:
    kind: BlockKind
    level: int = 0
    lines: list[str] = field(default_factory=list)
    height: float = 0.0


# A C1 control or private-use glyph opening a line is a symbol font's bullet (Wingdings, Symbol).
# A bullet opening a line in a symbol font (private-use code points) or as a checklist's box, arrow or tick.
_GLYPH_BULLET = re.compile(r"^(?:[\x80-\x9f\ue000-\uf8ff\uf000-\uf0ff]\s*|[❑❒□■➢►❖✓✔]\s+)")
_INVISIBLE = re.compile(
    r"[\x00\x01\x03-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200d\u2060\ufeff\ue000-\uf8ff\ufffe\uffff]"
)
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?[-–—\s]*(?:\d{1,4}|[ivxlcdm]{1,7})(?:\s*(?:/|of)\s*\d{1,4})?[-–—\s]*$", re.I)
_BULLET = re.compile(rf"^(?:[-–*{BULLET_GLYPHS}]|\(?\d{{1,3}}[.)]|\(?[a-z][.)]|\(?[ivx]{{1,4}}\))\s+\S")
# A capital Roman numeral opening a line ("IV.", "VI.a/b." in a checklist): a list item when a line beside it
# opens with one too, a section's number when it stands alone.
_ROMAN_ITEM = re.compile(r"^[IVX]{1,4}(?:\.[a-z](?:/[a-z])?)?\.\s+[A-Z]")
_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+[A-Z][^.!?]*$")
_CAPTION = re.compile(r"^(?:Table|Figure|Fig\.|Box|Chart|Map|Annex table)\s+[A-Z]?\d+(?:\.\d+)*[a-z]?\b", re.I)
# Table-of-contents lines: an entry ending in its page number ("2 Scope and objectives 19", `_TOC_LINE`), one
# with dot leaders ("Methods ........ 21"), the last line of an entry whose title wrapped ("prevention and
# control 26"), and a page number alone (titles set in one column, their page numbers in the next).
_TOC_LEADERS = re.compile(r"(?:\.{3,}|…+)\s*(\d{1,4}|[ivxlc]{1,6})$")
_TOC_TAIL = re.compile(r"[A-Za-z):]\.*\s+(\d{1,3}|[ivxl]{1,5})$")
_TOC_NUMBER = re.compile(r"^(\d{1,3}|[ivxl]{1,5})$")
_SYMBOL_BULLET = re.compile(rf"^[-–*{BULLET_GLYPHS}]\s")
TOC_WRAP = 3  # lines a contents entry's title may take before the line that ends in its page number
TOC_COLUMN = 40  # titles that may wait for a column of page numbers
_TOC_LINE = re.compile(r"^[A-Z0-9].{2,}?[A-Za-z):]\.*\s+(?:\d{1,3}|[ivxl]{1,5})$")
_TOC_HEADING = re.compile(r"^(?:table of )?contents$", re.I)
_REFERENCE_HEADING = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?\s+)?(?:references|bibliography|literature cited)$", re.I)
_REFERENCE_ITEM = re.compile(
    r"^(?:\[\d{1,3}\]|\(?\d{1,3}[.)])\s+(?:[A-Z][\w'’-]+,?\s+(?:[A-Z]{1,3}\b|[A-Z]\.)|[A-Z][\w&]+[\s\w&]*\.\s)"
)
_SENTENCE_END = LINE_END
_PROSE_END = re.compile(r"[.!?][\"'”’)\]]*$")
_RUNS_ON = re.compile(
    r"(?:,|\s(?:of|and|or|the|a|an|to|in|for|with|on|by|at|from|as|than|that|which|was|were|is|are))$"
)
# A resolution's symbol and title, which may wrap onto two more lines before its enacting formula.
# A guideline's GRADE label above a recommendation: "Conditional recommendation against, Very low certainty
# evidence", on a line of its own (the title of the recommendation follows it), with an "Updated" badge at most.
_GRADE_LABEL = re.compile(
    r"^(?:Strong|Conditional|Weak)\s+recommendation(?:\s+(?:for|against))?\s*"
    r"(?P<certainty>,\s*(?:High|Moderate|Low|Very low)[ -](?:certainty|quality)(?:\s+of)?\s+evidence)?"
    r"(?:\s+(?:Updated|New))?\s*$"  # a badge set on the label's line
)
_RESOLUTION_TITLE = re.compile(rf"^(?:{RESOLUTION_SYMBOL})\s+[A-Z]")
_ENACTING = re.compile(ENACTING_FORMULA)
# A numbered paragraph that introduces the list below it ("1. URGES Member States:", "3. REQUESTS the
# Director-General:2"): a heading nested under the section it is in, so that every chunk of its items
# carries it, and an answer quoting an item can say what the item is ("URGES Member States: … to …").
# A numbered paragraph introducing its items ("2. URGES Member States:"), or, after a sentence's end, an
# operative verb in capitals whose paragraph number the page lost ("REQUESTS the Director-General:").
_LIST_INTRODUCTION = re.compile(r"^(?:\d{1,2}\.\s+([A-Z][\w-]+)|([A-Z]{3,}S))\b[^.!?;:]*:\d{0,2}$")
LIST_INTRODUCTION_LEVEL = 6
_WORD = re.compile(r"[A-Za-z][a-z]+|[A-Za-z]")
_GLUED_SPLIT = re.compile(r"\b([A-Za-z]{1,3}) (?=([a-z]{2,})\b)")
_INLINE_HYPHEN = re.compile(r"([A-Za-z]+)\x02([A-Za-z]+)")
_SHORT_WORDS = frozenset(
    re.findall(
        r"\w+",
        "a i am an as at be by do go he if in is it me my no of on or so to up us we all and any are but can did "
        "due few for had has her him his how its may new nor not now off old one our out own per put see she the "
        "too two use via was way who why yes yet you",
    )
)
_LINE_HYPHEN = re.compile(r"([A-Za-z]+)[-\x02]$")


_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


def fold(line: str) -> str:
    """The key of a running line: digits folded (page numbers change), case and spacing ignored."""
    return _SPACES.sub(" ", _DIGITS.sub("#", line)).strip().lower()


def scrub(text: str) -> str:
    """Drop control and private-use characters; a symbol-font or checklist bullet opening a line becomes '•'.
    U+0002 stays: PDFium's mark of a hyphen that broke a word at a line end (see `join_lines`)."""
    text = _GLYPH_BULLET.sub("• ", text)
    return _INVISIBLE.sub("", text.replace("\t", " "))


def running_keys(pages: Sequence[Sequence[str]], edge: int = 3) -> set[str]:
    """Folded lines among the first or last `edge` lines of at least three pages and a fifth of them (a page's
    only line is its content, never counted)."""
    counts: Counter[str] = Counter()
    for lines in pages:
        if sum(1 for x in lines if x.strip()) < 2:
            continue
        counts.update({fold(x) for x in [*lines[:edge], *lines[-edge:]] if x.strip()})
    least = max(3, len(pages) / 5)
    return {key for key, n in counts.items() if n >= least and re.search(r"[a-z]{2}", key)}


def strip_running(pages: Sequence[Sequence[Line]]) -> list[list[Line]]:
    """Remove running headers, footers and page numbers from the top and bottom of each page, and the page's
    own number standing alone a line or two inside the edge (under a section label: "Key facts" / "8")."""
    keys = running_keys([[x.text for x in page] for page in pages]) if len(pages) >= 3 else set()
    offset = _numbering_offset(pages)
    kept: list[list[Line]] = []
    for index, page in enumerate(pages):
        lines = [x for x in page if x.text.strip()]
        top = 0
        while top < min(3, len(lines)) and _is_running(lines[top].text, keys):
            top += 1
        bottom = len(lines)
        while bottom > max(top, len(lines) - 3) and _is_running(lines[bottom - 1].text, keys):
            bottom -= 1
        lines = lines[top:bottom]
        if offset is not None:
            number = str(index + 1 + offset)
            edge = {*range(min(3, len(lines))), *range(max(0, len(lines) - 3), len(lines))}
            lines = [x for i, x in enumerate(lines) if not (i in edge and x.text.strip() == number and len(lines) > 1)]
        kept.append(lines)
    return kept


def _numbering_offset(pages: Sequence[Sequence[Line]], least: int = 3) -> int | None:
    """How the printed page numbers run against the page index: the difference most pages whose first or last
    line is a lone number agree on (at least three pages and half of those numbered), or None."""
    differences: Counter[int] = Counter()
    for index, page in enumerate(pages):
        lines = [x.text.strip() for x in page if x.text.strip()]
        numbers = {int(x) for x in (lines[:1] + lines[-1:]) if x.isdigit() and len(x) <= 4}
        differences.update({n - index - 1 for n in numbers})
    if not differences:
        return None
    difference, n = differences.most_common(1)[0]
    return difference if n >= least and n * 2 >= differences.total() else None


def _is_running(text: str, keys: set[str]) -> bool:
    return fold(text) in keys or bool(_PAGE_NUMBER.match(text.strip()))


def word_counts(text: str) -> Counter[str]:
    """The document's words (lower case, two letters or more) and how often they occur."""
    return Counter(w.lower() for w in _WORD.findall(text) if len(w) > 1)


def vocabulary(pages: Sequence[Sequence[Line]]) -> Counter[str]:
    """A PDF's words. The halves of a line-end break count (unlike plain text's): a hyphen PDFium did not
    mark as soft (U+0002) is mostly a real one ("Sixty-/fourth", "water-/soluble")."""
    return word_counts("\n".join(x.text for page in pages for x in page))


_NAME_PAIR = re.compile(r"(?=\b([A-Z][A-Za-z]+) ([A-Z][A-Za-z]+)\b)")


# A form's answer boxes, their glyphs dropped: "Yes No", "Not applicable", "N/A", "Partially met".
_ANSWER_BOXES = re.compile(
    r"^(?:(?:yes|no|n/?a|not applicable|unknown|partially|partly|fully|not met|met|don'?t know)\s*)+$"
)


def form_cells(pages: Sequence[Sequence[Line]], least: int = 3) -> frozenset[str]:
    """The answer boxes a form repeats under its items ("Yes No" / "Not applicable" in a checklist), folded:
    cells of a table, never part of the item's sentence."""
    counts = Counter(
        key for page in pages for line in page if len(line.text) <= 40 and _ANSWER_BOXES.match(key := fold(line.text))
    )
    return frozenset(key for key, n in counts.items() if n >= least)


def word_pairs(pages: Sequence[Sequence[Line]]) -> Counter[str]:
    """The capitalised word pairs written within one line of the document: the names it uses ("Guidelines
    Development", "Bloodborne Pathogens")."""
    return Counter(" ".join(m.groups()) for page in pages for line in page for m in _NAME_PAIR.finditer(line.text))


def repair_spacing(text: str, vocab: Counter[str]) -> str:
    """Join "T esting" / "pr eventive" when the joined word occurs in the document and the head is no short
    word of its own ("in formation", "a nother" stay: they may be meant)."""

    def join(m: re.Match[str]) -> str:
        a, b = m.group(1), m.group(2)
        return a if vocab[(a + b).lower()] and a.lower() not in _SHORT_WORDS else m.group(0)

    return _GLUED_SPLIT.sub(join, text)


# Prefixes that English writes with a hyphen ("self-management", "well-known", "non-communicable").
_HYPHEN_PREFIXES = frozenset({"self", "well", "non", "cross", "half", "quasi"})


def _rejoin(head: str, tail: str, vocab: Counter[str]) -> str:
    """A word broken by a line-end hyphen: joined when the whole word occurs in the document, or a half is no
    word of it and the head is no hyphenated prefix; a compound of two words ("evidence-based") or a prefix
    before a capitalised word ("post-MDA") keeps its hyphen."""
    if vocab[(head + tail).lower()]:
        return head + tail
    if tail[:1].isupper() and not head.isupper():  # "post-MDA", "anti-HIV": no word goes on in capitals
        return f"{head}-{tail}"
    if len(head) >= 2 and head.isupper() and tail.islower():  # "IPC-related", "HIV-positive": an acronym's compound
        return f"{head}-{tail}"
    if head.lower() in _HYPHEN_PREFIXES or (vocab[head.lower()] > 0 and vocab[tail.lower()] > 0):
        return f"{head}-{tail}"
    return head + tail


# A link cut at a line end after one of its separators, and what continues it: a path or a file name.
_URL_CUT = re.compile(r"(?:https?://|www\.)\S*[/._-]$")
_URL_PART = re.compile(r"[\w~%-]*(?:[/._][\w~%-]*)+(?:[)\].,;]*)(?:\s|$)|(?:html?|pdf|aspx?|php)\b")


def join_lines(lines: Sequence[str], vocab: Counter[str]) -> str:
    """Reflow wrapped lines into one paragraph, rejoining words hyphenated at a line end.

    "increas-/ingly" becomes "increasingly" when that word occurs elsewhere in the document; a real
    compound such as "evidence-/based" keeps its hyphen (both halves are words, the joined form is not).
    """
    out = ""
    for raw in lines:
        line = raw.strip()
        if not out:
            out = line
            continue
        end = out[-64:]  # only the last word matters: never rescan the growing paragraph
        m = _LINE_HYPHEN.search(end)
        tail = re.match(r"[a-z]+", line)
        if m and tail:
            cut = len(out) - len(end) + m.start()
            out = out[:cut] + _rejoin(m.group(1), tail.group(0), vocab) + line[tail.end() :]
        elif _URL_CUT.search(end) and _URL_PART.match(line):
            out += line  # a link wrapped after a slash, dot or underscore goes on without a space
        else:
            out = f"{out} {line}" if out else line
    out = _INLINE_HYPHEN.sub(lambda m: _rejoin(m.group(1), m.group(2), vocab), out)
    return re.sub(r" {2,}", " ", out.replace("\x02", "-"))


_WRAPPED_HYPHEN = re.compile(r"(?<![A-Za-z])([A-Za-z]+)-\n[ \t]*([a-z]+)(\S*)[ \t]?")


# A blank line inside a sentence: the line before ends with a word or a comma, the line after goes on in lower
# case (not a link, not a lettered item "a) …"): a column or page break of the conversion, not a paragraph's end.
_BROKEN_PARAGRAPH = re.compile(r"(?<=[a-z,])[ \t]*\n(?:[ \t]*\n)+[ \t]*(?=[a-z])(?!https?:|www\.|[a-z]{1,4}[.)]\s)")
# A line that closes a sentence, its closing quote or bracket after the stop.
_CLOSED_SENTENCE = re.compile(r"[.!?][\"'’”)]?\s*$")


def rejoin_broken_sentences(text: str) -> str:
    """Plain text whose sentence a blank line cuts in two ("… as part of a WHO project to deliver an" / blank /
    "online training resource …"): the halves are one paragraph again, so the sentence is chunked, quoted and
    cited whole."""
    return _BROKEN_PARAGRAPH.sub("\n", text)


def end_items_before_prose(text: str) -> str:
    """Plain text whose one-line list items, unpunctuated, are followed on the next line by a capitalised
    sentence ("• Participating in public activities" / "There will be many challenges …."): a blank line now
    ends the list there, so the last item does not run on into the sentence. An item cut after a function word
    ("• Raising awareness of" / "National Days.") goes on."""
    lines = text.split("\n")
    out: list[str] = []
    for i, line in enumerate(lines):
        items = lines[i - 2 : i] if i >= 2 else []
        if (
            len(items) == 2
            and all(
                _BULLET.match(item.strip()) and not _SENTENCE_END.search(item) and not item.rstrip().endswith(",")
                for item in items
            )
            and items[-1].split()[-1].lower() not in STOPWORDS
            and line[:1].isupper()
            and _CLOSED_SENTENCE.search(line)
        ):
            out.append("")
        out.append(line)
    return "\n".join(out)


def rejoin_wrapped_words(text: str) -> str:
    """Plain text hard-wrapped at a hyphen ("treat-/ment"): the word is rejoined by `_rejoin`'s rule and the
    line break moves after it, so the text keeps its lines and a compound ("evidence-/based") its hyphen. The
    halves are not counted as words of the document: "hos-/pitals" is no evidence that "hos" is a word."""
    vocab = word_counts(text)
    for m in _WRAPPED_HYPHEN.finditer(text):
        vocab[m.group(1).lower()] -= 1
        vocab[m.group(2).lower()] -= 1

    def rejoin(m: re.Match[str]) -> str:
        word_start = max(text.rfind(" ", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
        if "/" in text[word_start : m.start()]:  # inside an address: a hyphen there is the address's own
            return m.group(0)
        ends_line = m.end() == len(text) or text[m.end()] == "\n"  # the word was the whole line: no blank line
        line_break = "" if ends_line else "\n"
        return f"{_rejoin(m.group(1), m.group(2), vocab)}{m.group(3)}{line_break}"

    return _WRAPPED_HYPHEN.sub(rejoin, text)


def paragraphs(
    lines: Sequence[Line],
    body_height: float,
    width: float,
    pairs: Counter[str],
    cells: frozenset[str],
    context: dict[str, int],
) -> list[_Para]:
    """Group one page's lines into typed paragraphs. `pairs` are the document's word pairs (`word_pairs`),
    `cells` its forms' answer boxes (`form_cells`);
    `context` carries the open section (contents, references) from page to page, and the last page number a
    table of contents listed."""
    paras: list[_Para] = []
    previous: str | None = None
    texts = [x.text.strip() for x in lines]
    listed = _toc_runs(texts)
    if context.get("toc"):  # the contents go on from the page before while its lines look like entries
        contents, context["toc"], context["toc_page"] = _toc_region(texts, 0, context.get("toc_page", 0))
        listed |= contents
    for index, line in enumerate(lines):
        text = line.text.strip()
        if not text:
            previous = None  # an explicit paragraph break
            continue
        following = lines[index + 1].text.strip() if index + 1 < len(lines) else ""
        kind: BlockKind
        titles_list = False  # a title over an annex's unmarked list is a heading of its own ("ANNEX" / "Commodities …")
        if index in listed:
            kind, level = "toc", 0
        else:
            after_heading = bool(paras) and paras[-1].kind == "heading"
            around = _Neighbours(lines, index, pairs, cells)
            kind, level = _line_kind(text, line, body_height, previous, following, after_heading, around, context)
            titles_list = kind == "heading" and around.heads_counted_items() is not None
        current = paras[-1] if paras else None
        if kind == "heading" and _TOC_HEADING.match(text):
            contents, context["toc"], context["toc_page"] = _toc_region(texts, index + 1, 0)
            listed |= contents
            context["references"] = False
        elif kind == "heading" and _REFERENCE_HEADING.match(text):
            context["references"], context["toc"] = True, False
        elif kind == "heading":
            context["toc"] = context["references"] = False
        if current is not None and not body_height and _ends_one_line_items(paras, kind, text):
            paras.append(_Para(kind, level, [text], line.height))
        elif current is not None and not titles_list and _continues(current, kind, text, previous, width, line.height):
            current.lines.append(text)
        else:
            paras.append(_Para(kind, level, [text], line.height))
        previous = None if kind == "table" else text  # what follows a form's cells begins afresh
    return _tables(_citations(_wrapped_introductions(paras)), width)


# A citation's imprint closing its entry: "Geneva: World Health Organization; 2015", then at most a reference
# mark or a link in brackets ("… Geneva: WHO; 2008 (14)").
_IMPRINT_END = re.compile(
    r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)?:\s[^.;:]{2,90};\s*(?:19|20)\d{2}[a-z]?\.?(?:\s*\([^()]*\))?\.?$"
)


def _citations(paras: list[_Para]) -> list[_Para]:
    """A list item or paragraph that ends in a publisher's imprint is a citation, wherever it stands (a list of
    source documents in the body, a reference list the parser did not see as one): its title is no claim."""
    for para in paras:
        if para.kind in ("list_item", "paragraph") and _IMPRINT_END.search(" ".join(para.lines).strip()):
            para.kind, para.level = "reference", 0
    return paras


def _wrapped_introductions(paras: list[_Para]) -> list[_Para]:
    """An operative paragraph that wraps over lines before its items ("2. CALLS upon WHO's international
    partners, including …, civil society and the private sector:") introduces them as a short one does: it
    becomes their heading, so its items are never read as the items of the paragraph before."""
    for para, following in itertools.pairwise(paras):
        text = " ".join(para.lines).strip()
        introduction = _LIST_INTRODUCTION.match(text)
        if (
            para.kind in ("paragraph", "list_item")
            and len(para.lines) > 1
            and introduction
            and (introduction.group(1) or "").isupper()
            and following.kind == "list_item"
        ):
            para.kind, para.level = "heading", LIST_INTRODUCTION_LEVEL
    return paras


@dataclass(frozen=True)
class _Neighbours:
    """What a line's kind may turn on beyond the line itself: the lines around it on the page, the names the
    document writes and the answer boxes its forms repeat (`form_cells`)."""

    lines: Sequence[Line]
    index: int
    pairs: Counter[str]
    cells: frozenset[str]

    def opens_prose(self, reach: int = 6) -> bool:
        """The line is the first of a run in its own font that ends a sentence within `reach` lines."""
        line = self.lines[self.index]
        for after in self.lines[self.index + 1 : self.index + 1 + reach]:
            text = after.text.strip()
            if not text or abs(after.height - line.height) >= 0.5 or after.bold != line.bold:
                return False
            if _PROSE_END.search(text):
                return True
        return False

    def bold_title(self, reach: int = 3) -> bool:
        """The line opens a bold run of at most `reach` lines that ends no sentence (nor an introduction's
        colon) and stops where a title can, and what follows in the regular face does not go on in lower case:
        a title, not a sentence set in bold ("Eat at least 5 portions of fruit" / "a day …") nor a bold term
        its definition continues ("Grading of Recommendations Assessment, Development and")."""
        line = self.lines[self.index]
        end = self.index + 1
        while end < len(self.lines) and self.lines[end].bold and self.lines[end].text.strip():
            if abs(self.lines[end].height - line.height) >= 0.5:
                break
            end += 1
        last = self.lines[end - 1].text.strip()
        if end - self.index > reach or _SENTENCE_END.search(last) or _runs_on(last):
            return False
        following = self.lines[end].text.strip() if end < len(self.lines) else ""
        return not following[:1].islower()

    def counted_item(self) -> bool:
        """The line opens with a bare number that the number lines around it count on ("1 Oxytocin – …" /
        "2 Misoprostol – …" / "3 …"), at most two short titles between two of them: an annex's list laid out
        without marks, three items or more. A footnote ("2 Document A66/14.") ends a sentence and counts nothing."""
        number = counted_number(self.lines[self.index].text)
        if number is None:
            return False
        before, after = self._counted(self.index, -1), self._counted(self.index, 1)
        return (before is not None and (after is not None or self._counted(before, -1) is not None)) or (
            after is not None and self._counted(after, 1) is not None
        )

    def heads_counted_items(self) -> int | None:
        """How many titles down from this line an annex's unmarked list begins: 1 under a short title ("Newborn
        health commodities" / "4 Injectable antibiotics – …"), 2 under a title over that one ("Commodities by
        life stage" / "Maternal health commodities" / "1 Oxytocin – …"); None when it heads no such list."""
        for step in (1, 2):
            index = self.index + step
            if index >= len(self.lines) or not _short_title(self.lines[index - 1].text.strip()):
                return None
            if counted_number(self.lines[index].text) is not None:
                return step if _Neighbours(self.lines, index, self.pairs, self.cells).counted_item() else None
        return None

    def _counted(self, index: int, direction: int, titles: int = 2) -> int | None:
        """The index of the line that counts one on (`direction` 1) or one back (-1) from the line at `index`,
        across at most `titles` short titles."""
        number = counted_number(self.lines[index].text)
        at = index + direction
        while number is not None and 0 <= at < len(self.lines) and abs(at - index) <= titles + 1:
            text = self.lines[at].text.strip()
            if counted_number(text) == number + direction:
                return at
            if not _short_title(text):
                return None
            at += direction
        return None

    def set_larger(self, body: float, ratio: float = 1.2) -> bool:
        """The line is set markedly larger than the body and the line before it: a title the page's layout
        places after a sentence that goes on elsewhere (on the next page, after a section banner), not the
        sentence's next line."""
        line = self.lines[self.index]
        before = self.lines[self.index - 1] if self.index else None
        return bool(
            body
            and before is not None
            and before.height > 0
            and line.height >= body * ratio
            and line.height >= before.height * ratio
            and not line.text.strip()[:1].islower()
        )

    def grade_label(self) -> bool:
        """The line is a recommendation's GRADE label: it heads the recommendation whatever it interrupts (a
        sentence that goes on after the recommendation's box). A bare "Strong recommendation for" is one only
        where a bold title follows; written out with its certainty it always is."""
        label = _GRADE_LABEL.match(self.lines[self.index].text.strip())
        if label is None:
            return False
        following = self.lines[self.index + 1] if self.index + 1 < len(self.lines) else None
        return bool(label.group("certainty")) or bool(following and following.bold)

    def repeated_cell(self) -> bool:
        """The line is one of the document's answer boxes and no lower-case continuation follows it. Such a
        cell is its own table block, so a checklist's "Yes No" / "Not applicable" never glues onto the item's
        sentence or the next item's."""
        if not self.cells or fold(self.lines[self.index].text) not in self.cells:
            return False
        following = self.lines[self.index + 1].text.strip() if self.index + 1 < len(self.lines) else ""
        return not following[:1].islower()

    def splits_name(self, least_words: int = 4) -> bool:
        """The line break cuts a name the document writes on one line elsewhere ("The GRADE methodologist of
        the WHO Guidelines" / "Development Group was …"): the line wraps a sentence, short and capitalised as
        it is. Titles are mostly shorter, a numbered one is a title whatever follows, and a sentence opening
        with a function word ("… Evidence Low" / "The GDG judged …") continues no name."""
        text = self.lines[self.index].text.strip()
        following = self.lines[self.index + 1].text.strip() if self.index + 1 < len(self.lines) else ""
        last, first = re.search(r"\b[A-Z][A-Za-z]+$", text), re.match(r"[A-Z][A-Za-z]+\b", following)
        if not (last and first) or first.group().lower() in STOPWORDS:
            return False
        if len(text.split()) < least_words or _NUMBERED_HEADING.match(text):
            return False
        return bool(self.pairs[f"{last.group()} {first.group()}"])


def _toc_runs(texts: Sequence[str], least: int = 3) -> set[int]:
    """Indices of lines in runs of three or more "Title text 12" lines: a table of contents without its heading.
    The run goes on over entries whose titles wrap, as `_toc_region` reads them, to the end of its page."""
    found: set[int] = set()
    run: list[int] = []
    for index, text in enumerate([*texts, ""]):
        if index in found:
            continue
        if text and _toc_entry(text):
            run.append(index)
            continue
        if len(run) >= least:
            found.update(run)
            pages = [_toc_page(texts[i], False) or "" for i in run]
            found |= _toc_region(texts, index, max([int(x) for x in pages if x.isdigit()], default=0))[0]
        run = []
    return found


def _toc_entry(text: str) -> bool:
    """A whole contents entry: "Title text 12", its title ending no sentence."""
    return bool(_TOC_LINE.match(text)) and not _SENTENCE_END.search(text.rstrip("0123456789ivxl "))


def _toc_page(text: str, wrapped: bool) -> str | None:
    """The page number that makes the line a contents entry: a whole entry's ("2 Scope and objectives 19",
    "Methods ....... 21"), the last line's of an entry whose title wrapped (`wrapped`: "prevention and
    control 26"), or a page number alone on its line; None for any other line."""
    m = _TOC_LEADERS.search(text) or _TOC_NUMBER.match(text)
    if m:
        return m.group(1)
    if len(text) > 120:
        return None
    m = _TOC_TAIL.search(text)
    if m and (_toc_entry(text) or wrapped):
        return m.group(1)
    return None


def _toc_region(texts: Sequence[str], start: int, last_page: int) -> tuple[set[int], bool, int]:
    """The lines from `start` on that continue a table of contents, whether it is still open at the end of the
    page, and the last page number it listed.

    A table of contents lasts while its lines look like entries. An entry ends in its page number, never one
    smaller than the entry before it; its title may take up to `TOC_WRAP` lines before the line with the number
    (a group title such as "Annexes" waits the same way). Titles set in one column and their page numbers in
    another come as a run of titles, then a run of numbers: the titles are entries when the numbers ascend and
    there are two or more of them, at least one for every two titles (the last may have gone as the page's own
    number). The first line that is no entry ends the contents, and so does a run of lines without page
    numbers: prose (a sentence end, a bullet, a line over 100 characters), a page number going back, titles no
    numbers follow. The lines after it are read as any other text: a brochure's "Table of contents" followed by
    short lines without page numbers keeps its headings and prose."""
    found: set[int] = set()
    pending: list[int] = []  # lines waiting for a page number
    index = start
    while index < len(texts):
        text = texts[index]
        if not text:
            index += 1
            continue
        if _TOC_NUMBER.match(text):  # a column of page numbers, for the titles before it
            end = index
            while end < len(texts) and _TOC_NUMBER.match(texts[end]):
                end += 1
            pages = [int(x) for x in texts[index:end] if x.isdigit()]
            column = end - index
            titled = all(re.match(r"[A-Z0-9]", texts[i]) for i in pending)
            fits = len(pending) <= TOC_WRAP or (column >= 2 and 2 * column >= len(pending) and titled)
            if pages != sorted(pages) or (pages and pages[0] < last_page) or not fits:
                break
            found.update(pending, range(index, end))
            pending, last_page, index = [], max([last_page, *pages]), end
            continue
        page = _toc_page(text, bool(pending))
        if page is not None and len(pending) <= TOC_WRAP and not (page.isdigit() and int(page) < last_page):
            found.update(pending, [index])
            pending, last_page = [], int(page) if page.isdigit() else last_page
            index += 1
            continue
        waits = len(text) <= 100 and not _SENTENCE_END.search(text) and not _SYMBOL_BULLET.match(text)
        if not waits or len(pending) >= TOC_COLUMN:
            break
        pending.append(index)
        index += 1
    return found, index == len(texts) and not pending, last_page


def _line_kind(
    text: str,
    line: Line,
    body: float,
    previous: str | None,
    following: str,
    after_heading: bool,
    around: _Neighbours,
    context: dict[str, int],
) -> tuple[BlockKind, int]:
    after_break = previous is None or bool(_SENTENCE_END.search(previous)) or after_heading or around.set_larger(body)
    cited = _REFERENCE_ITEM.match(text) or re.search(r"\(\d{4}\)|\b(?:19|20)\d{2}\b|doi|http", text)
    if context.get("references") and not _REFERENCE_HEADING.match(text) and (cited or not after_break):
        return "reference", 0
    if after_break and (_REFERENCE_HEADING.match(text) or _TOC_HEADING.match(text)):
        return "heading", 2
    if _REFERENCE_ITEM.match(text) and re.search(r"\b(?:19|20)\d{2}\b|\bet al\b", text):
        return "reference", 0
    if _CAPTION.match(text):
        return "caption", 0
    annex = after_break and _ANNEX_TITLE.match(text) and len(text.split()) <= 12 and not _SENTENCE_END.search(text)
    if annex and not re.search(r"\.{4,}\s*\d{1,4}$", text):  # a contents line names an annex too
        return "heading", 1  # a part of its own: the chapter before it ends there
    if around.grade_label():
        return "heading", 2
    if after_break and _RESOLUTION_TITLE.match(text) and len(text) <= 200 and not _SENTENCE_END.search(text):
        return "heading", 1
    if _ENACTING.match(text):  # "The Sixty-sixth World Health Assembly," opens the body, title-like as it looks
        return "paragraph", 0
    introduction = _LIST_INTRODUCTION.match(text)
    if (
        introduction
        and (after_break or bool(introduction.group(1) and introduction.group(1).isupper()))  # after a recital's comma
        and len(text.split()) <= 12
        and _BULLET.match(following)
    ):
        return "heading", LIST_INTRODUCTION_LEVEL
    if re.search(r"\.{4,}\s*\d{1,4}$", text):
        return "toc", 0
    if _ROMAN_ITEM.match(text) and (_ROMAN_ITEM.match(following) or (previous and _ROMAN_ITEM.match(previous))):
        return "list_item", 0
    if around.counted_item():
        return "list_item", 0
    if (heads := around.heads_counted_items()) is not None:
        return "heading", 5 - heads
    wraps_on = following[:1].islower() and bool(re.match(r"^\d{1,2}[.)]\s", text))  # a wrapped list item
    if _is_heading(text, line, body, after_break, around) and not wraps_on:
        numbered = _NUMBERED_HEADING.match(text)
        if numbered:
            return "heading", min(6, numbered.group(1).count(".") + 1)
        return "heading", 1 if body and line.height >= body * 1.5 else 2
    if around.repeated_cell():
        return "table", 0
    prose_follows = following[:1].isupper() and (len(following) >= 40 or bool(_SENTENCE_END.search(following)))
    if after_break and _short_title(text) and prose_follows and not _BULLET.match(text) and not around.splits_name():
        return "heading", 3
    if _BULLET.match(text) and not _counts_on(text, previous):
        return "list_item", 0
    return "paragraph", 0


# An annex's or appendix's title line ("Annex: All evidence profiles, sorted by sections", "ANNEX 2. Glossary"),
# however its font came out.
_ANNEX_TITLE = re.compile(r"(?:Annex|ANNEX|Appendix|APPENDIX)(?:\s+[A-Z0-9]{1,3})?\s*[:.–-]?\s+[A-Z]")
_LINE_MARKER = re.compile(r"\(?(\d{1,2}|[a-h])\)\s")


def _counts_on(text: str, previous: str | None) -> bool:
    """A numbered marker opening a line that goes on counting what the line before counts inside a sentence
    ("Standard Precautions include: 1) hand hygiene," / "2) use of …"): the sentence wraps, no list begins.
    The marker before it must stand inside the previous line, not at its start, and that line not end a
    sentence."""
    marker = _LINE_MARKER.match(text)
    if previous is None or marker is None or _SENTENCE_END.search(previous):
        return False
    label = marker.group(1)
    before = str(int(label) - 1) if label.isdigit() else chr(ord(label) - 1)
    return bool(re.search(rf"(?<=\S)\s\(?{before}\)\s", previous))


def _short_title(text: str) -> bool:
    return (
        len(text) <= 60
        and not _SENTENCE_END.search(text)
        and text[:1].isupper()
        and len(text.split()) <= 8
        and not _runs_on(text)
    )


def _runs_on(text: str) -> bool:
    """The line stops where a sentence cannot: after a comma or a joining word ("… University of Melbourne,"),
    or inside a parenthesis. Told by its shape alone, such a line is no title."""
    return bool(_RUNS_ON.search(text)) or _unclosed(text)


def _unclosed(text: str) -> bool:
    """A parenthesis left open ("Julie Storr (Department of"): the line wraps a sentence, whatever its font."""
    return text.count("(") > text.count(")")


def _is_heading(text: str, line: Line, body: float, after_break: bool, around: _Neighbours) -> bool:
    """A large, bold or numbered title line. One ending in "of" or "and" may still be a title that wraps (a
    cover's "Guidelines on Core Components of"); one ending in a comma or inside a parenthesis is not, nor a
    large or bold line that opens a sentence ending a few lines on in the same font (a page set large, a
    recommendation set in bold), nor a bold list item."""
    if not after_break or len(text) > 100 or _SENTENCE_END.search(text) or text.endswith(",") or _unclosed(text):
        return False
    if not re.search(r"[A-Za-z]{2}", text) or text[:1].islower():
        return False
    words = text.split()
    if _NUMBERED_HEADING.match(text) and len(words) <= 12:
        return True
    if body and line.height >= body * 1.2 and len(words) <= 14:
        return not around.opens_prose()
    if line.bold and len(words) <= 14 and not _BULLET.match(text) and around.bold_title():
        return True
    letters = [c for c in text if c.isalpha()]
    return len(words) <= 10 and len(letters) >= 4 and all(c.isupper() for c in letters)


def _ends_one_line_items(paras: Sequence[_Para], kind: BlockKind, text: str) -> bool:
    """A capitalised line of prose after list items of one line each opens a paragraph of its own: the last
    item, unpunctuated like its siblings, does not run on into it ("• Power of patient data" / "The event …").
    Only told without a page's layout (text converted from PDF): in a PDF a long item wraps before a capital as
    often, and its line widths say where it ends."""
    return (
        kind == "paragraph"
        and text[:1].isupper()
        and len(paras) >= 2
        and all(p.kind == "list_item" and len(p.lines) == 1 for p in paras[-2:])
        and not any(_SENTENCE_END.search(p.lines[0]) for p in paras[-2:])
    )


def _continues(current: _Para, kind: BlockKind, text: str, previous: str | None, width: float, height: float) -> bool:
    """Does this line wrap the current paragraph (rather than open a new block)?"""
    if kind == "table" or current.kind == "table":  # an answer box stands apart from the prose around it
        return kind == current.kind
    if previous is None:
        return False
    if kind == "heading":
        labelled = len(current.lines) == 1 and bool(_GRADE_LABEL.match(current.lines[0]))  # the title it labels
        return (
            current.kind == "heading"
            and (abs(current.height - height) < 0.5 or labelled)
            and not _NUMBERED_HEADING.match(text)
        )
    if current.kind == "caption":
        return text[:1].islower()
    if current.kind == "heading" and _RESOLUTION_TITLE.match(current.lines[0]):
        return len(current.lines) < 3 and not _ENACTING.match(text) and not _SENTENCE_END.search(current.lines[-1])
    if current.kind == "heading":  # a heading wrapped onto a second line
        return len(current.lines) == 1 and text[:1].islower() and len(text) < 60 and not _SENTENCE_END.search(text)
    if kind in ("list_item", "caption") or (kind == "reference" and _REFERENCE_ITEM.match(text)):
        return False
    if kind == "toc":
        return False
    if current.kind in ("toc",):
        return False
    ended = bool(_SENTENCE_END.search(previous))
    if ended and width and len(previous) < 0.7 * width:
        return False  # a short line closing a sentence ends its paragraph
    return not (current.kind in ("paragraph", "list_item") and kind == "reference")


def _tables(paras: list[_Para], width: float, least: int = 5) -> list[_Para]:
    """A run of five or more short unpunctuated lines inside a paragraph is table cells, not prose: it is cut
    out as a table block, the prose around it kept as paragraphs."""
    out: list[_Para] = []
    for para in paras:
        if para.kind != "paragraph" or len(para.lines) < least or not width:
            out.append(para)
            continue
        short = [len(x) < 0.45 * width and not _SENTENCE_END.search(x) for x in para.lines]
        start = 0
        for is_short, group in itertools.groupby(range(len(para.lines)), key=lambda i: short[i]):
            indices = list(group)
            if is_short and len(indices) >= least:
                if indices[0] > start:
                    out.append(_Para("paragraph", 0, para.lines[start : indices[0]], para.height))
                out.append(_Para("table", 0, para.lines[indices[0] : indices[-1] + 1], para.height))
                start = indices[-1] + 1
        if start < len(para.lines):
            out.append(_Para("paragraph", 0, para.lines[start:], para.height))
    return out


def clean_pages(pages: Sequence[Sequence[Line]], strip: bool = True) -> Cleaned:
    """Clean the lines of each page into text, typed blocks and an exact page map."""
    pages = [[Line(scrub(x.text), x.height, x.bold) for x in page] for page in pages]
    if strip:
        pages = strip_running(pages)
    vocab = vocabulary(pages)
    pairs, cells = word_pairs(pages), form_cells(pages)
    lengths = [len(x.text.strip()) for page in pages for x in page if x.text.strip()]
    width = float(statistics.quantiles(lengths, n=10)[7]) if len(lengths) >= 10 else float(max(lengths, default=0))
    heights = [x.height for page in pages for x in page if x.height > 0 and len(x.text) > 0.5 * width]
    body = statistics.median(heights) if heights else 0.0
    long_lines = [x for page in pages for x in page if len(x.text) > 0.5 * width]
    if sum(x.bold for x in long_lines) * 2 >= len(long_lines):  # a body set in bold: bold marks nothing out
        pages = [[Line(x.text, x.height) for x in page] for page in pages]
    parts: list[str] = []
    blocks: list[Block] = []
    page_starts: list[int] = []
    offset = 0
    context: dict[str, int] = {}
    last_page = -1  # the page of the last block
    for index, page in enumerate(pages):
        page_start: int | None = None
        paras = paragraphs(page, body, width, pairs, cells, context)
        if index + 1 < len(pages):
            paras = _lift_label(paras, page, pages[index + 1], width, body)
        for para in paras:
            if para.kind in ("table", "toc"):
                text = "\n".join(repair_spacing(join_lines([x], vocab), vocab) for x in para.lines)
            else:
                text = repair_spacing(join_lines(para.lines, vocab), vocab)
            text = text.strip()
            if not text:
                continue
            runs_over = (
                page_start is None and index > 0 and last_page == index - 1
                and _runs_over(blocks[-1], parts[-1], para.kind, text)
            )  # fmt: skip
            if page_start is not None:
                separator = BLOCK_SEPARATOR
            else:
                separator = " " if runs_over else PAGE_SEPARATOR if index else ""
            parts.append(separator)
            offset += len(separator)
            if page_start is None:
                page_start = offset
            if runs_over:  # the cut sentence's end joins its beginning; what follows it on the page is its own
                first_end = split_sentences(text, 0, len(text))[0][1]
                blocks[-1] = Block(blocks[-1].start, offset + first_end, blocks[-1].kind, blocks[-1].level)
                rest_start, rest_end = trim_span(text, first_end, len(text))
                if rest_start < rest_end:
                    blocks.append(Block(offset + rest_start, offset + rest_end, para.kind, para.level))
            else:
                blocks.append(Block(offset, offset + len(text), para.kind, para.level))
            parts.append(text)
            offset += len(text)
            last_page = index
        if page_start is None:  # a page without text keeps its place in the map
            separator = PAGE_SEPARATOR if index else ""
            parts.append(separator)
            offset += len(separator)
            page_start = offset
        page_starts.append(page_start)
    text = "".join(parts)
    return Cleaned(text, _nest_under_numbered(text, blocks), page_starts)


# A section number opening a heading ("4.2.3 Seasonal malaria chemoprevention"): its parts are its depth.
_SECTION_NUMBER = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,5})\.?\s+\S")


def _nest_under_numbered(text: str, blocks: list[Block]) -> list[Block]:
    """Headings leveled by the document's section numbers: "4.2.3 …" is a third-level heading however its
    font or line came out, and a smaller unnumbered heading after it ("Evidence to decision", "Justification")
    is a part of that section, not a sibling of "4.2": the chunks below keep "4.2.3 Seasonal malaria
    chemoprevention (SMC)" in their heading path, which is what they are about. A numbering that starts again
    ("4.1.2 Co-deploying ITNs and IRS" in an annex, after "10. Contributors and interests" and "10.5 …")
    closes the open sections and counts its depth from itself. A heading set as large as a chapter title
    (level 1) closes the numbered sections; list introductions keep their level."""
    open_sections: list[tuple[str, int]] = []  # the numbers and levels of the numbered headings open
    open_depth = 0  # the level of the deepest numbered heading open, 0 before the first
    offset = 0  # the parts of a number that a numbering started again leaves out of the depth
    out: list[Block] = []
    for block in blocks:
        if block.kind != "heading" or block.level >= LIST_INTRODUCTION_LEVEL:
            out.append(block)
            continue
        number = _SECTION_NUMBER.match(text[block.start : block.end])
        if number:
            parts = number.group(1).split(".")
            root = open_sections[0][0] if open_sections else None
            while open_sections and not number.group(1).startswith(open_sections[-1][0] + "."):
                open_sections.pop()
            if open_sections:  # within an open section: as deep as its number says
                outer, level = open_sections[-1]
                depth = level + len(parts) - (outer.count(".") + 1)
            elif root is not None and int(parts[0]) < int(root.split(".")[0]):
                offset, depth = len(parts) - 1, 1  # numbered again from a lower chapter: an annex's sections
            else:
                depth = len(parts) - offset
            open_depth = max(1, min(depth, LIST_INTRODUCTION_LEVEL - 1))
            open_sections.append((number.group(1), open_depth))
            out.append(Block(block.start, block.end, block.kind, open_depth))
        elif open_depth and block.level > 1:
            out.append(Block(block.start, block.end, block.kind, min(open_depth + 1, LIST_INTRODUCTION_LEVEL - 1)))
        else:
            if block.level == 1:
                open_depth, open_sections, offset = 0, [], 0
            out.append(block)
    return out


def _lift_label(
    paras: list[_Para], page: Sequence[Line], next_page: Sequence[Line], width: float, body: float
) -> list[_Para]:
    """A short title set last on a page inside a sentence that the next page goes on with in lower case ("… in
    clinical trials and the pilot" / "Benefits and harms" / [page break] "implementation studies …"): the label
    of a table row whose cell the text layer gives first. It heads the paragraph it interrupts, so the sentence
    reads on whole over the page break and the label stays searchable on its page. A wrapped line before it
    must be long: a sentence breaks early only where its paragraph ends, never in the middle."""
    opening = next((x.text.strip() for x in next_page if x.text.strip()), "")
    last = paras[-1] if paras else None
    if last is None or last.kind != "paragraph" or len(last.lines) < 2 or not opening[:1].islower():
        return paras
    label, before = last.lines[-1], last.lines[-2]
    if not (
        _short_title(label)
        and len(label) < 0.5 * width
        and len(before) >= 0.7 * width
        and _UNFINISHED.search(before)
        and not _BULLET.match(label)
    ):
        return paras
    line = next(x for x in reversed(page) if x.text.strip())
    level = 2 if line.bold or (body and line.height >= body * 1.2) else 3
    last.lines.pop()
    return [*paras[:-1], _Para("heading", level, [label], line.height), last]


# Where a page's last paragraph stops without ending its sentence ("… to the Sixty-seventh World Health"), and
# the next page's first paragraph is plain prose that opens no numbered or bulleted item and no labelled entry
# ("Comparator: …", "Acute health care facility: …").
_UNFINISHED = re.compile(r"[A-Za-z,]$")
_OPENS_ITEM = re.compile(r"(?:\(?\d{1,3}[.)]|\(?[a-z][.)]|\(?[ivx]+\)|[•◆▪●*–-])\s|[A-Z][^.:;!?]{0,60}:\s")
_STOP = re.compile(r"[.!?:;]\s")
_RUN_ON_WORDS = 8  # a shorter unfinished tail is a label or a heading ("Values and preferences")


def _runs_over(last: Block, last_text: str, kind: str, following: str) -> bool:
    """Whether the next page's first paragraph goes on with the sentence the previous page broke off: they are
    joined by a space, and the sentence's end joins its block, so the sentence is quoted whole; the rest of
    the next page's paragraph is a block of that page (a chunk's page stays the page of its text, the page map
    says where the next page begins). A continuation in lower case goes on any unfinished line; one in
    capitals ("Assembly, through …") only a sentence long enough not to be a label, and a list item only
    where it stops inside a name."""
    if not (last.kind in ("paragraph", "list_item") and kind == "paragraph" and _UNFINISHED.search(last_text)):
        return False
    if _OPENS_ITEM.match(following):
        return False
    if following[:1].islower():
        return True
    tail = _STOP.split(last_text)[-1]
    if len(tail.split()) < _RUN_ON_WORDS:
        return False
    # an unpunctuated list item goes on in capitals only inside a name ("… to the Sixty-seventh World Health" |
    # "Assembly, through …"); after "… of the health system" a capital opens the page's own sentence
    return last.kind == "paragraph" or tail.split()[-1][:1].isupper()


def looks_converted_from_pdf(text: str) -> bool:
    """Plain text where a blank line follows every wrapped line: most blank-line paragraphs are one line
    and many of them stop mid-sentence."""
    paras = [p for p in re.split(r"\n[ \t]*\n", text) if p.strip()]
    if len(paras) < 8:
        return False
    single = [p.strip() for p in paras if "\n" not in p.strip()]
    unended = [p for p in single if not _SENTENCE_END.search(p)]
    return len(single) >= 0.8 * len(paras) and len(unended) >= 0.4 * len(single)


def text_lines(text: str) -> list[Line]:
    """The lines of a text converted from PDF without the blank line after each wrapped line; two or more
    blank lines in a row are a paragraph break (an empty Line)."""
    lines: list[Line] = []
    for block in re.split(r"\n(?:[ \t]*\n){2,}", text):
        lines.extend(Line(x.strip()) for x in block.split("\n") if x.strip())
        lines.append(Line(""))
    return lines
