"""Is a piece of passage text a quotable claim? A claim is a complete sentence of the document (or a list
item with its introduction, or a table row under its column headings): never a heading, a question, a fragment cut at a chunk edge, a caption, a
footnote, a pointer elsewhere ("Please refer to …"), a running header, a table cell, a table-of-contents line, a bibliography entry or raw markup.

Also: which sentences cannot stand alone. A dangling opener ("It has …", "This is …") needs the sentence
before it; a scene-setting sentence ("… as follows:") needs what it introduces; a note after a sentence
("Note: Endoscopes should be hung …") is part of what that sentence says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policykb.core.text import BULLET_GLYPHS, FOOTNOTE_MARK, runs_on

_END = re.compile(r"(?:[.!?;:][\"'”’)\]]*|\bcertainty evidence\))$")  # a GRADE statement ends at its certainty
_LEADING_MARKS = re.compile(rf"^(?:[\s\-–—*{BULLET_GLYPHS}►✓✔❖■□❑➢>#]|[\ue000-\uf8ff]|\(?[a-z0-9ivx]{{1,4}}[.)]\s)+")
_BARE_MARK = re.compile(r"\d{1,2}\s+")
_MARKUP = re.compile(
    r"\]\(|\\[()\[\]*_#`]|(?:^|\s)#{1,6}\s|\*\*|__|`|[\x00-\x08\x0b-\x1f\x7f-\x9f\ue000-\uf8ff]|<[a-z/][^>]*>"
)
_CAPTION = re.compile(
    r"^(?:Figure|Fig\.|Table|Box|Annex|Appendix|Chart|Graph|Map|Panel|Exhibit|Source|Sources|Note|Notes|Photo)"
    r"\s*[\dA-Z]*[.:\-–]",
    re.I,
)
# A bibliography entry by its shape: opening with its authors and "et al." followed by a title, not a verb
# ("Thwing J, et al. Seasonal …", "Verity, R. et al. Estimates …", "Smith et al. (2019). Phage …"), authors
# with initials ("Pittet D, Allegranzi B,"), a DOI or link, volume and pages ("2011;377:228–41", "12(3),
# 45–67"). An in-text citation is part of a sentence and leaves it quotable ("mice (Willis et al., 1993)",
# "Eriksson et al. (2007) showed that …", "Ramful et al. theorized that …").
# A sentence split at an abbreviation's full stop inside brackets ("(accession no.", "(Kherad et al.").
_ABBREVIATION_END = re.compile(r"\b(?:no|nos|e\.g|i\.e|ca|ref|refs|fig|figs|vs|approx|al|p|pp|vol|cf)\.$", re.I)
_AUTHOR = r"[A-Z][\w'’-]*\.?(?:,?\s+[A-Z]{1,3}\b\.?(?:[A-Z]\.)*)*+"  # "Verity, R.", "Brozek J", "Tusting L.S."
_REFERENCE_START = re.compile(
    rf"^(?:{_AUTHOR},?\s+)*+et al\b\.?+,?+(?:\s*\((?:19|20)\d{{2}}[a-z]?\))?+"
    r"(?:\s*\[\d+(?:[,–-]\s?\d+)*\]|\d{1,3})?+(?!\s+[a-z])"  # "Chen et al. [12] reported" is prose
)
# A web address as written in a text.
LINK = re.compile(r"(?:https?://|www\.)\S+")


def _prose_with_link(text: str) -> bool:
    """A sentence that gives a link where to find something ("… can be found in CDC's Steps … (available at:
    http://…)."): prose around the link, and nothing else of a reference entry."""
    rest = LINK.sub(" ", text)
    return (
        not _REFERENCE.search(rest)
        and not _REFERENCE_START.match(text)
        and len(re.findall(r"\b[a-z]{2,}\b", rest)) >= 6
        and text[:1].isupper()
        and bool(_END.search(text))
    )


# When a reference entry says it was read: "Accessed 12 May 2020", "[cited 2020 Mar 3]", "Retrieved from …";
# prose that says something "can be accessed" or "was retrieved from the registry" is no reference.
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_REFERENCE = re.compile(
    r"\bdoi\b|https?://|www\.|\bISBN\b|\bISSN\b|\b\d+\(\d+\),\s*\d+\s*[-–]\s*\d+|"
    r"\b(?:19|20)\d{2}\s*;\s*\d+|\(\d+\)\s*:\s*\d+|"
    r"\b\d+\s*:\s*\d+\s*[-–]\s*\d+\b|\[(?:online|internet)\]|"
    rf"\b(?:accessed|retrieved|cited)(?:\s+on)?[\s:]+(?:\d|(?:{_MONTHS})[a-z]*\.?\s+\d)|(?-i:\bRetrieved from\b)|"
    r"(?:\b[A-Z][a-z]+(?:-[A-Z][a-z]+)?\s+[A-Z]{1,3},\s*){2,}",
    re.I,
)
# A document's record field ("Authors: Henry, Kevin A.;", "Keywords: …", "Received: …"): metadata, not a claim.
_FIELD = re.compile(
    r"^(?:Authors?|Author information|Affiliations?|Correspondence|Corresponding authors?|Keywords?|Key words|"
    r"Received|Accepted|Published(?: online)?|Date|DOI|Licen[cs]e|Copyright|Citation|Cite as|Funding|Editors?|"
    r"Edited by|Reviewed by|Academic editor|Competing interests|Conflicts? of interest|SHA|PMID|PMCID)\s*:",
    re.I,
)
# A library catalogue record's title and author statement ("… Healthy diet / World Health Organization.").
_CATALOGUE_RECORD = re.compile(r"\s/\s*(?:World Health Organization|WHO|Centers for Disease Control)\b")
# An e-mail address: two or more in one "sentence" make it a directory of contacts, not a claim.
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# A section label of a paper or report run into the sentence it heads ("Abstract: For the past …", "CONCLUSIONS:
# HAdV-55 may …"). Only the sections' own names: a glossary's term ("Bundle: An implementation tool …") is
# what its definition is about and stays in the quote.
_SECTION_LABEL = re.compile(
    r"(?:Abstract|Text|Background|Introduction|Objectives?|Aims?|Purpose|Context|Rationale|Methods?|Methodology|"
    r"Materials and methods|Design|Setting|Participants|Interventions|Measurements|Main outcome measures|"
    r"Results?|Findings|Key findings|Main findings|Discussion|Interpretation|Conclusions?|Summary|"
    r"Significance|Implications|Recommendations?)\s*:\s+(?=[A-Z“\"])"
    # a guideline's recommendation label (GRADE strength and certainty, as MAGICapp prints them) and its
    # "Practical info" tab: "Strong recommendation for , Very low certainty evidence Updated …"
    r"|(?-i:(?:Practical info\s+(?:[\w-]+\s+){0,3}?)?(?:Strong|Conditional|Weak) recommendation (?:for|against)\s*,?\s*"
    r"(?:High|Moderate|Low|Very low) certainty(?: of)? evidence\s+(?:(?:Updated|New)\s+)?(?=[A-Z]))"
    r"|(?-i:Practical info\s+(?=[A-Z]))",
    re.I,
)
# A footnote's text: its number glued to its first word ("1The systematic review considered …").
_FOOTNOTE_TEXT = re.compile(r"^\d{1,2}[A-Z][a-z]")
# An evidence-table summary (population, intervention, comparator, outcomes) run into one line.
_EVIDENCE_TABLE = re.compile(r"\b(?:Population|Intervention|Comparators?|Comparison|Outcomes?)\s*:")
# A table read as one line: rows counted 1, 2, 3 with no punctuation between ("Dimension no Thematic area 1
# Organizational … 2 Targets … 3 Methods …"), or the key to its abbreviations ("SIGHT: Systematic review …;
# IPC: infection prevention and control;").
_COUNTED_ROWS = re.compile(r"(?:^|\s)1\s+[A-Z][^.;:!?]*?\s2\s+[A-Z][^.;:!?]*?\s3\s+[A-Z]")
_ABBREVIATION_KEY = re.compile(r"\b[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*\s*:\s+[A-Za-z][^.;:]{2,120};")
_TOC = re.compile(r"\.{4,}|…{2,}|(?:\s\.){3,}|\s{2,}\d+\s*$")
_HEADING_NUMBER = re.compile(r"^(?:[IVXLC]{1,6}|\d{1,3}(?:\.\d{1,2})*\.?|[A-Z]\.)\s+[A-Z]")
_HEADING_PREFIX = re.compile(
    r"^(?:[ivxlc]{1,6}|\d{1,3}(?:\.\d{1,2})*\.?)\s+[A-Z][a-z]+(?:\s+(?:[A-Z][\w-]*|of|on|and|for|the|in|to|a))+\s+[A-Z]"
)
# An opener that names what came before ("It", "These agents", "Of these"): the sentence says nothing alone. A
# time it names ("This year’s event was held …") is its own, not the sentence before.
_POINTS_BACK = re.compile(
    r"^(?:It|(?:This|That)(?!\s+(?:year|month|week|morning|afternoon|evening|season|spring|summer|autumn|winter|"
    r"quarter|decade|century|biennium)\b)|These|Those|They|Such|He|She|Its|Their|His|Her|Them|Both|Either|Neither|"
    r"The latter|The former|In this|In that|For this|To this end|Of these|Of those|Among them)\b",
)
# A connective ("However", "In addition", "But"), or a consequence drawn within the first words ("The GDG
# therefore felt …"): the sentence relates to the one before but states its own content.
_CONNECTIVE = re.compile(
    r"^(?:Here|There,|Thus|Therefore|Hence|However|Moreover|Furthermore|In addition|Also|Likewise|Similarly|"
    r"Consequently|As a result|In particular|Otherwise|Nevertheless|Besides|But|Yet)\b"
    r"|^(?:[\w’'-]+\s+){1,3}(?:therefore|thus|hence|consequently|accordingly)\b",
)
# A dated title: a noun phrase without commas, not a sentence that opens with a preposition or an article
# ("In the survey (2019) Italy …", "A study at Imperial College (2020) Imperial modelled …").
_DATED_TITLE = re.compile(
    r"(?!(?:A|An|In|On|At|By|For|From|As|After|Before|Since|Among|Of|With|During|According|Between|Under|Over|"
    r"Through|Within|Until|Unlike|Like|While|When|Although|Because|If)\b)[A-Z](?:[^.!?;:(),\n]|(?<=\b[A-Z])\.(?= ))"
    r"{8,150}"
    r"\((?:19|20)\d{2}\)\s+(?=[A-Z][A-Za-z])"
)
# A section number of four levels or more inside a sentence ("… modelling 5.2.2.2 Parenteral alternatives"): a
# heading the page layout ran into it (three levels are too often a figure with its footnote mark, "2.2.9").
_SECTION_INSIDE = re.compile(r"\s\d{1,2}(?:\.\d{1,2}){3,}\s+[A-Z]")
# A sentence that sends the reader elsewhere ("Please refer to the WHO policy brief …", "See Annex 6 for …"),
# not advice to see someone ("Consult a health worker if …").
_POINTER = re.compile(
    r"^(?:Please\s+)?(?:refer\s+to|see|consult)\s+(?:[\w’'-]+\s+){0,3}?(?:annex(?:es)?|sections?|tables?|figures?|"
    r"box|chapters?|appendix|appendices|pages?|pp?\.|web\s?sites?|links?|policy\s+briefs?|guidance|guidelines?|"
    r"documents?|reports?|handbooks?|manuals?|toolkits?|references?|www\.|https?:)"
    r"|^For\s+(?:more|further)\s+(?:information|details)\b"
    r"|\b(?:the\s+)?readers?\s+(?:is|are)\s+(?:referred|directed|referred\s+back)\s+to\b",
    re.I,
)
# A recital of a resolution or declaration ("Recognizing that …,", "The Health Assembly, Having considered
# …,"): the preamble's participles, written as its recitals open.
_RECITAL_START = re.compile(
    r"^(?:The\s+[\w\s-]{0,40}?(?:Assembly|Board|Committee|Conference|Council),\s+)?"
    r"(?:(?:Further|Also|Deeply|Gravely|Fully|Seriously|Strongly)\s+)?"
    r"(?:Recalling|Reaffirming|Recognizing|Recognising|Noting|Welcoming|Acknowledging|Affirming|Bearing|"
    r"Considering|Emphasizing|Emphasising|Stressing|Expressing|Taking|Underlining|Underscoring|Reiterating|"
    r"Appreciating|Deploring|Observing|Believing|Desiring|Realizing|Realising|Seeking|Guided|Having|Aware|Mindful|"
    r"Concerned|Convinced|Determined|Conscious|Alarmed|Cognizant|Cognisant|Encouraged|Committed|Acting|"
    r"Highlighting|Referring|Commending|Endorsing|Urging)\b"
)
# … complete though a comma ends it, because the numbered operative clauses follow.
_RECITAL = re.compile(rf"{_RECITAL_START.pattern}.*,$", re.S)
_BLANK_LINE = re.compile(r"\n\s*\n")
_NOTE = re.compile(r"^Notes?\s*:\s+[A-Z]", re.I)
_INTRODUCES = re.compile(r":\s*$|\bas follows\W*$|\bthe following\W*$|\bbelow\W*$", re.I)
# "… but the following elements are unique to infants and children.": things named as following, and not listed
# after a colon in the sentence itself, are the sentences after it; a section, page or year that follows is not
# what it lists, nor "the following six" of a count, nor a reference ("see the following recommendations").
_NAMES_WHAT_FOLLOWS = re.compile(
    r"(?<!\bsee )\bthe following\s+(?!(?:sections?|chapters?|pages?|papers?|documents?|tables?|figures?|"
    r"annex(?:es)?|years?|days?|weeks?|months?|decades?|recommendations?|\d|two|three|four|five|six|seven|eight|"
    r"nine|ten|few|several)\b)(?:[\w-]+\s+){0,2}?[\w-]+[^s\W]s\b(?!\s+(?:the|a|an|this|these|that|its)\b)[^:]*$",
    re.I,
)


# The verbs a resolution's operative clauses open with, in capitals in its text ("URGES Member States:").
OPERATIVE_VERBS = (
    "approve", "resolve", "decide", "urge", "request", "endorse", "adopt", "call", "invite", "encourage",
    "authorize", "authorise", "note", "welcome", "express", "affirm", "reaffirm", "recommend", "accept", "appeal",
    "elect", "appoint", "declare", "confirm", "thank", "commend", "emphasize", "emphasise", "stress",
)  # fmt: skip
# Those a question asks a resolution to have done (noting or welcoming is what its preamble does too).
ASKED_OPERATIVE_VERBS = OPERATIVE_VERBS[:10]


def third_person(verb: str) -> str:
    """ "urge" -> "urges", "stress" -> "stresses": how an operative clause writes its verb."""
    return verb + ("es" if verb.endswith(("s", "sh", "ch", "x")) else "s")


_COUNTER = re.compile(r"\(?([ivx]{1,4}|[a-z]|\d{1,2})([.)])\s")
_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x")


def _next_counts(label: str) -> set[str]:
    """The labels that may follow `label` in a count: "2" after "1", "ii" or "j" after "i", "b" after "a"."""
    if label.isdigit():
        return {str(int(label) + 1)}
    after = {_ROMAN[_ROMAN.index(label) + 1]} if label in _ROMAN[:-1] else set()
    return after | ({chr(ord(label) + 1)} if len(label) == 1 and label != "z" else set())


def strip_leading_marks(text: str) -> int:
    """Characters of bullets, list numbers and markup at the start of `text` that a quote should skip, and a
    footnote mark the page broke off its clause onto the next line ("…South Centre;⏎3 Considering also …").
    A number that opens a count the text goes on with stays ("i. Preparation ii. Testing …, and iii. …"):
    without it the count reads from "ii."."""
    m = _LEADING_MARKS.match(text)
    end = m.end() if m else 0
    counter = _COUNTER.search(text, 0, end)
    if counter and opens_count(text[counter.start() :]):
        return counter.start()
    mark = _BARE_MARK.match(text, end)
    return mark.end() if mark and _RECITAL_START.match(text[mark.end() :]) else end


def opens_count(text: str) -> bool:
    """`text` opens with a list number its text goes on counting from ("i. Preparation ii. Testing …")."""
    counter = _COUNTER.match(text)
    if counter is None:
        return False
    labels = "|".join(_next_counts(counter.group(1)))
    return bool(re.search(rf"\s\(?(?:{labels}){re.escape(counter.group(2))}\s", text[counter.end() :]))


def strip_section_label(text: str) -> int:
    """Characters of a section label that heads the sentence ("Abstract: ", "RESULTS: ") that a quote should
    skip."""
    m = _SECTION_LABEL.match(text)
    return m.end() if m else 0


def strip_dated_title(text: str) -> int:
    """Characters of a recommendation's dated title run into its first sentence ("Treating severe malaria in
    children (2015) Children weighing …") that a quote should skip."""
    m = _DATED_TITLE.match(text)
    return m.end() if m else 0


def strip_certainty(text: str) -> int:
    """Characters of an evidence profile's certainty cell (and the risk cells before it) run into the summary
    after it ("47 Moderate Due to serious imprecision 48 RTS,S/AS01 vaccine introduction probably has little or
    no difference …"): the rating becomes the summary's label; the summary is GRADE's own plain-language
    statement of the finding."""
    m = _CERTAINTY.match(text)
    return m.end() if m else 0


def comparisons(text: str) -> list[tuple[int, str]]:
    """Where each evidence profile's column headings end in `text`, with what its findings compare, the
    intervention against the comparator ("Pyrethroid-like IRS plus ITNs versus ITNs" from "Comparator ITNs
    Intervention Pyrethroid-like IRS plus ITNs Certainty of the Evidence …"): the context of every finding
    below them, which names neither."""
    return [
        (m.end(), f"{' '.join(m['intervention'].split())} versus {' '.join(m['comparator'].split())}")
        for m in _COMPARED.finditer(text)
    ]


_COMPARED = re.compile(
    r"\bComparator\s+(?P<comparator>\S.{0,150}?)\s+Intervention\s+(?P<intervention>\S.{0,150}?)\s+Certainty\s+of", re.S
)


def rating(text: str) -> bool:
    """Whether `text` is an evidence profile's certainty cell alone, with the reason given for it ("Moderate
    Due to serious imprecision 1"): the summary it rates follows after a blank line."""
    return _RATING.fullmatch(text.strip()) is not None


def finding(text: str) -> str | None:
    """An evidence profile's finding as it reads without its importance rating and footnote marks
    ("… hospital admissions … areas 46 Pilot implementation study 2019–2021 (…) 9 Critical 0.92 (CI 95% 0.83 —
    1.03) Based on data from 27,678 participants in 1 studies." reads "… areas Pilot implementation study
    2019–2021 (…) 0.92 (CI 95% 0.83 — 1.03) Based on …"), or None when `text` is no such finding. MAGICapp's
    summary-of-findings tables come out a cell per line: the outcome, its timeframe, its importance, then the
    effect with its confidence interval and the data behind it, which end the row's first sentence."""
    if not _FINDING.search(text):
        return None
    text = text[finding_start(text) :]
    if len(_INTERVAL.findall(text)) != 1 or _ROW_TAIL.search(text) or _CERTAINTY.match(text):
        return None  # it runs on from the row before (its risks, its certainty): no row can be told from it
    text = _IMPORTANCE.sub(" ", text)
    text = _LINE_END_MARK.sub(_unless_asked_for, text)
    return " ".join(text.split())


def _unless_asked_for(mark: re.Match[str]) -> str:
    """Nothing for a footnote mark; the figure itself where the word before it asks for one."""
    before = re.findall(r"[A-Za-z]+", mark.string[max(0, mark.start() - 20) : mark.start()])
    return mark.group(0) if before and before[-1].lower() in _ASKS_A_FIGURE else ""


def outcome(found: str) -> str:
    """What a finding (as `finding` reads it) measures: its words before the effect, without the effect's name
    ("Recurrence of P. vivax parasitaemia with 12 months of follow-up" from "… follow-up Relative risk 1.03 (CI
    95% …"), with the timeframe the profile gives."""
    m = _EFFECT.search(found)
    return found[: m.start()].strip() if m else found


# The effect a finding states, and its name where the profile gives one ("Relative risk 0.56 (CI 95%").
_EFFECT = re.compile(
    r"(?:\b[A-Z][a-z]+(?:\s[a-z]+){0,3}\s(?:ratio|risk|difference)\s+)?-?\d[\d.,]*\s*(?:%\s*)?(?:higher|lower|more|fewer)?"
    r"\s*\(CI 9[059]%"
)


def has_finding(text: str) -> bool:
    """Whether `text` ends with an evidence profile's finding (its effect and the data behind it)."""
    return _FINDING.search(text) is not None


def finding_end(text: str, start: int, end: int) -> int:
    """Where the finding that `text[start:end]` breaks off ends, when the page put a blank line inside its
    data ("Based on data from 10,602 participants in⏎⏎10 studies."); `end` when it does not."""
    if not _DATA_CUT.search(text, start, end):
        return end
    m = _DATA_END.match(text, end)
    return m.end() if m else end


# Data cut after "participants in", and the count of studies that ends it on the next line.
_DATA_CUT = re.compile(r"\(CI 9[059]%[^)]*\)\s+Based on data from\s+[\d,]+\s+participants\s+in\s*$")
_DATA_END = re.compile(r"\s*\d+\s+stud(?:y|ies)\.")


def finding_start(text: str) -> int:
    """Characters before an evidence profile's finding where its sentence opens the table: the column
    headings ("Outcome Timeframe … Certainty of the Evidence (Quality of evidence) Summary") and the
    importance cell MAGICapp sets above the first outcome ("9 Critical"), which a quote should skip."""
    if not _FINDING.search(text):
        return 0
    starts = [m.end() for m in (_PROFILE_HEADINGS.search(text), *_DIFFERENCE.finditer(text)) if m]
    return max([*starts, _summary_run_on(text)])


def _summary_run_on(text: str) -> int:
    """Characters of a certainty cell and the summary after it where the summary, without a full stop, runs
    into the next outcome's finding ("High Reactive IRS reduces⏎malaria prevalence⏎Incidence of⏎clinical
    malaria⏎(superiority⏎design)⏎9 Critical⏎Relative risk 0.65 (CI 95% …) … studies."): the outcome opens
    at the first line after the summary's first that begins with a capital; 0 where `text` opens otherwise."""
    rated = _CERTAINTY.match(text)
    if rated is None:
        return 0
    lines = re.finditer(r"\n[ \t]*(?=\S)", text[rated.end() :])
    return next((rated.end() + m.end() for m in lines if text[rated.end() + m.end()].isupper()), 0)


# The risk difference that ends the row before, with its interval ("… ( CI 95% 16 fewer — 5 more )", or its
# end where the sentence before took its opening), and the space after it: the next outcome begins there.
_DIFFERENCE = re.compile(r"(?:\(\s*CI 9[059]%|^)[^()]*?\b(?:fewer|more)\s*\)\s*")
# The column headings of a MAGICapp summary of findings, which end with its "Summary" column, and an
# importance cell after them.
_PROFILE_HEADINGS = re.compile(
    r"\(Quality\s+of\s+evidence\)\s+Summary\s+(?:\d\s+(?:Critical|Important|Not important)\s+)?"
)
# The effect and its evidence that close a finding: "0.92 (CI 95% 0.83 — 1.03) Based on data from 27,678
# participants in 1 studies."; a relative effect may be named ("Relative risk 0.56 (CI 95% …)").
_FINDING = re.compile(
    r"\(CI 9[059]%[^)]*\)\s+Based on data from\s+[\d,]+\s+participants\s+in\s+\d+\s+stud(?:y|ies)\.?\s*$"
)
_INTERVAL = re.compile(r"\bCI 9[059]%")
# What follows a finding in its row: the risks with and without the intervention, and the certainty rating.
_ROW_TAIL = re.compile(r"\bper\s+1[\s,]?000\b|\bDifference:|^(?:High|Moderate|Low|Very low)$", re.M)
_IMPORTANCE = re.compile(r"(?:^|\s)\d\s+(?:Critical|Important|Not important)(?=\s)")
# A footnote mark ending a line of a table cell after a word, before the next cell ("… comparison areas
# 46⏎Pilot …"), not a figure the next line goes on with ("in 1⏎studies", "2017–2020; 3⏎years' follow-up"),
# nor one a word before it asks for ("Rate ratio 2⏎(CI …", "children under 5⏎Deaths").
_LINE_END_MARK = re.compile(r"(?<=[A-Za-z)])[ \t]+\d{1,3}(?=[ \t]*\n\s*[A-Z])")
_ASKS_A_FIGURE = frozenset((
    "under", "over", "aged", "ratio", "risk", "difference", "than", "to", "and", "or", "of", "in", "per", "least",
    "most", "day", "week", "month", "year", "dose", "round", "phase", "grade", "stage", "type", "group", "arm",
    "cycle",
))  # fmt: skip
# The risk cells that end a row's data, up to its risk difference's interval ("… ( CI 95% 280 fewer — 150 fewer )").
_RISK_CELLS = r"(?:[^()]*?\(\s*CI 9[059]%[^()]*?(?:fewer|more)\s*\)\s*)?"
# A certainty rating cell, with its footnote mark and the reason given for it ("47 Moderate Due to serious
# imprecision 48"), and the risk cells before it where the sentence opens with them ("Difference: 220 fewer
# per 1000 ( CI 95% 280 fewer — 150 fewer ) Moderate …").
_RATED = rf"{_RISK_CELLS}(?:\d{{1,3}}\s+)?(?:High|Moderate|Low|Very low)(?:\s+Due to [^.]*?\s\d{{1,3}})?"
_RATING = re.compile(_RATED)
# The rating before the summary it rates: a summary opens with a capitalised word, or a name of a few ("Reactive
# IRS reduces …"), and goes on in lower case ("High levels of …" is prose).
_CERTAINTY = re.compile(rf"{_RATED}\s+(?=[A-Z][\w,/-]*(?:\s+[A-Z][\w,/-]*){{0,2}}\s+[a-z])")


def strip_trailing_marks(text: str) -> int:
    """Characters of a footnote mark that ends `text` after its punctuation ("… eye health; 5", "Member
    States:2") that a quote should leave out; a figure after a colon ("plans reported: 12") is no mark."""
    ending = [m for m in FOOTNOTE_MARK.finditer(text) if not text[m.end() :].strip()]
    return len(text) - len(text[: ending[-1].start()].rstrip()) if ending else 0


def flaw(quote: str, shown: str | None = None) -> str | None:
    """Why `quote` (exact document text) is not a quotable sentence, or None when it is. `shown`: its
    display form, with Markdown links and emphasis marks removed; the sentence is judged by what is shown,
    its layout (line breaks) by the document text."""
    q = (shown or quote).strip()
    layout = quote.strip()
    words = re.findall(r"[A-Za-z][A-Za-z'’-]*", q)
    tokens = q.split()
    if q.endswith("?"):
        return "question"
    if _MARKUP.search(q):
        return "markup"
    if _CAPTION.match(q):
        return "caption"
    if _FOOTNOTE_TEXT.match(q):
        return "footnote"
    if _FIELD.match(q) or len(_EMAIL.findall(q)) >= 2 or _CATALOGUE_RECORD.search(q):
        return "metadata"
    if _POINTER.search(q):
        return "pointer"
    if _SECTION_INSIDE.search(q):
        return "heading"
    if len(_EVIDENCE_TABLE.findall(q)) >= 2 or _COUNTED_ROWS.search(q) or len(_ABBREVIATION_KEY.findall(q)) >= 2:
        return "table"
    if _TOC.search(q):
        return "contents"
    if _REFERENCE.search(q) or _REFERENCE_START.match(q):
        return "link" if _prose_with_link(q) else "reference"
    numeric = sum(1 for t in tokens if re.fullmatch(r"[\d.,%:()\-–/|]+", t))
    if tokens and (numeric > 0.4 * len(tokens) or "|" in q or len(words) < 0.5 * len(tokens)):
        return "table"
    if _HEADING_PREFIX.match(q) or (_HEADING_NUMBER.match(layout) and ("\n" in layout[:80] or not _END.search(q))):
        return "heading"
    if not _END.search(q) and not _RECITAL.match(q):
        upper = sum(1 for w in words if w[:1].isupper())
        return "heading" if words and (q.isupper() or upper >= 0.6 * len(words)) else "fragment"
    if len(words) < 4 or not (q[:1].isupper() or q[:1].isdigit() or q[:1] in "\"'“‘(£$€"):
        return "fragment"
    if q.count("(") > q.count(")") and _ABBREVIATION_END.search(q):
        return "fragment"  # cut inside its brackets at an abbreviation ("… (GenBank accession no.")
    if any(not runs_on(layout, m.start(), m.end()) for m in _BLANK_LINE.finditer(layout)):
        return "fragment"  # two blocks glued together: a heading or a cell above a sentence
    return None


def recital(display: str) -> bool:
    """A resolution's preamble sentence ("Recalling resolution EB130.R7, which requests …", "The Sixty-sixth
    World Health Assembly, Having considered …"): the context of what it does, not what it does."""
    return bool(_RECITAL_START.match(display.strip()))


def ends_sentence(quote: str) -> bool:
    return bool(_END.search(quote.strip()))


def dangling(display: str) -> bool:
    """The sentence opens by pointing back ("It has …", "This is …", "However, …"): it reads best after the
    sentence before it."""
    opening = display.strip().lstrip("\"'“‘(")
    return bool(_POINTS_BACK.match(opening) or _CONNECTIVE.match(opening))


def needs_antecedent(display: str) -> bool:
    """The sentence cannot stand alone: it names what came before ("These agents elicit …"). One that only
    opens with a connective ("However, the smokers were 1.4 times more likely …") states its own content."""
    return bool(_POINTS_BACK.match(display.strip().lstrip("\"'“‘(")))


def introduces(display: str) -> bool:
    """The sentence sets the scene for what follows ("… delivered statements as follows:")."""
    text = display.strip()
    return bool(_INTRODUCES.search(text) or _NAMES_WHAT_FOLLOWS.search(text))


def names_what_follows(display: str) -> bool:
    """The sentence names things as following it and lists none ("… the following elements are unique to
    infants and children."): its items are the sentences after it, as many as its passage holds."""
    text = display.strip()
    return not _INTRODUCES.search(text) and bool(_NAMES_WHAT_FOLLOWS.search(text))


def qualifies(display: str) -> bool:
    """A note that completes the sentence before it ("Note: Endoscopes should be hung in a vertical
    position."): a whole sentence after "Note:", quoted with that sentence, never alone."""
    text = display.strip()
    return bool(_NOTE.match(text)) and ends_sentence(text)


# A table cell holding a figure: "1.1%", "[0.36%-3.1%]", "600,000", "(7.0", "<5", "–".
_FIGURE_CELL = re.compile(r"[\[(]*[<>≤≥~±+]?[-–]?\d[\d.,]*%?(?:\s?[-–]\s?\d[\d.,]*%?)?[\])]*[,;]?|[-–—]")
_ROW_LABEL_WORDS = 8
_HEADER_LINES = 8
# A row named by a band of weights or ages, then doses: "15 to < 25 40 + 240", "≥ 35 80 + 480", "5–10 25 mg".
_BOUND = r"(?:[<>≤≥]\s?)?\d+(?:\.\d+)?"
_BAND = rf"{_BOUND}(?:\s?(?:to|–|-)\s?{_BOUND})?"
_DOSE_CELLS = r"(?:\d+(?:[.,]\d+)?|[½¼¾]|[+/×]|mg|mL|ml|g|tablets?|\(\d+(?:\.\d+)?\))"
_BAND_ROW = re.compile(rf"\s*({_BAND})\s+((?:{_DOSE_CELLS}\s*)+)$")
_YEAR = re.compile(r"(?:19|20)\d{2}")


@dataclass(frozen=True)
class TableRow:
    label: str  # the row's name ("Austria"): what a question must name for the row to answer it
    start: int  # the row's line, offsets into the table's text
    end: int


@dataclass(frozen=True)
class Table:
    header: str  # the column headings above the rows
    rows: tuple[TableRow, ...]


def table_rows(text: str) -> Table | None:
    """A table laid out a row per line under its heading lines ("Country % of total population infected"
    over "Austria 1.1% [0.36%-3.1%]"; "Year US$" over "2013 36 651"), or None. Every line after the headings
    must be a row: a short name or a year followed by figures only, at least three of them; a table whose
    cells came out a column at a time, or with prose among its lines, is no such table and stays unquotable."""
    lines = [(m.start(), m.group()) for m in re.finditer(r"[^\n]*\S[^\n]*", text)]
    parsed = [_row(line, start) for start, line in lines]
    first = next((i for i, row in enumerate(parsed) if row is not None), None)
    if first is None or not 1 <= first <= _HEADER_LINES or len(lines) - first < 3:
        return None
    rows = [row for row in parsed[first:] if row is not None]
    if len(rows) < len(lines) - first:
        return None
    header = " ".join(line.strip() for _, line in lines[:first])
    if len(re.findall(r"[A-Za-z]{2,}", header)) < 2 or re.search(r"\bcontents\b", header, re.I):
        return None  # a table of contents lists pages, not figures
    return Table(header, tuple(rows))


def _row(line: str, offset: int) -> TableRow | None:
    """`line` as a row, a name (or a year, or a band of weights or ages: "15 to < 25") then its figures, or
    None."""
    if band := _BAND_ROW.match(line):
        start = offset + band.start(1)
        return TableRow(band.group(1), start, offset + len(line.rstrip()))
    tokens = list(re.finditer(r"\S+", line))
    cut = len(tokens)
    while cut > 0 and _FIGURE_CELL.fullmatch(tokens[cut - 1].group()):
        cut -= 1
    if cut == 0 and len(tokens) > 1 and _YEAR.fullmatch(tokens[0].group()):
        cut = 1  # "2013 36 651": the year names the row
    label = line[: tokens[cut - 1].end()].strip() if cut else ""
    figures = [t.group() for t in tokens[cut:]]
    if not figures or not any(c.isdigit() for f in figures for c in f) or not 0 < cut <= _ROW_LABEL_WORDS:
        return None
    if not (re.search(r"[A-Za-z]{2,}", label) or _YEAR.fullmatch(label)) or label.endswith((",", ";", ":")):
        return None
    return TableRow(label, offset + tokens[0].start(), offset + tokens[-1].end())


def in_band(label: str, value: float) -> bool | None:
    """Whether `value` falls in a row's band ("15 to < 25" holds 20 and 15, not 25; "≥ 35" holds 70), or None
    when the label is no band."""
    m = re.fullmatch(rf"({_BOUND})(?:\s?(?:to|–|-)\s?({_BOUND}))?", label.strip())
    if not m:
        return None
    low, high = _bound(m.group(1)), _bound(m.group(2)) if m.group(2) else None
    if high is None:
        op, limit = low
        return {"<": value < limit, "≤": value <= limit, ">": value > limit, "≥": value >= limit}.get(
            op, value == limit
        )
    if low[0] or high[0] in (">", "≥"):
        return None
    return low[1] <= value and (value < high[1] if high[0] == "<" else value <= high[1])


def _bound(text: str) -> tuple[str, float]:
    """("<", 25.0) from "< 25"; ("", 15.0) from "15"."""
    text = text.strip()
    op = text[0] if text[0] in "<>≤≥" else ""
    return op, float(text[len(op) :].strip())
