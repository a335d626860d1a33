"""Durable job records of the embedded backend (data/jobs.sqlite): one JSON body per job, written with a
synchronous commit so that a job the service accepted survives a crash or power cut. The service gives the
records meaning. One process serves a data directory, so claims are kept in memory."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path


class JobStore:
    """One row per job: its id, status, creation time and the whole job as JSON."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")  # a 202 promises the row survives a power cut
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, body TEXT NOT NULL, status TEXT NOT NULL,"
            " created_at REAL NOT NULL)"
        )
        self._lock = threading.Lock()
        self._claimed: set[str] = set()

    def save(self, job_id: str, body: dict, status: str, created_at: float) -> None:
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO jobs VALUES (?,?,?,?)", (job_id, json.dumps(body), status,
                                                                              created_at))  # fmt: skip

    def get(self, job_id: str) -> dict | None:
        with self._lock:
            row = self._conn.execute("SELECT body FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def status(self, job_id: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT status FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return str(row[0]) if row else None

    def claim(self, job_id: str) -> bool:
        with self._lock:
            if job_id in self._claimed:
                return False
            self._claimed.add(job_id)
            return True

    def release(self, job_id: str) -> None:
        with self._lock:
            self._claimed.discard(job_id)

    def claimed_elsewhere(self, job_id: str) -> bool:
        with self._lock:
            return job_id in self._claimed

    def unfinished(self, statuses: Sequence[str]) -> list[dict]:
        marks = ",".join("?" * len(statuses))
        with self._lock:
            rows = self._conn.execute(
                f"SELECT body FROM jobs WHERE status IN ({marks}) ORDER BY created_at", tuple(statuses)
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def latest(self) -> dict | None:
        with self._lock:
            row = self._conn.execute("SELECT body FROM jobs ORDER BY created_at DESC LIMIT 1").fetchone()
        return json.loads(row[0]) if row else None

    def prune(self, keep: int, unfinished: Sequence[str]) -> None:
        """Forget the oldest finished jobs beyond `keep`; unfinished ones are never forgotten."""
        marks = ",".join("?" * len(unfinished))
        with self._lock:
            self._conn.execute(
                f"DELETE FROM jobs WHERE status NOT IN ({marks}) AND id NOT IN"
                " (SELECT id FROM jobs ORDER BY created_at DESC LIMIT ?)",
                (*unfinished, keep),
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()
