"""The service facade: the one entry point that the CLI, the API and the UI call."""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from policykb.core.durable import atomic_write
from policykb.core.errors import StorageError
from policykb.core.settings import Settings, get_settings
from policykb.core.types import Answer, Chunk, Document
from policykb.index.embedders import Embedder, get_embedder
from policykb.index.generation import GenerationReader, IndexUnavailable, current_manifest
from policykb.index.health import IndexHealth
from policykb.index.registry import Registry
from policykb.index.search import Filters, HybridSearcher, Mode, SearchResponse, Sort
from policykb.index.updater import IngestReport, Progress, ShouldStop, Updater
from policykb.ingest.limits import ParseLimits
from policykb.ingest.readers import SUPPORTED_EXTENSIONS
from policykb.qa.answerers import answer_events, make_answerer
from policykb.qa.followup import condense
from policykb.qa.generative import OpenAICompatibleAnswerer
from policykb.service.auth import AccessGuard


def file_url(doc_id: str, source: str, page: int | None) -> str:
    """Where the faces serve a document's original file; links to PDFs open at the page."""
    url = f"/v1/documents/{doc_id}/file"
    if page and source.lower().endswith(".pdf"):
        url += f"#page={page}"
    return url


MAX_NAME_BYTES = 255  # what common filesystems allow for one name


class UploadError(ValueError):
    """An upload refused before ingestion (type, size); the message is shown to the user."""

    def __init__(self, message: str, status: int = 415) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Status:
    documents: int
    chunks: int
    generation: str | None
    indexed_chunks: int
    embedder: str
    index: str  # ok | empty | behind | damaged | missing (see policykb.index.health)
    index_detail: str
    registry: str  # "ok" or SQLite's quick_check complaint


