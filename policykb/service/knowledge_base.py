"""The service facade: the one entry point that the CLI, the API and the UI call."""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from policykb.core.durable import atomic_write
from policykb.core.errors import INTERNAL, NotFound, StorageError, UploadRejected
from policykb.core.events import AnswerEvent, Failed, Final, StreamEvent
from policykb.core.filters import Filters, document_matches_filter
from policykb.core.settings import Settings, get_settings
from policykb.core.types import (
    Answer,
    Chunk,
    Document,
    DocumentInfo,
    SearchGroup,
    SearchHit,
    SearchResponse,
    TimelineOrder,
    doc_type_label,
)
from policykb.index.embedders import Embedder, get_embedder
from policykb.index.lexical import similarity_query
from policykb.index.rerank import RerankModel
from policykb.index.search import HybridSearcher, Mode, Sort
from policykb.index.storage.base import Catalog, IndexHealth, IndexUnavailable, Storage
from policykb.index.storage.factory import open_storage
from policykb.index.updater import IngestReport, Progress, ShouldStop, Updater
from policykb.ingest.limits import ParseLimits
from policykb.ingest.readers import SUPPORTED_EXTENSIONS
from policykb.qa.answerer import Answerer, make_answerer
from policykb.qa.followup import condense
from policykb.service.auth import AccessGuard
from policykb.service.grouping import by_date, group_by_document, passages_for

log = logging.getLogger("policykb.service")


MAX_NAME_BYTES = 255  # what common filesystems allow for one name


def file_url(doc_id: str, source: str, page: int | None) -> str:
    """Where the faces serve a document's original file; links to PDFs open at the page."""
    url = f"/v1/documents/{doc_id}/file"
    if page and source.lower().endswith(".pdf"):
        url += f"#page={page}"
    return url


def passage_url(
    doc_id: str, source: str, page: int | None, chunk_id: str | None = None, quote: tuple[int, int] | None = None
) -> str:
    """Where a passage can be read in its original: a PDF at its page; anything else in the reading view of
    the document's text, scrolled to the passage and with the quoted span (document offsets) marked."""
    if source.lower().endswith(".pdf"):
        return file_url(doc_id, source, page)
    marked = f"?start={quote[0]}&end={quote[1]}" if quote else ""
    return f"/v1/documents/{doc_id}/read{marked}" + (f"#chunk-{chunk_id}" if chunk_id else "")


@dataclass
class FacetValue:
    value: str
    label: str  # what people call it: "Press release"
    count: int  # documents with it


@dataclass
class Facets:
    """The values the filters can take now (uploads since the server started included); a value no
    document has is never offered."""

    doc_types: list[FacetValue]  # most documents first
    organisations: list[str]
    years: list[str]  # newest first
    meetings: list[FacetValue]  # newest session first within each body: WHA77, WHA76, ..., EB154, ...


@dataclass
class Status:
    documents: int
    chunks: int
    generation: str | None
    indexed_chunks: int
    embedder: str
    index: str  # ok | empty | behind | damaged | missing (see IndexHealth)
    index_detail: str
    registry: str  # "ok" or what the catalog's own check found


