"""The Library tab: every document, and counts by type and by year."""

from __future__ import annotations

from collections import Counter

import gradio as gr
import pandas as pd

from policykb.core.types import DocumentInfo
from policykb.service import KnowledgeBase
from policykb.service.jobs import JobManager
from policykb.ui.access import UIAccess
from policykb.ui.page import OnLoad


def build(kb: KnowledgeBase, jobs: JobManager, access: UIAccess) -> OnLoad:
    refresh = gr.Button("Refresh")
    documents = gr.Dataframe(label="Documents", elem_id="library-table", wrap=True)
    with gr.Row():
        by_type = gr.BarPlot(x="type", y="documents", title="Documents by type")
        by_year = gr.BarPlot(x="year", y="documents", title="Documents by year")
    outputs = [documents, by_type, by_year]

    def library() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        return tables(kb.documents())

    refresh.click(access.guard(library), None, outputs)
    return OnLoad(library, outputs)


def tables(docs: list[DocumentInfo]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The document table, documents per type and documents per year."""
    table = pd.DataFrame(
        [[d.title, d.doc_type, d.date or "", ", ".join(d.organisations[:5]), d.pages or "", d.source] for d in docs],
        columns=["title", "type", "date", "organisations", "pages", "source"],
    )
    by_type = pd.DataFrame(sorted(Counter(d.doc_type for d in docs).items()), columns=["type", "documents"])
    by_year = pd.DataFrame(sorted(Counter(d.date[:4] for d in docs if d.date).items()), columns=["year", "documents"])
    return table, by_type, by_year
