"""WHO governing-body sessions named in a document: which session it belongs to, and when that was.

Session years follow from the session number (no calendar is shipped):
- World Health Assembly: WHA n met in 1947 + n (WHA1 1948, WHA66 2013, WHA77 2024), in May since 1957.
- Executive Board: two regular sessions a year, January/February and a short one after the Assembly in May.
  From EB120 (January 2007) on, year = 1947 + n // 2 (even n: January, odd n: May; EB132 January 2013,
  EB133 May 2013, EB152 January 2023, EB154 January 2024). EB100-EB118 (1997-2006) ran one number ahead:
  year = 1947 + (n + 1) // 2. EB119 was a special session (November 2006). Below EB100 the same formula is
  an estimate, said so in the reason.
- Regional Committees number their sessions from the region's first one, so the offset is per region:
  AFRO RC n in 1950 + n (RC1 1951, RC74 Brazzaville 2024), EURO 1950 + n (EUR/RC74 2024), SEARO 1947 + n
  (SEA/RC77 2024), WPRO 1949 + n (WPR/RC75 2024), EMRO 1953 + n (EM/RC71 2024), AMRO 1948 + n (76th
  session, with the 61st Directing Council, 2024). A committee whose region the text does not name is
  dated 1950 + n and marked uncertain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_UNITS = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_UNIT_ORDINALS = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
_TEENS = [
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _ordinal_words() -> dict[str, int]:
    words = {w: n for n, w in enumerate(_UNIT_ORDINALS) if w}
    words.update({w: 10 + n for n, w in enumerate(_TEENS)})
    for tens in range(2, 10):
        words[_TENS[tens][:-1] + "ieth"] = tens * 10
        for unit in range(1, 10):
            words[f"{_TENS[tens]}-{_UNIT_ORDINALS[unit]}"] = tens * 10 + unit
    return words


ORDINAL_WORDS = _ordinal_words()  # "first" .. "ninety-ninth"
_ORDINAL = r"(?P<ord>[A-Za-z]+(?:[-‐–\s][A-Za-z]+)?|\d{1,3}(?:st|nd|rd|th))"


def ordinal_value(text: str) -> int | None:
    """'Sixty-sixth' -> 66, 'sixty sixth' -> 66, '152nd' -> 152; anything else -> None."""
    text = text.strip().lower()
    digits = re.fullmatch(r"(\d{1,3})(?:st|nd|rd|th)", text)
    if digits:
        return int(digits.group(1))
    return ORDINAL_WORDS.get(re.sub(r"[-‐–\s]+", "-", text))


REGIONS = {"AFR": "AFRO", "EUR": "EURO", "SEA": "SEARO", "WPR": "WPRO", "EM": "EMRO", "AMR": "AMRO"}
_RC_FIRST_YEAR_OFFSET = {"AFRO": 1950, "EURO": 1950, "SEARO": 1947, "WPRO": 1949, "EMRO": 1953, "AMRO": 1948}
_REGION_NAMES = {
    "AFRO": r"Africa|African Region",
    "EURO": r"Europe|European Region",
    "SEARO": r"South-East Asia",
    "WPRO": r"(?:the )?Western Pacific",
    "EMRO": r"(?:the )?Eastern Mediterranean",
    "AMRO": r"(?:the )?Americas",
}


@dataclass(frozen=True)
class Session:
    body: str  # "WHA", "EB" or "RC"
    number: int
    region: str | None = None  # for "RC": AFRO, EURO, ...

    @property
    def label(self) -> str:
        """'WHA66', 'EB152', 'RC74 AFRO'."""
        base = f"{self.body}{self.number}"
        return f"{base} {self.region}" if self.region else base

    def year(self) -> tuple[int, str]:
        """The session's year and how it follows from the number (with 'uncertain' where it may be wrong)."""
        n = self.number
        if self.body == "WHA":
            return 1947 + n, f"World Health Assembly n meets in 1947 + n = {1947 + n}"
        if self.body == "EB":
            if n >= 120:
                part = "January" if n % 2 == 0 else "May"
                return 1947 + n // 2, f"Executive Board since EB120: 1947 + n // 2 = {1947 + n // 2} ({part} session)"
            if n == 119:
                return 2006, "EB119 was a special session in November 2006"
            year = 1947 + (n + 1) // 2
            note = "" if n >= 100 else "; uncertain: the rule is checked from EB100 on"
            return year, f"Executive Board EB100-EB118: 1947 + (n + 1) // 2 = {year}{note}"
        offset = _RC_FIRST_YEAR_OFFSET.get(self.region or "")
        if offset is None:
            return 1950 + n, f"Regional Committee, region not named: 1950 + n = {1950 + n} (uncertain)"
        return offset + n, f"Regional Committee {self.region}: {offset} + n = {offset + n}"


