"""HTML for the UI, as pure functions of the service's types.

Every piece of document text is HTML-escaped here; the only markup that passes through is the `<mark>`
that search adds to its (already escaped) highlight.
"""

from __future__ import annotations

import html
import re

from policykb.core.types import Chunk, Citation, RelatedDocument, SearchHit
from policykb.service.knowledge_base import file_url


def compact(text: str) -> str:
    """Hard-wrapped and double-spaced text (PDFs, press releases) without runs of blank lines."""
    return re.sub(r"\n[ \t]*(?:\n[ \t]*)+", "\n", text).strip()


def file_link(doc_id: str, source: str, page: int | None) -> str:
    url = file_url(doc_id, source, page)
    return f'<a href="{html.escape(url)}" target="_blank">open the original{f" at page {page}" if page else ""}</a>'


def chip_label(citation: Citation) -> str:
    page = f", p. {citation.page}" if citation.page else ""
    return f"[{citation.n}] {citation.title[:60]}{page}"


def passage_html(citation: Citation, chunk: Chunk | None) -> str:
    """The cited passage with the quoted span marked, its source and a link to the original."""
    if chunk is None:
        return "<p>This passage is no longer in the knowledge base.</p>"
    a, b = citation.char_start - chunk.char_start, citation.char_end - chunk.char_start
    body = (html.escape(chunk.text[:a]) + "<mark>" + html.escape(chunk.text[a:b]) + "</mark>"
            + html.escape(chunk.text[b:]))  # fmt: skip
    page = f" · page {citation.page}" if citation.page else ""
    return (
        f'<div class="passage-box" id="passage-view"><h4>[{citation.n}] {html.escape(citation.title)}</h4>'
        f'<p class="meta">{html.escape(citation.doc_type)} · {html.escape(citation.date or "undated")}{page} · '
        f"{html.escape(citation.source)} · {file_link(citation.doc_id, citation.source, citation.page)}</p>"
        f'<p style="white-space: pre-wrap">{compact(body)}</p></div>'
    )


def related_html(related: list[RelatedDocument]) -> str:
    """The closest documents, shown with a refusal."""
    if not related:
        return ""
    items = "".join(
        f'<li><b>{html.escape(r.title)}</b> <span class="meta">({html.escape(r.doc_type)}, '
        f"{html.escape(r.date or 'undated')})</span> — {file_link(r.doc_id, r.source, r.page)}"
        f'<br><span class="meta">{html.escape(r.snippet)}</span></li>'
        for r in related
    )
    return f'<div id="related-docs"><p>The closest documents:</p><ul>{items}</ul></div>'


def results_html(hits: list[SearchHit]) -> str:
    if not hits:
        return "<p>No results.</p>"
    rows = []
    for n, h in enumerate(hits, start=1):
        page = f" · p. {h.page}" if h.page else ""
        rows.append(
            f'<div class="result"><b>{n}. {html.escape(h.title)}</b> <span class="meta">{html.escape(h.doc_type)} · '
            f"{html.escape(h.date or 'undated')}{page} · {html.escape(h.source)} · "
            f"{file_link(h.doc_id, h.source, h.page)}</span>"
            f'<p style="white-space: pre-wrap">{compact(h.highlight)}</p></div>'  # escaped, <mark> added
        )
    return "".join(rows)


def result_choices(hits: list[SearchHit]) -> list[tuple[str, str]]:
    """(label, chunk id) for the more-like-this menu."""
    return [(f"{n}. {h.title[:50]} ({h.date or 'undated'})", h.chunk_id) for n, h in enumerate(hits, start=1)]


def more_like_note(hit: SearchHit) -> str:
    page = f", p. {hit.page}" if hit.page else ""
    return f'<p class="meta" id="more-like-note">Passages like: {html.escape(hit.title)}{page}</p>'
