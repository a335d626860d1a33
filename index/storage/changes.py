"""The change feed of the embedded backend: one row per ingest run in `data/jobs.sqlite`, beside the job
records, written with a synchronous commit (a run the feed reported is never lost)."""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import asdict
from pathlib import Path

from policykb.core.types import Change, ChangeRun


class ChangeStore:
    """Runs by increasing id; each row holds the whole run as JSON."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS changes (id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL,"
            " trigger TEXT NOT NULL, body TEXT NOT NULL)"
        )
        self._conn.execute("CREATE INDEX IF NOT EXISTS changes_at ON changes(at)")
        self._lock = threading.Lock()

    def record(self, run: ChangeRun) -> ChangeRun:
        body = run_body(run)
        with self._lock:
            cursor = self._conn.execute(
                "INSERT INTO changes (at, trigger, body) VALUES (?,?,?)", (run.at, run.trigger, json.dumps(body))
            )
        run.id = cursor.lastrowid
        return run

    def runs(self, since: float | None = None, limit: int = 50) -> list[ChangeRun]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, body FROM changes WHERE at >= ? ORDER BY id DESC LIMIT ?",
                (since if since is not None else float("-inf"), limit),
            ).fetchall()
        return [run_from_body(row_id, json.loads(body)) for row_id, body in rows]

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def run_from_body(row_id: int, body: dict) -> ChangeRun:
    """A run as a store keeps it: its id, and the rest of its fields as a JSON object."""
    changes = [Change(**c) for c in body.pop("changes", [])]
    return ChangeRun(**body, changes=changes, id=row_id)


def run_body(run: ChangeRun) -> dict:
    body = asdict(run)
    body.pop("id")
    return body
