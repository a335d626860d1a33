"""Search filters and their reference semantics (written down in docs/filters.md).

`document_matches_filter` is the definition; every index encoding of the same filters (the tantivy query
and the numpy row mask in `policykb.index.filters`) must select exactly the rows it accepts, which
tests/test_filters_conformance.py checks on generated documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from policykb.core.dates import date_bounds, strict_date
from policykb.core.errors import FilterError


@dataclass
class Filters:
    """Different fields combine with AND, several values of one field with OR; empty means no constraint."""

    doc_type: list[str] = field(default_factory=list)
    organisation: list[str] = field(default_factory=list)
    language: list[str] = field(default_factory=list)
    date_from: str | None = None
    date_to: str | None = None
    source: str | None = None
    meeting: list[str] = field(default_factory=list)
    agenda_item: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (
            self.doc_type
            or self.organisation
            or self.language
            or self.date_from
            or self.date_to
            or self.source
            or self.meeting
            or self.agenda_item
        )

    def bounds(self) -> tuple[int | None, int | None]:
        """The date bounds as yyyymmdd integers: `date_from`'s first day, `date_to`'s last. Raises FilterError
        for a malformed date, and for an empty range (`date_from` after `date_to`): every reader of the
        dates (search, timeline, answers, the document list, the index encodings) refuses the same filters."""
        lo, hi = _bound(self.date_from, 0), _bound(self.date_to, 1)
        if lo is not None and hi is not None and lo > hi:
            raise FilterError(
                f"the date range is empty: date_from ({self.date_from}) is after date_to ({self.date_to})"
            )
        return lo, hi

    def check(self) -> Filters:
        """These filters, once every value is understood; raises FilterError as `bounds` does (the one check
        each face runs on the filters it receives, before anything is searched)."""
        self.bounds()
        return self

    def source_prefix(self) -> str | None:
        """The source path or folder, without leading or trailing slashes."""
        return self.source.strip("/") if self.source else None


def document_matches_filter(
    filters: Filters,
    doc_type: str,
    organisations: list[str],
    language: str,
    source: str,
    date: str | None,
    meeting: str | None = None,
    agenda_item: str | None = None,
) -> bool:
    """Whether one document passes `filters` (the reference semantics; see docs/filters.md)."""
    if filters.doc_type and doc_type not in filters.doc_type:
        return False
    if filters.meeting and meeting not in filters.meeting:
        return False
    if filters.agenda_item and agenda_item not in filters.agenda_item:
        return False
    if filters.organisation and not set(filters.organisation) & set(organisations):
        return False
    if filters.language and language not in filters.language:
        return False
    prefix = filters.source_prefix()
    if prefix is not None and not (source == prefix or source.startswith(prefix + "/")):
        return False
    lo, hi = filters.bounds()
    if lo is None and hi is None:
        return True
    if not date:
        return False
    d_lo, d_hi = date_bounds(date)
    return (lo is None or d_hi >= lo) and (hi is None or d_lo <= hi)


def _bound(value: str | None, side: int) -> int | None:
    if not value:
        return None
    iso = strict_date(value)
    if iso is None:
        raise FilterError(f"not a date: {value!r} (use YYYY, YYYY-MM or YYYY-MM-DD)")
    return date_bounds(iso)[side]
