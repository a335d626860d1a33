"""Search results as CSV for staff: plain text cells (no markup, no line breaks), the query and filters
in a first comment line, and a file name that says what was searched and when."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import UTC, datetime

from policykb.core.filters import Filters
from policykb.core.types import SearchHit, doc_type_label
from policykb.service.knowledge_base import passage_url

COLUMNS = ["rank", "title", "type", "date", "meeting", "agenda_item", "page", "source", "score",
           "more_passages", "passage", "link"]  # fmt: skip
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_filename(query: str, kind: str = "search", now: datetime | None = None) -> str:
    """`policykb-search-access-to-medicines-2026-11-23.csv`: the query's words (ASCII, at most 60
    characters; `all` without any) and the day of the export."""
    ascii_query = unicodedata.normalize("NFKD", query).encode("ascii", "ignore").decode().lower()
    slug = "-".join(re.findall(r"[a-z0-9]+", ascii_query))[:60].strip("-") or "all"
    return f"policykb-{kind}-{slug}-{(now or datetime.now(UTC)):%Y-%m-%d}.csv"


def describe_filters(filters: Filters) -> str:
    """The filters in words, `type=statement, report; from=2016` ("none" when empty)."""
    parts = [
        ("type", ", ".join(filters.doc_type)),
        ("organisation", ", ".join(filters.organisation)),
        ("language", ", ".join(filters.language)),
        ("meeting", ", ".join(filters.meeting)),
        ("agenda_item", ", ".join(filters.agenda_item)),
        ("from", filters.date_from or ""),
        ("to", filters.date_to or ""),
        ("source", filters.source or ""),
    ]
    return "; ".join(f"{name}={value}" for name, value in parts if value) or "none"


def results_csv(
    hits: list[SearchHit], query: str, filters: Filters, kind: str = "search", now: datetime | None = None
) -> str:
    """One row per result in the order shown; the first line, a `#` comment, records the query, the
    filters and when the export was made."""
    out = io.StringIO()
    stamp = f"{(now or datetime.now(UTC)):%Y-%m-%d %H:%M} UTC"
    out.write(f"# policykb {kind}: query: {_plain(query) or '(none)'}; filters: {describe_filters(filters)}; "
              f"exported {stamp}\n")  # fmt: skip
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for rank, h in enumerate(hits, start=1):
        writer.writerow([
            rank, _cell(h.title), doc_type_label(h.doc_type), h.date or "", h.meeting or "", h.agenda_item or "",
            h.page or "", _cell(h.source), h.score, len(h.more), _cell(h.text),
            passage_url(h.doc_id, h.source, h.page, h.chunk_id),
        ])  # fmt: skip
    return out.getvalue()


def _plain(text: str) -> str:
    return " ".join(text.split())


def _cell(text: str) -> str:
    """One line of plain text; a leading character a spreadsheet would run as a formula is quoted."""
    text = _plain(text)
    return "'" + text if text.startswith(_FORMULA) else text
