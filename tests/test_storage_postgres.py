"""The PostgreSQL backend (pgvector + per-replica derived lexical index) against the storage contract,
on a local PostgreSQL the tests start themselves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from policykb.core.filters import Filters
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


def test_a_replica_follows_publishes_by_the_change_and_matches_a_fresh_one(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The derived folder updated by each publish's changed rows answers exactly as one derived whole."""
    from policykb.index.storage import postgres
    from policykb.index.storage.postgres import PostgresStorage

    updates: list[int] = []
    update = postgres.update_lexical_folder

    def counted(previous, folder, name, removed, added) -> None:  # type: ignore[no-untyped-def]
        updates.append(len(added))
        update(previous, folder, name, removed, added)

    monkeypatch.setattr(postgres, "update_lexical_folder", counted)
    monkeypatch.setattr(postgres, "STALE_MAX", 10.0)  # never derived whole again, however much is deleted
    from tests.storage_contract import EVERYTHING, all_rows, publish, save

    writer = PostgresStorage(database_url, tmp_path / "writer")
    follower = PostgresStorage(database_url, tmp_path / "follower")
    try:
        save(writer, "a", ["Patients and access.", "Medicines for all."], doc_type="report",
             organisations=("IAPO",), source="reports/2024/a.pdf", date="2024")  # fmt: skip
        save(writer, "b", ["Patients and safety."], organisations=("WHO",), source="statements/b.txt")
        publish(writer)
        first = follower.snapshots.current()
        assert first is not None
        save(writer, "a", ["Patients and vaccines now."], doc_type="toolkit", organisations=("UN", "IAPO"),
             source="toolkits/a.pdf", date="2021-03", language="fr", version="v2")  # fmt: skip
        save(writer, "c", ["Patients and medicines."], organisations=(), source="report/c.txt", date=None)
        publish(writer)
        writer.catalog.delete_document("b")
        publish(writer)
        followed = follower.snapshots.current()
        assert followed is not None and followed.name != first.name
        assert updates == [2, 0, 2]  # the writer to 2 and 3, the follower from 1 to 3: by the change, no rebuild
        fresh = PostgresStorage(database_url, tmp_path / "fresh").snapshots.current()
        assert fresh is not None
        assert all_rows(followed) == all_rows(fresh)
        assert {r.chunk.doc_id for r in all_rows(followed).values()} == {"a", "c"}
        for term in ("patient", "vaccin", "medicin", "safeti"):
            assert followed.lexical_top_k([term], [], Filters(), EVERYTHING) == fresh.lexical_top_k(
                [term], [], Filters(), EVERYTHING
            )
            assert followed.doc_freq(term) == fresh.doc_freq(term)
        TestPostgresStorage().assert_filters_conform(followed, all_rows(followed))
        cases = [*StorageContract.FILTER_CASES, Filters(organisation=["UN"]), Filters(source="statements")]
        for f in cases:
            assert set(followed.filter_rowids(f).tolist()) == set(fresh.filter_rowids(f).tolist()), f  # type: ignore[union-attr]
    finally:
        writer.close()
        follower.close()
