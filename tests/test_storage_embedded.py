"""The embedded backend (SQLite registry + FAISS/tantivy generations) against the storage contract, and
the factory that chooses a backend from settings."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from policykb.core.errors import ConfigError
from policykb.index.storage.base import Storage
from policykb.index.storage.embedded import EmbeddedStorage
from policykb.index.storage.factory import libpq_url, open_storage
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


@pytest.mark.parametrize("url", ["mysql://db/kb", "not a url"])
def test_another_database_url_is_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError, match="POLICYKB_DATABASE_URL must be unset"):
        open_storage(make_settings(tmp_path, database_url=url))


@pytest.mark.parametrize(
    ("url", "plain"),
    [("postgres://db/kb", "postgresql://db/kb"), ("postgresql+psycopg://u@db/kb", "postgresql://u@db/kb")],
)
def test_database_url_spellings_become_libpq_urls(url: str, plain: str) -> None:
    assert libpq_url(url) == plain


BACKEND_MODULES = {
    "policykb.index.registry",
    "policykb.index.generation",
    "policykb.index.storage.embedded",
    "policykb.index.storage.postgres",
}
BACKEND_LIBRARIES = {"sqlite3", "faiss", "tantivy", "psycopg"}


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
