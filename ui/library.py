"""The Library tab: what changed this week (from the change feed), every document in a sortable, searchable
table, and counts by type, organisation and year (bar charts from zero; a table where there is a single
value)."""

from __future__ import annotations

import time
from collections import Counter

import gradio as gr
import pandas as pd

from policykb.core.types import DocumentInfo, doc_type_label
from policykb.service import KnowledgeBase
from policykb.service.jobs import JobManager
from policykb.ui import render
from policykb.ui.access import UIAccess
from policykb.ui.page import OnLoad

FACETS = {"type": "Documents by type", "organisation": "Documents by organisation", "year": "Documents by year"}


def build(kb: KnowledgeBase, jobs: JobManager, access: UIAccess) -> OnLoad:
    refresh = gr.Button("Refresh", elem_id="library-refresh")
    recent = gr.HTML(elem_id="library-changes", label="Recent changes")
    documents = gr.Dataframe(label="Documents — click a column header to sort", elem_id="library-table", wrap=True,
                             show_search="search", interactive=False,
                             column_widths=["34%", "12%", "10%", "18%", "8%", "18%"])  # fmt: skip
    with gr.Row():
        charts = [gr.HTML(elem_id=f"library-by-{facet}") for facet in FACETS]
    outputs = [recent, documents, *charts]

    def library() -> tuple[str | pd.DataFrame, ...]:
        week = time.time() - 7 * 86400
        return render.changes_html(kb.changes(since=week, limit=500)), *view(kb.documents())

    refresh.click(access.guard(library), None, outputs)
    return OnLoad(library, outputs)


def view(docs: list[DocumentInfo]) -> tuple[pd.DataFrame, ...]:
    table, counted = tables(docs)
    return table, *[render.bars_html(title, counted[facet], f"chart-{facet}") for facet, title in FACETS.items()]


def tables(docs: list[DocumentInfo]) -> tuple[pd.DataFrame, dict[str, list[tuple[str, int]]]]:
    """The document table, and documents per type (by its name: "Press release"), per organisation (most
    first) and per year."""
    table = pd.DataFrame(
        [
            [d.title, doc_type_label(d.doc_type), d.date or "", ", ".join(d.organisations[:5]), d.pages or "", d.source]
            for d in docs
        ],
        columns=["title", "type", "date", "organisations", "pages", "source"],
    )
    organisations = Counter(o for d in docs for o in set(d.organisations))
    counted = {
        "type": sorted(Counter(doc_type_label(d.doc_type) for d in docs).items()),
        "organisation": sorted(organisations.items(), key=lambda item: (-item[1], item[0]))[:15],
        "year": sorted(Counter(d.date[:4] for d in docs if d.date).items()),
    }
    return table, counted
