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
from policykb.ui.style import CSS, SCRIPT, THEME

__all__ = ["CSS", "SCRIPT", "THEME", "build_ui"]


def build_ui(kb: KnowledgeBase, jobs: JobManager) -> gr.Blocks:
    """Every function goes through `access` (the REST routes' key check); Gradio's uploads are removed
    after an hour."""
    access = UIAccess(kb)
    with gr.Blocks(title="policykb", delete_cache=(900, 3600)) as demo:
        gr.HTML('<h1 id="page-title">policykb: patient-advocacy policy documents</h1>')
        gr.Markdown("Ask a question and get a short answer in which every sentence cites its source.",
                    elem_id="page-intro")  # fmt: skip
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
                admin.build(kb, jobs, access, refresh=(on_ask, on_search, on_library))
        signing_in = use_key.click(access.sign_in, key, signed)
        for on_load in (on_ask, on_search, on_library):
            quietly = access.guard(on_load.fn, quiet=tuple(gr.update() for _ in on_load.outputs))
            demo.load(quietly, None, on_load.outputs)
            signing_in.then(quietly, None, on_load.outputs)  # choices and tables arrive once a key is in
    return demo
