"""Automatic document metadata: title, doc_type, date, organisations, language.

Every rule here is deliberately transparent (regular expressions with weights) so that an admin can
see why a document got its type, and override it with a sidecar or manifest when the rule is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from langdetect import DetectorFactory, LangDetectException, detect

from policykb.core.dates import find_date_in_text, normalise_date
from policykb.ingest.parsed import Parsed

DetectorFactory.seed = 0


def extract_date(parsed: Parsed, title: str) -> str | None:
    """Publication date: file metadata, a dateline, a year in the title, a date near the start, creation date."""
    if parsed.date and parsed.date != _from_pdf_creation(parsed):
        meta = normalise_date(parsed.date)
        if meta:
            return meta
    text = parsed.text
    dateline = find_date_in_text(text[:600])
    if dateline and len(dateline) == 10:
        return dateline
    adopted = _ADOPTION.search(text)
    if adopted:
        return find_date_in_text(adopted.group(1))
    years = re.findall(r"(?<![–-])\b((?:19|20)\d{2})\b(?![–-])", title or "")
    if len(years) == 1:
        return years[0]
    near_start = find_date_in_text(text[:3000])
    if near_start:
        return near_start
    return normalise_date(parsed.date)


_ADOPTION = re.compile(r"(?:plenary meeting|adopted on|meeting held on)[,:]?\s+(.{6,40})", re.I)


def _from_pdf_creation(parsed: Parsed) -> str | None:
    # PDF creation dates are a weak signal: only a fallback after the text has been searched.
    return parsed.date if parsed.page_starts else None


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
    if parsed.title and not _BAD_META_TITLE.search(parsed.title.strip()):
        return _clean_title(parsed.title)
    candidates = []  # (block index, is first line of its block, block, cleaned line)
    for index, block in enumerate(parsed.blocks[:12]):
        for n, raw in enumerate(parsed.text[block.start : block.end].split("\n")[:4]):
            line = _clean_title(raw)
            if 4 <= len(line) <= 160 and not _NOT_TITLE.search(line):
                candidates.append((index, n == 0, block, line))
    for _, _, _, line in candidates:
        if _DOC_CODE.match(line):
            return line
    for index, first_line, block, line in candidates:
        if _TITLE_WORDS.search(line) and first_line and (block.kind == "heading" or index < 3):
            return line
    candidates_by_block = [(block, line) for _, first_line, block, line in candidates if first_line]
    for block, line in candidates_by_block:
        if block.kind == "heading":
            return line
    if parsed.blocks:
        first = parsed.blocks[0]
        sentence = re.split(r"(?<=[.!?])\s", _clean_title(parsed.text[first.start : first.end]), maxsplit=1)[0]
        return sentence if len(sentence) <= 120 else sentence[:117].rsplit(" ", 1)[0] + "…"
    return fallback


def _clean_title(text: str) -> str:
    text = re.sub(r"[*_`#]+", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"\s+", " ", text).strip(" -–:|")


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
    "EMA": [r"\bEuropean Medicines Agency\b"],
}
_KNOWN_RE = {acr: re.compile("|".join(pats)) for acr, pats in KNOWN_ORGANISATIONS.items()}
_ORG_WORDS = re.compile(
    r"\b(?:Organi[sz]ations?|Alliance|Association|Federation|Council|Agency|Institute|Foundation|Society|Network|"
    r"Groups?|Forum|Union|Coalition|Committee|Commission|Ministry|Fund|Programme|Program|Bank|Office|Cent(?:re|er)s?|"
    r"Partnership|League|Academy|College|Consortium|Trust|Charity)\b"
)
_DEFINED_ACRONYM = re.compile(
    r"((?:[A-Z][\w'’&.-]*\s+(?:(?:of|for|and|the|on|in|with|de|des)\s+)*){1,9})\(([A-Z][A-Z&]{1,9})\)"
)


def extract_organisations(text: str, max_orgs: int = 12) -> list[str]:
    """Known organisations (curated names and acronyms) plus acronyms the text defines for an organisation."""
    counts: dict[str, int] = {}
    first_seen: dict[str, int] = {}
    for acr, pattern in _KNOWN_RE.items():
        matches = list(pattern.finditer(text))
        if matches:
            counts[acr] = len(matches)
            first_seen[acr] = matches[0].start()
    for m in _DEFINED_ACRONYM.finditer(text):
        name, acr = m.group(1).strip(), m.group(2)
        if acr in counts or not _ORG_WORDS.search(name):
            continue
        counts[acr] = len(re.findall(rf"\b{re.escape(acr)}\b", text))
        first_seen[acr] = m.start()
    ranked = sorted(counts, key=lambda a: (-counts[a], first_seen[a]))
    return ranked[:max_orgs]


def detect_language(text: str) -> str:
    sample = text[:5000]
    if len(re.findall(r"\w+", sample)) < 3:
        return "und"
    try:
        return detect(sample)
    except LangDetectException:
        return "und"
