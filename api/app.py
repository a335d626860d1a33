"""The one process: FastAPI with the Gradio UI mounted at /ui, both calling the same service facade."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import RedirectResponse, Response
from fastapi_offline import FastAPIOffline

from policykb.api import errors
from policykb.api.limits import EdgeLimits
from policykb.api.routers import admin, ask, changes, chat, documents, health, reading, search
from policykb.core.settings import Settings, get_settings
from policykb.service.jobs import JobManager
from policykb.service.knowledge_base import KnowledgeBase
from policykb.service.watch import watcher_for


def create_app(
    kb: KnowledgeBase | None = None, settings: Settings | None = None, with_ui: bool = True, watch: bool = False
) -> FastAPI:
    """`watch`: ingest what changes in the corpus folders while the app runs (`policykb serve` asks for it
    when POLICYKB_WATCH is on)."""
    kb = kb or KnowledgeBase(settings or get_settings())
    jobs = JobManager(kb)  # re-queues the jobs a previous process accepted but did not finish
    watcher = watcher_for(kb, jobs) if watch else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if watcher is not None:
            watcher.start()
        yield
        if watcher is not None:
            await asyncio.to_thread(watcher.stop)
        await asyncio.to_thread(jobs.shutdown)  # a running ingest stops at its next file and stays queued

    app = FastAPIOffline(  # /docs and /redoc from the package's own Swagger UI and ReDoc files, no CDN
        lifespan=lifespan,
        static_url="/docs-assets",
        title="policykb",
        version="0.1.0",
        description="Hybrid search and cited question answering over patient-advocacy policy documents.",
    )
    app.state.kb = kb
    app.state.jobs = jobs
    app.state.watcher = watcher
    errors.install(app)
    if kb.settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=kb.settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type"],
        )

    app.add_middleware(EdgeLimits, settings=kb.settings, guard=kb.access)

    @app.middleware("http")
    async def measure(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        template = getattr(route, "path", "other") if route else "other"
        if not template.startswith("/ui"):
            health.REQUESTS.labels(request.method, template, str(response.status_code)).inc()
            health.LATENCY.labels(template).observe(time.perf_counter() - started)
        return response

    for router in (search.router, ask.router, chat.router, documents.router, reading.router, changes.router,
                   admin.router, health.router):  # fmt: skip
        app.include_router(router)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/" if with_ui else "/docs")

    if with_ui:
        import gradio as gr

        from policykb.ui.app import CSS, SCRIPT, THEME, build_ui

        max_file = int(kb.settings.max_upload_mb * 1024 * 1024)
        app = gr.mount_gradio_app(app, build_ui(kb, app.state.jobs), path="/ui", css=CSS, theme=THEME, head=SCRIPT,
                                  footer_links=["api"], max_file_size=max_file)  # fmt: skip
    return app
