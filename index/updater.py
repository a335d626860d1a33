"""Ingest orchestration: discovery -> two gates (stat, then content hash) -> parse and chunk -> catalog
-> embed only new chunk texts -> publish a new snapshot.

Written against the storage interfaces (index/storage/base.py), so any backend serves. One writer at a
time (the backend's writer lock); readers are never blocked.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from policykb.core.errors import IngestError
from policykb.core.text import SEARCH_TEXT_VERSION
from policykb.core.types import Document
from policykb.index.embedders import Embedder
from policykb.index.embedders.batching import LengthBatches
from policykb.index.storage.base import FileRecord, IndexHealth, Storage
from policykb.ingest.chunker import Chunker
from policykb.ingest.limits import ParseLimits
from policykb.ingest.pipeline import (
    PARSER_VERSION,
    Failure,
    SourceFile,
    build_document,
    check_file,
    discover,
    overrides_for,
    overrides_hash,
    read_bytes,
)

Progress = Callable[[str, int, int], None]  # (stage, done, total)
ShouldStop = Callable[[], bool]


class Cancelled(Exception):
    """The ingest stopped between files or batches because it was asked to. What was registered stays;
    nothing half-built is published, and the next run publishes it (the live snapshot is then `behind`)."""


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    moved: list[dict[str, str]] = field(default_factory=list)  # {"from": old source, "to": new source}
    duplicates: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)  # deleted by an admin; `policykb undelete` releases them
    failed: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    embedded: int = 0
    generation: str | None = None
    healed: str | None = None  # why the live snapshot was republished although no file changed
    doc_ids: dict[str, str] = field(default_factory=dict)  # source -> document id, of what changed

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.moved)


class Updater:
    def __init__(
        self,
        storage: Storage,
        embedder: Embedder,
        chunk_tokens: int,
        overlap_tokens: int,
        max_file_bytes: int,
        parse_limits: ParseLimits | None = None,
    ) -> None:
        self.storage = storage
        self.catalog = storage.catalog
        self.embedder = embedder
        budget = min(chunk_tokens, embedder.max_tokens)
        self.chunker = Chunker(embedder.count_tokens, budget, overlap_tokens)
        self.max_file_bytes = max_file_bytes
        self.parse_limits = parse_limits or ParseLimits()
        self.versions = (
            f"parser={PARSER_VERSION};chunker={self.chunker.version};search={SEARCH_TEXT_VERSION};"
            f"model={embedder.model_id}"
        )
        self._new_chunks = 0  # chunks registered by the running ingest, read by the embedding loop

    def ingest(
        self,
        paths: list[Path],
        prune: bool = False,
        progress: Progress | None = None,
        should_stop: ShouldStop | None = None,
        gone: list[Path] | None = None,
        roots: Sequence[Path] = (),
    ) -> IngestReport:
        """Ingest `paths`; with `prune`, forget registered files under them that no longer exist; `gone`:
        vanished files or folders (a watcher's deletions) to forget the same way; `roots`: folders that name
        the files in them (see `discover`). A vanished file whose content is among the new files moved there:
        it is not forgotten, and keeps its document at its new path."""
        started = time.perf_counter()
        report = IngestReport()
        with self.storage.writer_lock():
            self.storage.prepare_write()
            found: list[SourceFile] = []
            for item in discover(paths, roots):
                if isinstance(item, Failure):
                    report.failed.append({"path": item.path, "error": item.error})
                else:
                    found.append(item)
            if prune:
                self._prune(paths, found, report)
            if gone:
                self._prune(gone, found, report)
            report.embedded = self._ingest_and_embed(found, report, progress, should_stop or (lambda: False))
            health = self.health()
            if health.state != "ok":  # changed, or the live snapshot does not match the catalog (a crash)
                report.healed = None if report.changed or report.embedded else health.detail
                self.publish()
            live = self.storage.live()
            report.generation = live.name if live else None
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    def _ingest_and_embed(
        self, found: list[SourceFile], report: IngestReport, progress: Progress | None, should_stop: ShouldStop
    ) -> int:
        """Parsing and chunking (Python, one core) run in a thread beside the embedder (which releases the GIL),
        and chunk texts are embedded in batches of similar length as they come, so whole-ingest throughput
        stays close to the bare embedder's on the same texts sorted at once."""
        finished = threading.Event()
        self._new_chunks = 0
        batches = LengthBatches(self.embedder.count_tokens, self.embedder.batch_size)

        def produce() -> None:
            try:
                for done, source_file in enumerate(found, start=1):
                    if should_stop():
                        return
                    self._ingest_one(source_file, report)
                    if progress:
                        progress("files", done, len(found))
            finally:
                finished.set()

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="parse") as pool:
            producer = pool.submit(produce)
            embedded = 0
            checked = 0
            while not finished.is_set():
                if self._new_chunks - checked >= batches.batch_size:  # only then is the catalog asked
                    checked = self._new_chunks
                    batches.add(self.catalog.texts_without_embedding(self.embedder.model_id))
                    batches.batch_size = self.embedder.batch_size  # a GPU raises it once the model is loaded
                embedded = self._embed(batches, batches.full(), embedded, progress, should_stop)
                finished.wait(0.05)
            producer.result()  # re-raises a producer failure
        if should_stop():
            raise Cancelled("cancelled")
        batches.add(self.catalog.texts_without_embedding(self.embedder.model_id))
        embedded = self._embed(batches, batches.rest(), embedded, progress, should_stop)
        if should_stop():
            raise Cancelled("cancelled")
        return embedded

    def _embed(
        self,
        queue: LengthBatches,
        batches: Iterator[list[tuple[str, str]]],
        done: int,
        progress: Progress | None,
        should_stop: ShouldStop | None = None,
    ) -> int:
        """Embed and store `batches` taken from `queue`; returns the running count of embedded texts."""
        for batch in batches:
            if should_stop and should_stop():
                return done
            vectors = self.embedder.embed_passages([text for _, text in batch])
            self.catalog.store_embeddings(self.embedder.model_id, [sha for sha, _ in batch], vectors)
            done += len(batch)
            if progress:
                progress("embeddings", done, done + len(queue))
        return done

    def _ingest_one(self, source_file: SourceFile, report: IngestReport) -> None:
        path_str = str(source_file.path)
        try:
            st = check_file(source_file.path, self.max_file_bytes)
            overrides = overrides_for(source_file.path)
            meta_hash = overrides_hash(overrides)
            if self.catalog.is_withheld(path_str):
                report.withheld.append(source_file.source)
                return
            known = self.catalog.file(path_str)
            # The record the gates compare with: only one made under the same overrides and versions.
            prior = (
                known
                if known is not None and known.meta_hash == meta_hash and known.versions == self.versions
                else None
            )
            # Gate 1: size and modification time unchanged -> skip without reading.
            if prior is not None and prior.size == st.st_size and prior.mtime_ns == st.st_mtime_ns:
                report.unchanged.append(source_file.source)
                return
            data = read_bytes(source_file.path)
            sha256 = hashlib.sha256(data).hexdigest()
            # Gate 2: touched but identical content -> remember the new stat, skip.
            if prior is not None and prior.sha256 == sha256:
                self.catalog.touch_file(path_str, st.st_size, st.st_mtime_ns)
                report.unchanged.append(source_file.source)
                return
            record = FileRecord(path_str, st.st_size, st.st_mtime_ns, sha256, meta_hash, self.versions, None, None)
            original = self.catalog.doc_with_sha(sha256, path_str)
            moved_from = self._vanished(original) if original is not None else None
            if original is not None and moved_from is None:
                record.duplicate_of = original
                self.catalog.record_duplicate(record)
                report.duplicates.append(source_file.source)
                return
            keep_id = original if moved_from is not None else (known.doc_id if known is not None else None)
            document, chunks, reasons = build_document(
                source_file, data, sha256, overrides, self.chunker, self.parse_limits, doc_id=keep_id
            )
            record.doc_id = document.doc_id
            if moved_from is not None:
                self.catalog.move_document(document, chunks, record, reasons, moved_from.path)
                report.moved.append({"from": moved_from.source, "to": document.source})
            elif self.catalog.save_document(document, chunks, record, reasons):
                report.added.append(document.source)
            else:
                report.updated.append(document.source)
            self._new_chunks += len(chunks)
            report.doc_ids[document.source] = document.doc_id
        except IngestError as exc:
            report.failed.append({"path": source_file.source, "error": str(exc)})
        except OSError as exc:
            report.failed.append({"path": source_file.source, "error": f"cannot read: {exc.strerror or exc}"})

    def _vanished(self, doc_id: str) -> Document | None:
        """The document with this content, when its file is gone: then a file with the same content is that
        file, moved (or renamed), and keeps the document's id."""
        document = self.catalog.document(doc_id)
        return document if document is not None and not os.path.exists(document.path) else None

    def _prune(self, roots: list[Path], found: list[SourceFile], report: IngestReport) -> None:
        """Forget registered files under the given roots that no longer exist (and did not move)."""
        present = {str(f.path) for f in found}
        newcomers: list[tuple[int, Path]] | None = None  # files the catalog does not know yet, read lazily
        resolved = [str(r.resolve()) for r in roots if r.exists() or r.is_symlink()] + [
            str(r.absolute()) for r in roots if not r.exists()
        ]
        for record in self.catalog.files():
            under = any(record.path == r or record.path.startswith(r.rstrip(os.sep) + os.sep) for r in resolved)
            if under and record.path not in present and not os.path.exists(record.path):
                if newcomers is None:
                    newcomers = self._newcomers(found)
                if record.doc_id and self._moved(record, newcomers):
                    continue
                removed_source = self.catalog.forget_file(record.path)
                if removed_source:
                    report.removed.append(removed_source)
                    if record.doc_id:
                        report.doc_ids[removed_source] = record.doc_id

    def _newcomers(self, found: list[SourceFile]) -> list[tuple[int, Path]]:
        sized = []
        for f in found:
            if self.catalog.file(str(f.path)) is None:
                try:
                    sized.append((f.path.stat().st_size, f.path))
                except OSError:
                    continue
        return sized

    @staticmethod
    def _moved(record: FileRecord, newcomers: list[tuple[int, Path]]) -> bool:
        """Whether a new file holds exactly the vanished file's content (same size first, then the hash)."""
        for size, path in newcomers:
            if size == record.size:
                try:
                    if hashlib.sha256(path.read_bytes()).hexdigest() == record.sha256:
                        return True
                except OSError:
                    continue
        return False

    def health(self, deep: bool = True) -> IndexHealth:
        return self.storage.health(self.embedder.model_id, deep=deep)

    def repair(self, force: bool = True, progress: Progress | None = None) -> IndexHealth:
        """Rebuild the live snapshot from the catalog: embed what is missing, publish, clean up. Without
        `force`, only when the snapshot (checked under the lock) does not match the catalog."""
        with self.storage.writer_lock():
            self.storage.prepare_write()
            if force or self.health().state != "ok":
                self.embed_missing(progress)
                self.publish()
            return self.health()

    def delete(self, doc_id: str, withhold: bool = False) -> bool:
        with self.storage.writer_lock():
            self.storage.prepare_write()
            deleted = self.catalog.delete_document(doc_id, withhold=withhold)
            if deleted:
                self.publish()
            return deleted

    def embed_missing(self, progress: Progress | None = None) -> int:
        """Embed chunk texts that have no vector yet for this model (unchanged chunks keep theirs)."""
        batches = LengthBatches(self.embedder.count_tokens, self.embedder.batch_size)
        batches.add(self.catalog.texts_without_embedding(self.embedder.model_id))
        return self._embed(batches, batches.rest(), 0, progress)

    def publish(self) -> None:
        self.storage.publish(self.embedder.model_id, self.embedder.dim)
        self.catalog.drop_orphan_embeddings()
