"""Automatic document metadata: title, doc_type, date, organisations, language.

Every rule here is deliberately transparent (regular expressions with weights) so that an admin can
see why a document got its type, and override it with a sidecar or manifest when the rule is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from langdetect import DetectorFactory, LangDetectException, detect

from policykb.core.dates import find_date_span, normalise_date
from policykb.ingest import sessions
from policykb.ingest.parsed import Block, Parsed

DetectorFactory.seed = 0


class DateChoice(NamedTuple):
    date: str | None
    reason: str  # why this date: stored with the document's other metadata reasons


def extract_date(parsed: Parsed, title: str) -> DateChoice:
    """The document's own date, strongest evidence first: file metadata (not a PDF's creation date), its
    dateline, its adoption line, the governing-body session it belongs to, a year in its title, then a PDF's
    creation date. A date quoted in running text ("Rio de Janeiro, 20–22 June 2012") is never the document's
    date; it only makes precise a year that the title gives."""
    if parsed.date and parsed.date != _from_pdf_creation(parsed):
        meta = normalise_date(parsed.date)
        if meta:
            return DateChoice(meta, f"date: file metadata {parsed.date!r}")
    text = parsed.text
    for found in (_dateline(title, text[:_DATELINE_CHARS]), _adoption_line(text)):
        if found:
            return found
    session = sessions.own_session(title, text[:_HEAD_CHARS])
    if session:
        year, rule = session.session.year()
        return DateChoice(str(year), f"date: session {session.session.label} named by {session.evidence!r}; {rule}")
    years = re.findall(r"(?<![–-])\b((?:19|20)\d{2})\b(?![–-])", title or "")
    if len(years) == 1:
        day = _day_in_year(text[:_DATELINE_CHARS], years[0])
        if day:
            return DateChoice(day, f"date: the year in the title {title!r}, the day from the opening text")
        return DateChoice(years[0], f"date: the year in the title {title!r}")
    fallback = normalise_date(parsed.date)
    return DateChoice(fallback, "date: file creation date (weak)" if fallback else "date: none found")


_DATELINE_CHARS = 600
_HEAD_CHARS = 2000
# What may stand before a dateline's date on its line: nothing, a place ("Geneva, "), or a label ("Date:").
_DATELINE_PREFIX = re.compile(
    r"^[\s*#>_|-]*(?:[A-Z][\w.'’ -]{0,40},\s*|(?:dated?|published|issued|updated|version\s+[\d.]+)\s*[:-]?\s*)?$",
    re.I,
)
_PERIOD = re.compile(r"\d{4}\s*[–—-]\s*\d|\b(?:period|ended|ending|from)\b", re.I)
_ADOPTION = re.compile(
    r"^[\s*#>_|-]*(?:[A-Za-z]+(?:-[a-z]+)? plenary meeting|adopted (?:on|at)\b[^\n]{0,80}?|date of adoption)[,:]?\s+",
    re.I | re.M,
)


def _day_in_year(opening: str, year: str) -> str | None:
    """The first full date of `year` in the opening text: it makes a year the title gives precise."""
    for m in re.finditer(rf"\b{year}\b", opening):
        found = find_date_span(opening[max(0, m.start() - 50) : m.end()])
        if found and len(found[1]) == 10 and found[1].startswith(year):
            return found[1]
    return None


def _dateline(title: str, opening: str) -> DateChoice | None:
    """A date in the title, or one that opens a line of the first lines (after at most a place or a label)."""
    in_title = find_date_span(title or "")
    if in_title and len(in_title[1]) == 10 and not _PERIOD.search(title):
        return DateChoice(in_title[1], f"date: in the title {title!r}")
    for line in opening.split("\n"):
        found = find_date_span(line)
        if found and _DATELINE_PREFIX.match(line[: found[0]]):
            return DateChoice(found[1], f"date: dateline {line.strip()[:80]!r}")
    return None


def _adoption_line(text: str) -> DateChoice | None:
    """'Ninth plenary meeting, 27 May 2013', 'Adopted on 12 May 2023': a line that opens with the adoption."""
    for m in _ADOPTION.finditer(text):
        rest = text[m.end() : m.end() + 40]
        found = find_date_span(rest)
        if found and found[0] <= 4:
            return DateChoice(found[1], f"date: adoption line {text[m.start() : m.end() + found[0] + 20].strip()!r}")
    return None


def _from_pdf_creation(parsed: Parsed) -> str | None:
    # PDF creation dates are a weak signal: only a fallback after the text has been searched.
    return parsed.date if parsed.page_starts else None


def extract_meeting(title: str, text: str) -> tuple[str | None, str | None]:
    """(meeting, agenda item) of a WHO governing-body document: ('WHA77', '11.2'), ('RC74 AFRO', None)."""
    head = text[:_HEAD_CHARS]
    session = sessions.own_session(title, head)
    return (session.session.label if session else None), sessions.agenda_item(f"{title}\n{head}")


# ---------------------------------------------------------------------------------------------------- title

_TITLE_WORDS = re.compile(
    r"\b(report|guidelines?|guidance|toolkit|tool kit|statement|resolution|press release|position paper|"
    r"policy brief|fact ?sheet|charter|declaration|summary|event|WHA\d+\.\d+)\b",
    re.I,
)
_NOT_TITLE = re.compile(r"registration number|copyright|©|all rights reserved|^page \d+|^\d+$|^https?://", re.I)
_DOC_CODE = re.compile(r"^(?:WHA|EB|EM/RC|AFR/RC)\d+[./]\d+\S*\s+\S")
_BAD_META_TITLE = re.compile(r"^(microsoft (word|powerpoint)|untitled|document\d*$)|\.(docx?|pdf)$", re.I)


def extract_title(parsed: Parsed, fallback: str) -> str:
    """File metadata's title, a governing-body resolution's own heading, else the likeliest title line of the
    first blocks, joined with the lines it wraps onto."""
    if parsed.title and not _BAD_META_TITLE.search(parsed.title.strip()):
        return _clean_title(parsed.title)
    resolution = _RESOLUTION_HEADING.search(parsed.text[:_HEAD_CHARS])
    if resolution:
        heading = _FOOTNOTE_MARK.sub(r"\1", resolution.group("title"))
        return _clean_title(f"{resolution.group('code')} {heading}")
    lines = []  # (block index, line number in its block, block, cleaned line)
    for index, block in enumerate(parsed.blocks[:12]):
        for n, raw in enumerate(parsed.text[block.start : block.end].split("\n")[:4]):
            lines.append((index, n, block, _clean_line(raw)))
    candidates = [(i, c) for i, c in enumerate(lines) if 4 <= len(c[3]) <= 160 and not _NOT_TITLE.search(c[3])]
    for i, (_, _, _, line) in candidates:
        if _DOC_CODE.match(line):
            return _clean_title(_joined(lines, i))
    for i, (index, n, block, line) in candidates:
        if _TITLE_WORDS.search(line) and n == 0 and (block.kind == "heading" or index < 3):
            return _clean_title(_joined(lines, i))
    for i, (_, n, block, _) in candidates:
        if n == 0 and block.kind == "heading":
            return _clean_title(_joined(lines, i))
    if parsed.blocks:
        first = parsed.blocks[0]
        sentence = re.split(r"(?<=[.!?])\s", _clean_title(parsed.text[first.start : first.end]), maxsplit=1)[0]
        return sentence if len(sentence) <= 120 else sentence[:117].rsplit(" ", 1)[0] + "…"
    return fallback


# "WHA66.10 Follow-up to ... Diseases The Sixty-sixth World Health Assembly, Having considered": the heading
# runs from the resolution's number to the body that adopts it.
_RESOLUTION_HEADING = re.compile(
    rf"(?:^|(?<=[\s.]))(?P<code>{sessions.RESOLUTION_SYMBOL})\s+"
    rf"(?P<title>\S[^\n]{{2,300}}?)\s+{sessions.ENACTING_FORMULA}",
)
# A footnote number left at the end of a heading: "action plan 2014–2019 3", "action plan 2013–20202".
_FOOTNOTE_MARK = re.compile(r"(\d{4}[–-]\d{4}\s?|[A-Za-z)])\d{1,2}$")
_CONTINUATION_WORD = re.compile(r"^(?:of|for|and|on|in|the|to|at|with|from|by|against|among|towards?)\b", re.I)
_MAX_TITLE = 200


def _joined(lines: list[tuple[int, int, Block, str]], i: int) -> str:
    """The title line `lines[i]` with the lines it wraps onto: up to two more lines of the same or the next block
    that continue it (a lower-case or connecting first word, a line ending in ':' or a connector, or capitals
    continuing capitals), never past a sentence end."""
    title = lines[i][3]
    for _, _, block, line in lines[i + 1 : i + 3]:
        if block.kind not in ("heading", "paragraph") or not line or _NOT_TITLE.search(line):
            break
        if len(title) + len(line) > _MAX_TITLE or re.search(r"[.!?]$", title):
            break
        continues = (
            line[0].islower()
            or _CONTINUATION_WORD.match(line) is not None
            or re.search(r"(?:[:,–-]|\b(?:of|for|and|on|in|the|to|with))$", title) is not None
            or (title.isupper() and line.isupper())
        )
        if not continues:
            break
        title = title[:-1] + line if re.search(r"[a-z]-$", title) and line[0].islower() else f"{title} {line}"
    return title


def _clean_title(text: str) -> str:
    return _clean_line(text).strip(" :")


def _clean_line(text: str) -> str:
    """Markup and whitespace removed; a trailing ':' kept, as it says the title goes on."""
    text = re.sub(r"(?<=[a-z])-\n\s*(?=[a-z])", "", text)  # "patient-cen-\ntred" -> "patient-centred"
    text = re.sub(r"[*_`#]+", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"\s+", " ", text).strip(" -–|")


# ---------------------------------------------------------------------------------------------------- doc_type


@dataclass(frozen=True)
class Rule:
    doc_type: str
    pattern: re.Pattern[str]
    weight: float
    where: str  # "title", "head" (first 1,500 characters) or "text"


def _r(doc_type: str, pattern: str, weight: float, where: str, flags: int = re.I) -> Rule:
    return Rule(doc_type, re.compile(pattern, flags), weight, where)


RULES: list[Rule] = [
    _r("resolution", r"\bWHA\d+\.\d+\b|\bresolution\b", 3, "title"),
    _r("resolution", r"\b(?:World Health Assembly|Executive Board|General Assembly)\b", 1, "head"),
    _r("resolution", r"\b(?:URGES|REQUESTS|DECIDES|CALLS UPON|ENDORSES|ADOPTS|APPROVES)\b", 1.5, "text", 0),
    _r("guideline", r"\bguidelines?\b|\bguide to\b", 3, "title"),
    _r("guideline", r"\b(?:strong|conditional) recommendation\b|\bGRADE\b|certainty of (?:the )?evidence", 1.5, "text"),
    _r("guidance_note", r"\b(?:note for guidance|guidance note|guidance on|guidance for)\b", 3, "title"),
    _r("toolkit", r"\btool ?kit\b", 3, "title"),
    _r("toolkit", r"\b(?:this|the) tool ?kit\b|\bhow to use this\b", 1.5, "text"),
    _r("statement", r"\bstatement\b", 3, "title"),
    _r(
        "statement",
        r"\b(?:statement|intervention|remarks)\b[^\n]{0,120}\b(?:World Health Assembly|Executive Board|"
        r"Regional Committee|WHA\d+|EB\d+|RC\d+)\b|"
        r"\b(?:World Health Assembly|Executive Board|Regional Committee|WHA\d+|EB\d+|RC\d+)\b[\s\S]{0,300}?"
        r"\b(?:statement|intervention|remarks)\b",
        3,
        "head",
    ),
    _r(
        "statement",
        r"\bagenda item\b|\bthank you,? (?:madam |mr\.? )?(?:chair|president)\b|\bhonou?rable chair\b|"
        r"\bdistinguished delegates\b|\bon behalf of\b",
        1.5,
        "head",
    ),
    _r("press_release", r"\bpress release\b|\bfor immediate release\b|\bmedia (?:contact|enquiries)\b", 3, "text"),
    _r(
        "press_release",
        r"^\W*[A-Z][A-Za-z .'-]{2,40},\s+(?:[A-Z][a-z]+\.? \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]+ \d{4})\s*[-–—]",
        3,
        "dateline",
        re.M,
    ),
    _r(
        "press_release",
        r"\bannounce[sd]? (?:the )?(?:launch|release)\b|^\s*About [A-Z][A-Za-z]+\s*$",
        1,
        "text",
        re.I | re.M,
    ),
    _r("report", r"\breport\b", 3, "title"),
    _r("report", r"\b(?:annual|activities|activity|progress|impact) report\b|\bthis report\b", 1.5, "text"),
    _r("event_summary", r"\b(?:event|webinar|conference|summit|congress|symposium|meeting report)\b", 3, "title"),
    _r(
        "event_summary",
        r"\b(?:the event|was held on|key highlights|the sessions?|panel discussion|speakers)\b",
        1,
        "text",
    ),
    _r("article", r"\b(?:journal|editor|letter to)\b", 1.5, "text"),
    _r("article", r"\bdoi:|\bet al\.|\babstract\b", 1, "text"),
]
_MIN_SCORE = 2.5


def classify(title: str, text: str) -> tuple[str, list[str]]:
    """Return (doc_type, reasons). Narrative prose with no decisive signal is an `article`."""
    scores: dict[str, float] = {}
    reasons: dict[str, list[str]] = {}
    fields = {"title": title, "head": text[:1500], "text": text[:20000], "dateline": text[:400]}
    for rule in RULES:
        m = rule.pattern.search(fields[rule.where])
        if m:
            scores[rule.doc_type] = scores.get(rule.doc_type, 0) + rule.weight
            reasons.setdefault(rule.doc_type, []).append(f"{rule.where}: {m.group(0).strip()!r} (+{rule.weight})")
    if scores:
        best = max(scores, key=lambda t: scores[t])
        if scores[best] >= _MIN_SCORE:
            return best, reasons[best]
    if len(text.split()) >= 150:
        return "article", ["narrative prose with no decisive type signal"]
    return "other", ["no rule matched"]


# ---------------------------------------------------------------------------------------------------- organisations

_APOS = "['’]"
KNOWN_ORGANISATIONS: dict[str, list[str]] = {
    "IAPO": [r"\bIAPO\b", rf"International Alliance of Patients{_APOS}? Organi[sz]ations"],
    "WHO": [r"\bWHO\b", r"World Health Organi[sz]ation", r"World Health Assembly"],
    "IFPMA": [r"\bIFPMA\b", r"International Federation of Pharmaceutical Manufacturers"],
    "IEEPO": [r"\bIEEPO\b", r"International Experience Exchange with Patient Organi[sz]ations"],
    "IAPG": [r"\bIAPG\b", r"Indian Alliance of Patient Groups"],
    "EPF": [r"\bEPF\b", rf"European Patients{_APOS}? Forum"],
    "EFPIA": [r"\bEFPIA\b", r"European Federation of Pharmaceutical Industries"],
    "UN": [r"\bUnited Nations\b", r"\bUN\b"],
    "UNAIDS": [r"\bUNAIDS\b"],
    "UNICEF": [r"\bUNICEF\b"],
    "World Bank": [r"\bWorld Bank\b"],
    "Global Fund": [r"\bGlobal Fund\b"],
    "Gavi": [r"\bGavi\b"],
    "CDC": [r"\bCDC\b", r"Centers for Disease Control"],
    "NCD Alliance": [r"\bNCD Alliance\b"],
    "UICC": [r"\bUICC\b", r"Union for International Cancer Control"],
    "IDF": [r"\bIDF\b", r"International Diabetes Federation"],
    "APEC": [r"\bAPEC\b", r"Asia-Pacific Economic Cooperation"],
    "OECD": [r"\bOECD\b"],
    "FAO": [r"\bFAO\b", r"Food and Agriculture Organi[sz]ation"],
    "ILO": [r"\bILO\b", r"International Labour Organi[sz]ation"],
    "UNDP": [r"\bUNDP\b", r"United Nations Development Programme"],
    "UNFPA": [r"\bUNFPA\b", r"United Nations Population Fund"],
    "PAHO": [r"\bPAHO\b", r"Pan American Health Organi[sz]ation"],
    "EMA": [r"\bEuropean Medicines Agency\b"],
}
_KNOWN_RE = {acr: re.compile("|".join(pats)) for acr, pats in KNOWN_ORGANISATIONS.items()}
# A name defines an organisation when its head noun (the last word) is one of these. Working groups, committees,
# panels and programmes inside an organisation ("Guideline Development Group (GDG)", "Effective Practice and
# Organisation of Care (EPOC)") are not organisations.
_ORG_HEAD_NOUNS = re.compile(
    r"(?:Organi[sz]ations?|Alliance|Association|Federation|Council|Agency|Institute|Foundation|Society|Network|"
    r"Forum|Union|Coalition|Commission|Ministry|Fund|Bank|Office|Cent(?:re|er)s?|Partnership|League|Academy|"
    r"College|Consortium|Trust|Charity|Authority|Administration|Federation|Corporation)$"
)
_DEFINED_ACRONYM = re.compile(
    r"((?:[A-Z][\w'’&.-]*\s+(?:(?:of|for|and|the|on|in|with|de|des)\s+)*){1,9})\(([A-Z][A-Z&]{1,9})\)"
)
_PUBLISHER = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:\d{4}\s+)?(?:the\s+)?(?P<a>[A-Z][\w'’&. -]{3,80}?)[\s,]+(?:\d{4}|all rights|some rights)|"
    r"\b(?:published|issued) by (?:the )?(?P<b>[A-Z][\w'’&. -]{3,80}?)[.,;\n]|"
    r"\b(?:Geneva|Cairo|Copenhagen|Brazzaville|Manila|New Delhi|Washington,? D\.?C\.?|Atlanta):\s*(?P<c>[A-Z][\w'’&. -]{3,80}?);",
    re.I,
)
_MIN_MENTIONS = 3  # a known organisation only mentioned in passing, away from the head, is not the document's
_MENTION_GAP = 60  # matches closer than this are one mention ("UN United Nations" in a list of abbreviations)


def extract_organisations(text: str, max_orgs: int = 12) -> list[str]:
    """The document's organisations: its publisher, known organisations named in its head or mentioned in at
    least three places, and organisations the text defines with an acronym ("Indian Alliance of Patient Groups
    (IAPG)"). Publisher first, then by mentions."""
    head_end = _HEAD_CHARS
    counts: dict[str, int] = {}
    first_seen: dict[str, int] = {}
    publishers = _publishers(text[:20000])
    for acr, pattern in _KNOWN_RE.items():
        starts = _mentions(m.start() for m in pattern.finditer(text))
        if starts and (acr in publishers or starts[0] < head_end or len(starts) >= _MIN_MENTIONS):
            counts[acr] = len(starts)
            first_seen[acr] = starts[0]
    for m in _DEFINED_ACRONYM.finditer(text):
        name, acr = m.group(1).strip(), m.group(2)
        if acr in counts or not _ORG_HEAD_NOUNS.search(name) or not _abbreviates(acr, name):
            continue
        counts[acr] = len(re.findall(rf"\b{re.escape(acr)}\b", text))
        first_seen[acr] = m.start()
    for name in publishers:
        if not any(_KNOWN_RE[acr].fullmatch(name) for acr in counts if acr in _KNOWN_RE) and name not in counts:
            counts[name] = 1
            first_seen[name] = 0
    ranked = sorted(counts, key=lambda a: (a not in publishers, -counts[a], first_seen[a]))
    return ranked[:max_orgs]


def _abbreviates(acronym: str, name: str) -> bool:
    """Whether the acronym's letters are, in order, initials of the name's words ("Medical Research Council"
    is not "UK")."""
    initials = "".join(word[0] for word in re.findall(r"[\w&]+", name) if word[0].isupper() or word[0] == "&")
    position = 0
    for letter in acronym:
        position = initials.find(letter, position) + 1
        if position == 0:
            return False
    return True


def _publishers(text: str) -> list[str]:
    """Organisations named on a copyright or publisher line, as known acronyms where they are known."""
    found: list[str] = []
    for m in _PUBLISHER.finditer(text):
        name = re.sub(r"\s+", " ", next(g for g in m.groups() if g)).strip(" .,")
        known = next((acr for acr, pattern in _KNOWN_RE.items() if pattern.fullmatch(name)), None)
        if known or _ORG_HEAD_NOUNS.search(name.split(".")[0].strip()):
            label = known or name
            if label not in found:
                found.append(label)
    return found


def _mentions(starts: Iterator[int]) -> list[int]:
    merged: list[int] = []
    for start in starts:
        if not merged or start - merged[-1] >= _MENTION_GAP:
            merged.append(start)
    return merged


def detect_language(text: str) -> str:
    sample = text[:5000]
    if len(re.findall(r"\w+", sample)) < 3:
        return "und"
    try:
        return detect(sample)
    except LangDetectException:
        return "und"
