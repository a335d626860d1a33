"""The embedded backend (SQLite registry + FAISS/tantivy generations) against the storage contract, and
the factory that chooses a backend from settings."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from policykb.core.errors import ConfigError
from policykb.index.storage.base import Storage
from policykb.index.storage.embedded import EmbeddedStorage
from policykb.index.storage.factory import open_storage
from tests.conftest import ROOT, make_settings
from tests.storage_contract import StorageContract


class TestEmbeddedStorage(StorageContract):
    @pytest.fixture
    def storage(self, tmp_path: Path) -> Storage:
        return EmbeddedStorage(tmp_path / "data", exact_search_max_chunks=200_000, keep_generations=2)


def test_no_database_url_opens_the_embedded_store(tmp_path: Path) -> None:
    storage = open_storage(make_settings(tmp_path))
    assert isinstance(storage, EmbeddedStorage)
    assert storage.data_dir == tmp_path / "data"


@pytest.mark.parametrize("url", ["postgresql://kb:secret@db/policykb", "postgres://db/kb", "postgresql+psycopg://db"])
def test_a_postgresql_url_says_the_backend_is_not_installed(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError, match="PostgreSQL backend is not installed") as raised:
        open_storage(make_settings(tmp_path, database_url=url))
    assert "secret" not in str(raised.value)


@pytest.mark.parametrize("url", ["mysql://db/kb", "not a url"])
def test_another_database_url_is_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError, match="POLICYKB_DATABASE_URL must be unset"):
        open_storage(make_settings(tmp_path, database_url=url))


BACKEND_MODULES = {"policykb.index.registry", "policykb.index.generation", "policykb.index.storage.embedded"}
BACKEND_LIBRARIES = {"sqlite3", "faiss", "tantivy"}


@pytest.mark.parametrize("folder", ["ingest", "qa", "api", "ui", "policykb/service", "policykb/cli.py"])
def test_only_the_backend_touches_its_modules(folder: str) -> None:
    """ingest, qa, the service and the faces reach storage through the factory and the interfaces."""
    target = ROOT / folder
    files = [target] if target.is_file() else sorted(target.rglob("*.py"))
    assert files
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name not in BACKEND_MODULES, f"{path} imports {name}"
                assert name.split(".")[0] not in BACKEND_LIBRARIES, f"{path} imports {name}"
