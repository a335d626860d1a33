"""Bounded work at the HTTP edge, before any route or the UI sees a request.

- A body larger than its limit is refused with 413: by Content-Length before a byte is read, and by
  counting bytes for bodies without one (chunked), so nothing over the limit is spooled to disk.
- The upload route settles the admin key before its body is read: an anonymous upload costs nothing.
- Every response carries the security headers; routes that set their own CSP (original files) keep it.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from policykb.api.errors import access_problem, problem
from policykb.core.settings import Settings
from policykb.service.auth import AccessDenied, AccessGuard

UPLOAD_ROUTES = (("POST", "/v1/documents"),)
UI_UPLOAD_PREFIXES = ("/ui/gradio_api/upload", "/ui/upload")

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# Gradio needs inline scripts and styles (its config and Svelte styles); everything else stays same-origin.
UI_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline' https://fonts.googleapis.com; font-src 'self' data: https://fonts.gstatic.com; "
    "img-src 'self' data: blob:; media-src 'self' data: blob:; connect-src 'self'; worker-src 'self' blob:; "
    "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'"
)
DOCS_CSP = "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'"
HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"same-origin",
    b"cross-origin-opener-policy": b"same-origin",
}


class BodyTooLarge(HTTPException):
    """Raised from `receive` once a body passes its limit; routes map it to 413 like any HTTPException."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is over the {_size(limit)} limit")


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n / 1024:g} KB"


def csp_for(path: str) -> str:
    if path == "/ui" or path.startswith("/ui/"):
        return UI_CSP
    if path in ("/docs", "/redoc") or path.startswith("/docs/"):
        return DOCS_CSP
    return API_CSP


class EdgeLimits:
    """Pure ASGI middleware (it must see the body stream, which `@app.middleware("http")` hides)."""

    def __init__(self, app: ASGIApp, settings: Settings, guard: AccessGuard) -> None:
        self.app = app
        self.upload_limit = int(settings.max_request_mb * 1024 * 1024)
        self.other_limit = settings.max_json_kb * 1024
        self.guard = guard

    def limit_for(self, method: str, path: str) -> int:
        if (method, path) in UPLOAD_ROUTES or path.startswith(UI_UPLOAD_PREFIXES):
            return self.upload_limit
        return self.other_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        send = _with_headers(send, csp_for(path))
        headers = Headers(scope=scope)
        limit = self.limit_for(method, path)
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await problem(413, "Payload too large", f"the request body is over the {_size(limit)} limit")(
                scope, receive, send
            )
            return
        if (method, path) in UPLOAD_ROUTES:
            refusal = self._settle_admin(scope, headers)
            if refusal is not None:
                await refusal(scope, receive, send)
                return

        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge as exc:
            if started:
                raise
            await problem(413, "Payload too large", str(exc.detail))(scope, receive, send)

    def _settle_admin(self, scope: Scope, headers: Headers) -> JSONResponse | None:
        auth = headers.get("authorization", "")
        key = auth[7:].strip() if auth.lower().startswith("bearer ") else headers.get("x-api-key")
        client = scope["client"][0] if scope.get("client") else "unknown"
        try:
            self.guard.admin(key, client)
        except AccessDenied as exc:
            return access_problem(exc)
        return None


def _with_headers(send: Send, csp: str) -> Send:
    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            raw = list(message.get("headers", []))
            present = {name.lower() for name, _ in raw}
            raw += [(name, value) for name, value in HEADERS.items() if name not in present]
            if b"content-security-policy" not in present:
                raw.append((b"content-security-policy", csp.encode()))
            message = {**message, "headers": raw}
        await send(message)

    return send_with_headers
