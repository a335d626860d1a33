"""Background jobs for the faces: uploads, re-scans and deletes run in one worker thread while queries go on
against the live generation.

A job is recorded in `data/jobs.sqlite` (fsynced) before the face answers 202, so an accepted job is never
lost: a restarted server re-queues every job that was queued or running (ingest is idempotent, so a rerun
converges), up to `MAX_ATTEMPTS` starts. Cancelling is cooperative: the ingest stops between files and
embedding batches. A server shutting down stops its running job the same way and leaves it queued.

The records live where the storage keeps them (data/jobs.sqlite, or the shared database for PostgreSQL),
so replicas sharing a database report each other's jobs, and a job is run only by the process holding its
claim: a replica starting up re-queues only the unfinished jobs nobody holds (their process died), and a
cancel sent to any replica reaches the one running the job through the records.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from policykb.core.errors import PolicyKBError
from policykb.index.storage.base import JobRecords
from policykb.index.updater import Cancelled
from policykb.service.knowledge_base import KnowledgeBase

log = logging.getLogger("policykb.jobs")
MAX_ATTEMPTS = 3  # a job that took the server down this often is failed, not retried forever
UNFINISHED = ("queued", "running", "cancelling")


@dataclass
class Job:
    id: str
    kind: str  # upload | reindex | ingest | watch | fetch | refresh | delete | repair
    paths: list[str]  # files and folders; for fetch and refresh, web addresses
    prune: bool = False
    gone: list[str] = field(default_factory=list)  # vanished files a watcher saw, to forget
    roots: list[str] = field(default_factory=list)  # the watched folders, which name the files in them
    doc_id: str | None = None
    status: str = "queued"  # queued | running | cancelling | done | failed | cancelled
    stage: str = ""
    done: int = 0
    total: int = 0
    report: dict | None = None
    error: str | None = None
    attempts: int = 0
    created_at: float = field(default_factory=time.time)
    finished_at: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _job(data: dict) -> Job:
    known = {f.name for f in fields(Job)}
    return Job(**{k: v for k, v in data.items() if k in known})


class Jobs:
    """`Job`s over the durable record store."""

    def __init__(self, store: JobRecords) -> None:
        self.records = store

    def save(self, job: Job) -> None:
        self.records.save(job.id, job.as_dict(), job.status, job.created_at)

    def get(self, job_id: str) -> Job | None:
        found = self.records.get(job_id)
        return _job(found) if found else None

    def unfinished(self) -> list[Job]:
        return [_job(d) for d in self.records.unfinished(UNFINISHED)]

    def latest(self) -> Job | None:
        found = self.records.latest()
        return _job(found) if found else None

    def prune(self, keep: int) -> None:
        self.records.prune(keep, UNFINISHED)

    def status(self, job_id: str) -> str | None:
        return self.records.status(job_id)

    def close(self) -> None:
        self.records.close()


class JobManager:
    """One worker: writers are serialised anyway (the storage's writer lock)."""

    def __init__(self, kb: KnowledgeBase, keep: int = 200) -> None:
        self.kb = kb
        self.keep = keep
        self.store = Jobs(kb.storage.job_records())
        self._live: dict[str, Job] = {}  # jobs this process has queued or is running, with live progress
        self._cancel: set[str] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-job")
        self.resumed = self._resume()
        self.repairing = self._repair_if_needed()

    # ------------------------------------------------------------------------------------------ submitting

    def submit_ingest(
        self,
        paths: list[Path],
        prune: bool = False,
        kind: str = "ingest",
        gone: Sequence[Path] = (),
        roots: Sequence[Path] = (),
    ) -> Job:
        job = Job(uuid.uuid4().hex[:12], kind, [str(p) for p in paths], prune=prune, gone=[str(p) for p in gone],
                  roots=[str(p) for p in roots])  # fmt: skip
        return self._submit(job)

    def submit_fetch(self, urls: list[str]) -> Job:
        return self._submit(Job(uuid.uuid4().hex[:12], "fetch", list(urls)))

    def submit_refresh(self) -> Job:
        return self._submit(Job(uuid.uuid4().hex[:12], "refresh", []))

    def submit_repair(self) -> Job:
        return self._submit(Job(uuid.uuid4().hex[:12], "repair", []))

    def _repair_if_needed(self) -> str | None:
        """At start: a generation that is behind, damaged or missing is rebuilt in the background."""
        health = self.kb.updater.health()
        if health.state in ("ok", "empty"):
            return None
        log.warning("the live index is %s (%s): rebuilding it in the background", health.state, health.detail)
        return self.submit_repair().id

    def submit_delete(self, doc_id: str) -> Job:
        return self._submit(Job(uuid.uuid4().hex[:12], "delete", [], doc_id=doc_id))

    def _submit(self, job: Job) -> Job:
        self.store.save(job)  # durable before the caller answers 202
        self.store.prune(self.keep)
        with self._lock:
            self._live[job.id] = job
        self._pool.submit(self._run, job)
        return job

    def _resume(self) -> list[str]:
        resumed = []
        for job in self.store.unfinished():
            if self.store.records.claimed_elsewhere(job.id):
                continue  # another replica is running it
            if job.status == "cancelling":
                job.status, job.finished_at = "cancelled", time.time()
            elif job.attempts >= MAX_ATTEMPTS:
                job.status, job.finished_at = "failed", time.time()
                job.error = f"interrupted {job.attempts} times (the server stopped during it); not retried"
            else:
                job.status, job.stage = "queued", "resumed after a restart"
            self.store.save(job)  # before its run starts: a later save of "queued" would overwrite "running"
            if job.status == "queued":
                with self._lock:
                    self._live[job.id] = job
                self._pool.submit(self._run, job)
                resumed.append(job.id)
        if resumed:
            log.info("re-queued %d unfinished job(s) after a restart: %s", len(resumed), ", ".join(resumed))
        return resumed

    # ------------------------------------------------------------------------------------------ running

    def _run(self, job: Job) -> None:
        if self._stopping.is_set() or not self.store.records.claim(job.id):
            with self._lock:
                self._live.pop(job.id, None)
            return
        try:
            if self.store.status(job.id) in UNFINISHED:  # not finished or cancelled elsewhere meanwhile
                self._run_claimed(job)
        finally:
            self.store.records.release(job.id)
            with self._lock:
                self._live.pop(job.id, None)
                self._cancel.discard(job.id)

    def _cancel_requested(self, job: Job) -> bool:
        """A cancel sent to another replica reaches this one through the records."""
        if job.id not in self._cancel and self.store.status(job.id) in ("cancelling", "cancelled"):
            with self._lock:
                self._cancel.add(job.id)
                job.status = "cancelling"
        return job.id in self._cancel

    def _run_claimed(self, job: Job) -> None:
        if self.store.status(job.id) == "cancelling":
            job.status, job.finished_at = "cancelled", time.time()
            self.store.save(job)
            return
        job.status, job.error = "running", None
        job.attempts += 1
        self.store.save(job)
        saved_at = time.monotonic()

        def progress(stage: str, done: int, total: int) -> None:
            nonlocal saved_at
            job.stage, job.done, job.total = stage, done, total
            if time.monotonic() - saved_at > 1.0:
                saved_at = time.monotonic()
                self._cancel_requested(job)
                self.store.save(job)

        checked_at = time.monotonic()

        def should_stop() -> bool:
            nonlocal checked_at
            if time.monotonic() - checked_at > 1.0:
                checked_at = time.monotonic()
                self._cancel_requested(job)
            return job.id in self._cancel or self._stopping.is_set()

        try:
            if job.kind == "delete":
                assert job.doc_id is not None
                job.report = {"deleted": [job.doc_id] if self.kb.delete(job.doc_id, job_id=job.id) else []}
            elif job.kind == "repair":
                job.report = self.kb.repair(force=False).as_dict()
            elif job.kind == "fetch":
                job.report = self.kb.fetch(job.paths, progress, should_stop, job_id=job.id).as_dict()
            elif job.kind == "refresh":
                job.report = self.kb.refresh(progress, should_stop, job_id=job.id).as_dict()
            else:
                paths = [Path(p) for p in job.paths]
                gone = [Path(p) for p in job.gone]
                report = self.kb.ingest(paths, prune=job.prune, progress=progress, should_stop=should_stop,
                                        gone=gone, trigger=job.kind, job_id=job.id,
                                        roots=[Path(p) for p in job.roots])  # fmt: skip
                job.report = report.as_dict()
            job.status = "done"
        except Cancelled:
            job.status = "cancelled" if job.id in self._cancel else "queued"  # queued: resumed at the next start
        except PolicyKBError as exc:  # reported on the job, never lost in a thread
            job.status, job.error = "failed", str(exc)
        except Exception:
            log.exception("job %s failed", job.id)
            job.status, job.error = "failed", "the job failed because of an error on the server; it has been logged"
        finally:
            if job.status != "queued":
                job.finished_at = time.time()
            self.store.save(job)

    # ------------------------------------------------------------------------------------------ asking

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            live = self._live.get(job_id)
        return live or self.store.get(job_id)

    def latest(self) -> Job | None:
        return self.store.latest()

    def cancel(self, job_id: str) -> Job | None:
        """A queued job is cancelled at once; a running one stops at its next file or batch."""
        job = self.get(job_id)
        if job is None or job.status not in UNFINISHED:
            return job
        with self._lock:
            self._cancel.add(job_id)
            if job.status == "queued":
                job.status, job.finished_at = "cancelled", time.time()
            else:
                job.status = "cancelling"
        self.store.save(job)
        return job

    def wait(self, job_id: str, timeout: float = 600) -> Job:
        deadline = time.time() + timeout
        job = self.get(job_id)
        while job is not None and job.status in UNFINISHED and time.time() < deadline:
            time.sleep(0.05)
            job = self.get(job_id)
        if job is None:
            raise KeyError(job_id)
        return job

    def shutdown(self) -> None:
        """Stop the running job at its next file or batch (it stays queued for the next start) and wait."""
        self._stopping.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.store.close()
