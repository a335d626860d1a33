"""Ingest orchestration: discovery -> two gates (stat, then content hash) -> parse and chunk -> registry
-> embed only new chunk texts -> build and publish a new generation.

One writer at a time (a file lock under the data dir); readers are never blocked.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from policykb.core.errors import StorageError
from policykb.index.embedders import Embedder
from policykb.index.generation import build_generation, current_manifest, remove_old_generations, remove_staging
from policykb.index.health import IndexHealth, index_health
from policykb.index.registry import FileRecord, Registry
from policykb.ingest.chunker import Chunker
from policykb.ingest.limits import ParseLimits
from policykb.ingest.parsed import IngestError
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

log = logging.getLogger("policykb.writer")
Progress = Callable[[str, int, int], None]  # (stage, done, total)
ShouldStop = Callable[[], bool]


class Cancelled(Exception):
    """The ingest stopped between files or batches because it was asked to. What was registered stays;
    nothing half-built is published, and the next run publishes it (see `Updater.heal`)."""


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)  # deleted by an admin; `policykb undelete` releases them
    failed: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    embedded: int = 0
    generation: str | None = None
    healed: str | None = None  # why the live generation was republished although no file changed

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


class WriterBusy(RuntimeError):
    pass


@contextmanager
def writer_lock(data_dir: Path, wait: bool = True) -> Iterator[None]:
    """Serialises writers (CLI ingest, API uploads) across processes; says so when it has to wait."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "writer.lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            if not wait:
                raise WriterBusy("another ingest is running") from exc
            log.warning("another ingest or delete holds %s; waiting for it to finish", data_dir / "writer.lock")
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class Updater:
    def __init__(
        self,
        registry: Registry,
        embedder: Embedder,
        data_dir: Path,
        chunk_tokens: int,
        overlap_tokens: int,
        max_file_bytes: int,
        exact_search_max_chunks: int,
        keep_generations: int = 2,
        parse_limits: ParseLimits | None = None,
    ) -> None:
        self.registry = registry
        self.embedder = embedder
        self.data_dir = data_dir
        budget = min(chunk_tokens, embedder.max_tokens)
        self.chunker = Chunker(embedder.count_tokens, budget, overlap_tokens)
        self.max_file_bytes = max_file_bytes
        self.exact_max = exact_search_max_chunks
        self.keep_generations = keep_generations
        self.parse_limits = parse_limits or ParseLimits()
        self.versions = f"parser={PARSER_VERSION};chunker={self.chunker.version};model={embedder.model_id}"
        self._new_chunks = 0  # chunks registered by the running ingest, read by the embedding loop

    def ingest(
        self,
        paths: list[Path],
        prune: bool = False,
        progress: Progress | None = None,
        should_stop: ShouldStop | None = None,
    ) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        with writer_lock(self.data_dir):
            self._start_writing()
            found: list[SourceFile] = []
            for item in discover(paths):
                if isinstance(item, Failure):
                    report.failed.append({"path": item.path, "error": item.error})
                else:
                    found.append(item)
            if prune:
                self._prune(paths, {str(f.path) for f in found}, report)
            report.embedded = self._ingest_and_embed(found, report, progress, should_stop or (lambda: False))
            health = self.health()
            if health.state != "ok":
                report.healed = None if report.changed or report.embedded else health.detail
                self.publish()
            manifest = current_manifest(self.data_dir)
            report.generation = manifest["name"] if manifest else None
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    def _ingest_and_embed(
        self, found: list[SourceFile], report: IngestReport, progress: Progress | None, should_stop: ShouldStop
    ) -> int:
        """Parsing and chunking (Python, one core) run in a thread beside the embedder (torch, which releases
        the GIL), so whole-ingest throughput stays close to the bare embedder's."""
        finished = threading.Event()
        self._new_chunks = 0

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
                if self._new_chunks - checked >= self.EMBED_BATCH:  # only then is the registry asked
                    checked = self._new_chunks
                    embedded += self.embed_missing(progress, minimum=self.EMBED_BATCH, should_stop=should_stop)
                finished.wait(0.2)
            producer.result()  # re-raises a producer failure
        if should_stop():
            raise Cancelled("cancelled")
        embedded += self.embed_missing(progress, should_stop=should_stop)
        if should_stop():
            raise Cancelled("cancelled")
        return embedded

    def _ingest_one(self, source_file: SourceFile, report: IngestReport) -> None:
        path_str = str(source_file.path)
        try:
            st = check_file(source_file.path, self.max_file_bytes)
            overrides = overrides_for(source_file.path)
            meta_hash = overrides_hash(overrides)
            if self.registry.is_withheld(path_str):
                report.withheld.append(source_file.source)
                return
            known = self.registry.file(path_str)
            same_config = known is not None and known.meta_hash == meta_hash and known.versions == self.versions
            # Gate 1: size and modification time unchanged -> skip without reading.
            if same_config and known.size == st.st_size and known.mtime_ns == st.st_mtime_ns:
                report.unchanged.append(source_file.source)
                return
            data = read_bytes(source_file.path)
            sha256 = hashlib.sha256(data).hexdigest()
            # Gate 2: touched but identical content -> remember the new stat, skip.
            if same_config and known.sha256 == sha256:
                self.registry.touch_file(path_str, st.st_size, st.st_mtime_ns)
                report.unchanged.append(source_file.source)
                return
            record = FileRecord(path_str, st.st_size, st.st_mtime_ns, sha256, meta_hash, self.versions, None, None)
            original = self.registry.doc_with_sha(sha256, path_str)
            if original is not None:
                record.duplicate_of = original
                self.registry.record_duplicate(record)
                report.duplicates.append(source_file.source)
                return
            document, chunks, reasons = build_document(
                source_file, data, sha256, overrides, self.chunker, self.parse_limits
            )
            record.doc_id = document.doc_id
            is_new = self.registry.save_document(document, chunks, record, reasons)
            self._new_chunks += len(chunks)
            (report.added if is_new else report.updated).append(source_file.source)
        except IngestError as exc:
            report.failed.append({"path": source_file.source, "error": str(exc)})
        except OSError as exc:
            report.failed.append({"path": source_file.source, "error": f"cannot read: {exc.strerror or exc}"})

    def _prune(self, roots: list[Path], present: set[str], report: IngestReport) -> None:
        """Forget registered files under the given roots that no longer exist."""
        resolved = [str(r.resolve()) for r in roots if r.exists() or r.is_symlink()] + [
            str(r.absolute()) for r in roots if not r.exists()
        ]
        for record in self.registry.files():
            under = any(record.path == r or record.path.startswith(r.rstrip(os.sep) + os.sep) for r in resolved)
            if under and record.path not in present and not os.path.exists(record.path):
                removed_source = self.registry.forget_file(record.path)
                if removed_source:
                    report.removed.append(removed_source)

    def health(self, deep: bool = True) -> IndexHealth:
        return index_health(self.registry, self.data_dir, self.embedder.model_id, deep=deep)

    def _start_writing(self) -> None:
        """Under the writer lock: refuse a damaged registry, clear what dead writers left behind."""
        problem = self.registry.quick_check()
        if problem != "ok":
            raise StorageError(f"the registry database is damaged ({problem}); restore data/registry.sqlite "
                               "from a backup, or move it away and ingest the sources again")  # fmt: skip
        if self.registry.wal_problem:
            log.warning(
                "%s: the last registry changes are lost; this ingest re-registers them", self.registry.wal_problem
            )
        for name in remove_staging(self.data_dir):
            log.warning("removed %s, left by an ingest that did not finish", name)

    def repair(self, force: bool = True, progress: Progress | None = None) -> IndexHealth:
        """Rebuild the live generation from the registry: embed what is missing, publish, clean up.
        Without `force`, only when the generation (checked under the lock) does not match the registry."""
        with writer_lock(self.data_dir):
            self._start_writing()
            if force or self.health().state != "ok":
                self.embed_missing(progress)
                self.publish()
            return self.health()

    def delete(self, doc_id: str, withhold: bool = False) -> bool:
        with writer_lock(self.data_dir):
            self._start_writing()
            deleted = self.registry.delete_document(doc_id, withhold=withhold)
            if deleted:
                self.publish()
            return deleted

    EMBED_BATCH = 256

    def embed_missing(
        self, progress: Progress | None = None, minimum: int = 1, should_stop: ShouldStop | None = None
    ) -> int:
        """Embed chunk texts that have no vector yet for this model (unchanged chunks keep theirs).
        With `minimum`, wait until at least that many are pending (and embed only whole batches)."""
        missing = self.registry.texts_without_embedding(self.embedder.model_id)
        if len(missing) < minimum:
            return 0
        missing.sort(key=lambda item: len(item[1]))
        batch = self.EMBED_BATCH
        if minimum > 1:
            missing = missing[: len(missing) - len(missing) % batch]
        for start in range(0, len(missing), batch):
            if should_stop and should_stop():
                return start
            part = missing[start : start + batch]
            vectors = self.embedder.embed_passages([text for _, text in part])
            self.registry.store_embeddings(self.embedder.model_id, [sha for sha, _ in part], vectors)
            if progress:
                progress("embeddings", min(start + batch, len(missing)), len(missing))
        return len(missing)

    def publish(self) -> None:
        build_generation(self.registry, self.data_dir, self.embedder.model_id, self.embedder.dim, self.exact_max)
        self.registry.drop_orphan_embeddings()
        remove_old_generations(self.data_dir, self.keep_generations)
