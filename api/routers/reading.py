"""The reading view of a document: its text as escaped HTML (headings, paragraphs, list items, tables), one
section per passage with an anchor (`#chunk-<id>`), and a quoted span marked. Links to a passage of a
text, HTML or Word document open here rather than at the raw file."""

from __future__ import annotations

import html

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from policykb.api import deps
from policykb.api.routers.documents import _document
from policykb.service.knowledge_base import KnowledgeBase
from policykb.service.reading import blocks_html

router = APIRouter(prefix="/v1", tags=["documents"])

STYLE = """
body { font: 17px/1.6 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem;
       color: #1b1b1b; background: #fff; }
.meta, .where { color: #555; font-size: 0.9em; }
section { padding: 0.25rem 0.75rem; border-left: 4px solid transparent; scroll-margin-top: 2rem; }
section:target { border-left-color: #1d4ed8; background: #eef3ff; }
mark { background: #ffe58a; color: #1b1b1b; }
h3 { font-size: 1.05em; margin: 0.75em 0 0.25em; }
table { border-collapse: collapse; display: block; overflow-x: auto; margin: 0.5em 0; }
td { border: 1px solid #999; padding: 2px 8px; vertical-align: top; }
@media (prefers-color-scheme: dark) {
  body { color: #ececec; background: #111; } .meta, .where { color: #b5b5b5; }
  section:target { border-left-color: #93b4ff; background: #1c2233; }
}
"""


@router.get(
    "/documents/{doc_id}/read",
    response_class=HTMLResponse,
    dependencies=[Depends(deps.require_reader)],
    responses={200: {"content": {"text/html": {}}, "description": "the document's text as a page"}},
)
def read(
    doc_id: str,
    kb: KnowledgeBase = Depends(deps.kb),
    start: int | None = Query(default=None, ge=0, description="start of a span to mark (document offsets)"),
    end: int | None = Query(default=None, ge=0, description="end of the span to mark"),
) -> HTMLResponse:
    """The document's text as a page with an anchor per passage; `start`/`end` mark a quoted span."""
    document = _document(kb, doc_id)
    mark = (start, end) if start is not None and end is not None and start < end else None
    sections, shown_to = [], 0
    for chunk in kb.chunks(doc_id):
        skip = max(0, shown_to - chunk.char_start)  # overlapping passages: each character is shown once
        text = chunk.text[skip:]
        offset = chunk.char_start + skip
        local = (mark[0] - offset, mark[1] - offset) if mark else None
        where = " › ".join(chunk.headings)
        page = f"page {chunk.page_start}" if chunk.page_start else ""
        label = " · ".join(p for p in (where, page) if p)
        sections.append(
            f'<section id="chunk-{html.escape(chunk.chunk_id)}">'
            + (f'<p class="where">{html.escape(label)}</p>' if label else "")
            + blocks_html(text, local, [(s.start - offset, s.end - offset, s.kind) for s in chunk.non_prose])
            + "</section>"
        )
        shown_to = max(shown_to, chunk.char_end)
    meta = " · ".join([document.doc_type, document.date or "undated", document.source])
    fetched = ""
    if document.source_url and document.source_url.lower().startswith(("http://", "https://")):
        address = html.escape(document.source_url)
        fetched = f'<p class="meta">Fetched from <a href="{address}" rel="noopener noreferrer">{address}</a></p>'

    page = (
        f'<!doctype html><html lang="{html.escape(document.language or "en")}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(document.title)}</title><style>{STYLE}</style></head><body><main>"
        f'<h1>{html.escape(document.title)}</h1><p class="meta">{html.escape(meta)}</p>{fetched}{"".join(sections)}'
        "</main></body></html>"
    )
    return HTMLResponse(page)
