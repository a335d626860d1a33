"""Query words marked in a passage, for display."""

from __future__ import annotations

import html
import re

from policykb.core.text import stem


def highlight(text: str, stems: set[str]) -> str:
    """HTML-escaped text with every word sharing a stem with the query wrapped in <mark>."""
    escaped = html.escape(text, quote=False)
    if not stems:
        return escaped

    def mark(m: re.Match[str]) -> str:
        word = m.group(0)
        return f"<mark>{word}</mark>" if stem(word.lower()) in stems else word

    return re.sub(r"(?<!&)\b\w+", mark, escaped)
