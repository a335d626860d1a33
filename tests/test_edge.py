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
    kb = KnowledgeBase(make_settings(tmp_path, reader_keys=["r"], key_failures_per_minute=3))
    api = TestClient(create_app(kb, with_ui=False))
    statuses = [api.post("/v1/search", json={"query": "x"}, headers={"X-API-Key": f"guess{i}"}).status_code
                for i in range(5)]  # fmt: skip
    assert statuses == [401, 401, 401, 429, 429]
    throttled = api.post("/v1/search", json={"query": "x"}, headers={"X-API-Key": "r"})
    assert throttled.status_code == 429 and 1 <= int(throttled.headers["retry-after"]) <= 60
    assert api.post("/v1/search", json={"query": "x"}).status_code == 200


def test_the_throttle_lifts_after_a_minute() -> None:
    now = [1000.0]
    guard = AccessGuard(Settings(reader_keys=["r"], key_failures_per_minute=2), clock=lambda: now[0])
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
