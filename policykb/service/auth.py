"""API keys and their roles, shared by the REST API and the admin tab of the UI."""

from __future__ import annotations

import hmac
from typing import Literal

from policykb.core.settings import Settings

Role = Literal["admin", "reader"]


def role_of(key: str | None, settings: Settings) -> Role | None:
    if not key:
        return None
    if any(hmac.compare_digest(key, k) for k in settings.admin_keys):
        return "admin"
    if any(hmac.compare_digest(key, k) for k in settings.reader_keys):
        return "reader"
    return None
