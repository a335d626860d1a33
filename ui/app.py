"""The Gradio front end: Ask (cited answers), Search (for staff), Library and Admin, one module per tab.

It calls the service facade in-process and never re-implements search or answering. Every piece of
document text is HTML-escaped before it is shown (see `render`).
"""

from __future__ import annotations

import gradio as gr

from policykb.service import KnowledgeBase
from policykb.service.jobs import JobManager
from policykb.ui import admin, ask, library, search

CSS = """
.chips .wrap { gap: 6px; }
.chips label { border-radius: 999px !important; padding: 2px 12px !important; }
.passage-box { border-left: 4px solid #6b8afd; padding: 8px 12px; background: rgba(107,138,253,0.06); }
.passage-box mark, .result mark { background: #ffe58a; padding: 0 2px; }
.result { border-bottom: 1px solid #ddd; padding: 8px 0; }
.meta { color: #666; font-size: 0.9em; }
"""


def build_ui(kb: KnowledgeBase, jobs: JobManager) -> gr.Blocks:
    with gr.Blocks(title="policykb") as demo:
        gr.Markdown("## policykb — patient-advocacy policy documents, searched and answered with citations")
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                on_ask = ask.build(kb, jobs)
            with gr.Tab("Search", id="search"):
                on_search = search.build(kb, jobs)
            with gr.Tab("Library", id="library"):
                on_library = library.build(kb, jobs)
            with gr.Tab("Admin", id="admin"):
                admin.build(kb, jobs)
        for on_load in (on_ask, on_search, on_library):
            demo.load(on_load.fn, None, on_load.outputs)
    return demo
