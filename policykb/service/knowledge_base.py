"""The service facade: the one entry point that the CLI, the API and the UI call."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from policykb.core.errors import INTERNAL, UploadRejected
from policykb.core.events import AnswerEvent, Failed, Final, StreamEvent
from policykb.core.settings import Settings, get_settings
from policykb.core.types import Answer, Chunk, Document, DocumentInfo
from policykb.index.embedders import Embedder, get_embedder
from policykb.index.search import Filters, HybridSearcher, Mode, SearchResponse, Sort
from policykb.index.storage.base import Catalog, Storage
from policykb.index.storage.factory import open_storage
from policykb.index.updater import IngestReport, Progress, Updater
from policykb.ingest.readers import SUPPORTED_EXTENSIONS
from policykb.qa.answerer import Answerer, make_answerer
from policykb.qa.followup import condense

log = logging.getLogger("policykb.service")


def file_url(doc_id: str, source: str, page: int | None) -> str:
    """Where the faces serve a document's original file; links to PDFs open at the page."""
    url = f"/v1/documents/{doc_id}/file"
    if page and source.lower().endswith(".pdf"):
        url += f"#page={page}"
    return url


@dataclass
class Facets:
    """The values the filters can take now (uploads since the server started included)."""

    organisations: list[str]
    years: list[str]  # newest first


@dataclass
class Status:
    documents: int
    chunks: int
    generation: str | None
    indexed_chunks: int
    embedder: str


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
    def storage(self) -> Storage:
        """The backend chosen by settings (embedded unless POLICYKB_DATABASE_URL says otherwise)."""
        return open_storage(self.settings)

    @property
    def catalog(self) -> Catalog:
        return self.storage.catalog

    @cached_property
    def updater(self) -> Updater:
        s = self.settings
        return Updater(
            self.storage,
            self.embedder,
            chunk_tokens=s.chunk_tokens,
            overlap_tokens=s.chunk_overlap_tokens,
            max_file_bytes=int(s.max_file_mb * 1024 * 1024),
        )

    @cached_property
    def searcher(self) -> HybridSearcher:
        s = self.settings
        return HybridSearcher(self.storage.snapshots, self.embedder, s.candidates, s.fusion, s.dense_weight, s.rrf_k)

    @cached_property
    def answerer(self) -> Answerer:
        return make_answerer(self.settings, self.embedder)

    # -------------------------------------------------------------------------------------------- writes

    def ingest(self, paths: list[Path], prune: bool = False, progress: Progress | None = None) -> IngestReport:
        return self.updater.ingest(paths, prune=prune, progress=progress)

    def store_upload(self, filename: str, data: bytes) -> Path:
        """Keep an uploaded file under data/originals/<content hash>/ (so /file can serve it) and return its path.
        Only a sanitised base name of the client's filename is used: no request path reaches the filesystem."""
        name = re.sub(r"[^A-Za-z0-9._ -]+", "_", Path(filename or "").name).strip(" .") or "upload"
        if Path(name).suffix.lower() not in SUPPORTED_EXTENSIONS:
            raise UploadRejected(
                f"{name}: unsupported file type (supported: {', '.join(SUPPORTED_EXTENSIONS)})", "unsupported_type"
            )
        if len(data) > self.settings.max_upload_mb * 1024 * 1024:
            raise UploadRejected(f"{name}: over the {self.settings.max_upload_mb:g} MB upload limit", "too_large")
        folder = self.data_dir / "originals" / hashlib.sha256(data).hexdigest()[:16]
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / name
        target.write_bytes(data)
        self.catalog.store_original(str(target), data)  # served by every replica sharing the catalog
        return target

    @staticmethod
    def upload_types() -> tuple[str, ...]:
        """The file extensions an upload may have: those the readers read."""
        return SUPPORTED_EXTENSIONS

    def delete(self, doc_id: str) -> bool:
        return self.updater.delete(doc_id)

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
            if isinstance(event, Final):
                return event.answer
        raise RuntimeError("the answerer's stream ended without a Final answer")

    def ask_stream(
        self, question: str, filters: Filters | None = None, history: list[dict] | None = None
    ) -> Iterator[AnswerEvent]:
        """`Token`s as the answer is written, then one `Final` answer; errors are raised."""
        question = question.strip()
        history = history or []
        answerer = self.answerer
        query = condense(question, history, answerer.rewrite_followup)
        response = self.search(query, k=self.settings.answer_passages, filters=filters)
        yield from answerer.stream(query, response, focus=question if query != question else None)

    def ask_events(
        self, question: str, filters: Filters | None = None, history: list[dict] | None = None
    ) -> Iterator[StreamEvent]:
        """For faces that stream a response whose status is already sent: `ask_stream`'s events, and a
        failure as a last `Failed` event (logged here) instead of an exception."""
        try:
            yield from self.ask_stream(question, filters, history)
        except Exception as exc:
            failed = Failed.of(exc)
            if failed.kind == INTERNAL:
                log.exception("answering failed")
            else:
                log.warning("answering failed: %s", exc)
            yield failed

    def documents(self, filters: Filters | None = None) -> list[DocumentInfo]:
        """Every document's metadata (no text: see `document`), newest first; with `filters`, those they
        match (the same semantics as search)."""
        documents = self.catalog.documents()
        if filters is None or filters.is_empty():
            return documents
        return [d for d in documents if filters.matches(d.doc_type, d.organisations, d.language, d.source, d.date)]

    def facets(self) -> Facets:
        documents = self.catalog.documents()
        return Facets(
            sorted({o for d in documents for o in d.organisations}),
            sorted({d.date[:4] for d in documents if d.date}, reverse=True),
        )

    def document(self, doc_id: str) -> Document | None:
        return self.catalog.document(doc_id)

    def original(self, document: Document) -> bytes | None:
        """The document's original file: from disk where it was ingested, else as the catalog kept it."""
        path = Path(document.path)
        if path.is_file():
            return path.read_bytes()
        return self.catalog.original(document.path)

    def chunks(self, doc_id: str) -> list[Chunk]:
        return self.catalog.chunks(doc_id)

    def chunk(self, chunk_id: str) -> Chunk | None:
        return self.catalog.chunk(chunk_id)

    def is_empty(self) -> bool:
        return self.storage.live() is None or self.catalog.counts()["chunks"] == 0

    def status(self) -> Status:
        counts = self.catalog.counts()
        live = self.storage.live()
        return Status(
            counts["documents"],
            counts["chunks"],
            live.name if live else None,
            live.chunks if live else 0,
            self.settings.embedder,
        )
