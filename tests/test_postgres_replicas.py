"""Several replicas on one PostgreSQL: what one writes, every other serves (and forgets) at once; one
writer at a time; an ingest killed mid-batch leaves no half document; the database going away gives 503s
and coming back needs no restart. Plus the schema migrations and moving a knowledge base between backends."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from policykb.api.app import create_app
from policykb.cli import main
from policykb.service.jobs import Job, JobManager, Jobs
from policykb.service.knowledge_base import KnowledgeBase
from policykb.service.migrate import migrate
from tests.conftest import CORPUS, ROOT, make_settings


def replica(tmp_path: Path, name: str, url: str) -> KnowledgeBase:
    return KnowledgeBase(make_settings(tmp_path / name, database_url=url, admin_keys=["admin"]))


def chunk_ids(kb: KnowledgeBase, query: str, mode: str = "hybrid") -> set[str]:
    return {h.chunk_id for h in kb.search(query, k=50, mode=mode).results}  # type: ignore[arg-type]


def write_corpus(folder: Path, n: int, words: int = 400) -> Path:
    """`n` distinct documents, each several chunks long."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        body = " ".join(f"policy{i} access medicines patients word{j % 37}" for j in range(words // 5))
        (folder / f"doc{i:03d}.txt").write_text(f"Statement {i} on access to medicines\n\n{body}\n")
    return folder


# ------------------------------------------------------------------------------------------------ schema


