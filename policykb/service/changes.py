"""Reading the change feed: when to start from, and which documents a run brought in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from policykb.core.errors import FilterError
from policykb.core.types import Change, ChangeRun

DURATION_UNITS = {"h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(text: str | None) -> float | None:
    """Seconds since the epoch from an ISO 8601 date or time (UTC unless it says otherwise), or a span
    back from now: `36h`, `7d`, `2w`."""
    if text is None or not text.strip():
        return None
    value = text.strip()
    unit = DURATION_UNITS.get(value[-1:].lower())
    if unit and value[:-1].isdigit():
        return (datetime.now(UTC) - timedelta(seconds=int(value[:-1]) * unit)).timestamp()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise FilterError(
            f"since: {value[:40]!r} is neither an ISO 8601 date or time (2026-11-20, 2026-11-20T09:30Z) nor a "
            "span such as 36h, 7d or 2w"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def new_documents(runs: list[ChangeRun]) -> list[tuple[ChangeRun, Change]]:
    """Documents added by these runs (newest first) that are still in the knowledge base as far as the
    feed knows: one removed by a later run is left out."""
    removed_later: set[str] = set()
    found = []
    for run in runs:  # newest first
        for change in run.changes:
            if change.doc_id is None:
                continue
            if change.action == "removed":
                removed_later.add(change.doc_id)
            elif change.action == "added" and change.doc_id not in removed_later:
                found.append((run, change))
    return found
