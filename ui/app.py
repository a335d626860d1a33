"""The Gradio front end: Ask (cited answers), Search (for staff), Library and Admin, one module per tab.

It calls the service facade in-process and never re-implements search or answering. Every piece of
document text is HTML-escaped before it is shown (see `render`).
"""

from __future__ import annotations

import gradio as gr

from policykb.service import KnowledgeBase
from policykb.service.jobs import JobManager
from policykb.ui import admin, ask, library, search
from policykb.ui.access import UIAccess

CSS = """
.chips .wrap { gap: 6px; }
.chips label { border-radius: 999px !important; padding: 2px 12px !important; }
.passage-box { border-left: 4px solid #6b8afd; padding: 8px 12px; background: rgba(107,138,253,0.06); }
.passage-box mark, .result mark { background: #ffe58a; padding: 0 2px; }
.result { border-bottom: 1px solid #ddd; padding: 8px 0; }
.meta { color: #666; font-size: 0.9em; }
"""


def build_ui(kb: KnowledgeBase, jobs: JobManager) -> gr.Blocks:
    """Every function goes through `access` (the REST routes' key check); Gradio's uploads are removed
    after an hour."""
    access = UIAccess(kb)
    with gr.Blocks(title="policykb", delete_cache=(900, 3600)) as demo:
        gr.Markdown("## policykb — patient-advocacy policy documents, searched and answered with citations")
        with gr.Row():
            key = gr.Textbox(label="API key (if this server needs one)", type="password", elem_id="api-key", scale=3)
            use_key = gr.Button("Use key", elem_id="use-key", scale=1)
            signed = gr.Markdown(elem_id="key-status")
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                on_ask = ask.build(kb, jobs, access)
            with gr.Tab("Search", id="search"):
                on_search = search.build(kb, jobs, access)
            with gr.Tab("Library", id="library"):
                on_library = library.build(kb, jobs, access)
            with gr.Tab("Admin", id="admin"):
                admin.build(kb, jobs, access)
        signing_in = use_key.click(access.sign_in, key, signed)
        for on_load in (on_ask, on_search, on_library):
            quietly = access.guard(on_load.fn, quiet=tuple(gr.update() for _ in on_load.outputs))
            demo.load(quietly, None, on_load.outputs)
            signing_in.then(quietly, None, on_load.outputs)  # choices and tables arrive once a key is in
    return demo