def test_migrations_from_an_empty_database(empty_database_url: str, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("POLICYKB_DATABASE_URL", empty_database_url)
    from policykb.core.settings import get_settings

    get_settings.cache_clear()
    try:
        assert main(["db", "status"]) == 0
        before = json.loads(capsys.readouterr().out)
        assert before["current"] == 0 and before["pending"] and before["latest"] == len(before["pending"])
        assert main(["db", "upgrade"]) == 0
        assert capsys.readouterr().out.startswith("applied 0001_initial, 0002_reliability")
        assert main(["db", "upgrade"]) == 0
        assert "up to date" in capsys.readouterr().out
        assert main(["db", "status"]) == 0
        after = json.loads(capsys.readouterr().out)
        assert after == {"current": before["latest"], "latest": before["latest"], "pending": []}
    finally:
        get_settings.cache_clear()


# ------------------------------------------------------------------------------------------------ replicas


def test_what_one_replica_writes_every_other_serves_and_forgets(
    database_url: str, tmp_path: Path, corpus_copy: Path
) -> None:
    a, b = replica(tmp_path, "a", database_url), replica(tmp_path, "b", database_url)
    assert b.search("patient involvement").results == []
    a.ingest([corpus_copy])
    started = time.perf_counter()
    assert chunk_ids(b, "patient involvement")  # B answers from A's ingest on its next query
    assert time.perf_counter() - started < 2
    client_b = TestClient(create_app(b, with_ui=False))
    answer = client_b.post("/v1/ask", json={"question": "Who organised the roundtable?"}).json()
    assert answer["citations"] and answer["answer"] == a.ask("Who organised the roundtable?").answer
    target = next(d for d in b.documents() if "roundtable" in d.source)
    assert client_b.get(f"/v1/documents/{target.doc_id}").status_code == 200
    doomed = {c.chunk_id for c in a.chunks(target.doc_id)}

    deleted = client_b.delete(f"/v1/documents/{target.doc_id}", headers={"Authorization": "Bearer admin"})
    assert deleted.status_code == 202
    assert client_b.app.state.jobs.wait(deleted.json()["id"]).status == "done"  # type: ignore[attr-defined]
    client_a = TestClient(create_app(a, with_ui=False))  # A reports the job B ran
    reported = client_a.get(f"/v1/jobs/{deleted.json()['id']}", headers={"Authorization": "Bearer admin"})
    assert reported.json()["status"] == "done" and reported.json()["report"] == {"deleted": [target.doc_id]}
    for mode in ("hybrid", "dense", "lexical"):
        for query in ("IAPG roundtable", "roundtable patient groups 2016"):
            assert not chunk_ids(a, query, mode) & doomed, (mode, query)
    assert a.document(target.doc_id) is None
    assert target.doc_id not in {d.doc_id for d in a.documents()}
    assert a.status().generation == b.status().generation


def test_an_upload_through_one_replica_is_served_with_its_file_by_another(database_url: str, tmp_path: Path) -> None:
    a, b = replica(tmp_path, "a", database_url), replica(tmp_path, "b", database_url)
    client_a = TestClient(create_app(a, with_ui=False))
    client_b = TestClient(create_app(b, with_ui=False))
    note = b"The alliance met the ministry about vaccine access in Zanzibar. " * 20
    accepted = client_a.post("/v1/documents", files=[("files", ("note.txt", note, "text/plain"))],
                             headers={"Authorization": "Bearer admin"})  # fmt: skip
    assert client_a.app.state.jobs.wait(accepted.json()["id"]).status == "done"
    hit = client_b.post("/v1/search", json={"query": "vaccine access zanzibar"}).json()["results"][0]
    shutil.rmtree(tmp_path / "a" / "data" / "originals")  # B must not depend on A's disk
    served = client_b.get(f"/v1/documents/{hit['doc_id']}/file")
    assert served.status_code == 200 and served.content == note


def test_twenty_clients_over_two_replicas_during_an_ingest(database_url: str, tmp_path: Path) -> None:
    a, b = replica(tmp_path, "a", database_url), replica(tmp_path, "b", database_url)
    a.ingest([CORPUS])
    clients = [TestClient(create_app(kb, with_ui=False)) for kb in (a, b)]
    corpus = write_corpus(tmp_path / "more", 30)
    errors: list[str] = []
    served = [0]
    stop = threading.Event()

    def client_loop(n: int) -> None:
        client = clients[n % 2]
        while not stop.is_set():
            response = client.post("/v1/search", json={"query": f"access to medicines policy{n}", "k": 5})
            if response.status_code != 200:
                errors.append(f"{response.status_code} {response.text[:200]}")
            served[0] += 1

    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    try:
        report = a.ingest([corpus])
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert len(report.added) == 30
    assert errors == []
    assert served[0] >= 20
    assert {h.source for h in b.search("policy7 access", k=3).results} >= {"doc007.txt"}


def test_one_writer_at_a_time(database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    a, b = replica(tmp_path, "a", database_url), replica(tmp_path, "b", database_url)
    order: list[str] = []
    with a.storage.writer_lock():
        waiting = threading.Thread(target=lambda: (b.ingest([CORPUS]), order.append("b wrote")))
        waiting.start()
        time.sleep(1.0)
        order.append("a released")
        assert b.catalog.counts()["documents"] == 0
    waiting.join(timeout=60)
    assert order == ["a released", "b wrote"]
    assert any("another ingest holds the writer lock" in r.getMessage() for r in caplog.records)


# ------------------------------------------------------------------------------------------------ jobs


def held_ingest(kb: KnowledgeBase, name: str, runs: list[str], go: threading.Event) -> None:
    """`kb.ingest` records that `name` ran it, then waits for `go` before ingesting."""
    ingest = kb.ingest

    def run(*args, **kwargs):  # type: ignore[no-untyped-def]
        runs.append(name)
        go.wait(60)
        return ingest(*args, **kwargs)

    kb.ingest = run  # type: ignore[method-assign]


def test_a_job_runs_on_one_replica_and_every_replica_reports_it(database_url: str, tmp_path: Path) -> None:
    a, b = replica(tmp_path, "a", database_url), replica(tmp_path, "b", database_url)
    runs: list[str] = []
    go = threading.Event()
    held_ingest(a, "a", runs, go)
    held_ingest(b, "b", runs, go)
    corpus = write_corpus(tmp_path / "corpus", 3)
    # accepted by a replica that died before running it: the first replica to start takes it over
    Jobs(a.storage.job_records()).save(Job("orphan000001", "ingest", [str(corpus)]))
    first = JobManager(a)
    second = None
    try:
        assert first.resumed == ["orphan000001"]
        deadline = time.time() + 30
        while runs != ["a"] and time.time() < deadline:
            time.sleep(0.05)
        assert runs == ["a"]
        second = JobManager(b)
        assert second.resumed == []  # A holds it
        assert second.get("orphan000001").status == "running"  # type: ignore[union-attr]
        second._run(second.get("orphan000001"))  # type: ignore[arg-type]  # B asked to run it too: it may not
        assert runs == ["a"]
        go.set()
        done = second.wait("orphan000001", timeout=60)
        assert (done.status, done.attempts, len(done.report["added"])) == ("done", 1, 3)  # type: ignore[index]
        second._run(done)  # a finished job is not run again either
        assert runs == ["a"]
    finally:
        go.set()
        first.shutdown()
        if second is not None:
            second.shutdown()


def test_a_cancel_sent_to_another_replica_stops_the_job(database_url: str, tmp_path: Path) -> None:
    a, b = replica(tmp_path, "a", database_url), replica(tmp_path, "b", database_url)
    runs: list[str] = []
    go = threading.Event()
    held_ingest(a, "a", runs, go)
    first, second = JobManager(a), JobManager(b)
    try:
        job = first.submit_ingest([write_corpus(tmp_path / "corpus", 40)])
        deadline = time.time() + 30
        while runs != ["a"] and time.time() < deadline:
            time.sleep(0.05)
        assert second.cancel(job.id).status == "cancelling"  # type: ignore[union-attr]
        time.sleep(1.1)  # the running replica looks at the records at most once a second
        go.set()
        stopped = second.wait(job.id, timeout=60)
        assert stopped.status == "cancelled"
        assert len(a.documents()) < 40
    finally:
        go.set()
        first.shutdown()
        second.shutdown()


# ------------------------------------------------------------------------------------------------ faults

_KILLED_INGEST = """
import os, signal, sys
from pathlib import Path
from policykb.core.settings import Settings
from policykb.service.jobs import Job, JobManager, Jobs
from policykb.service.knowledge_base import KnowledgeBase
settings = Settings(data_dir=Path(sys.argv[1]), database_url=sys.argv[2], embedder="hash", chunk_tokens=120,
                    chunk_overlap_tokens=16)
def progress(stage, done, total):
    if stage == "files" and done == int(sys.argv[4]):
        os.kill(os.getpid(), signal.SIGKILL)
KnowledgeBase(settings).ingest([Path(sys.argv[3])], progress=progress)
"""


def test_an_ingest_killed_mid_batch_leaves_no_half_document(database_url: str, tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", 24, words=2000)
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_INGEST, str(tmp_path / "killed"), database_url, str(corpus), "10"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert killed.returncode == -9, killed.stderr
    kb = replica(tmp_path, "after", database_url)
    reference = KnowledgeBase(make_settings(tmp_path / "reference"))
    reference.ingest([corpus])
    expected = {d.source: len(reference.chunks(d.doc_id)) for d in reference.documents()}
    saved = {d.source: len(kb.chunks(d.doc_id)) for d in kb.documents()}
    assert 0 < len(saved) < len(expected)
    assert all(saved[s] == expected[s] for s in saved)  # every saved document whole
    kb.ingest([corpus])
    assert {d.source: len(kb.chunks(d.doc_id)) for d in kb.documents()} == expected
    assert kb.status().indexed_chunks == sum(expected.values())


def test_replicas_answer_503_while_the_database_is_down_and_recover(tmp_path: Path, postgres_server) -> None:  # type: ignore[no-untyped-def]
    """Under load from clients on both replicas: only 200s and 503s, 503s while it is down, and both answer
    200 again once it is back, with no restart."""
    from policykb.index.storage.pglocal import start_local

    server = start_local(tmp_path / "own-server", durable=False)
    stop = threading.Event()
    threads: list[threading.Thread] = []
    try:
        url = server.url + "?connect_timeout=2"
        a, b = replica(tmp_path, "a", url), replica(tmp_path, "b", url)
        a.ingest([CORPUS])
        clients = [TestClient(create_app(kb, with_ui=False), raise_server_exceptions=False) for kb in (a, b)]
        assert [c.post("/v1/search", json={"query": "patient involvement"}).status_code for c in clients] == [200, 200]
        phase = ["up"]
        seen: list[tuple[str, str, int]] = []  # phase when sent, phase when answered, status

        def client_loop(n: int) -> None:
            while not stop.is_set():
                sent = phase[0]
                status = clients[n % 2].post("/v1/search", json={"query": f"patient involvement {n}"}).status_code
                seen.append((sent, phase[0], status))
                time.sleep(0.02)

        threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        deadline = time.time() + 30  # some requests answered while up, however loaded the machine is
        while time.time() < deadline and sum(1 for sent, answered, _ in seen if sent == answered == "up") < 6:
            time.sleep(0.05)
        phase[0] = "stopping"
        server.stop()
        phase[0] = "down"
        time.sleep(1.5)
        assert clients[1].get("/v1/documents").status_code == 503
        server.start()
        phase[0] = "restarted"
        deadline = time.time() + 30
        statuses = [0, 0]
        while time.time() < deadline and statuses != [200, 200]:
            statuses = [c.post("/v1/search", json={"query": "patient involvement"}).status_code for c in clients]
            time.sleep(0.2)
        assert statuses == [200, 200]
        assert all(c.post("/v1/search", json={"query": "patient involvement"}).json()["results"] for c in clients)
        stop.set()
        for t in threads:
            t.join()
        assert {status for _, _, status in seen} <= {200, 503}
        assert {status for sent, answered, status in seen if sent == answered == "up"} == {200}
        assert 503 in {status for sent, _, status in seen if sent == "down"}
    finally:
        stop.set()
        for t in threads:
            t.join()
        server.stop()


# ------------------------------------------------------------------------------------------------ migrate


def test_migrate_into_postgresql_and_back_without_re_embedding(database_url: str, tmp_path: Path) -> None:
    embedded = KnowledgeBase(make_settings(tmp_path / "embedded"))
    embedded.ingest([CORPUS])
    query = "patient involvement in health policy"
    expected = [h.chunk_id for h in embedded.search(query, mode="lexical").results]
    base = make_settings(tmp_path / "cli")

    report = migrate(str(tmp_path / "embedded" / "data"), database_url, base)
    assert report.documents == len(embedded.documents()) and report.generation
    pg = replica(tmp_path, "pg", database_url)
    assert pg.catalog.texts_without_embedding("hash-256") == []
    assert [h.chunk_id for h in pg.search(query, mode="lexical").results] == expected
    assert (
        pg.search(query, mode="dense").results[0].chunk_id == embedded.search(query, mode="dense").results[0].chunk_id
    )

    back = migrate(database_url, str(tmp_path / "back"), base)
    assert back.vectors == report.vectors
    exported = KnowledgeBase(make_settings(tmp_path / "x", data_dir=tmp_path / "back"))
    assert [h.chunk_id for h in exported.search(query, mode="lexical").results] == expected
    assert [d.doc_id for d in exported.documents()] == [d.doc_id for d in embedded.documents()]
    with pytest.raises(Exception, match="already holds"):
        migrate(str(tmp_path / "embedded" / "data"), database_url, base)
