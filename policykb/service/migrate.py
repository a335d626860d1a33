"""Move a knowledge base between backends (embedded data folder <-> PostgreSQL) without re-embedding:
documents, chunks, fingerprints, duplicates, doc-type reasons, uploaded originals and every cached
vector are copied through the `Catalog` interface, then the target publishes a snapshot."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from policykb.core.errors import ConfigError, StorageError
from policykb.core.settings import Settings, load_settings
from policykb.index.storage.base import Storage
from policykb.index.storage.factory import open_storage

VECTOR_BATCH = 2_000


@dataclass
class MigrationReport:
    documents: int = 0
    chunks: int = 0
    duplicates: int = 0
    originals: int = 0
    vectors: dict[str, int] = field(default_factory=dict)
    generation: str | None = None


def settings_for(location: str, base: Settings) -> Settings:
    """A postgresql:// URL or a data folder, as settings naming that store."""
    if "://" in location:
        return load_settings(**{**base.model_dump(), "database_url": location})
    return load_settings(**{**base.model_dump(), "data_dir": Path(location), "database_url": None})


def migrate(source_location: str, target_location: str, base: Settings, model: str | None = None) -> MigrationReport:
    source_settings = settings_for(source_location, base)
    if not source_settings.database_url and not (Path(source_location) / "registry.sqlite").is_file():
        raise ConfigError(f"{source_location} holds no knowledge base (no registry.sqlite)")
    source = open_storage(source_settings)
    try:
        target = open_storage(settings_for(target_location, base))
        try:
            return copy_catalog(source, target, model)
        finally:
            target.close()
    finally:
        source.close()


def copy_catalog(source: Storage, target: Storage, model: str | None = None) -> MigrationReport:
    """Copy everything from `source` into the empty `target` and publish it there."""
    held = target.catalog.counts()["documents"]
    if held:
        raise StorageError(f"the target already holds {held} documents; migrate into an empty knowledge base")
    models = source.catalog.embedding_models()
    if model is None and len(models) > 1:
        raise ConfigError(f"the source holds vectors of several models ({', '.join(models)}): choose one with --model")
    if model is not None and model not in models:
        raise ConfigError(f"the source holds no vectors of {model!r} (it has: {', '.join(models) or 'none'})")
    published = model or next(iter(models), None)
    report = MigrationReport()
    with source.writer_lock(), target.writer_lock():
        records = source.catalog.files()
        for record in records:
            if record.doc_id is None or record.duplicate_of is not None:
                continue
            document = source.catalog.document(record.doc_id)
            if document is None:
                continue
            chunks = source.catalog.chunks(document.doc_id)
            target.catalog.save_document(document, chunks, record, source.catalog.doc_type_reasons(document.doc_id))
            report.documents += 1
            report.chunks += len(chunks)
            original = source.catalog.original(document.path)
            if original is not None:
                target.catalog.store_original(document.path, original)
                report.originals += 1
        for record in records:
            if record.duplicate_of is not None:
                target.catalog.record_duplicate(record)
                report.duplicates += 1
        for name in models:
            shas, vectors = source.catalog.embeddings(name)
            for start in range(0, len(shas), VECTOR_BATCH):
                target.catalog.store_embeddings(
                    name, shas[start : start + VECTOR_BATCH], vectors[start : start + VECTOR_BATCH]
                )
            report.vectors[name] = len(shas)
        if published is not None:
            report.generation = target.publish(published, models[published]).name
    return report
