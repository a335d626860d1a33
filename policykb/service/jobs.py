"""Background ingest jobs for the faces: uploads and re-scans run in a worker thread while queries go on
against the live generation."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from policykb.core.errors import PolicyKBError
from policykb.service.knowledge_base import KnowledgeBase

log = logging.getLogger("policykb.service")


@dataclass
class Job:
    id: str
    kind: str
    paths: list[str]
    status: str = "queued"  # queued | running | done | failed
    stage: str = ""
    done: int = 0
    total: int = 0
    report: dict | None = None
    error: str | None = None
    created_at: float = field(default_factory=time.time)
    finished_at: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


class JobManager:
    """One worker: writers are serialised anyway (the registry's writer lock)."""

    def __init__(self, kb: KnowledgeBase, keep: int = 200) -> None:
        self.kb = kb
        self.keep = keep
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-job")

    def submit_ingest(self, paths: list[Path], prune: bool = False, kind: str = "ingest") -> Job:
        job = Job(uuid.uuid4().hex[:12], kind, [str(p) for p in paths])
        with self._lock:
            self._jobs[job.id] = job
            for old in sorted(self._jobs.values(), key=lambda j: j.created_at)[: max(0, len(self._jobs) - self.keep)]:
                self._jobs.pop(old.id, None)
        self._pool.submit(self._run, job, paths, prune)
        return job

    def _run(self, job: Job, paths: list[Path], prune: bool) -> None:
        job.status = "running"

        def progress(stage: str, done: int, total: int) -> None:
            job.stage, job.done, job.total = stage, done, total

        try:
            job.report = self.kb.ingest(paths, prune=prune, progress=progress).as_dict()
            job.status = "done"
        except PolicyKBError as exc:  # reported on the job, never lost in a thread
            job.status, job.error = "failed", str(exc)
        except Exception:
            log.exception("ingest job %s failed", job.id)
            job.status, job.error = "failed", "the ingest failed because of an error on the server; it has been logged"
        finally:
            job.finished_at = time.time()

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def latest(self) -> Job | None:
        with self._lock:
            return max(self._jobs.values(), key=lambda j: j.created_at, default=None)

    def wait(self, job_id: str, timeout: float = 600) -> Job:
        deadline = time.time() + timeout
        job = self._jobs[job_id]
        while job.status in ("queued", "running") and time.time() < deadline:
            time.sleep(0.05)
        return job
