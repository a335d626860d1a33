"""Schema migrations for the PostgreSQL backend: numbered SQL files in `migrations/`, each applied once, in
order, in its own transaction together with its row in `schema_version`.

Concurrent upgrades (several replicas starting at once) are serialised by a transaction-level advisory
lock; the second finds nothing left to do.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

MIGRATIONS = Path(__file__).with_name("migrations")
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
MIGRATION_LOCK = 7_364_201  # advisory lock key held while migrating


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path


@dataclass
class SchemaStatus:
    current: int
    latest: int
    pending: list[str]

    @property
    def up_to_date(self) -> bool:
        return not self.pending


def migrations() -> list[Migration]:
    found = []
    for path in sorted(MIGRATIONS.glob("*.sql")):
        match = _NAME.match(path.name)
        if match:
            found.append(Migration(int(match.group(1)), path.stem, path))
    versions = [m.version for m in found]
    assert versions == list(range(1, len(found) + 1)), f"migrations must be numbered 1..n without gaps: {versions}"
    return found


_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
    " applied_at DOUBLE PRECISION NOT NULL)"
)


def current_version(conn: psycopg.Connection) -> int:
    exists = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return 0
    row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def status(conn: psycopg.Connection) -> SchemaStatus:
    current = current_version(conn)
    known = migrations()
    return SchemaStatus(current, len(known), [m.name for m in known if m.version > current])


def upgrade(url: str) -> list[str]:
    """Apply every pending migration; returns the names applied (empty when already up to date)."""
    applied = []
    with psycopg.connect(url, autocommit=True) as conn:
        for migration in migrations():
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
                conn.execute(_VERSION_TABLE)
                if current_version(conn) >= migration.version:
                    continue
                conn.execute(migration.path.read_text())
                conn.execute(
                    "INSERT INTO schema_version VALUES (%s, %s, %s)", (migration.version, migration.name, time.time())
                )
                applied.append(migration.name)
    return applied
