"""The Search tab (for staff): filtered results with highlights, more like this, and a CSV export."""

from __future__ import annotations

import csv
import html
import tempfile
from typing import Literal

import gradio as gr

from policykb.core.errors import FilterError
from policykb.core.types import SearchHit
from policykb.service import KnowledgeBase
from policykb.service.jobs import JobManager
from policykb.ui import filters, render
from policykb.ui.access import UIAccess
from policykb.ui.page import OnLoad

Sort = Literal["relevance", "date"]
SORTS: list[tuple[str, Sort]] = [("Most relevant", "relevance"), ("Newest first", "date")]
SHOWN = 20


def build(kb: KnowledgeBase, jobs: JobManager, access: UIAccess) -> OnLoad:
    with gr.Row():
        query = gr.Textbox(label='Search — "double quotes" for exact phrases', elem_id="search-input", scale=4)
        search_button = gr.Button("Search", variant="primary", elem_id="search-button", scale=1)
    with gr.Row():
        widgets = filters.filter_widgets(kb, "search")
        sort = gr.Radio(SORTS, value="relevance", label="Sort")
    results = gr.HTML(elem_id="search-results")
    with gr.Row():
        more = gr.Dropdown(label="More like this", choices=[], value=None, elem_id="more-like-this")
        export = gr.File(label="Results as CSV", elem_id="search-export")
    hits = gr.State([])

    def run(query: str, types, orgs, y_from, y_to, sort: Sort, exclude: str | None = None):
        try:
            response = kb.search(query or "", k=SHOWN + 1 if exclude else SHOWN,
                                 filters=filters.to_filters(types, orgs, y_from, y_to), sort=sort)  # fmt: skip
        except FilterError as exc:
            return f"<p>Invalid filter: {html.escape(str(exc))}</p>", gr.update(choices=[]), [], None
        found = [h for h in response.results if h.chunk_id != exclude][:SHOWN]
        return (
            render.results_html(found),
            gr.update(choices=render.result_choices(found), value=None),
            found,
            _csv(found),
        )

    def more_like_this(chunk_id: str | None, hits: list[SearchHit], types, orgs, y_from, y_to, sort):
        """Passages like the chosen one (its own text as the query), the chosen passage itself left out."""
        hit = next((h for h in hits if h.chunk_id == chunk_id), None)
        if hit is None:
            return gr.update(), gr.update(), hits, gr.update()
        shown, *rest = run(" ".join(hit.text.split()[:60]), types, orgs, y_from, y_to, sort, hit.chunk_id)
        return render.more_like_note(hit) + shown, *rest

    inputs = [query, *widgets.inputs, sort]
    outputs = [results, more, hits, export]
    search_button.click(access.guard(run), inputs, outputs)
    query.submit(access.guard(run), inputs, outputs)
    more.input(access.guard(more_like_this), [more, hits, *widgets.inputs, sort], outputs)
    return OnLoad(lambda: filters.choices(kb), widgets.choice_outputs)


def _csv(hits: list[SearchHit]) -> str | None:
    if not hits:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".csv", prefix="policykb-search-", delete=False, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "doc_type", "date", "page", "source", "score", "text"])
        for h in hits:
            writer.writerow([h.title, h.doc_type, h.date or "", h.page or "", h.source, h.score, h.text])
    return handle.name
