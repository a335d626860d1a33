"""The Admin tab: upload documents and re-scan the corpus folders (an admin key, typed once at the top of the
page, is required), job status."""

from __future__ import annotations

import html
from pathlib import Path

import gradio as gr

from policykb.core.errors import UploadRejected
from policykb.service import KnowledgeBase
from policykb.service.jobs import JobManager
from policykb.ui.access import UIAccess, received_files


def build(kb: KnowledgeBase, jobs: JobManager, access: UIAccess) -> None:
    gr.Markdown("Give an admin key at the top of the page to upload and re-scan.")
    files = gr.File(label="Upload documents", file_count="multiple", file_types=list(kb.upload_types()))
    with gr.Row():
        upload_button = gr.Button("Upload and ingest", variant="primary")
        rebuild_button = gr.Button("Re-scan corpus folders")
    message = gr.Markdown()
    status = gr.Markdown()
    report = gr.JSON(label="Last ingest report")

    def upload(files: list | None) -> str:
        if not files:
            return "Choose one or more files first."
        saved = []
        for path in received_files(files):  # only what the browser sent, never a server path
            try:
                saved.append(kb.store_upload(path.name, path.read_bytes()))
            except UploadRejected as exc:
                return html.escape(str(exc))
        job = jobs.submit_ingest(saved, kind="upload")
        return f"Ingesting {len(saved)} file(s) in the background (job {job.id})."

    def rebuild() -> str:
        job = jobs.submit_ingest([Path(p) for p in kb.settings.corpus_dirs], prune=True, kind="reindex")
        return f"Re-scanning the corpus folders in the background (job {job.id}); searches go on meanwhile."

    def job_status() -> tuple[str, dict | None]:
        job = jobs.latest()
        if job is None:
            return "No ingest has run yet.", None
        line = f"**{job.kind}** job `{job.id}`: {job.status}"
        if job.status == "running" and job.total:
            line += f" — {job.stage} {job.done}/{job.total}"
        if job.error:
            line += f" — {html.escape(job.error)}"
        return line, job.report

    upload_button.click(access.guard(upload, "admin"), files, message)
    rebuild_button.click(access.guard(rebuild, "admin"), None, message)
    gr.Timer(1.0).tick(access.guard(job_status, "admin", quiet=("", None)), None, [status, report])