@dataclass(frozen=True)
class SessionEvidence:
    session: Session
    evidence: str  # the words in the text that name the session


_REGION_NAME = rf"(?P<region>{'|'.join(_REGION_NAMES.values())})"
_WHA_NAME = re.compile(rf"\b{_ORDINAL}\s+World\s+Health\s+Assembly\b", re.I)
# "154th session of the Executive Board", or the document header "EXECUTIVE BOARD / 154th session".
_EB_NAME = re.compile(
    rf"\b{_ORDINAL}\s+session\s+of\s+the\s+(?:WHO\s+)?Executive\s+Board\b|"
    rf"\bExecutive\s+Board[\s,]+{_ORDINAL.replace('ord>', 'ord2>')}\s+session\b",
    re.I,
)
_RC_NAME = re.compile(
    rf"\b{_ORDINAL}\s+session\s+of\s+the\s+(?:WHO\s+)?Regional\s+Committee(?:\s+(?:of\s+WHO\s+)?for\s+{_REGION_NAME})?|"
    rf"\bRegional\s+Committee\s+for\s+{_REGION_NAME.replace('region>', 'region2>')}[\s,]+"
    rf"{_ORDINAL.replace('ord>', 'ord2>')}\s+session\b",
    re.I,
)
# The symbol of a resolution adopted by a governing body: "WHA66.10", "EB130.R7", "AFR/RC74/R2".
RESOLUTION_SYMBOL = r"(?:WHA|EB)\d+\.(?:R)?\d+|(?:AFR|EUR|SEA|WPR|EM)/RC\d+/R\d+"
_SYMBOL = re.compile(rf"(?<![\w/.])(?:{RESOLUTION_SYMBOL})(?![\w/]|\.\d)", re.I)
# The words that open a resolution's body after its title: "The Sixty-sixth World Health Assembly, Recalling".
ENACTING_FORMULA = r"The\s+(?:[A-Z][a-z]+(?:-[a-z]+)?\s+World Health Assembly|Executive Board|Regional Committee)\b"
# Codes the document carries as its own symbol: resolution and decision numbers, document symbols, meeting codes.
_WHA_CODE = re.compile(r"\b(?:WHA|A)(?P<n>\d{1,2})(?:\.\d+|/\S+|\b)(?!\.?\d)")
_EB_CODE = re.compile(r"\bEB(?P<n>\d{1,3})(?:\.R\d+|\(\d+\)|/\S+|\b)(?!\.?\d)")
_RC_CODE = re.compile(r"\b(?:(?P<prefix>AFR|EUR|SEA|WPR|EM)/)?RC(?P<n>\d{1,2})\b(?:\s+(?P<suffix>[A-Z]{3,5})\b)?")
_REFERENCE_BEFORE = re.compile(r"(?:resolutions?|decisions?|documents?|and|see|in|of)\s*$", re.I)


def _region_from_name(name: str | None) -> str | None:
    if not name:
        return None
    for region, pattern in _REGION_NAMES.items():
        if re.fullmatch(pattern, name, re.I):
            return region
    return None


def own_session(title: str, head: str) -> SessionEvidence | None:
    """The session a document belongs to, from its title and head (its first page or so).

    Strongest first: a code in the title (WHA66.10, EB152/5, AFR/RC74/3), the Assembly acting in a resolution's
    preamble ("The Sixty-sixth World Health Assembly,"), a session named in words, then a meeting code at the
    start of a line of the head. Codes cited in running text ("recalling resolution WHA65.22") are references to
    other sessions and never count.
    """
    for found in (_code_in(title, anywhere=True), _assembly_acting(head), _named(head), _code_in(head)):
        if found:
            return found
    return None


