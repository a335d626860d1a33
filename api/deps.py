"""Dependencies: the service facade, the job manager and API-key auth (roles reader and admin)."""

from __future__ import annotations

from fastapi import Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError

from policykb.api.schemas import FilterModel
from policykb.core.filters import Filters
from policykb.core.settings import Settings
from policykb.service.auth import Role
from policykb.service.jobs import JobManager
from policykb.service.knowledge_base import KnowledgeBase

_bearer = HTTPBearer(auto_error=False, description="API key as a bearer token")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key")


def kb(request: Request) -> KnowledgeBase:
    return request.app.state.kb


def jobs(request: Request) -> JobManager:
    return request.app.state.jobs


def settings(request: Request) -> Settings:
    return request.app.state.kb.settings


def _key(bearer: HTTPAuthorizationCredentials | None, header: str | None) -> str | None:
    return bearer.credentials if bearer else header


def client_id(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def require_reader(
    request: Request,
    bearer: HTTPAuthorizationCredentials | None = Depends(_bearer),
    header: str | None = Depends(_header),
) -> Role | None:
    return kb(request).access.reader(_key(bearer, header), client_id(request))


def require_admin(
    request: Request,
    bearer: HTTPAuthorizationCredentials | None = Depends(_bearer),
    header: str | None = Depends(_header),
) -> Role:
    return kb(request).access.admin(_key(bearer, header), client_id(request))


def filters(
    doc_type: list[str] = Query(default=[], max_length=20),
    organisation: list[str] = Query(default=[], max_length=50),
    language: list[str] = Query(default=[], max_length=20),
    date_from: str | None = Query(default=None, max_length=32, examples=["2016"]),
    date_to: str | None = Query(default=None, max_length=32),
    source: str | None = Query(default=None, max_length=500),
    meeting: list[str] = Query(default=[], max_length=50, examples=[["WHA77"]]),
    agenda_item: list[str] = Query(default=[], max_length=50),
) -> Filters:
    """The search filters as query parameters (GET routes), checked by the same model as a JSON body's
    `filters`: a malformed date or an empty date range is a 422 "Invalid filter" before any work is done."""
    try:
        model = FilterModel(doc_type=doc_type, organisation=organisation, language=language, date_from=date_from,
                            date_to=date_to, source=source, meeting=meeting, agenda_item=agenda_item)  # fmt: skip
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        raise RequestValidationError([{**e, "loc": ("query", *e["loc"])} for e in errors]) from None
    return model.to_filters()
