"""Choose the storage backend from settings: `POLICYKB_DATABASE_URL` unset -> the embedded backend under
`POLICYKB_DATA_DIR`; a postgresql:// URL -> the PostgreSQL backend (the `postgres` extra), which keeps
only its per-replica derived lexical folders under `POLICYKB_DATA_DIR`."""

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
        try:
            from policykb.index.storage.postgres import PostgresStorage
        except ImportError:
            raise ConfigError(
                "POLICYKB_DATABASE_URL names a PostgreSQL database, but the PostgreSQL backend is not installed "
                "(pip install -c constraints.txt -e '.[postgres]'); unset POLICYKB_DATABASE_URL to use the "
                "embedded store under POLICYKB_DATA_DIR"
            ) from None
        return PostgresStorage(
            libpq_url(url), Path(settings.data_dir) / "replicas", settings.keep_generations, listen=True
        )
    raise ConfigError(
        "POLICYKB_DATABASE_URL must be unset (embedded store) or a postgresql:// URL, "
        f"not a {scheme + '://' if scheme else 'value without a scheme'} URL"
    )


def libpq_url(url: str) -> str:
    """SQLAlchemy-style `postgresql+psycopg://` and `postgres://` as the plain URL libpq reads."""
    scheme, rest = url.split("://", 1)
    return f"postgresql://{rest}" if scheme.split("+", 1)[0].lower() in _POSTGRES_SCHEMES else url


def _require_database_url(settings: Settings) -> str:
    url = (settings.database_url or "").strip()
    if not url:
        raise ConfigError("POLICYKB_DATABASE_URL is not set: the embedded store has no schema to migrate")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise ConfigError(
            "the PostgreSQL backend is not installed (pip install -c constraints.txt -e '.[postgres]')"
        ) from None
    return libpq_url(url)


def upgrade_schema(settings: Settings) -> list[str]:
    """Apply the pending schema migrations to the configured database; the names applied."""
    from policykb.index.storage import pgschema

    return pgschema.upgrade(_require_database_url(settings))


def schema_status(settings: Settings) -> dict[str, object]:
    """{"current": n, "latest": m, "pending": [...]} of the configured database."""
    import psycopg

    from policykb.index.storage import pgschema

    with psycopg.connect(_require_database_url(settings)) as conn:
        found = pgschema.status(conn)
    return {"current": found.current, "latest": found.latest, "pending": found.pending}
