"""The Gradio front end: Ask (cited answers), Search (for staff), Library and Admin, one module per tab.

It calls the service facade in-process and never re-implements search or answering. Every piece of
document text is HTML-escaped before it is shown (see `render`).
"""

from __future__ import annotations

import gradio as gr

from policykb.service import KnowledgeBase
from policykb.service.jobs import JobManager
from policykb.ui import admin, ask, library, search
from policykb.ui.style import CSS, SCRIPT, THEME

__all__ = ["CSS", "SCRIPT", "THEME", "build_ui"]


def build_ui(kb: KnowledgeBase, jobs: JobManager) -> gr.Blocks:
    with gr.Blocks(title="policykb") as demo:
        gr.HTML('<h1 id="page-title">policykb: patient-advocacy policy documents</h1>')
        gr.Markdown("Ask a question and get a short answer in which every sentence cites its source.",
                    elem_id="page-intro")  # fmt: skip
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                on_ask = ask.build(kb, jobs)
            with gr.Tab("Search", id="search"):
                on_search = search.build(kb, jobs)
            with gr.Tab("Library", id="library"):
                on_library = library.build(kb, jobs)
            with gr.Tab("Admin", id="admin"):
                admin.build(kb, jobs, refresh=(on_ask, on_search, on_library))
        for on_load in (on_ask, on_search, on_library):
            demo.load(on_load.fn, None, on_load.outputs)
    return demo
