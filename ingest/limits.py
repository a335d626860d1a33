"""Per-document bounds on parsing: pages, extracted characters and seconds.

A crafted file (thousands of pages sharing one heavy content stream, a text bomb) must cost one clear
per-file error, not hours of the single ingest worker. Readers call `check` between pages; the reader
choke point calls it once more on the whole result. Outside `bounded(...)` nothing is limited.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from policykb.core.errors import IngestError


@dataclass(frozen=True)
class ParseLimits:
    max_pages: int = 3000
    max_chars: int = 20_000_000
    seconds: float = 300.0


@dataclass(frozen=True)
class _Budget:
    limits: ParseLimits
    started: float


_active: ContextVar[_Budget | None] = ContextVar("parse_budget", default=None)


@contextmanager
def bounded(limits: ParseLimits) -> Iterator[None]:
    """Parse one file under `limits` (per thread: the ingest worker's parser thread sets its own)."""
    token = _active.set(_Budget(limits, time.perf_counter()))
    try:
        yield
    finally:
        _active.reset(token)


def check(pages: int = 0, chars: int = 0) -> None:
    """Raise a per-file IngestError as soon as a document is over one of its bounds."""
    budget = _active.get()
    if budget is None:
        return
    limits = budget.limits
    if pages > limits.max_pages:
        raise IngestError(f"too many pages: {pages} (the limit is {limits.max_pages}, POLICYKB_MAX_PAGES)")
    if chars > limits.max_chars:
        raise IngestError(f"too much text: over {limits.max_chars:,} characters extracted (POLICYKB_MAX_CHARS)")
    elapsed = time.perf_counter() - budget.started
    if elapsed > limits.seconds:
        raise IngestError(f"parsing took longer than {limits.seconds:g} s and was stopped (POLICYKB_PARSE_TIMEOUT_S)")
