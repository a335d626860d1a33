"""A crash at any stage of an ingest (or a delete) loses nothing: the next run converges to the state a
clean run reaches, and until then status and /readyz say the index is behind, never silently wrong."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from policykb.api.app import create_app
from policykb.index.embedders.base import HashEmbedder
from policykb.index.generation import CURRENT, GENERATIONS
from policykb.service.knowledge_base import KnowledgeBase
from tests.conftest import ROOT, make_settings
from tests.faults import STAGES, Crash, inject, make_corpus, marker, state

N_DOCS = 12


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(HashEmbedder, "batch_size", 8)  # several embedding batches per run


@pytest.fixture(scope="module")
def clean_state(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("clean")
    kb = KnowledgeBase(make_settings(tmp))
    kb.ingest([make_corpus(tmp / "corpus", N_DOCS)])
    return state(kb)


def _staging(kb: KnowledgeBase) -> list[str]:
    root = kb.data_dir / GENERATIONS
    return [p.name for p in root.glob(".staging-*")] if root.is_dir() else []


@pytest.mark.parametrize("stage", STAGES)
def test_a_crash_at_any_stage_heals_at_the_next_run(tmp_path: Path, stage: str, clean_state: dict) -> None:
    corpus = make_corpus(tmp_path / "corpus", N_DOCS)
    first = KnowledgeBase(make_settings(tmp_path))
    with pytest.raises(Crash), inject(first, stage):
        first.ingest([corpus])
    restarted = KnowledgeBase(make_settings(tmp_path))  # a new process on the same data dir
    if stage not in ("parse", "switch", "cleanup"):
        assert restarted.status().index in ("behind", "empty", "missing"), stage
    report = restarted.ingest([corpus])
    assert not report.failed
    assert state(restarted) == clean_state
    assert restarted.status().index == "ok" and _staging(restarted) == []
    again = restarted.ingest([corpus])
    assert (again.changed, again.embedded, again.healed) == (False, 0, None)  # converged: nothing left to do


def test_an_update_crashed_before_publishing_never_keeps_serving_the_old_text(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus", 3)
    kb = KnowledgeBase(make_settings(tmp_path))
    kb.ingest([corpus])
    (corpus / "doc001.txt").write_text("doc001 title\n\n" + "The revised policy now names hepatitis. " * 20)
    with pytest.raises(Crash), inject(kb, "rename", nth=1):
        kb.ingest([corpus])
    restarted = KnowledgeBase(make_settings(tmp_path))
    assert restarted.status().index == "behind"
    report = restarted.ingest([corpus])  # every file is unchanged by now: only the heal publishes
    assert report.unchanged and not report.changed and "registry holds" in (report.healed or "")
    assert restarted.search('"revised policy now names hepatitis"').results[0].source == "doc001.txt"
    assert not restarted.search(f'"{marker("doc001")}"').results


def test_a_delete_crashed_before_publishing_is_healed(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus", 3)
    kb = KnowledgeBase(make_settings(tmp_path))
    kb.ingest([corpus])
    doc = next(d for d in kb.documents() if d.source == "doc002.txt")
    with pytest.raises(Crash), inject(kb, "rename", nth=1):
        kb.delete(doc.doc_id)
    restarted = KnowledgeBase(make_settings(tmp_path))
    assert restarted.status().index == "behind"
    assert restarted.repair().state == "ok"
    assert not restarted.search(f'"{marker("doc002")}"').results


def test_damaged_or_missing_generations_are_detected_and_repaired(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus", 4)
    kb = KnowledgeBase(make_settings(tmp_path))
    kb.ingest([corpus])
    live = kb.data_dir / GENERATIONS / (kb.data_dir / CURRENT).read_text().strip()
    dense = live / "dense.faiss"
    dense.write_bytes(dense.read_bytes()[: dense.stat().st_size // 2])  # truncated
    fresh = KnowledgeBase(make_settings(tmp_path))
    status = fresh.status()
    assert status.index == "damaged" and "dense.faiss" in status.index_detail
    with kb.storage.writer_lock():  # keeps the server's own repair at start waiting
        app = create_app(fresh, with_ui=False)
        api = TestClient(app)
        assert api.get("/readyz").status_code == 503
        search = api.post("/v1/search", json={"query": "patients"})
        assert search.status_code == 503 and "policykb repair" in search.json()["detail"]
    assert app.state.jobs.wait(app.state.jobs.repairing).report["state"] == "ok"
    assert api.get("/readyz").json()["index"] == "ok"

    live = kb.data_dir / GENERATIONS / (kb.data_dir / CURRENT).read_text().strip()
    (live / "vocab.json").write_text("{}")
    healer = KnowledgeBase(make_settings(tmp_path))
    assert healer.ingest([corpus]).healed  # every file unchanged: the damage alone makes it republish
    assert KnowledgeBase(make_settings(tmp_path)).status().index == "ok"

    (kb.data_dir / CURRENT).unlink()
    lost = KnowledgeBase(make_settings(tmp_path))
    assert lost.status().index == "missing"
    with pytest.raises(Exception, match="CURRENT is missing"):
        lost.search("patients")
    assert lost.repair().state == "ok"
    assert lost.search(f'"{marker("doc003")}"').results


def test_missing_lexical_index_is_damage(tmp_path: Path) -> None:
    import shutil

    kb = KnowledgeBase(make_settings(tmp_path))
    kb.ingest([make_corpus(tmp_path / "corpus", 2)])
    live = kb.data_dir / GENERATIONS / (kb.data_dir / CURRENT).read_text().strip()
    shutil.rmtree(live / "lexical")
    fresh = KnowledgeBase(make_settings(tmp_path))
    assert fresh.status(deep=False).index == "damaged"
    assert fresh.repair().state == "ok"


def test_the_server_rebuilds_a_behind_index_at_start(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus", 3)
    kb = KnowledgeBase(make_settings(tmp_path))
    with pytest.raises(Crash), inject(kb, "rename", nth=1):
        kb.ingest([corpus])
    app = create_app(KnowledgeBase(make_settings(tmp_path)), with_ui=False)
    jobs = app.state.jobs
    assert jobs.repairing is not None
    assert jobs.wait(jobs.repairing).report["state"] == "ok"
    ready = TestClient(app).get("/readyz").json()
    assert ready["index"] == "ok"


def test_a_damaged_registry_is_one_line_and_exit_3(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus", 2)
    data = tmp_path / "data"
    env = {**os.environ, "POLICYKB_DATA_DIR": str(data), "POLICYKB_EMBEDDER": "hash"}
    cli = [sys.executable, "-m", "policykb.cli"]
    KnowledgeBase(make_settings(tmp_path)).ingest([corpus])
    registry = data / "registry.sqlite"
    sqlite3.connect(registry).execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    raw = bytearray(registry.read_bytes())
    raw[4096:] = os.urandom(len(raw) - 4096)  # every page after the first is garbage
    registry.write_bytes(bytes(raw))
    run = subprocess.run([*cli, "ingest", str(corpus)], env=env, cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 3, run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and "registry" in run.stderr


@pytest.mark.parametrize("stage", ["rename"])  # every stage runs for real in `make soak`
def test_a_real_kill_9_loses_nothing(tmp_path: Path, stage: str, clean_state: dict) -> None:
    corpus = make_corpus(tmp_path / "corpus", N_DOCS)
    data = tmp_path / "data"
    env = {**os.environ, "POLICYKB_EMBEDDER": "hash", "POLICYKB_CHUNK_TOKENS": "120",
           "POLICYKB_CHUNK_OVERLAP_TOKENS": "16"}  # fmt: skip
    child = subprocess.run([sys.executable, "-m", "tests.faults", stage, str(data), str(corpus)], env=env,
                           cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert child.returncode == -9, child.stderr
    kb = KnowledgeBase(make_settings(tmp_path))
    assert kb.status().index in ("behind", "missing")  # missing: the first publish died before CURRENT
    kb.ingest([corpus])
    assert state(kb) == clean_state
    assert (
        json.loads((data / GENERATIONS / (data / CURRENT).read_text().strip() / "manifest.json").read_text())["chunks"]
        == kb.status().chunks
    )


def test_a_truncated_wal_is_reported_at_open(tmp_path: Path) -> None:
    import shutil

    kb = KnowledgeBase(make_settings(tmp_path))
    kb.ingest([make_corpus(tmp_path / "corpus", 2)])  # the connection stays open: the log is not checkpointed
    copy = tmp_path / "copy"
    copy.mkdir()
    for part in kb.data_dir.glob("registry.sqlite*"):
        shutil.copy(part, copy / part.name)
    wal = copy / "registry.sqlite-wal"
    assert wal.stat().st_size > 1000
    os.truncate(wal, wal.stat().st_size - 100)
    from policykb.index.registry import Registry

    assert "truncated" in (Registry(copy / "registry.sqlite").wal_problem or "")
    assert Registry(kb.data_dir / "registry.sqlite").wal_problem is None


def test_repair_ingests_uploads_the_registry_lost(tmp_path: Path) -> None:
    kb = KnowledgeBase(make_settings(tmp_path))
    saved = kb.store_upload("kept.txt", b"The coalition asked for patient seats on every board. " * 20)
    kb.ingest([saved])
    doc = kb.documents()[0]
    with kb.catalog.transaction() as conn:  # type: ignore[attr-defined]  # as if its last transactions were lost
        conn.execute("DELETE FROM documents")
        conn.execute("DELETE FROM chunks")
        conn.execute("DELETE FROM files")
    assert kb.documents() == []
    assert kb.repair().state == "ok"
    assert [d.doc_id for d in kb.documents()] == [doc.doc_id]
    assert kb.search("patient seats on every board").results[0].doc_id == doc.doc_id


def test_a_full_disk_is_one_line_exit_3_and_the_next_run_heals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import errno

    from policykb import cli
    from policykb.core import settings as settings_module
    from policykb.index import generation

    corpus = make_corpus(tmp_path / "corpus", 3)
    monkeypatch.setenv("POLICYKB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("POLICYKB_EMBEDDER", "hash")
    settings_module.get_settings.cache_clear()

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(generation, "_write_lexical", full)
        assert cli.main(["ingest", str(corpus)]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "disk holding the data directory is full" in err[0]
    assert cli.main(["ingest", str(corpus)]) == 0
    assert "unchanged 3" in capsys.readouterr().out
    assert cli.main(["status"]) == 0
    assert json.loads(capsys.readouterr().out)["index"] == "ok"
    settings_module.get_settings.cache_clear()


def test_a_second_writer_says_it_is_waiting(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import threading

    corpus = make_corpus(tmp_path / "corpus", 2)
    kb = KnowledgeBase(make_settings(tmp_path))
    with kb.storage.writer_lock():
        second = threading.Thread(target=kb.ingest, args=([corpus],))
        with caplog.at_level("WARNING", logger="policykb.writer"):
            second.start()
            for _ in range(100):
                if "waiting for it to finish" in caplog.text:
                    break
                second.join(0.05)
        assert "waiting for it to finish" in caplog.text and second.is_alive()
    second.join(30)
    assert kb.status().documents == 2
