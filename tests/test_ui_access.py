"""The UI's Gradio endpoints go through the same access check as the REST routes: with read keys
required, an anonymous caller of any endpoint listed in /ui/gradio_api/info gets nothing."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest
from fastapi.testclient import TestClient

from policykb.api.app import create_app
from policykb.service.knowledge_base import KnowledgeBase
from policykb.ui.access import UIAccess, received_files
from tests.conftest import CORPUS, make_settings

READER = {"X-API-Key": "reader-key"}
ADMIN = {"Authorization": "Bearer admin-key"}
# Clicks answer a refusal with an error; page loads and timers quietly return nothing.
LOUD = {"/run", "/run_1", "/ask", "/ask_1", "/library", "/show_passage", "/more_like_this", "/upload", "/rebuild"}


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("ui-access")
    kb = KnowledgeBase(make_settings(tmp, reader_keys=["reader-key"], admin_keys=["admin-key"],
                                     require_key_for_read=True, max_upload_mb=1.0))  # fmt: skip
    kb.ingest([CORPUS])
    with TestClient(create_app(kb)) as client:
        yield client, kb


def _call(client: TestClient, endpoint: str, data: list, headers: dict | None = None) -> tuple[str, str]:
    """One call through Gradio's HTTP API; returns (last event name, whole event stream)."""
    started = client.post(f"/ui/gradio_api/call{endpoint}", json={"data": data}, headers=headers or {})
    if started.status_code != 200:
        return f"http {started.status_code}", started.text
    stream = client.get(f"/ui/gradio_api/call{endpoint}/{started.json()['event_id']}", headers=headers or {}).text
    events = [line.split(":", 1)[1].strip() for line in stream.splitlines() if line.startswith("event:")]
    return (events[-1] if events else ""), stream


def _secrets(kb: KnowledgeBase) -> list[str]:
    """Strings only someone allowed to read would see: titles, sources, organisations, passages."""
    found = []
    for d in kb.documents():
        found += [d.title, d.source, *d.organisations[:3]]
        found += [c.text[:40] for c in kb.chunks(d.doc_id)[:3]]
    return [s for s in found if len(s) > 6]


def test_every_gradio_endpoint_gives_an_anonymous_caller_nothing(locked) -> None:  # type: ignore[no-untyped-def]
    client, kb = locked
    info = client.get("/ui/gradio_api/info").json()
    endpoints = info["named_endpoints"]
    assert {"/run", "/ask", "/library", "/show_passage", "/more_like_this", "/upload", "/rebuild"} <= set(endpoints)
    secrets = _secrets(kb)
    for name, spec in endpoints.items():
        data = [p["parameter_default"] if p["parameter_has_default"] else "patients" for p in spec["parameters"]]
        event, stream = _call(client, name, data)
        leaked = [s for s in secrets if s in stream or json.dumps(s)[1:-1] in stream]
        assert not leaked, (name, leaked[:3])
        if name in LOUD:
            assert event == "error", (name, stream[:300])
    page = client.get("/ui/")
    assert not [s for s in secrets if s in page.text]  # the page's own config carries no library data either
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"


def test_a_reader_key_opens_the_read_endpoints(locked) -> None:  # type: ignore[no-untyped-def]
    client, _ = locked
    event, stream = _call(client, "/run", ["patient organisations", [], [], None, None, "relevance"], READER)
    assert event == "complete" and "result" in stream
    event, _ = _call(client, "/rebuild", [], READER)
    assert event == "error"  # a reader key is not an admin key


def test_a_wrong_key_in_the_ui_counts_against_the_client_like_rest(locked) -> None:  # type: ignore[no-untyped-def]
    _, kb = locked
    access = UIAccess(kb)
    request = SimpleNamespace(headers={}, session_hash="s1", client=SimpleNamespace(host="10.9.9.9"))
    for _ in range(kb.settings.key_failures_per_minute):
        assert access.sign_in("guess", request).startswith("Not signed in: unknown API key")  # type: ignore[arg-type]
    assert "too many wrong API keys" in access.sign_in("reader-key", request)  # type: ignore[arg-type]


def test_the_key_is_typed_once_and_kept_for_the_session(locked) -> None:  # type: ignore[no-untyped-def]
    _, kb = locked
    access = UIAccess(kb)
    mine = SimpleNamespace(headers={}, session_hash="mine", client=SimpleNamespace(host="10.0.0.7"))
    other = SimpleNamespace(headers={}, session_hash="other", client=SimpleNamespace(host="10.0.0.7"))
    assert "reader key" in access.sign_in("reader-key", mine)  # type: ignore[arg-type]
    search = access.guard(lambda: "results")
    assert search(mine) == "results"
    with pytest.raises(gr.Error):
        search(other)
    assert access.sign_in("", mine) == "Signed out."  # type: ignore[arg-type]
    with pytest.raises(gr.Error):
        search(mine)


def test_ui_file_arguments_are_only_files_gradio_received(locked, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client, kb = locked
    for outside in ("/etc/passwd", str(tmp_path), {"path": "/etc/hostname"}):
        with pytest.raises(gr.Error, match="uploaded through this page"):
            received_files([outside])
    event, _ = _call(client, "/upload", [[{"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}}]], ADMIN)
    assert event == "error"
    assert not [d for d in kb.documents() if "passwd" in d.source]


def test_gradio_upload_endpoint_is_bounded(locked) -> None:  # type: ignore[no-untyped-def]
    client, _ = locked
    too_big = client.post("/ui/gradio_api/upload", files={"files": ("big.txt", b"x" * (2 * 1024 * 1024), "text/plain")})
    assert too_big.status_code == 413
