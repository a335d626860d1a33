"""Watched folders: files created, changed, moved or deleted in them are ingested without anyone asking.

Changes are collected until the folders have been quiet for the debounce period; a file is taken only once
its size and modification time are the same at two checks a debounce period apart (a copy or download still
being written waits). Each batch is one job of kind "watch" through the same job machinery as uploads (one
at a time: the next batch is collected while a job runs), so its progress shows in the Admin tab and its
report (per-file failures included) goes to the job and the change feed. Deletions are forgotten with the
prune rules; a file that moved is recognised by its content and keeps its document. At start, one scan of
every folder catches what changed while nothing watched.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import watchfiles

from policykb.ingest.pipeline import MANIFEST, SIDECAR_SUFFIX
from policykb.ingest.readers import SUPPORTED_EXTENSIONS
from policykb.service.jobs import UNFINISHED, Job, JobManager
from policykb.service.knowledge_base import KnowledgeBase

log = logging.getLogger("policykb.watch")
RESTART_PAUSE_S = 5.0  # before watching again after the watcher itself failed (a folder that vanished)


@dataclass
class Pending:
    """A path that changed: when it last did, and its (size, mtime) at the last stability check."""

    changed_at: float
    seen: tuple[int, int] | None = None


class FolderWatcher:
    def __init__(
        self,
        jobs: JobManager,
        folders: list[Path],
        debounce_s: float,
        poll: bool = False,
        on_done: Callable[[Job], None] | None = None,
    ) -> None:
        self.jobs = jobs
        self.folders = [f.resolve() for f in folders]
        self.debounce_s = debounce_s
        self.poll = poll
        self.on_done = on_done
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pending: dict[Path, Pending] = {}
        self._gone: set[Path] = set()
        self._job: Job | None = None  # the batch running now

    # ------------------------------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Scan every folder once (what changed while nothing watched), then watch."""
        self._job = self.jobs.submit_ingest(list(self.folders), prune=True, kind="watch")
        self._thread = threading.Thread(target=self._run, name="folder-watcher", daemon=True)
        self._thread.start()
        log.info("watching %s for new, changed and deleted files", ", ".join(map(str, self.folders)))

    def stop(self, timeout: float = 10.0) -> None:
        """Stop watching; a running batch is the job manager's to stop (it stays queued for the next start)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        """Never ends the process: a failure of the watcher itself is logged and watching starts again."""
        while not self._stop.is_set():
            try:
                self._watch()
            except Exception:
                log.exception("the folder watcher failed; watching again in %.0f s", RESTART_PAUSE_S)
                self._stop.wait(RESTART_PAUSE_S)

    def _watch(self) -> None:
        tick_ms = max(20, min(int(self.debounce_s * 1000 / 4), 1000))
        for changes in watchfiles.watch(
            *self.folders,
            watch_filter=self._wanted,
            debounce=tick_ms,
            step=min(50, tick_ms),
            stop_event=self._stop,
            rust_timeout=tick_ms,
            yield_on_timeout=True,
            raise_interrupt=False,
            force_polling=self.poll,
            poll_delay_ms=min(300, tick_ms),
            ignore_permission_denied=True,
        ):
            now = time.monotonic()
            for change, raw in changes:
                self._note(change, Path(raw), now)
            self._step(now)

    # ------------------------------------------------------------------------------------------ collecting

    @staticmethod
    def _wanted(change: watchfiles.Change, raw: str) -> bool:
        """Readable files, metadata files and folders; never hidden names, temporary or partial downloads."""
        path = Path(raw)
        if any(part.startswith(".") for part in path.parts[1:]):
            return False
        if change == watchfiles.Change.deleted or path.name == MANIFEST or path.name.endswith(SIDECAR_SUFFIX):
            return True
        return path.suffix.lower() in SUPPORTED_EXTENSIONS or path.is_dir()

    def _note(self, change: watchfiles.Change, path: Path, now: float) -> None:
        if path.name == MANIFEST or path.name.endswith(SIDECAR_SUFFIX):
            path = path.parent  # metadata changed: the folder's files are looked at again (the gates skip the rest)
        elif change == watchfiles.Change.deleted and not path.exists():
            self._pending.pop(path, None)
            self._gone.add(path)
            return
        self._gone.discard(path)
        self._pending[path] = Pending(now)

    def _step(self, now: float) -> None:
        """Submit the next batch once the folders were quiet for the debounce period, every changed file is
        stable and the previous batch has finished."""
        if self._job is not None:
            job = self.jobs.get(self._job.id)
            if job is not None and job.status in UNFINISHED:
                return
            self._job = None
            if job is not None and self.on_done is not None:
                self.on_done(job)
        if not (self._pending or self._gone):
            return
        if now - max((p.changed_at for p in self._pending.values()), default=0.0) < self.debounce_s:
            return
        if not self._stable(now):
            return
        paths = sorted(p for p in self._pending if p.exists())
        gone = sorted(p for p in self._gone if not p.exists())
        self._pending.clear()
        self._gone.clear()
        if paths or gone:
            self._job = self.jobs.submit_ingest(paths, kind="watch", gone=gone, roots=self.folders)

    def _stable(self, now: float) -> bool:
        """Whether every pending file kept its size and modification time since the last check; those that
        did not are checked again a debounce period later."""
        stable = True
        for path, pending in self._pending.items():
            try:
                st = os.stat(path)
            except OSError:
                continue  # vanished meanwhile: its deletion event follows
            if path.is_dir():
                continue
            current = (st.st_size, st.st_mtime_ns)
            if pending.seen != current:
                pending.seen, pending.changed_at = current, now
                stable = False
        return stable


def watcher_for(kb: KnowledgeBase, jobs: JobManager, folders: list[Path] | None = None) -> FolderWatcher | None:
    """A watcher over `folders` (default: the corpus folders) that exist; None when none does."""
    existing = []
    for folder in folders if folders is not None else [Path(p) for p in kb.settings.corpus_dirs]:
        if folder.is_dir():
            existing.append(folder)
        else:
            log.warning("not watching %s: no such folder", folder)
    if not existing:
        return None
    return FolderWatcher(jobs, existing, kb.settings.watch_debounce_s, kb.settings.watch_poll)
