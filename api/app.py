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
from policykb.api.ui_mount import WebUI
from policykb.core.settings import Settings, get_settings
from policykb.service.jobs import JobManager
from policykb.service.knowledge_base import KnowledgeBase
from policykb.service.watch import watcher_for


def create_app(
    kb: KnowledgeBase | None = None,
    settings: Settings | None = None,
    with_ui: bool = True,
    ui_background: bool = False,
    watch: bool = False,
) -> FastAPI:
    """`ui_background`: build the web UI after the server listens (`serve`), so the API is ready first.
    `watch`: ingest what changes in the corpus folders while the app runs (`policykb serve` asks for it when
    POLICYKB_WATCH is on)."""
    kb = kb or KnowledgeBase(settings or get_settings())
    jobs = JobManager(kb)  # re-queues the jobs a previous process accepted but did not finish
    web_ui = WebUI(kb, jobs, background=ui_background) if with_ui else None
    watcher = watcher_for(kb, jobs) if watch else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stopping = asyncio.Event()
        serving_ui = asyncio.create_task(web_ui.serve(stopping)) if web_ui else None
        if web_ui and not ui_background:
            await web_ui.ready.wait()
        if watcher is not None:
            watcher.start()
        try:
            yield
        finally:
            stopping.set()
            if serving_ui:
                await serving_ui
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

    if web_ui:
        app.add_middleware(web_ui.middleware)  # inside the edge limits: /ui gets their headers and body caps
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

    return app
