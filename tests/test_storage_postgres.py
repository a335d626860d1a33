"""The PostgreSQL backend (pgvector + per-replica derived lexical index) against the storage contract,
on a local PostgreSQL the tests start themselves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from policykb.index.storage.base import Storage
from tests.storage_contract import StorageContract


class TestPostgresStorage(StorageContract):
    @pytest.fixture
    def storage(self, database_url: str, tmp_path: Path) -> Iterator[Storage]:
        from policykb.index.storage.postgres import PostgresStorage

        storage = PostgresStorage(database_url, tmp_path / "cache")
        yield storage
        storage.close()


def test_a_postgresql_url_opens_the_postgresql_store(database_url: str, tmp_path: Path) -> None:
    from policykb.index.storage.factory import open_storage
    from policykb.index.storage.postgres import PostgresStorage
    from tests.conftest import make_settings

    storage = open_storage(make_settings(tmp_path, database_url=database_url))
    try:
        assert isinstance(storage, PostgresStorage)
        assert storage.live() is None
    finally:
        storage.close()


def test_an_unreachable_database_is_a_storage_error_without_the_password(tmp_path: Path, postgres_server) -> None:  # type: ignore[no-untyped-def]
    from policykb.core.errors import StorageError
    from policykb.index.storage.pglocal import free_port
    from policykb.index.storage.postgres import PostgresStorage

    with pytest.raises(StorageError, match="cannot reach the database") as raised:
        PostgresStorage(f"postgresql://kb:secret@127.0.0.1:{free_port()}/kb?connect_timeout=2", tmp_path)
    assert "secret" not in str(raised.value)