def _meeting_order(label: str) -> tuple[str, int, str]:
    """WHA77 before WHA76, each body together: (body and region, minus the session number, label)."""
    m = re.fullmatch(r"([A-Za-z]+)(\d+)(.*)", label)
    return (m.group(1) + m.group(3), -int(m.group(2)), label) if m else (label, 0, label)


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
            parse_limits=ParseLimits(s.max_pages, s.max_chars, s.parse_timeout_s),
        )

    @cached_property
    def searcher(self) -> HybridSearcher:
        s = self.settings
        return HybridSearcher(
            self.storage.snapshots,
            self.embedder,
            s.candidates,
            s.fusion,
            s.dense_weight,
            s.rrf_k,
            rerank=RerankModel.load() if s.rerank else None,
        )

    @cached_property
    def answerer(self) -> Answerer:
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
            raise UploadRejected(
                f"{name[:40]}…: the file name is longer than {MAX_NAME_BYTES} bytes; rename it", "bad_name"
            )
        if Path(name).suffix.lower() not in SUPPORTED_EXTENSIONS:
            raise UploadRejected(
                f"{name}: unsupported file type (supported: {', '.join(SUPPORTED_EXTENSIONS)})", "unsupported_type"
            )
        if len(data) > self.settings.max_upload_mb * 1024 * 1024:
            raise UploadRejected(f"{name}: over the {self.settings.max_upload_mb:g} MB upload limit", "too_large")
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
        self.catalog.store_original(str(target), data)  # served by every replica sharing the catalog
        return target

    @property
    def originals(self) -> Path:
        return self.data_dir / "originals"

    @staticmethod
    def upload_types() -> tuple[str, ...]:
        """The file extensions an upload may have: those the readers read."""
        return SUPPORTED_EXTENSIONS

    def delete(self, doc_id: str) -> bool:
        """Remove a document everywhere. An uploaded original is deleted from disk; a file in a corpus folder
        stays where it is but is withheld from re-scans until `undelete` releases it."""
        document = self.catalog.document(doc_id)
        if document is None:
            return False
        path = Path(document.path)
        uploaded = path.resolve().is_relative_to(self.originals.resolve()) or (
            not path.is_file() and self.catalog.original(document.path) is not None  # another replica's upload
        )
        deleted = self.updater.delete(doc_id, withhold=not uploaded)
        if deleted and uploaded:
            shutil.rmtree(path.parent, ignore_errors=True)
        return deleted

    def undelete(self, path_or_source: str) -> list[str]:
        """Let re-scans index deleted corpus files again (by path or source); returns the paths released."""
        return self.catalog.release(path_or_source)

    def withheld(self) -> list[tuple[str, str]]:
        return self.catalog.withheld()

    def repair(self, force: bool = True) -> IndexHealth:
        """Rebuild the live snapshot from the catalog (after a crash, a full disk or damaged files); without
        `force` only when it does not match the catalog. Uploaded originals the catalog does not know (its
        last transactions were lost) are ingested again first: nothing accepted is lost."""
        lost = [path for path in self._uploaded_files() if self.catalog.file(str(path)) is None]
        if lost:
            self.ingest(lost)
        return self.updater.repair(force=force)

    def _uploaded_files(self) -> list[Path]:
        if not self.originals.is_dir():
            return []
        return sorted(p for p in self.originals.glob("*/*") if p.is_file() and not p.name.startswith("."))

    # -------------------------------------------------------------------------------------------- reads

    def search(
        self,
        query: str,
        k: int = 10,
        filters: Filters | None = None,
        sort: Sort = "relevance",
        mode: Mode = "hybrid",
        group: SearchGroup = "passage",
    ) -> SearchResponse:
        """The top `k` passages, or with `group="document"` the top `k` documents, each as its best passage
        with its other ranked passages in `more` (what the faces show by default)."""
        if group == "passage":
            return self.searcher.search(query, k=k, filters=filters, sort=sort, mode=mode)
        depth = passages_for(k, self.settings.candidates)
        response = self.searcher.search(query, k=depth, filters=filters, sort=sort, mode=mode)
        response.results = group_by_document(response.results, k)
        return response

    def more_like(
        self,
        chunk_id: str | None = None,
        doc_id: str | None = None,
        k: int = 10,
        filters: Filters | None = None,
        mode: Mode = "hybrid",
        group: SearchGroup = "passage",
    ) -> SearchResponse:
        """Passages (or documents) like one passage or one document: its text is the query, read as text
        only (never as query syntax); the passage itself, or the whole document, is left out. Raises
        NotFound for an unknown id."""
        if (chunk_id is None) == (doc_id is None):
            raise ValueError("more_like needs exactly one of chunk_id and doc_id")
        keep: Callable[[SearchHit], bool]
        if chunk_id is not None:
            chunk = self.chunk(chunk_id)
            if chunk is None:
                raise NotFound(f"no passage with id {chunk_id!r}")
            text, keep = chunk.text, lambda h: h.chunk_id != chunk_id
        else:
            document = self.document(doc_id or "")
            if document is None:
                raise NotFound(f"no document with id {doc_id!r}")
            text, keep = self._document_gist(document), lambda h: h.doc_id != doc_id
        one_passage_out = chunk_id is not None and group == "passage"
        depth = k + 1 if one_passage_out else passages_for(k + 1, self.settings.candidates)
        response = self.searcher.search(similarity_query(text), k=depth, filters=filters, mode=mode)
        hits = [h for h in response.results if keep(h)]
        response.results = hits[:k] if group == "passage" else group_by_document(hits, k)
        return response

    def _document_gist(self, document: Document, chars: int = 1500) -> str:
        """What a document is about, as a similarity query: its title and its opening passages."""
        parts, used = [document.title], len(document.title)
        for chunk in self.chunks(document.doc_id):
            if used >= chars:
                break
            parts.append(chunk.text[: chars - used])
            used += len(parts[-1])
        return "\n".join(parts)

    def timeline(
        self,
        query: str,
        k: int = 20,
        filters: Filters | None = None,
        order: TimelineOrder = "oldest",
        mode: Mode = "hybrid",
    ) -> SearchResponse:
        """The `k` documents most relevant to `query`, each with its best passage, in date order (undated
        last): what has been said about something, as a history."""
        response = self.search(query, k=k, filters=filters, mode=mode, group="document")
        response.results = by_date(response.results, order)
        return response

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
        response = self.search(query, k=self.settings.answer_passages, filters=filters, group="passage")
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

    def count_tokens(self, texts: list[str]) -> int:
        """Tokens in `texts` by the embedder's own tokenizer: what the faces report as usage."""
        return sum(self.embedder.count_tokens(texts)) if texts else 0

    def documents(self, filters: Filters | None = None) -> list[DocumentInfo]:
        """Every document's metadata (no text: see `document`), newest first; with `filters`, those they
        match (the same semantics as search)."""
        documents = self.catalog.documents()
        if filters is None or filters.is_empty():
            return documents
        return [
            d
            for d in documents
            if document_matches_filter(
                filters, d.doc_type, d.organisations, d.language, d.source, d.date, d.meeting, d.agenda_item
            )
        ]

    def facets(self) -> Facets:
        documents = self.catalog.documents()
        types = Counter(d.doc_type for d in documents)
        meetings = Counter(d.meeting for d in documents if d.meeting)
        return Facets(
            [
                FacetValue(t, doc_type_label(t), n)
                for t, n in sorted(types.items(), key=lambda item: (-item[1], item[0]))
            ],
            sorted({o for d in documents for o in d.organisations}),
            sorted({d.date[:4] for d in documents if d.date}, reverse=True),
            [FacetValue(m, m, meetings[m]) for m in sorted(meetings, key=_meeting_order)],
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

    def status(self, deep: bool = True) -> Status:
        """Counts, and whether the live snapshot matches the catalog. `deep` verifies every index file and
        the catalog's own storage (for `policykb status`); shallow is cheap (for probes)."""
        counts = self.catalog.counts()
        live = self.storage.live()
        health = self._loadable(self.updater.health(deep=deep))
        return Status(
            counts["documents"],
            counts["chunks"],
            live.name if live else None,
            live.chunks if live else 0,
            self.settings.embedder,
            health.state,
            health.detail,
            self._catalog_check() if deep else "not checked",
        )

    def _loadable(self, health: IndexHealth) -> IndexHealth:
        """The searcher's own view: a snapshot whose files fail to load is damaged, whatever they hash to."""
        if not health.serving:
            return health
        try:
            self.storage.snapshots.current()
        except IndexUnavailable as exc:
            return IndexHealth("damaged", str(exc), health.generation)
        return health

    def _catalog_check(self) -> str:
        problems = [self.catalog.quick_check(), getattr(self.catalog, "wal_problem", None)]
        return "; ".join(p for p in problems if p and p != "ok") or "ok"
