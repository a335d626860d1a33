"""The Gradio UI at /ui, built in the foreground or while the API already answers.

Importing Gradio and building the page costs about 3.5 CPU s, longer than the rest of the start together.
`serve` builds it in a thread after the server listens, so `/readyz`, search and ask answer at once and
/ui shows a "starting" page (503, `Retry-After: 1`, reloading itself) until the page exists. The UI lives
in its own small FastAPI host that mounts it at /ui exactly as `gr.mount_gradio_app` would; requests for
/ui pass to that host unchanged, inside the API's middleware (security headers, body limits).
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from policykb.service.jobs import JobManager
from policykb.service.knowledge_base import KnowledgeBase

PATH = "/ui"
log = logging.getLogger("policykb.ui")

STARTING = (
    b"<!doctype html><html lang='en'><head><meta charset='utf-8'><meta http-equiv='refresh' content='1'>"
    b"<title>policykb is starting</title></head><body><h1>policykb is starting</h1>"
    b"<p>The page opens by itself in a moment. The API already answers.</p></body></html>"
)
FAILED = b"<!doctype html><title>policykb</title><p>The web UI failed to start; the server log says why.</p>"


def build_host(kb: KnowledgeBase, jobs: JobManager) -> FastAPI:
    """A FastAPI app holding only the Gradio page, mounted at /ui (imports Gradio: seconds)."""
    import gradio as gr

    from policykb.ui.app import CSS, SCRIPT, THEME, build_ui

    host = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    max_file = int(kb.settings.max_upload_mb * 1024 * 1024)
    return gr.mount_gradio_app(host, build_ui(kb, jobs), path=PATH, css=CSS, theme=THEME, head=SCRIPT,
                               footer_links=["api"], max_file_size=max_file)  # fmt: skip


class WebUI:
    """The Gradio host and its state; `middleware` sends /ui to the host once it is built, to the "starting"
    page before."""

    def __init__(self, kb: KnowledgeBase, jobs: JobManager, background: bool) -> None:
        self.kb = kb
        self.jobs = jobs
        self.failed = False
        self.ready = asyncio.Event()
        self.host: FastAPI | None = None if background else build_host(kb, jobs)

    async def serve(self, stopping: asyncio.Event) -> None:
        """Build the host if not built yet, then hold its lifespan (Gradio's queue) open until `stopping`."""
        try:
            host = self.host if self.host is not None else await asyncio.to_thread(build_host, self.kb, self.jobs)
            async with host.router.lifespan_context(host):
                self.host = host
                self.ready.set()
                await stopping.wait()
        except Exception:
            self.failed = True
            log.exception("the web UI could not be started; the API goes on")
        finally:
            self.ready.set()

    def middleware(self, app: ASGIApp) -> ASGIApp:
        async def route(scope: Scope, receive: Receive, send: Send) -> None:
            path = scope.get("path", "")
            if scope["type"] not in ("http", "websocket") or not (path == PATH or path.startswith(PATH + "/")):
                await app(scope, receive, send)
            elif self.host is not None:
                await self.host(scope, receive, send)
            elif scope["type"] == "http":
                status, body = (500, FAILED) if self.failed else (503, STARTING)
                headers = [(b"content-type", b"text/html; charset=utf-8"), (b"retry-after", b"1"),
                           (b"cache-control", b"no-store")]  # fmt: skip
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": body})
            else:
                await send({"type": "websocket.close", "code": 1013})  # try again later

        return route
