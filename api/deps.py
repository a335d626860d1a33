"""Dependencies: the service facade, the job manager and API-key auth (roles reader and admin)."""

from __future__ import annotations

from fastapi import Depends, HTTPException, Query, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from policykb.core.filters import Filters
from policykb.core.settings import Settings
from policykb.service.auth import Role, role_of
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


def require_reader(
    request: Request,
    bearer: HTTPAuthorizationCredentials | None = Depends(_bearer),
    header: str | None = Depends(_header),
) -> Role | None:
    """While reads are open any key is accepted (OpenAI clients always send one); a key is checked only where
    reads need one."""
    s = settings(request)
    key = _key(bearer, header)
    role = role_of(key, s)
    if s.require_key_for_read and role is None:
        raise HTTPException(
            401, "unknown API key" if key else "an API key is required (Authorization: Bearer KEY or X-API-Key)"
        )
    return role


def require_admin(
    request: Request,
    bearer: HTTPAuthorizationCredentials | None = Depends(_bearer),
    header: str | None = Depends(_header),
) -> Role:
    key = _key(bearer, header)
    if not key:
        raise HTTPException(401, "an admin API key is required (Authorization: Bearer KEY or X-API-Key)")
    role = role_of(key, settings(request))
    if role is None:
        raise HTTPException(401, "unknown API key")
    if role != "admin":
        raise HTTPException(403, "this route needs an admin key; a reader key was given")
    return role


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
    """The search filters as query parameters (GET routes); a malformed date is a 422 from the service."""
    return Filters(doc_type, organisation, language, date_from, date_to, source, meeting, agenda_item)