class KnowledgeBase:
    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None) -> None:
        self.settings = settings or get_settings()
        self.data_dir = Path(self.settings.data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._embedder = embedder

    @cached_property
    def embedder(self) -> Embedder:
        return self._embedder or get_embedder(self.settings)

    @cached_property
    def access(self) -> AccessGuard:
        """The one key check (and wrong-key throttle) shared by the REST routes and the UI."""
        return AccessGuard(self.settings)

    @cached_property
    def registry(self) -> Registry:
        return Registry(self.data_dir / "registry.sqlite")

    @cached_property
    def updater(self) -> Updater:
        s = self.settings
        return Updater(
            self.registry,
            self.embedder,
            self.data_dir,
            chunk_tokens=s.chunk_tokens,
            overlap_tokens=s.chunk_overlap_tokens,
            max_file_bytes=int(s.max_file_mb * 1024 * 1024),
            exact_search_max_chunks=s.exact_search_max_chunks,
            keep_generations=s.keep_generations,
            parse_limits=ParseLimits(s.max_pages, s.max_chars, s.parse_timeout_s),
        )

    @cached_property
    def searcher(self) -> HybridSearcher:
        reader = GenerationReader(self.data_dir, self.settings.search_threads, self.settings.ivf_nprobe)
        s = self.settings
        return HybridSearcher(reader, self.embedder, s.candidates, s.fusion, s.dense_weight, s.rrf_k)

    @cached_property
    def answerer(self):  # type: ignore[no-untyped-def]
        return make_answerer(self.settings, self.embedder)

    # -------------------------------------------------------------------------------------------- writes

    def ingest(
        self,
        paths: list[Path],
        prune: bool = False,
        progress: Progress | None = None,
        should_stop: ShouldStop | None = None,
    ) -> IngestReport:
        """Add, update (and with `prune`, forget) documents; `should_stop` is asked between files and batches."""
        return self.updater.ingest(paths, prune=prune, progress=progress, should_stop=should_stop)

    def store_upload(self, filename: str, data: bytes) -> Path:
        """Keep an uploaded file under data/originals/<content hash>/ (so /file can serve it) and return its path.
        Only a sanitised base name of the client's filename is used: no request path reaches the filesystem.
        The file is on disk (fsynced) when this returns; a refused or failed write leaves nothing behind."""
        name = re.sub(r"[^A-Za-z0-9._ -]+", "_", Path(filename or "").name).strip(" .") or "upload"
        if len(name.encode()) > MAX_NAME_BYTES:
            raise UploadError(f"{name[:40]}…: the file name is longer than {MAX_NAME_BYTES} bytes; rename it", 400)
        if Path(name).suffix.lower() not in SUPPORTED_EXTENSIONS:
            raise UploadError(f"{name}: unsupported file type (supported: {', '.join(SUPPORTED_EXTENSIONS)})")
        if len(data) > self.settings.max_upload_mb * 1024 * 1024:
            raise UploadError(f"{name}: over the {self.settings.max_upload_mb:g} MB upload limit", 413)
        folder = self.originals / hashlib.sha256(data).hexdigest()[:16]
        target = folder / name
        created = not folder.exists()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            atomic_write(target, data)
        except OSError as exc:
            if created:
                shutil.rmtree(folder, ignore_errors=True)
            raise StorageError(f"{name}: the upload could not be stored: {exc.strerror or exc}") from exc
        return target

    @property
    def originals(self) -> Path:
        return self.data_dir / "originals"

    def delete(self, doc_id: str) -> bool:
        """Remove a document everywhere. An uploaded original is deleted from disk; a file in a corpus folder
        stays where it is but is withheld from re-scans until `undelete` releases it."""
        document = self.registry.document(doc_id)
        if document is None:
            return False
        path = Path(document.path)
        uploaded = path.resolve().is_relative_to(self.originals.resolve())
        deleted = self.updater.delete(doc_id, withhold=not uploaded)
        if deleted and uploaded:
            shutil.rmtree(path.parent, ignore_errors=True)
        return deleted

    def undelete(self, path_or_source: str) -> list[str]:
        """Let re-scans index deleted corpus files again (by path or source); returns the paths released."""
        return self.registry.release(path_or_source)

    def withheld(self) -> list[tuple[str, str]]:
        return self.registry.withheld()

    # -------------------------------------------------------------------------------------------- reads

    def search(
        self,
        query: str,
        k: int = 10,
        filters: Filters | None = None,
        sort: Sort = "relevance",
        mode: Mode = "hybrid",
    ) -> SearchResponse:
        return self.searcher.search(query, k=k, filters=filters, sort=sort, mode=mode)

    def ask(self, question: str, filters: Filters | None = None, history: list[dict] | None = None) -> Answer:
        """A short answer in which every sentence cites the passage it comes from, or an honest refusal."""
        for event in self.ask_stream(question, filters, history):
            if event["type"] == "answer":
                return event["answer"]
        raise RuntimeError("the answerer produced no answer")

    def ask_stream(self, question: str, filters: Filters | None = None, history: list[dict] | None = None):  # type: ignore[no-untyped-def]
        """Events for streaming faces: {"type": "token", "text"}… then {"type": "answer", "answer": Answer}."""
        question = question.strip()
        history = history or []
        answerer = self.answerer
        rewrite = answerer.rewrite if isinstance(answerer, OpenAICompatibleAnswerer) else None
        query = condense(question, history, rewrite)
        response = self.search(query, k=self.settings.answer_passages, filters=filters)
        yield from answer_events(answerer, query, response, focus=question if query != question else None)

    def documents(self) -> list[Document]:
        return self.registry.documents()

    def document(self, doc_id: str) -> Document | None:
        return self.registry.document(doc_id)

    def chunks(self, doc_id: str) -> list[Chunk]:
        return self.registry.chunks(doc_id)

    def chunk(self, chunk_id: str) -> Chunk | None:
        return self.registry.chunk(chunk_id)

    def is_empty(self) -> bool:
        return current_manifest(self.data_dir) is None or self.registry.counts()["chunks"] == 0

    def status(self, deep: bool = True) -> Status:
        """Counts, and whether the live generation matches the registry. `deep` verifies every index file's
        checksum and runs SQLite's quick_check (for `policykb status`); shallow is cheap (for probes)."""
        counts = self.registry.counts()
        manifest = current_manifest(self.data_dir) or {}
        health = self._loadable(self.updater.health(deep=deep))
        return Status(
            counts["documents"],
            counts["chunks"],
            manifest.get("name"),
            manifest.get("chunks", 0),
            self.settings.embedder,
            health.state,
            health.detail,
            self._registry_check() if deep else "not checked",
        )

    def _registry_check(self) -> str:
        problems = [p for p in (self.registry.quick_check(), self.registry.wal_problem) if p and p != "ok"]
        return "; ".join(problems) or "ok"

    def _loadable(self, health: IndexHealth) -> IndexHealth:
        """The searcher's own view: a generation whose files fail to load is damaged, whatever they hash to."""
        if not health.serving:
            return health
        try:
            self.searcher.reader.current()
        except IndexUnavailable as exc:
            return IndexHealth("damaged", str(exc), health.generation)
        return health

    def repair(self, force: bool = True) -> IndexHealth:
        """Rebuild the live generation from the registry (after a crash, a full disk or damaged files);
        without `force` only when it does not match the registry. Uploaded originals the registry does not
        know (its last transactions were lost) are ingested again first: nothing accepted is lost."""
        lost = [path for path in self._uploaded_files() if self.registry.file(str(path)) is None]
        if lost:
            self.ingest(lost)
        return self.updater.repair(force=force)

    def _uploaded_files(self) -> list[Path]:
        if not self.originals.is_dir():
            return []
        return sorted(p for p in self.originals.glob("*/*") if p.is_file() and not p.name.startswith("."))
