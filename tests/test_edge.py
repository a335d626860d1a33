"""The HTTP edge: bodies refused by size before they are read, anonymous uploads refused before their body,
wrong keys throttled per client, security headers everywhere, originals that cannot run script."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from policykb.api.app import create_app
from policykb.core.settings import Settings
from policykb.service.auth import AccessDenied, AccessGuard
from policykb.service.knowledge_base import KnowledgeBase
from tests.conftest import make_pdf, make_settings

ADMIN = {"Authorization": "Bearer admin-secret"}
EVIL_HTML = (
    b"<html><head><title>Advocacy</title></head><body><script>alert(document.cookie)</script>"
    + (b"<p>Patient organisations call for involvement in health policy.</p>" * 20)
    + b"</body></html>"
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    tmp = tmp_path_factory.mktemp("edge")
    corpus = tmp / "corpus"
    corpus.mkdir()
    (corpus / "page.html").write_bytes(EVIL_HTML)
    (corpus / "guide.pdf").write_bytes(make_pdf(["Tuberculosis screening is advised for every patient. " * 10]))
    (corpus / "note.md").write_text("# Note\n\n" + "Patients asked for a seat at the table. " * 20)
    settings = make_settings(tmp, admin_keys=["admin-secret"], reader_keys=["reader-secret"], corpus_dirs=[corpus],
                             max_request_mb=1.0, max_json_kb=64, key_failures_per_minute=5)  # fmt: skip
    kb = KnowledgeBase(settings)
    kb.ingest([corpus])
    return TestClient(create_app(kb, with_ui=False))


def _asgi_call(app, method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], int]:  # type: ignore[no-untyped-def]
    """One request straight into the ASGI app; returns (status, headers, how often the body was read)."""
    reads = 0
    sent: list[dict] = []

    async def receive() -> dict:
        nonlocal reads
        reads += 1
        return {"type": "http.request", "body": b"x" * 65536, "more_body": True}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "path": path,
             "raw_path": path.encode(), "query_string": b"", "root_path": "", "scheme": "http",
             "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 5000),
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}  # fmt: skip
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, reads


def test_a_huge_declared_body_is_refused_before_a_byte_is_read(client: TestClient) -> None:
    gigabyte = {"content-length": str(1024**3), "content-type": "multipart/form-data; boundary=x"}
    status, headers, reads = _asgi_call(client.app, "POST", "/v1/documents", gigabyte)
    assert (status, reads) == (413, 0)
    assert headers["content-type"] == "application/problem+json"
    status, _, reads = _asgi_call(client.app, "POST", "/v1/search", {"content-length": str(10**6)})
    assert (status, reads) == (413, 0)


def test_an_anonymous_upload_is_refused_before_its_body_is_read(client: TestClient) -> None:
    small = {"content-length": "1000", "content-type": "multipart/form-data; boundary=x"}
    assert _asgi_call(client.app, "POST", "/v1/documents", small)[::2] == (401, 0)
    reader = {**small, "x-api-key": "reader-secret"}
    assert _asgi_call(client.app, "POST", "/v1/documents", reader)[::2] == (403, 0)


def test_a_chunked_body_is_cut_off_at_the_limit(client: TestClient) -> None:
    def chunks():  # no Content-Length: the client sends it chunked
        for _ in range(40):
            yield b"a" * 65536

    response = client.post("/v1/search", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    upload = client.post(
        "/v1/documents", content=chunks(), headers={**ADMIN, "content-type": "multipart/form-data; boundary=b"}
    )
    assert upload.status_code == 413


def test_wrong_keys_are_throttled_per_client_and_anonymous_reads_go_on(tmp_path: Path) -> None:
    kb = KnowledgeBase(make_settings(tmp_path, admin_keys=["a"], key_failures_per_minute=3))
    api = TestClient(create_app(kb, with_ui=False))
    statuses = [api.post("/v1/reindex", headers={"X-API-Key": f"guess{i}"}).status_code for i in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    throttled = api.post("/v1/reindex", headers={"X-API-Key": "a"})
    assert throttled.status_code == 429 and 1 <= int(throttled.headers["retry-after"]) <= 60
    assert api.post("/v1/search", json={"query": "x"}).status_code == 200


def test_while_reads_are_open_an_unknown_key_reads_as_anonymous_and_tells_nothing(tmp_path: Path) -> None:
    """OpenAI clients always send a key; a read answered the same for any key is no oracle for guessing one."""
    kb = KnowledgeBase(make_settings(tmp_path, admin_keys=["a"], key_failures_per_minute=2))
    api = TestClient(create_app(kb, with_ui=False))
    reads = [
        api.post("/v1/search", json={"query": "x"}, headers={"X-API-Key": f"sk-{i}"}).status_code for i in range(4)
    ]
    assert reads == [200, 200, 200, 200]
    assert api.post("/v1/reindex", headers={"X-API-Key": "a"}).status_code == 202  # nothing was counted


def test_the_throttle_lifts_after_a_minute() -> None:
    now = [1000.0]
    guard = AccessGuard(
        Settings(reader_keys=["r"], require_key_for_read=True, key_failures_per_minute=2), clock=lambda: now[0]
    )
    for _ in range(2):
        with pytest.raises(AccessDenied) as wrong:
            guard.reader("nope", "10.0.0.1")
        assert wrong.value.reason == "unknown"
    with pytest.raises(AccessDenied) as throttled:
        guard.reader("r", "10.0.0.1")
    assert throttled.value.reason == "throttled" and throttled.value.retry_after == 60
    assert guard.reader("r", "10.0.0.2") == "reader"  # other clients are not affected
    now[0] += 60
    assert guard.reader("r", "10.0.0.1") == "reader"


def test_security_headers_on_every_response(client: TestClient) -> None:
    for response in (client.get("/healthz"), client.post("/v1/search", json={"query": "patients"}),
                     client.get("/v1/documents/0123456789abcdef"), client.get("/docs")):  # fmt: skip
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "same-origin"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "default-src 'none'" in client.get("/healthz").headers["content-security-policy"]


def _original(client: TestClient, source: str):  # type: ignore[no-untyped-def]
    kb = client.app.state.kb
    doc = next(d for d in kb.documents() if d.source == source)
    return client.get(f"/v1/documents/{doc.doc_id}/file")


def test_html_originals_download_and_never_run_as_this_origin(client: TestClient) -> None:
    page = _original(client, "page.html")
    assert page.status_code == 200 and page.content == EVIL_HTML
    assert page.headers["content-type"] == "application/octet-stream"
    assert page.headers["content-disposition"].startswith("attachment")
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["content-security-policy"].startswith("sandbox")


def test_pdf_and_text_originals_open_inline_in_a_sandbox(client: TestClient) -> None:
    for source, media in (("guide.pdf", "application/pdf"), ("note.md", "text/plain; charset=utf-8")):
        response = _original(client, source)
        assert response.headers["content-type"] == media
        assert response.headers["content-disposition"].startswith("inline")
        assert response.headers["content-security-policy"].startswith("sandbox")
        assert response.headers["x-content-type-options"] == "nosniff"


def test_an_overlong_name_is_refused_and_leaves_no_folder(client: TestClient) -> None:
    originals = client.app.state.kb.data_dir / "originals"
    before = sorted(originals.iterdir()) if originals.exists() else []
    name = "a" * 300 + ".txt"
    refused = client.post(
        "/v1/documents", files={"files": (name, b"Patients asked. " * 40, "text/plain")}, headers=ADMIN
    )
    assert refused.status_code == 400 and "255 bytes" in refused.json()["detail"]
    assert (sorted(originals.iterdir()) if originals.exists() else []) == before


@pytest.mark.parametrize(
    "body",
    [
        {"messages": [{"role": "user", "content": "patients \ud800 involvement"}]},
        {"messages": [{"role": "user", "content": [{"type": "text", "text": "\udfff"}]}]},
        {"messages": [{"role": "user", "content": "x" * 20_001}]},
    ],
)
def test_chat_refuses_broken_or_overlong_text(client: TestClient, body: dict) -> None:
    import json

    raw = json.dumps(body)  # escapes the lone surrogate as \ud800, as a hostile client would send it
    response = client.post("/v1/chat/completions", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text


def test_chat_reads_text_content_parts(client: TestClient) -> None:
    parts = [{"type": "text", "text": "tuberculosis screening"}, {"type": "image_url", "text": ""}]
    response = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": parts}]})
    assert response.status_code == 200 and response.json()["choices"][0]["message"]["content"]


@pytest.mark.parametrize("bad", ["2024-02-30", "2024-13", "2023-00-10", "24-01-01", "2024-1-5"])
def test_impossible_dates_are_refused_not_coarsened(client: TestClient, bad: str) -> None:
    from policykb.core.errors import FilterError
    from policykb.core.filters import Filters

    with pytest.raises(FilterError):
        Filters(date_from=bad).bounds()
    response = client.post("/v1/search", json={"query": "patients", "filters": {"date_to": bad}})
    assert response.status_code == 422
    assert client.get("/v1/documents", params={"date_from": bad}).status_code == 422


def test_deleting_an_upload_removes_its_original(client: TestClient) -> None:
    kb = client.app.state.kb
    files = {"files": ("delete-me.txt", b"Vaccine equity was discussed with the ministry. " * 30, "text/plain")}
    job = client.post("/v1/documents", files=files, headers=ADMIN).json()
    assert client.app.state.jobs.wait(job["id"]).status == "done"
    doc = next(d for d in kb.documents() if d.source == "delete-me.txt")
    assert Path(doc.path).is_file()
    deleting = client.delete(f"/v1/documents/{doc.doc_id}", headers=ADMIN).json()
    assert client.app.state.jobs.wait(deleting["id"]).status == "done"
    assert not Path(doc.path).exists() and not Path(doc.path).parent.exists()
    assert kb.withheld() == []  # an upload is gone for good; uploading it again brings it back


def test_a_full_disk_refuses_the_upload_cleanly(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from policykb.service import knowledge_base

    def full(target: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(knowledge_base, "atomic_write", full)
    originals = client.app.state.kb.data_dir / "originals"
    before = sorted(originals.iterdir()) if originals.exists() else []
    files = {"files": ("fresh.txt", b"Brand new content about hospital waiting lists. " * 30, "text/plain")}
    refused = client.post("/v1/documents", files=files, headers=ADMIN)
    assert refused.status_code == 503 and "No space left" in refused.json()["detail"]
    assert (sorted(originals.iterdir()) if originals.exists() else []) == before
