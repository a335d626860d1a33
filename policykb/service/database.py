"""The database's schema, for the CLI's `db` commands (the backend applies migrations on start too)."""

from policykb.index.storage.factory import schema_status, upgrade_schema

__all__ = ["schema_status", "upgrade_schema"]
