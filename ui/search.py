"""The Search tab (for staff): results grouped by document (or every passage, or a timeline by date) with
snippets of what matched, filters, more like this for a passage or a document, and a CSV export."""

from __future__ import annotations

import html
import tempfile
from pathlib import Path
from typing import Literal

import gradio as gr

from policykb.core.errors import FilterError, NotFound
from policykb.core.filters import Filters
from policykb.core.types import SearchGroup, SearchHit, SearchResponse, TimelineOrder
from policykb.service import KnowledgeBase
from policykb.service.export import csv_filename, results_csv
from policykb.service.jobs import JobManager
from policykb.ui import filters, render
from policykb.ui.access import UIAccess
from policykb.ui.page import OnLoad

Sort = Literal["relevance", "date"]
View = Literal["document", "passage", "timeline"]
SORTS: list[tuple[str, Sort]] = [("Most relevant", "relevance"), ("Newest first", "date")]
VIEWS: list[tuple[str, View]] = [("Documents", "document"), ("Passages", "passage"), ("Timeline", "timeline")]
SHOWN = 20


def build(kb: KnowledgeBase, jobs: JobManager, access: UIAccess) -> OnLoad:
    with gr.Row():
        query = gr.Textbox(label='Search — "double quotes" for exact phrases', elem_id="search-input", scale=4)
        search_button = gr.Button("Search", variant="primary", elem_id="search-button", scale=1)
    with gr.Row():
        widgets = filters.filter_widgets(kb, "search")
    with gr.Row():
        view = gr.Radio(VIEWS, value="document", label="Show", elem_id="search-view",
                        info="Documents: one row each, its best passage. Timeline: the most relevant documents "
                             "by date, oldest first (Newest first reverses it).")  # fmt: skip
        sort = gr.Radio(SORTS, value="relevance", label="Sort", elem_id="search-sort")
    results = gr.HTML(elem_id="search-results")
    with gr.Row():
        more = gr.Dropdown(label="More like this", choices=[], value=None, elem_id="more-like-this")
        export = gr.File(label="Results as CSV", elem_id="search-export")
    hits = gr.State([])

    def shown(response: SearchResponse, view: View, label: str, chosen: Filters, note: str = "") -> tuple:
        found = response.results
        page = render.timeline_html(found) if view == "timeline" else render.results_html(found)
        kind = "timeline" if view == "timeline" else "search"
        return (
            note + render.corrections_note(response.corrections) + page,
            gr.update(choices=render.result_choices(found), value=None),
            found,
            _csv_file(found, label, chosen, kind),
        )

    def run(query: str, types, orgs, y_from, y_to, meetings, view: View, sort: Sort) -> tuple:
        query = query or ""
        try:
            chosen = filters.to_filters(types, orgs, y_from, y_to, meetings)
            if view == "timeline":
                order: TimelineOrder = "newest" if sort == "date" else "oldest"
                response = kb.timeline(query, k=SHOWN, filters=chosen, order=order)
            else:
                response = kb.search(query, k=SHOWN, filters=chosen, sort=sort, group=view)
        except FilterError as exc:
            return f"<p>Invalid filter: {html.escape(str(exc))}</p>", gr.update(choices=[]), [], None
        return shown(response, view, query, chosen)

    def more_like_this(choice: str | None, hits: list[SearchHit], types, orgs, y_from, y_to, meetings,
                       view: View) -> tuple:  # fmt: skip
        """Passages or documents like the chosen passage or document (its text as the query, read as
        plain text); the passage itself, or the whole document, left out."""
        kind, _, key = (choice or "").partition(":")
        hit = next((h for h in hits if (h.chunk_id if kind == "chunk" else h.doc_id) == key), None)
        if hit is None:
            return gr.update(), gr.update(), hits, gr.update()
        group: SearchGroup = "passage" if view == "passage" else "document"
        chosen = filters.to_filters(types, orgs, y_from, y_to, meetings)
        try:
            if kind == "chunk":
                response = kb.more_like(chunk_id=key, k=SHOWN, filters=chosen, group=group)
            else:
                response = kb.more_like(doc_id=key, k=SHOWN, filters=chosen, group=group)
        except (FilterError, NotFound) as exc:
            return f"<p>{html.escape(str(exc))}</p>", gr.update(choices=[]), [], None
        label = f"more like {hit.title}"
        return shown(response, group, label, chosen, render.more_like_note(hit, whole_document=kind == "doc"))

    inputs = [query, *widgets.inputs, view, sort]
    outputs = [results, more, hits, export]
    search_button.click(access.guard(run), inputs, outputs)
    query.submit(access.guard(run), inputs, outputs)
    view.input(access.guard(run), inputs, outputs)
    sort.input(access.guard(run), inputs, outputs)
    more.input(access.guard(more_like_this), [more, hits, *widgets.inputs, view], outputs)
    return OnLoad(lambda: filters.choices(kb), widgets.choice_outputs)


def _csv_file(hits: list[SearchHit], query: str, chosen: Filters, kind: str) -> str | None:
    """The results as a CSV file named after the query and the day, in a folder of its own."""
    if not hits:
        return None
    path = Path(tempfile.mkdtemp(prefix="policykb-export-")) / csv_filename(query, kind)
    path.write_text(results_csv(hits, query, chosen, kind), encoding="utf-8")
    return str(path)
