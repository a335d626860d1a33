"""The Admin tab: upload documents and re-scan the corpus folders (an admin key is required), job status."""

from __future__ import annotations

import html
from pathlib import Path

import gradio as gr

from policykb.core.errors import UploadRejected
from policykb.service import KnowledgeBase
from policykb.service.auth import role_of
from policykb.service.jobs import JobManager


def build(kb: KnowledgeBase, jobs: JobManager) -> None:
    key = gr.Textbox(label="Admin key", type="password", elem_id="admin-key")
    files = gr.File(label="Upload documents", file_count="multiple", file_types=list(kb.upload_types()))
    with gr.Row():
        upload_button = gr.Button("Upload and ingest", variant="primary")
        rebuild_button = gr.Button("Re-scan corpus folders")
    message = gr.Markdown()
    status = gr.Markdown()
    report = gr.JSON(label="Last ingest report")

    def refusal(key: str) -> str | None:
        if not kb.settings.admin_keys:
            return "Admin is disabled: set POLICYKB_ADMIN_KEYS on the server."
        if role_of(key, kb.settings) != "admin":
            return "An admin key is required."
        return None

    def upload(key: str, files: list | None) -> str:
        refused = refusal(key)
        if refused:
            return refused
        if not files:
            return "Choose one or more files first."
        saved = []
        for f in files:
            path = Path(f if isinstance(f, str) else f.name)
            try:
                saved.append(kb.store_upload(path.name, path.read_bytes()))
            except UploadRejected as exc:
                return html.escape(str(exc))
        job = jobs.submit_ingest(saved, kind="upload")
        return f"Ingesting {len(saved)} file(s) in the background (job {job.id})."

    def rebuild(key: str) -> str:
        refused = refusal(key)
        if refused:
            return refused
        job = jobs.submit_ingest([Path(p) for p in kb.settings.corpus_dirs], prune=True, kind="reindex")
        return f"Re-scanning the corpus folders in the background (job {job.id}); searches go on meanwhile."

    def job_status(key: str) -> tuple[str, dict | None]:
        if refusal(key):
            return "", None
        job = jobs.latest()
        if job is None:
            return "No ingest has run in this session.", None
        line = f"**{job.kind}** job `{job.id}`: {job.status}"
        if job.status == "running" and job.total:
            line += f" — {job.stage} {job.done}/{job.total}"
        if job.error:
            line += f" — {html.escape(job.error)}"
        return line, job.report

    upload_button.click(upload, [key, files], message)
    rebuild_button.click(rebuild, key, message)
    gr.Timer(1.0).tick(job_status, key, [status, report])
