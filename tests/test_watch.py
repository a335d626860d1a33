"""Watched folders: what is copied, written, moved or deleted in a corpus folder reaches the index by
itself, through watch jobs and into the change feed."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from policykb.api.app import create_app
from policykb.service.knowledge_base import KnowledgeBase
from tests.conftest import make_settings

DEBOUNCE_S = 0.3
BODY = "The alliance asked the ministry for access to essential medicines and vaccines. " * 12


def wait_for(condition: Callable[[], object], timeout: float = 30.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout:.0f} s")


@pytest.fixture
def watched(tmp_path: Path) -> Iterator[tuple[TestClient, Path]]:
    folder = tmp_path / "shared-folder"
    folder.mkdir()
    kb = KnowledgeBase(make_settings(tmp_path, corpus_dirs=[folder], watch_debounce_s=DEBOUNCE_S))
    with TestClient(create_app(kb, with_ui=False, watch=True)) as api:
        wait_for(lambda: api.get("/v1/changes").json()["runs"])  # the start-up scan of the (empty) folder
        yield api, folder
    assert not api.app.state.watcher.running  # stopped with the app


def found(api: TestClient, words: str) -> list[dict]:
    """Lexical hits only: a dense search answers something from any indexed document."""
    return api.post("/v1/search", json={"query": words, "mode": "lexical"}).json()["results"]


def documents(api: TestClient) -> dict[str, str]:
    return {d["source"]: d["doc_id"] for d in api.get("/v1/documents").json()["documents"]}


def changes(api: TestClient, action: str) -> list[dict]:
    runs = api.get("/v1/changes").json()["runs"]
    return [dict(c, trigger=r["trigger"]) for r in runs for c in r["changes"] if c["action"] == action]


def test_a_file_copied_into_a_watched_folder_becomes_searchable(watched, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    api, folder = watched
    outside = tmp_path / "zanzibar.txt"
    outside.write_text("Zanzibar declaration on cervical cancer screening. " + BODY)
    shutil.copy(outside, folder / "zanzibar.txt")
    wait_for(lambda: found(api, "zanzibar declaration"))
    added = wait_for(lambda: changes(api, "added"))
    assert [(c["source"], c["trigger"]) for c in added] == [("zanzibar.txt", "watch")]
    assert added[0]["read_url"] == f"/v1/documents/{documents(api)['zanzibar.txt']}/read"


def test_a_file_written_slowly_is_ingested_once_and_whole(watched) -> None:  # type: ignore[no-untyped-def]
    """Pauses longer than the quiet period: only the size check keeps the half-written file out."""
    api, folder = watched
    with open(folder / "slow.txt", "w") as handle:
        for part in range(5):
            handle.write(f"Part {part} of the statement on patient safety. {BODY}\n")
            handle.flush()
            time.sleep(DEBOUNCE_S * 4 / 3)
        handle.write("The closing paragraph names the quokka commission.\n")
    wait_for(lambda: changes(api, "added"))
    wait_for(lambda: found(api, "quokka commission"))
    time.sleep(DEBOUNCE_S * 3)  # a second, late ingest of the same file would show up now
    assert [c["source"] for c in changes(api, "added")] == ["slow.txt"]
    assert changes(api, "updated") == []
    detail = api.get(f"/v1/documents/{documents(api)['slow.txt']}").json()
    assert "Part 4 of the statement" in " ".join(c["text"] for c in detail["chunks"])


def test_a_moved_file_keeps_its_document_and_a_deleted_one_goes(watched) -> None:  # type: ignore[no-untyped-def]
    api, folder = watched
    (folder / "draft.txt").write_text("Statement on rare diseases and orphan drugs. " + BODY)
    doc_id = wait_for(lambda: documents(api).get("draft.txt"))
    (folder / "final").mkdir()
    (folder / "draft.txt").rename(folder / "final" / "statement.txt")
    moved = wait_for(lambda: changes(api, "moved"))
    assert documents(api) == {"final/statement.txt": doc_id}
    assert [(c["doc_id"], c["detail"]) for c in moved] == [(doc_id, "moved from draft.txt")]
    assert changes(api, "removed") == []

    (folder / "final" / "statement.txt").unlink()
    removed = wait_for(lambda: changes(api, "removed"))
    assert [c["doc_id"] for c in removed] == [doc_id] and not documents(api)
    assert not found(api, "orphan drugs")


def test_a_bad_file_is_a_failure_in_the_feed_not_a_stopped_watcher(watched) -> None:  # type: ignore[no-untyped-def]
    api, folder = watched
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7 this is not a pdf")
    wait_for(lambda: changes(api, "failed"))
    (folder / "after.txt").write_text("Later statement on hepatitis elimination. " + BODY)
    wait_for(lambda: changes(api, "added"))
    assert [c["source"] for c in changes(api, "failed")] == ["broken.pdf"]
    assert [c["source"] for c in changes(api, "added")] == ["after.txt"]
    assert api.app.state.watcher.running


def test_polling_sees_changes_where_notifications_do_not_arrive(tmp_path: Path) -> None:
    """POLICYKB_WATCH_POLL: network shares send no change notifications; polling finds the new file."""
    folder = tmp_path / "share"
    folder.mkdir()
    (folder / "before.txt").write_text("Filed before the server started, on dengue vector control. " + BODY)
    settings = make_settings(tmp_path, corpus_dirs=[folder], watch_debounce_s=DEBOUNCE_S, watch_poll=True)
    with TestClient(create_app(KnowledgeBase(settings), with_ui=False, watch=True)) as api:
        wait_for(lambda: "before.txt" in documents(api))  # the start-up scan
        (folder / "later.txt").write_text("Filed later, on snakebite envenoming. " + BODY)
        wait_for(lambda: found(api, "snakebite envenoming"))
        watch_jobs = {r["trigger"] for r in api.get("/v1/changes").json()["runs"]}
        assert watch_jobs == {"watch"}
