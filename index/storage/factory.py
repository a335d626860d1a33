"""Choose the storage backend from settings: `POLICYKB_DATABASE_URL` unset -> the embedded backend under
`POLICYKB_DATA_DIR`; a PostgreSQL URL names a backend this installation does not have yet."""

from __future__ import annotations

from pathlib import Path

from policykb.core.errors import ConfigError
from policykb.core.settings import Settings
from policykb.index.storage.base import Storage

_POSTGRES_SCHEMES = ("postgresql", "postgres")


def open_storage(settings: Settings) -> Storage:
    url = (settings.database_url or "").strip()
    if not url:
        from policykb.index.storage.embedded import EmbeddedStorage

        return EmbeddedStorage(
            Path(settings.data_dir),
            settings.exact_search_max_chunks,
            settings.keep_generations,
            settings.search_threads,
            settings.ivf_nprobe,
        )
    scheme = url.split("://", 1)[0].split("+", 1)[0].lower() if "://" in url else ""
    if scheme in _POSTGRES_SCHEMES:
        raise ConfigError(
            "POLICYKB_DATABASE_URL names a PostgreSQL database, but the PostgreSQL backend is not installed; "
            "unset POLICYKB_DATABASE_URL to use the embedded store under POLICYKB_DATA_DIR"
        )
    raise ConfigError(
        "POLICYKB_DATABASE_URL must be unset (embedded store) or a postgresql:// URL, "
        f"not a {scheme + '://' if scheme else 'value without a scheme'} URL"
    )
