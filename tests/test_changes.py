"""The change feed: every ingest run, whatever started it, with what it changed; the same runs over the
API, the CLI, the Library tab and as an Atom feed of new documents."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from policykb import cli
from policykb.api.app import create_app
from policykb.api.schemas import ChangeFeed
from policykb.service.knowledge_base import KnowledgeBase
from policykb.ui.render import changes_html
from tests.conftest import make_settings

ADMIN = {"X-API-Key": "admin"}
ATOM = "{http://www.w3.org/2005/Atom}"
BODY = "The coalition asked for faster access to rare disease treatments across the region. " * 12
ODD_TITLE = 'Rights & "wrongs" <script>alert(1)</script>'


@pytest.fixture
def fed(tmp_path: Path) -> tuple[KnowledgeBase, TestClient, dict[str, str]]:
    """A CLI ingest of two files, an upload, a failed file, then an admin delete of one of the first two."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "odd.md").write_text(f"# Rights\n\n{BODY}")
    (folder / "odd.md.meta.json").write_text(json.dumps({"title": ODD_TITLE}))
    (folder / "plain.txt").write_text("Statement on hepatitis C elimination. " + BODY)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7 not really")
    kb = KnowledgeBase(make_settings(tmp_path, admin_keys=["admin"]))
    kb.ingest([folder])
    api = TestClient(create_app(kb, with_ui=False))
    upload = api.post("/v1/documents", files={"files": ("upload.txt", ("Upload on dialysis. " + BODY).encode())},
                      headers=ADMIN)  # fmt: skip
    api.app.state.jobs.wait(upload.json()["id"])
    ids = {d.source: d.doc_id for d in kb.documents()}
    deleted = api.delete(f"/v1/documents/{ids['plain.txt']}", headers=ADMIN)
    api.app.state.jobs.wait(deleted.json()["id"])
    return kb, api, ids


def test_every_run_is_in_the_feed_with_its_trigger_and_changes(fed) -> None:  # type: ignore[no-untyped-def]
    _, api, ids = fed
    feed = ChangeFeed.model_validate(api.get("/v1/changes").json())
    assert [r.trigger for r in feed.runs] == ["delete", "upload", "ingest"]
    delete, upload, ingest = feed.runs
    assert [(c.action, c.source) for c in ingest.changes] == [
        ("added", "odd.md"), ("added", "plain.txt"), ("failed", "broken.pdf")
    ]  # fmt: skip
    assert ingest.changes[0].title == ODD_TITLE and ingest.changes[0].read_url == f"/v1/documents/{ids['odd.md']}/read"
    assert "corrupt or truncated PDF" in (ingest.changes[2].detail or "") and ingest.changes[2].doc_id is None
    assert upload.job_id is not None and [c.source for c in upload.changes] == ["upload.txt"]
    assert [(c.action, c.doc_id, c.read_url) for c in delete.changes] == [("removed", ids["plain.txt"], None)]
    assert feed.runs[0].id > feed.runs[1].id > feed.runs[2].id


def test_since_and_limit(fed) -> None:  # type: ignore[no-untyped-def]
    _, api, _ = fed
    assert len(api.get("/v1/changes", params={"limit": 2}).json()["runs"]) == 2
    assert len(api.get("/v1/changes", params={"since": "1d"}).json()["runs"]) == 3
    tomorrow = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400))
    assert api.get("/v1/changes", params={"since": tomorrow}).json()["runs"] == []
    refused = api.get("/v1/changes", params={"since": "last tuesday"})
    assert refused.status_code == 422 and "ISO 8601" in refused.json()["detail"]


def test_the_atom_feed_lists_new_documents_escaped(fed) -> None:  # type: ignore[no-untyped-def]
    _, api, ids = fed
    response = api.get("/v1/changes.atom")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # well-formed, whatever the titles hold
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") == "http://testserver/v1/changes.atom"
    assert feed.findtext(f"{ATOM}title") and feed.findtext(f"{ATOM}updated", "").endswith("Z")
    entries = feed.findall(f"{ATOM}entry")
    # newest first; the deleted document is no longer announced, the failed file never was
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Upload on dialysis.", ODD_TITLE]
    for entry, source in zip(entries, ["upload.txt", "odd.md"], strict=True):
        assert entry.findtext(f"{ATOM}id") and entry.findtext(f"{ATOM}updated", "").endswith("Z")
        link = entry.find(f"{ATOM}link")
        assert link is not None and link.get("href") == f"http://testserver/v1/documents/{ids[source]}/read"
    assert b"<script>" not in response.content


def test_the_cli_prints_the_feed(fed, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    kb, _, _ = fed
    monkeypatch.setattr(cli, "get_settings", lambda: kb.settings)
    assert cli.main(["changes", "--since", "7d"]) == 0
    out = capsys.readouterr().out
    assert "delete   0 added" not in out and "1 removed" in out and "2 added, 1 failed" in out
    assert "broken.pdf" in out and ODD_TITLE in out
    assert cli.main(["changes", "--json", "--limit", "1"]) == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert [r["trigger"] for r in runs] == ["delete"]


def test_the_library_shows_what_was_added_this_week(fed) -> None:  # type: ignore[no-untyped-def]
    kb, _, ids = fed
    shown = changes_html(kb.changes(since=time.time() - 7 * 86400))
    assert "2 documents added this week" in shown
    assert f'href="/v1/documents/{ids["odd.md"]}/read"' in shown
    assert "&lt;script&gt;" in shown and "<script>" not in shown
    assert "1 failed" in shown and "1 removed" in shown and "broken.pdf" in shown
