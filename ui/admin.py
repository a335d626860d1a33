"""The Admin tab: upload documents, fetch links and re-scan the corpus folders (an admin key, typed once at
the top of the page, is required).

An ingest runs as a background job that this tab polls: a progress bar with its percentage, the rate and
the time left, then a readable report. When a job finishes, the pages' other parts that list documents
(filter choices, the library) are refreshed, so new types, organisations and years appear without a reload.
"""

from __future__ import annotations

import html
import time
from collections.abc import Sequence
from pathlib import Path

import gradio as gr

from policykb.core.errors import UploadRejected
from policykb.service import KnowledgeBase
from policykb.service.fetch import FetchRefused, check_url
from policykb.service.jobs import JobManager
from policykb.ui import render
from policykb.ui.access import UIAccess, received_files
from policykb.ui.page import OnLoad


def build(kb: KnowledgeBase, jobs: JobManager, access: UIAccess, refresh: Sequence[OnLoad] = ()) -> None:
    gr.Markdown(
        "Give an admin key at the top of the page to upload and re-scan."
        if kb.settings.admin_keys
        else "Admin is disabled: set POLICYKB_ADMIN_KEYS on the server."
    )
    files = gr.File(label="Upload documents", file_count="multiple", file_types=list(kb.upload_types()),
                    elem_id="admin-upload")  # fmt: skip
    with gr.Row():
        upload_button = gr.Button("Upload and ingest", variant="primary", elem_id="admin-upload-button")
        rebuild_button = gr.Button("Re-scan corpus folders")
    links = gr.Textbox(label="Links to fetch: web pages and PDFs, one per line", lines=2, elem_id="admin-links")
    with gr.Row():
        fetch_button = gr.Button("Fetch links", elem_id="admin-fetch")
        refresh_button = gr.Button("Refresh kept links", elem_id="admin-refresh-links")
    message = gr.Markdown(elem_id="admin-message")
    progress = gr.HTML(elem_id="admin-progress")
    report = gr.HTML(elem_id="admin-report")
    watched = gr.State({})  # the job followed: its id, and where its current stage started (time, done)
    refreshed = [output for on_load in refresh for output in on_load.outputs]

    def upload(files: list | None) -> tuple[str, object]:
        if not files:
            return "Choose one or more files first.", gr.update()
        saved = []
        for path in received_files(files):  # only what the browser sent, never a server path
            try:
                saved.append(kb.store_upload(path.name, path.read_bytes()))
            except UploadRejected as exc:
                return html.escape(str(exc)), gr.update()
        jobs.submit_ingest(saved, kind="upload")
        return f"Ingesting {len(saved)} file(s) in the background.", None  # None clears the upload box

    def fetch_links(text: str) -> tuple[str, object]:
        urls = [line.strip() for line in (text or "").splitlines() if line.strip()]
        if not urls:
            return "Give one or more links first.", gr.update()
        try:
            for url in urls:
                check_url(url, allow_private=True)  # the scheme and host now; the addresses when fetched
        except FetchRefused as exc:
            return html.escape(str(exc)), gr.update()
        jobs.submit_fetch(urls)
        return f"Fetching {len(urls)} link(s) in the background.", ""

    def refresh_links() -> str:
        jobs.submit_refresh()
        return "Fetching the kept links again in the background; unchanged pages are left as they are."

    def rebuild() -> str:
        jobs.submit_ingest([Path(p) for p in kb.settings.corpus_dirs], prune=True, kind="reindex")
        return "Re-scanning the corpus folders in the background; searches go on meanwhile."

    def poll(watched: dict) -> tuple:
        unchanged = tuple(gr.update() for _ in refreshed)
        job = jobs.latest()
        if job is None:
            return gr.update(), gr.update(), watched, *unchanged
        if job.status in ("queued", "running"):
            now = time.monotonic()
            if watched.get("id") != job.id or watched.get("stage") != job.stage:
                watched = {"id": job.id, "stage": job.stage, "since": now, "from": job.done}
            elapsed = now - watched["since"]
            rate = (job.done - watched["from"]) / elapsed if elapsed > 0.5 and job.done > watched["from"] else None
            return render.progress_html(job.status, job.stage, job.done, job.total, rate), "", watched, *unchanged
        if watched.get("shown") == job.id:
            return gr.update(), gr.update(), watched, *unchanged
        watched = {"id": job.id, "shown": job.id}
        if job.status == "failed":
            shown = f'<p id="ingest-report">The {job.kind} failed: {html.escape(job.error or "")}</p>'
        else:
            shown = render.report_html(job.report or {}, kb.documents())
        fresh = [value for on_load in refresh for value in _as_tuple(on_load.fn())]
        return "", shown, watched, *fresh

    quiet_poll = (gr.update(), gr.update(), gr.update(), *(gr.update() for _ in refreshed))
    upload_button.click(access.guard(upload, "admin"), files, [message, files])
    rebuild_button.click(access.guard(rebuild, "admin"), None, message)
    fetch_button.click(access.guard(fetch_links, "admin"), links, [message, links])
    refresh_button.click(access.guard(refresh_links, "admin"), None, message)
    gr.Timer(1.0).tick(access.guard(poll, "admin", quiet=quiet_poll), watched, [progress, report, watched, *refreshed])


def _as_tuple(values: object) -> tuple:
    return values if isinstance(values, tuple) else (values,)
