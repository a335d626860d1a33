"""Links: a page fetched from a local server, re-fetched with one conditional request, updated when it
changes; links that are too large, of the wrong type, redirect in a loop or reach a private address are
refused one by one with their reason."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from policykb.api.app import create_app
from policykb.service.knowledge_base import KnowledgeBase
from tests.conftest import make_pdf, make_settings

PAGE = "<html><head><title>Access to medicines</title></head><body><h1>Access to medicines</h1><p>{}</p></body></html>"
PARAGRAPH = "The alliance urges member states to publish medicine prices and to include patients. " * 10


class Site:
    """What the local server serves, and which requests it got."""

    def __init__(self) -> None:
        self.page = PAGE.format(PARAGRAPH)
        self.etag = '"v1"'
        self.requests: Counter[str] = Counter()
        self.conditional: Counter[str] = Counter()


def handler_for(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def send(self, status: int, body: bytes = b"", content_type: str = "text/html", **headers: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path
            site.requests[path] += 1
            if self.headers.get("If-None-Match"):
                site.conditional[path] += 1
            if path == "/page":
                if self.headers.get("If-None-Match") == site.etag:
                    self.send(304, ETag=site.etag)
                else:
                    self.send(200, site.page.encode(), "text/html; charset=utf-8", ETag=site.etag)
            elif path == "/report.pdf":
                self.send(200, make_pdf(["Screening guideline for tuberculosis in prisons. " * 20]), "application/pdf")
            elif path == "/big":
                self.send(200, b"x" * 300_000, "text/plain")
            elif path == "/big-undeclared":  # no Content-Length: only the streamed count can stop it
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                for _ in range(40):
                    self.wfile.write(b"y" * 10_000)
            elif path == "/photo":
                self.send(200, b"\x89PNG\r\n", "image/png")
            elif path in ("/loop-a", "/loop-b"):
                self.send(302, Location="/loop-b" if path == "/loop-a" else "/loop-a")
            elif path.startswith("/hop/"):
                n = int(path.rsplit("/", 1)[1])
                self.send(302, Location=f"/hop/{n + 1}")
            elif path == "/moved":
                self.send(301, Location="/page")
            else:
                self.send(404, b"no such page")

    return Handler


@pytest.fixture
def site() -> Iterator[tuple[Site, str]]:
    state = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(state))
    server.protocol_version = "HTTP/1.0"  # a body without a length ends with the connection
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _kb(tmp_path: Path, **overrides: object) -> KnowledgeBase:
    values = {"fetch_allow_private": True, "max_upload_mb": 0.2, "admin_keys": ["admin"], **overrides}
    return KnowledgeBase(make_settings(tmp_path, **values))


def test_a_link_is_fetched_kept_and_refreshed_with_one_conditional_request(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    state, base = site
    kb = _kb(tmp_path)
    report = kb.fetch([f"{base}/moved"])  # a redirect to the page: kept under the link that was given

    assert report.added == [f"{base}/moved"] and not report.failed
    (document,) = kb.documents()
    assert document.source_url == f"{base}/moved" and document.title == "Access to medicines"
    assert kb.search("publish medicine prices", mode="lexical").results

    before = state.requests["/page"]
    again = kb.refresh()
    assert again.unchanged == [f"{base}/moved"] and not (again.added or again.updated)
    assert state.requests["/page"] - before == 1 and state.conditional["/page"] == 1  # answered 304

    state.page, state.etag = PAGE.format("The alliance now asks for a fair pricing law for insulin. " * 10), '"v2"'
    changed = kb.refresh()
    assert changed.updated == [f"{base}/moved"]
    assert [d.doc_id for d in kb.documents()] == [document.doc_id]  # updated in place: the same document
    assert kb.search("fair pricing law insulin", mode="lexical").results
    text = kb.document(document.doc_id).text  # type: ignore[union-attr]
    assert "insulin" in text and "publish medicine prices" not in text
    runs = kb.changes()
    assert [r.trigger for r in runs] == ["refresh", "refresh", "fetch"]
    assert [c.action for c in runs[0].changes] == ["updated"]


def test_a_link_by_host_name_is_fetched_from_one_of_its_checked_addresses(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    state, base = site
    port = base.rsplit(":", 1)[1]
    report = _kb(tmp_path).fetch([f"http://localhost:{port}/page"])  # ::1 may come first: nothing listens there
    assert report.added == [f"http://localhost:{port}/page"] and state.requests["/page"] == 1


def test_a_pdf_link_and_the_reading_view_shows_where_it_came_from(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    _, base = site
    kb = _kb(tmp_path)
    assert kb.fetch([f"{base}/report.pdf"]).added == [f"{base}/report.pdf"]
    (document,) = kb.documents()
    assert document.format == "pdf" and Path(document.path).name == "report.pdf"
    api = TestClient(create_app(kb, with_ui=False))
    shown = api.get(f"/v1/documents/{document.doc_id}").json()
    assert shown["source_url"] == f"{base}/report.pdf"
    page = api.get(f"/v1/documents/{document.doc_id}/read").text
    assert f'Fetched from <a href="{base}/report.pdf"' in page


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/big", "over the 0.2 MB upload limit"),
        ("/big-undeclared", "the document is over the 0.2 MB upload limit"),
        ("/photo", "the server sent image/png, which no reader reads"),
        ("/loop-a", "the redirects go round in a loop"),
        ("/hop/1", "more than 5 redirects"),
        ("/missing", "the server answered HTTP 404"),
    ],
)
def test_bad_links_are_refused_one_by_one(tmp_path: Path, site, path: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    _, base = site
    kb = _kb(tmp_path)
    report = kb.fetch([f"{base}{path}", f"{base}/page"])
    assert report.added == [f"{base}/page"]  # the good link in the same batch is kept
    assert [f["path"] for f in report.failed] == [f"{base}{path}"]
    assert reason in report.failed[0]["error"]
    assert [c.action for c in kb.changes()[0].changes] == ["added", "failed"]


def test_private_addresses_and_other_schemes_are_never_requested(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    state, base = site
    kb = _kb(tmp_path, fetch_allow_private=False)
    report = kb.fetch([f"{base}/page", "http://localhost:9/", "http://[::1]/x", "file:///etc/passwd"])
    reasons = [f["error"] for f in report.failed]
    assert len(reasons) == 4 and not report.added
    assert all("private, loopback or link-local" in r for r in reasons[:3])
    assert "only http and https" in reasons[3]
    assert sum(state.requests.values()) == 0


def test_links_through_the_api_become_a_fetch_job(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    _, base = site
    api = TestClient(create_app(_kb(tmp_path), with_ui=False))
    admin = {"X-API-Key": "admin"}
    assert api.post("/v1/documents", json={"urls": [f"{base}/page"]}).status_code == 401
    assert api.post("/v1/documents", json={"urls": ["file:///etc/passwd"]}, headers=admin).status_code == 422
    assert api.post("/v1/documents", json={"urls": []}, headers=admin).status_code == 422
    accepted = api.post("/v1/documents", json={"urls": [f"{base}/page", f"{base}/photo"]}, headers=admin)
    assert accepted.status_code == 202 and accepted.json()["kind"] == "fetch"
    job = api.app.state.jobs.wait(accepted.json()["id"])
    assert job.status == "done" and job.report["added"] == [f"{base}/page"]
    assert [f["path"] for f in job.report["failed"]] == [f"{base}/photo"]
    refreshed = api.post("/v1/links/refresh", headers=admin)
    assert refreshed.status_code == 202
    again = api.app.state.jobs.wait(refreshed.json()["id"])
    assert again.report["unchanged"] == [f"{base}/page"]
