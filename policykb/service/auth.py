"""API keys, their roles, and the one access check that every face (REST routes, UI functions) goes through.

Wrong keys are counted per client: after `key_failures_per_minute` of them inside a minute, that client's
keyed calls are refused (throttled) until the oldest failure is a minute old, so keys cannot be guessed
at speed. Calls without a key are never throttled: they simply get what anonymous callers get.
"""

from __future__ import annotations

import hmac
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Literal

from policykb.core.errors import PolicyKBError
from policykb.core.settings import Settings

Role = Literal["admin", "reader"]
Denial = Literal["missing", "unknown", "forbidden", "throttled"]
WINDOW_S = 60.0
TRACKED_CLIENTS = 10_000  # memory bound: the least recently failing clients are forgotten first


class AccessDenied(PolicyKBError):
    """A call without the key it needs; `reason` lets faces choose 401, 403 or 429."""

    kind = "access"

    def __init__(self, message: str, reason: Denial, retry_after: int = 0) -> None:
        super().__init__(message)
        self.reason = reason
        self.retry_after = retry_after


def role_of(key: str | None, settings: Settings) -> Role | None:
    if not key:
        return None
    if any(hmac.compare_digest(key.encode("utf-8", "surrogatepass"), k.encode()) for k in settings.admin_keys):
        return "admin"
    if any(hmac.compare_digest(key.encode("utf-8", "surrogatepass"), k.encode()) for k in settings.reader_keys):
        return "reader"
    return None


class AccessGuard:
    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def role(self, key: str | None, client: str) -> Role | None:
        """The key's role (None without a key); a wrong key is counted against `client` and refused."""
        if not key:
            return None
        self._refuse_if_throttled(client)
        role = role_of(key, self.settings)
        if role is None:
            self._record_failure(client)
            raise AccessDenied("unknown API key", "unknown")
        return role

    def reader(self, key: str | None, client: str) -> Role | None:
        """Reads: open to anonymous callers unless `require_key_for_read`. While reads are open an unknown key
        reads as anonymous (OpenAI clients always send one) and is not counted as a failure."""
        if not self.settings.require_key_for_read:
            return role_of(key, self.settings)
        role = self.role(key, client)
        if role is None and self.settings.require_key_for_read:
            raise AccessDenied("an API key is required (Authorization: Bearer KEY or X-API-Key)", "missing")
        return role

    def admin(self, key: str | None, client: str) -> Role:
        if not key:
            raise AccessDenied("an admin API key is required (Authorization: Bearer KEY or X-API-Key)", "missing")
        role = self.role(key, client)
        if role != "admin":
            raise AccessDenied("this needs an admin key; a reader key was given", "forbidden")
        return role

    def _refuse_if_throttled(self, client: str) -> None:
        now = self.clock()
        with self._lock:
            times = self._failures.get(client)
            if times is None:
                return
            while times and now - times[0] >= WINDOW_S:
                times.popleft()
            if not times:
                del self._failures[client]
                return
            if len(times) >= self.settings.key_failures_per_minute:
                wait = max(1, math.ceil(WINDOW_S - (now - times[0])))
                raise AccessDenied(f"too many wrong API keys from this client; retry in {wait} s", "throttled", wait)

    def _record_failure(self, client: str) -> None:
        with self._lock:
            times = self._failures.pop(client, None) or deque(maxlen=self.settings.key_failures_per_minute)
            times.append(self.clock())
            self._failures[client] = times
            while len(self._failures) > TRACKED_CLIENTS:
                self._failures.popitem(last=False)
