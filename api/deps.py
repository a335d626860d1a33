"""Dependencies: the service facade, the job manager and API-key auth (roles reader and admin)."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

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
