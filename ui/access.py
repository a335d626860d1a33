"""The UI's side of the one access check: every Gradio function goes through `AccessGuard` like a REST route.

The key is typed once (`sign_in`) and kept server-side for the browser session; API clients of Gradio
(`gradio_client`, plain HTTP) may send it as `X-API-Key` or `Authorization: Bearer` instead. A refused
call raises `gr.Error` and returns no data. File arguments are accepted only from Gradio's upload folder,
never as arbitrary server paths.
"""

from __future__ import annotations

import inspect
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import gradio as gr
from gradio.utils import get_upload_folder

from policykb.service.auth import AccessDenied, Role
from policykb.service.knowledge_base import KnowledgeBase

Need = Literal["reader", "admin"]
_LOUD = object()  # the default of `quiet`: refusals raise
SESSIONS = 10_000  # keys kept for at most this many browser sessions (least recently used forgotten)


class UIAccess:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._keys: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    # ------------------------------------------------------------------------------------------ keys

    def sign_in(self, key: str, request: gr.Request) -> str:
        """Check `key` once and keep it for this browser session; an empty key signs out."""
        session = request.session_hash or ""
        key = (key or "").strip()
        if not key:
            with self._lock:
                self._keys.pop(session, None)
            return "Signed out."
        try:
            role = self.kb.access.role(key, _client(request))
        except AccessDenied as exc:
            return f"Not signed in: {exc}."
        with self._lock:
            self._keys[session] = key
            self._keys.move_to_end(session)
            while len(self._keys) > SESSIONS:
                self._keys.popitem(last=False)
        return f"Signed in with a{'n admin' if role == 'admin' else ' reader'} key for this session."

    def _key(self, request: gr.Request | None) -> str | None:
        if request is None:
            return None
        headers = request.headers
        auth = headers.get("authorization", "")
        sent = auth[7:].strip() if auth.lower().startswith("bearer ") else headers.get("x-api-key")
        if sent:
            return sent
        with self._lock:
            return self._keys.get(request.session_hash or "")

    def check(self, request: gr.Request | None, need: Need) -> Role | None:
        """The caller's role, or AccessDenied exactly as the REST routes would refuse it."""
        guard = self.kb.access
        key, client = self._key(request), _client(request)
        return guard.admin(key, client) if need == "admin" else guard.reader(key, client)

    # ------------------------------------------------------------------------------------------ wrapping

    def guard(self, fn: Callable[..., Any], need: Need = "reader", quiet: Any = _LOUD) -> Callable[..., Any]:
        """`fn` behind the access check. Gradio passes the request to the wrapper's annotated parameter.
        A refusal raises gr.Error (shown to the user), or with `quiet` returns that value instead (for
        timers and page loads, which must not flash an error every second)."""
        if inspect.isgeneratorfunction(fn):

            def streaming(request: gr.Request, *args: Any) -> Iterator[Any]:
                if self._refused(request, need, quiet):
                    yield quiet
                    return
                yield from fn(*args)

            wrapped: Callable[..., Any] = streaming
        else:

            def plain(request: gr.Request, *args: Any) -> Any:
                if self._refused(request, need, quiet):
                    return quiet
                return fn(*args)

            wrapped = plain
        wrapped.__name__ = fn.__name__
        wrapped.__doc__ = fn.__doc__
        return wrapped

    def _refused(self, request: gr.Request, need: Need, quiet: Any) -> bool:
        try:
            self.check(request, need)
        except AccessDenied as exc:
            if quiet is _LOUD:
                raise gr.Error(f"{exc}. Type your key at the top of the page and press Use key.") from None
            return True
        return False


def received_files(files: list[Any] | None) -> list[Path]:
    """Paths of files Gradio received from the browser (in its upload folder); anything else is refused."""
    folder = Path(get_upload_folder()).resolve()
    paths = []
    for item in files or []:
        if isinstance(item, dict):
            item = item.get("path") or ""
        resolved = Path(item if isinstance(item, str) else getattr(item, "name", "")).resolve()
        if not resolved.is_relative_to(folder) or not resolved.is_file():
            raise gr.Error("Only files uploaded through this page can be ingested.")
        paths.append(resolved)
    return paths


def _client(request: gr.Request | None) -> str:
    client = getattr(request, "client", None) if request is not None else None
    return getattr(client, "host", None) or "unknown"
