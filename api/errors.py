"""Every error as application/problem+json (RFC 9457) with a clear message; malformed input is 422.

The one mapping of the service's errors to HTTP: `STATUS` by error kind (an upload refusal by its reason).
A `PolicyKBError`'s message is shown as it is; anything else is logged and answered with a generic 500.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from policykb.api.schemas import BLANK_QUERY_ERROR, FILTER_ERROR
from policykb.core.errors import PolicyKBError, UploadRejected
from policykb.service.auth import AccessDenied

log = logging.getLogger("policykb.api")
PROBLEM = "application/problem+json"

STATUS: dict[str, int] = {
    "config": 500,
    "ingest": 422,
    "filter": 422,
    "question": 422,
    "upload_rejected": 415,
    "not_found": 404,
    "llm": 502,
    "storage": 503,
    "access": 401,  # 403 or 429 by reason: see access_problem
}
UPLOAD_STATUS: dict[str, int] = {"unsupported_type": 415, "too_large": 413, "bad_name": 400}
TITLES: dict[int, str] = {
    400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 409: "Conflict",
    413: "Payload too large", 415: "Unsupported media type", 422: "Invalid request", 500: "Internal error",
    429: "Too many requests", 502: "Bad gateway", 503: "Service unavailable",
}  # fmt: skip
KIND_TITLES: dict[str, str] = {"filter": "Invalid filter"}


def status_of(error: PolicyKBError) -> int:
    if isinstance(error, UploadRejected):
        return UPLOAD_STATUS.get(error.reason, STATUS[error.kind])
    return STATUS.get(error.kind, 500)


def problem(status: int, title: str, detail: str, **extra: object) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


ACCESS_STATUS = {"missing": 401, "unknown": 401, "forbidden": 403, "throttled": 429}


def access_problem(exc: AccessDenied) -> JSONResponse:
    """401 without or with an unknown key, 403 with a reader key on an admin route, 429 while throttled."""
    status = ACCESS_STATUS[exc.reason]
    response = problem(status, TITLES[status], str(exc), kind=exc.kind)
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    if exc.reason == "throttled":
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def invalid_request(errors: Sequence[Any]) -> JSONResponse:
    """422 with the offending fields. Filter values the service would refuse (a malformed date, an empty date
    range) are the same problem wherever they arrive (a JSON body, query parameters, the service itself):
    "Invalid filter" with kind "filter"."""
    listed = [{"loc": list(e.get("loc", [])), "msg": str(e.get("msg", ""))} for e in errors]
    detail = "; ".join(_located(e) for e in errors) or "invalid request"
    if errors and all(e.get("type") == FILTER_ERROR for e in errors):
        return problem(422, KIND_TITLES["filter"], detail, kind="filter", errors=listed)
    return problem(422, TITLES[422], detail, errors=listed)


def _located(error: Any) -> str:
    """`body.filters.date_from: msg`; a rule about the whole body, whose message names what it is about
    (an empty date range, a blank query), is its message alone."""
    loc, msg = list(error.get("loc", [])), str(error.get("msg", ""))
    if len(loc) <= 1 and error.get("type") in (FILTER_ERROR, BLANK_QUERY_ERROR):
        return msg
    return f"{'.'.join(map(str, loc))}: {msg}"


def install(app: FastAPI) -> None:
    @app.exception_handler(AccessDenied)
    async def denied(request: Request, exc: AccessDenied) -> JSONResponse:
        return access_problem(exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = problem(exc.status_code, TITLES.get(exc.status_code, "Error"), str(exc.detail))
        response.headers.update(exc.headers or {})
        if exc.status_code == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return invalid_request(exc.errors())

    @app.exception_handler(PolicyKBError)
    async def known(request: Request, exc: PolicyKBError) -> JSONResponse:
        status = status_of(exc)
        if status >= 500:
            log.warning("%s on %s: %s", exc.kind, request.url.path, exc)
        title = KIND_TITLES.get(exc.kind) or TITLES.get(status, "Error")
        return problem(status, title, str(exc), kind=exc.kind)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return problem(500, "Internal error", "the server failed to handle this request; it has been logged")
