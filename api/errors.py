"""Every error as application/problem+json (RFC 9457) with a clear message; malformed input is 422."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from policykb.core.errors import StorageError
from policykb.index.search import FilterError
from policykb.service.auth import AccessDenied
from policykb.service.knowledge_base import IndexUnavailable

log = logging.getLogger("policykb.api")
PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, **extra: object) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


ACCESS_STATUS = {"missing": 401, "unknown": 401, "forbidden": 403, "throttled": 429}


def access_problem(exc: AccessDenied) -> JSONResponse:
    """401 without or with an unknown key, 403 with a reader key on an admin route, 429 while throttled."""
    status = ACCESS_STATUS[exc.reason]
    titles = {401: "Unauthorized", 403: "Forbidden", 429: "Too many requests"}
    response = problem(status, titles[status], str(exc))
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    if exc.reason == "throttled":
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def install(app: FastAPI) -> None:
    @app.exception_handler(AccessDenied)
    async def denied(request: Request, exc: AccessDenied) -> JSONResponse:
        return access_problem(exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 409: "Conflict",
                  413: "Payload too large", 415: "Unsupported media type", 429: "Too many requests",
                  503: "Service unavailable"}  # fmt: skip
        response = problem(exc.status_code, titles.get(exc.status_code, "Error"), str(exc.detail))
        response.headers.update(exc.headers or {})
        if exc.status_code == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", [])), "msg": str(e.get("msg", ""))} for e in exc.errors()]
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors) or "invalid request"
        return problem(422, "Invalid request", detail, errors=errors)

    @app.exception_handler(IndexUnavailable)
    async def unavailable(request: Request, exc: IndexUnavailable) -> JSONResponse:
        log.error("index unavailable on %s: %s", request.url.path, exc)
        return problem(503, "Service unavailable", str(exc))

    @app.exception_handler(StorageError)
    async def storage(request: Request, exc: StorageError) -> JSONResponse:
        log.error("storage failure on %s: %s", request.url.path, exc)
        return problem(507, "Insufficient storage", str(exc))

    @app.exception_handler(FilterError)
    async def bad_filter(request: Request, exc: FilterError) -> JSONResponse:
        return problem(422, "Invalid filter", str(exc))

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return problem(500, "Internal error", "the server failed to handle this request; it has been logged")