def _code_in(text: str, anywhere: bool = False) -> SessionEvidence | None:
    candidates: list[tuple[int, SessionEvidence]] = []
    for pattern, body in ((_WHA_CODE, "WHA"), (_EB_CODE, "EB"), (_RC_CODE, "RC")):
        for m in pattern.finditer(text):
            if body == "WHA" and m.group(0).startswith("A") and "/" not in m.group(0):
                continue  # a bare "A66" is no code; "A66/6" is an Assembly document symbol
            before = text[text.rfind("\n", 0, m.start()) + 1 : m.start()]
            if _REFERENCE_BEFORE.search(before) or (not anywhere and before.strip(" \t*#|-")):
                continue
            region = None
            if body == "RC":
                region = REGIONS.get(m.group("prefix") or "") or (
                    m.group("suffix") if m.group("suffix") in _RC_FIRST_YEAR_OFFSET else None
                )
            session = Session(body, int(m.group("n")), region)
            candidates.append((m.start(), SessionEvidence(session, m.group(0).strip())))
            break
    return min(candidates, key=lambda c: c[0])[1] if candidates else None


_ASSEMBLY_ACTING = re.compile(rf"\bThe\s+{_ORDINAL}\s+World\s+Health\s+Assembly\s*,")


def _assembly_acting(text: str) -> SessionEvidence | None:
    for m in _ASSEMBLY_ACTING.finditer(text):
        n = ordinal_value(m.group("ord"))
        if n:
            return SessionEvidence(Session("WHA", n), m.group(0).rstrip(","))
    return None


_HEADER_LINE = 200


def _named(text: str) -> SessionEvidence | None:
    """The first session named in words on a header line ('Seventy-seventh World Health Assembly', '154th
    session of the Executive Board', 'Seventy-fourth session of the WHO Regional Committee for Africa')."""
    found: list[tuple[int, SessionEvidence]] = []
    for pattern, body in ((_WHA_NAME, "WHA"), (_EB_NAME, "EB"), (_RC_NAME, "RC")):
        for m in pattern.finditer(text):
            words = m.group("ord") or m.group("ord2")
            n = ordinal_value(words) or ordinal_value(words.split()[-1])
            line_start = text.rfind("\n", 0, m.start()) + 1
            line_end = text.find("\n", m.end())
            line_length = (len(text) if line_end < 0 else line_end) - line_start
            if n is None or line_length > _HEADER_LINE:
                continue  # running prose ("report to the Seventy-third World Health Assembly") names other sessions
            region = _region_from_name(m.group("region") or m.group("region2")) if body == "RC" else None
            found.append((m.start(), SessionEvidence(Session(body, n, region), m.group(0))))
            break
    return min(found, key=lambda f: f[0])[1] if found else None


_AGENDA_ITEM = re.compile(r"\bAgenda\s+item\s+(?P<item>\d{1,2}(?:\.\d{1,2}){0,2})\b", re.I)


def agenda_item(head: str) -> str | None:
    """The agenda item the document is under ('Agenda item 11.2' -> '11.2'), named in its head."""
    m = _AGENDA_ITEM.search(head)
    return m.group("item") if m else None


def symbols_named(text: str) -> set[str]:
    """The resolution symbols `text` names, upper-cased: "what does wha66.10 urge" -> {"WHA66.10"}."""
    return {m.group(0).upper() for m in _SYMBOL.finditer(text)}


# A symbol with the word that says what it is: "resolution WHA66.4", "decision EB130.R7".
_NAMED_DOCUMENT = re.compile(rf"(?:\b(?:resolutions?|decisions?)\s+)?{_SYMBOL.pattern}", re.I)


def naming_words(text: str) -> list[str]:
    """The words with which `text` names resolutions ("resolution", "WHA66", "4" in "what does resolution
    WHA66.4 endorse"): they say which document is meant, not what is asked of it. A word the text also uses
    elsewhere ("the 10 targets" in "what does WHA66.10 say about the 10 targets") is asked about too."""
    naming = [w for m in _NAMED_DOCUMENT.finditer(text) for w in re.findall(r"\w+", m.group(0))]
    rest = {w.lower() for w in re.findall(r"\w+", _NAMED_DOCUMENT.sub(" ", text))}
    return [w for w in naming if w.lower() not in rest]


def symbol_of(title: str, source: str) -> str | None:
    """The resolution symbol a document is, when its title opens with one ("WHA66.10 Follow-up to …") or
    its file is named by one ("WHA66.10.pdf"); a symbol only quoted in its text does not make it that one."""
    for text in (title, Path(source).stem):
        m = _SYMBOL.match(text.strip())
        if m and (m.end() == len(text.strip()) or not text.strip()[m.end()].isalnum()):
            return m.group(0).upper()
    return None
