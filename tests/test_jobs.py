"""Durable jobs: recorded before the 202, resumed after a restart, cancellable, and a delete never holds a
request while an ingest runs."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from fastapi.testclient import TestClient

from policykb.api.app import create_app
from policykb.service.jobs import MAX_ATTEMPTS, Job, JobManager, Jobs
from policykb.service.knowledge_base import KnowledgeBase
from tests.conftest import make_settings

ADMIN = {"X-API-Key": "admin"}
TEXT = "The alliance met the ministry about access to essential medicines and vaccines. " * 20


def _kb(tmp_path: Path, **overrides) -> KnowledgeBase:
    return KnowledgeBase(make_settings(tmp_path, admin_keys=["admin"], **overrides))


def _folder(tmp_path: Path, n: int) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir(exist_ok=True)
    for i in range(n):
        (folder / f"note-{i:03d}.txt").write_text(f"Note {i}. {TEXT}")
    return folder


def test_an_accepted_upload_is_on_disk_and_recorded_before_the_202(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    api = TestClient(create_app(kb, with_ui=False))
    with kb.storage.writer_lock():  # an ingest is running: the upload job cannot start yet
        accepted = api.post("/v1/documents", files={"files": ("a.txt", TEXT.encode(), "text/plain")}, headers=ADMIN)
        assert accepted.status_code == 202
        job_id = accepted.json()["id"]
        row = sqlite3.connect(kb.data_dir / "jobs.sqlite").execute("SELECT status FROM jobs WHERE id = ?", (job_id,))
        assert row.fetchone()[0] in ("queued", "running")
        assert (Path(accepted.json()["paths"][0])).read_bytes() == TEXT.encode()
    assert api.app.state.jobs.wait(job_id).status == "done"


def test_a_restarted_server_resumes_what_the_dead_one_accepted(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    original = kb.store_upload("report.txt", TEXT.encode())
    # The previous process recorded the job, started it and died.
    dead = Job("deadbeef0001", "upload", [str(original)], status="running", attempts=1)
    Jobs(kb.storage.job_records()).save(dead)
    manager = JobManager(_kb(tmp_path))
    assert manager.resumed == ["deadbeef0001"]
    job = manager.wait("deadbeef0001")
    assert (job.status, job.attempts, job.report["added"]) == ("done", 2, ["report.txt"])
    assert manager.kb.search("essential medicines").results


def test_a_job_that_keeps_killing_the_server_is_failed_not_retried(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    Jobs(kb.storage.job_records()).save(Job("deadbeef0002", "ingest", ["x"], status="running",
                                                   attempts=MAX_ATTEMPTS))  # fmt: skip
    manager = JobManager(kb)
    job = manager.get("deadbeef0002")
    assert manager.resumed == [] and job is not None
    assert job.status == "failed" and "interrupted 3 times" in (job.error or "")


def test_job_status_survives_a_restart(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    first = TestClient(create_app(kb, with_ui=False))
    job_id = first.post("/v1/documents", files={"files": ("a.txt", TEXT.encode(), "text/plain")}, headers=ADMIN)
    first.app.state.jobs.wait(job_id.json()["id"])
    first.app.state.jobs.shutdown()
    second = TestClient(create_app(_kb(tmp_path), with_ui=False))
    found = second.get(f"/v1/jobs/{job_id.json()['id']}", headers=ADMIN)
    assert found.status_code == 200 and found.json()["report"]["added"] == ["a.txt"]


def _cancel_after_first_file(kb: KnowledgeBase, manager: JobManager, job_ids: list[str]) -> None:
    real = kb.ingest

    def ingest(paths, prune=False, progress=None, should_stop=None, **passed):  # type: ignore[no-untyped-def]
        def tap(stage: str, done: int, total: int) -> None:
            if progress:
                progress(stage, done, total)
            if stage == "files" and done == 1:
                manager.cancel(job_ids[0])

        return real(paths, prune=prune, progress=tap, should_stop=should_stop, **passed)

    kb.ingest = ingest  # type: ignore[method-assign]


def test_a_running_ingest_stops_at_the_next_file_when_cancelled(tmp_path: Path) -> None:
    folder = _folder(tmp_path, 30)
    kb = _kb(tmp_path)
    manager = JobManager(kb)
    ids: list[str] = []
    _cancel_after_first_file(kb, manager, ids)
    with kb.storage.writer_lock():  # hold the job until its id is known to the tap
        ids.append(manager.submit_ingest([folder]).id)
    job = manager.wait(ids[0])
    assert job.status == "cancelled" and job.report is None
    assert 1 <= kb.status().documents <= 2  # it stopped between files
    rerun = manager.wait(manager.submit_ingest([folder]).id)
    assert rerun.status == "done" and kb.status().documents == 30


def test_a_queued_job_is_cancelled_at_once_and_never_runs(tmp_path: Path) -> None:
    folder = _folder(tmp_path, 3)
    kb = _kb(tmp_path)
    manager = JobManager(kb)
    with kb.storage.writer_lock():
        blocker = manager.submit_ingest([folder])
        queued = manager.submit_ingest([folder], kind="reindex")
        assert manager.cancel(queued.id).status == "cancelled"
    assert manager.wait(blocker.id).status == "done"
    assert manager.wait(queued.id).status == "cancelled" and manager.get(queued.id).attempts == 0


def test_cancel_route(tmp_path: Path) -> None:
    api = TestClient(create_app(_kb(tmp_path), with_ui=False))
    kb = api.app.state.kb
    with kb.storage.writer_lock():
        first = api.post("/v1/reindex", headers=ADMIN).json()
        second = api.post("/v1/reindex", headers=ADMIN).json()
        cancelled = api.post(f"/v1/jobs/{second['id']}/cancel", headers=ADMIN)
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert api.app.state.jobs.wait(first["id"]).status == "done"
    assert api.post("/v1/jobs/nope/cancel", headers=ADMIN).status_code == 404
    assert api.post(f"/v1/jobs/{first['id']}/cancel").status_code == 401


def test_shutdown_stops_the_running_job_and_the_next_start_finishes_it(tmp_path: Path) -> None:
    folder = _folder(tmp_path, 30)
    kb = _kb(tmp_path)
    manager = JobManager(kb)
    real = kb.ingest
    started = threading.Event()

    def ingest(paths, prune=False, progress=None, should_stop=None, **passed):  # type: ignore[no-untyped-def]
        def tap(stage: str, done: int, total: int) -> None:
            started.set()
            time.sleep(0.02)

        return real(paths, prune=prune, progress=tap, should_stop=should_stop, **passed)

    kb.ingest = ingest  # type: ignore[method-assign]
    job = manager.submit_ingest([folder])
    assert started.wait(30)
    manager.shutdown()
    assert Jobs(kb.storage.job_records()).get(job.id).status == "queued"
    restarted = JobManager(_kb(tmp_path))
    assert restarted.resumed == [job.id]
    assert restarted.wait(job.id).status == "done" and restarted.kb.status().documents == 30


def test_a_delete_during_an_ingest_returns_at_once(tmp_path: Path) -> None:
    folder = _folder(tmp_path, 2)
    kb = _kb(tmp_path)
    kb.ingest([folder])
    api = TestClient(create_app(kb, with_ui=False))
    doc = kb.documents()[0]
    with kb.storage.writer_lock():  # a long ingest holds the writer lock
        started = time.perf_counter()
        accepted = api.delete(f"/v1/documents/{doc.doc_id}", headers=ADMIN)
        assert accepted.status_code == 202 and time.perf_counter() - started < 5
        assert api.get(f"/v1/jobs/{accepted.json()['id']}", headers=ADMIN).json()["status"] in ("queued", "running")
    assert api.app.state.jobs.wait(accepted.json()["id"]).status == "done"
    assert kb.document(doc.doc_id) is None
