"""Dates as the project stores them: ISO prefixes of year, month or day precision ('2024', '2024-03',
'2024-03-15'), read from metadata values and written dates, and compared as the period they cover."""

from __future__ import annotations

import re
from datetime import date as _date

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MONTH_RE = r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_DATE_PATTERNS = [
    # "Wednesday 15th – Thursday 16th March 2023": the range's first day
    re.compile(
        rf"\b{_DAY}\s*[-–—]\s*(?:[A-Z][a-z]+day\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH_RE}\s*,?\s+{_YEAR}\b", re.I
    ),
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH_RE}\s*,?\s+{_YEAR}\b", re.I),
    re.compile(rf"\b{_MONTH_RE}\s+{_DAY},?\s+{_YEAR}\b", re.I),
    re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<month>\d{2})-(?P<day>\d{2})\b"),
]
_MONTH_YEAR = re.compile(rf"\b{_MONTH_RE}\s+{_YEAR}\b", re.I)
_ISO_PARTIAL = re.compile(r"^(?:19|20)\d{2}(?:-\d{2}(?:-\d{2})?)?$")


def normalise_date(value: str | None) -> str | None:
    """Accept 'YYYY', 'YYYY-MM', 'YYYY-MM-DD', ISO datetimes or a written date; return the ISO prefix."""
    if not value:
        return None
    value = value.strip()
    head = value[:10]
    if _ISO_PARTIAL.match(head) or _ISO_PARTIAL.match(value[:7]) or _ISO_PARTIAL.match(value[:4]):
        for candidate in (head, value[:7], value[:4]):
            if _ISO_PARTIAL.match(candidate) and _valid(candidate):
                return candidate
    found = find_date_in_text(value)
    return found


def strict_date(value: str) -> str | None:
    """A filter bound: exactly YYYY, YYYY-MM or YYYY-MM-DD naming a real date, else None (never coarsened:
    '2024-02-30' is refused, not read as February 2024)."""
    value = value.strip()
    if not re.fullmatch(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", value) or not _valid(value):
        return None
    return value


def _valid(iso: str) -> bool:
    parts = [int(p) for p in iso.split("-")]
    try:
        _date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


def find_date_in_text(text: str) -> str | None:
    """The earliest-positioned full date in `text`, else the earliest 'Month YYYY'."""
    found = find_date_span(text)
    return found[1] if found else None


def find_date_span(text: str) -> tuple[int, str] | None:
    """(offset, ISO date) of the earliest-positioned full date in `text`, else of the earliest 'Month YYYY'."""
    best: tuple[int, str] | None = None
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            month_no = _month_number(m.group("month"))
            if not month_no:
                continue
            iso = f"{m.group('year')}-{month_no:02d}-{int(m.group('day')):02d}"
            if _valid(iso) and (best is None or m.start() < best[0]):
                best = (m.start(), iso)
            break
    if best:
        return best
    month_year = _MONTH_YEAR.search(text)
    if month_year:
        month_no = _MONTHS.get(month_year.group("month").lower().rstrip(".")[:3])
        if month_no:
            return month_year.start(), f"{month_year.group('year')}-{month_no:02d}"
    return None


def _month_number(month: str) -> int | None:
    if month.isdigit():
        return int(month)
    lowered = month.lower().rstrip(".")
    return _MONTHS.get(lowered[:4].rstrip("t") if lowered.startswith("sept") else lowered[:3])


def date_bounds(date: str | None) -> tuple[int, int]:
    """A partial date covers its whole period: '2024' -> (20240101, 20241231). No date -> (0, 0)."""
    if not date:
        return 0, 0
    parts = date.split("-")
    year = int(parts[0])
    if len(parts) == 1:
        return year * 10000 + 101, year * 10000 + 1231
    month = int(parts[1])
    if len(parts) == 2:
        return year * 10000 + month * 100 + 1, year * 10000 + month * 100 + 31
    day = year * 10000 + month * 100 + int(parts[2])
    return day, day
