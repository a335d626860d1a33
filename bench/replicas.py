"""Two served replicas on one PostgreSQL, as real processes (the in-process version is
tests/test_postgres_replicas.py): 20 clients on 127.0.0.1, spread over both, search and ask while

1. a `policykb ingest` process (a third writer) is killed with SIGKILL mid-batch: every document it saved
   must be whole (as many chunks as an embedded reference ingest gives it), and the rerun completes;
2. the database is stopped for a few seconds and started again: the replicas answer 503 (never another
   error) and answer 200 again without a restart.

Errors: any status other than 200, or other than 200/503 while the database is down. Uses the hashing
embedder. `python -m bench.replicas`; exits 1 when anything failed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import psycopg

import policykb  # noqa: F401
from bench.common import ROOT, WORK, write_result
from bench.postgres import fresh_database
from bench.soak import PY, Server
from policykb.core.settings import Settings
from policykb.index.storage.pglocal import free_port, start_local
from policykb.service.knowledge_base import KnowledgeBase

CLIENTS = 20
DOCUMENTS = 60


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(DOCUMENTS):
        body = " ".join(f"policy{i} access to medicines for patients, clause {j}." for j in range(300))
        (folder / f"doc{i:03d}.txt").write_text(f"Statement {i} on access to medicines\n\n{body}\n")
    return folder


def env_for(data: Path, url: str) -> dict[str, str]:
    return {**os.environ, "POLICYKB_DATA_DIR": str(data), "POLICYKB_DATABASE_URL": url,
            "POLICYKB_EMBEDDER": "hash", "PYTHONPATH": str(ROOT)}  # fmt: skip


class Phases:
    """Status codes per phase; the current phase is set by the driver, read by every client."""

    def __init__(self) -> None:
        self.phase = "warm-up"
        self.counts: Counter[tuple[str, str]] = Counter()
        self.samples: list[str] = []
        self.lock = threading.Lock()

    def add(self, outcome: str, sample: str = "") -> None:
        with self.lock:
            self.counts[(self.phase, outcome)] += 1
            if sample and len(self.samples) < 10:
                self.samples.append(f"{self.phase}: {sample}")


def client_loop(base: str, n: int, stop: threading.Event, phases: Phases) -> None:
    with httpx.Client(base_url=base, timeout=30) as http:
        i = 0
        while not stop.is_set():
            i += 1
            try:
                if i % 4 == 0:
                    r = http.post("/v1/ask", json={"question": f"What does statement {n} say about access?"})
                else:
                    r = http.post("/v1/search", json={"query": f"policy{(n + i) % DOCUMENTS} access", "k": 5})
                phases.add(str(r.status_code), "" if r.status_code in (200, 503) else r.text[:200])
            except httpx.HTTPError as exc:
                phases.add("transport error", repr(exc)[:200])


def whole(url: str, data: Path, expected: dict[str, int]) -> tuple[int, list[str]]:
    """Documents in the database, and those not saved whole."""
    kb = KnowledgeBase(Settings(data_dir=data, database_url=url, embedder="hash"))
    saved = {d.source: len(kb.chunks(d.doc_id)) for d in kb.documents()}
    kb.storage.close()
    return len(saved), [s for s, n in saved.items() if n != expected.get(s)]


def main() -> int:
    work = WORK / "replicas"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    corpus = write_corpus(work / "corpus")
    reference = KnowledgeBase(Settings(data_dir=work / "reference", embedder="hash"))
    reference.ingest([ROOT / "corpus", corpus])  # the seed documents and the killed ingest's
    expected = {d.source: len(reference.chunks(d.doc_id)) for d in reference.documents()}
    database = start_local(work / "postgres")
    url = fresh_database(database.url, "replicas")
    subprocess.run([PY, "-m", "policykb.cli", "ingest", str(ROOT / "corpus")], env=env_for(work / "seed", url),
                   cwd=ROOT, check=True, capture_output=True)  # fmt: skip
    servers = [Server(env_for(work / name, url), free_port(), work / f"{name}.log") for name in ("a", "b")]
    phases, stop = Phases(), threading.Event()
    out: dict = {"clients": CLIENTS, "documents": DOCUMENTS, "chunks": sum(expected.values())}
    failures: list[str] = []
    try:
        for server in servers:
            server.start()
        clients = [
            threading.Thread(target=client_loop, args=(f"http://127.0.0.1:{servers[n % 2].port}", n, stop, phases))
            for n in range(CLIENTS)
        ]
        for t in clients:
            t.start()
        time.sleep(2)

        phases.phase = "ingest killed"
        writer = env_for(work / "writer", url)
        child = subprocess.Popen([PY, "-m", "policykb.cli", "ingest", str(corpus)], env=writer, cwd=ROOT,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        seeded = len(expected) - DOCUMENTS
        saved_before_kill = 0
        with psycopg.connect(url, autocommit=True) as conn:
            while child.poll() is None and saved_before_kill < seeded + DOCUMENTS // 3:
                saved_before_kill = conn.execute("SELECT count(*) FROM documents").fetchone()[0]  # type: ignore[index]
                time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait()
        killed = child.returncode == -signal.SIGKILL
        documents, half = whole(url, work / "check", expected)
        out["kill"] = {"killed_mid_batch": killed, "documents_in_database_after_kill": documents,
                       "half_documents": half}  # fmt: skip
        if not killed or half:
            failures.append(f"kill -9: killed {killed}, half documents {half[:3]}")

        phases.phase = "ingest rerun"
        started = time.perf_counter()
        rerun = subprocess.run([PY, "-m", "policykb.cli", "ingest", str(corpus)], env=writer, cwd=ROOT,
                               capture_output=True, text=True)  # fmt: skip
        rerun_seconds = time.perf_counter() - started
        documents, half = whole(url, work / "check", expected)
        complete = rerun.returncode == 0 and not half and documents >= len(expected)
        out["rerun"] = {
            "exit": rerun.returncode,
            "seconds": rerun_seconds,
            "documents": documents,
            "complete": complete,
        }
        if not complete:
            failures.append(f"rerun: exit {rerun.returncode}, {documents} documents, half {half[:3]}")

        phases.phase = "database down"
        database.stop()
        time.sleep(5)
        phases.phase = "database restarting"
        database.start()
        started = time.perf_counter()
        recovered: dict[str, float] = {}
        while len(recovered) < 2 and time.perf_counter() - started < 60:
            for name, server in zip("ab", servers, strict=True):
                if name not in recovered:
                    r = httpx.post(f"http://127.0.0.1:{server.port}/v1/search", json={"query": "policy3"}, timeout=30)
                    if r.status_code == 200:
                        recovered[name] = time.perf_counter() - started
            time.sleep(0.1)
        out["recovery_seconds_after_database_start"] = recovered
        if len(recovered) < 2:
            failures.append(f"recovery: only {sorted(recovered)} answered 200 within 60 s")
        phases.phase = "after recovery"
        time.sleep(3)
    finally:
        stop.set()
        for server in servers:
            if server.proc is not None:
                server.stop(signal.SIGTERM)
        database.stop()
    by_phase: dict[str, dict[str, int]] = {}
    for (phase, outcome), n in phases.counts.items():
        by_phase.setdefault(phase, {})[outcome] = n
    errors = sum(
        n for (phase, outcome), n in phases.counts.items()
        if outcome != "200" and not (outcome == "503" and phase.startswith("database"))
    )  # fmt: skip
    out.update({"requests": by_phase, "errors": errors, "error_samples": phases.samples, "failures": failures})
    if errors:
        failures.append(f"{errors} errors")
    print(f"written: {write_result('bench-replicas', out)}")
    for phase, outcomes in by_phase.items():
        print(f"  {phase:20s} {dict(sorted(outcomes.items()))}")
    print(
        f"  kill -9: {out.get('kill')}\n  rerun: {out.get('rerun')}\n  recovery: {out.get('recovery_seconds_after_database_start')}"
    )
    print("FAILED: " + "; ".join(failures) if failures else "ok: 0 errors, no half document, recovered without restart")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
