"""The service facade: the one entry point that the CLI, the API and the UI call."""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import re
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import httpx

from policykb.core.durable import atomic_write
from policykb.core.errors import INTERNAL, NotFound, PolicyKBError, QuestionError, StorageError, UploadRejected
from policykb.core.events import AnswerEvent, Failed, Final, StreamEvent
from policykb.core.filters import Filters, document_matches_filter
from policykb.core.settings import Settings, get_settings
from policykb.core.text import NEEDS_A_WORD, content_words, has_a_word, stem
from policykb.core.types import (
    Answer,
    Change,
    ChangeAction,
    ChangeRun,
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
from policykb.index.spelling import respell
from policykb.index.storage.base import Catalog, IndexHealth, IndexUnavailable, Storage
from policykb.index.storage.factory import open_storage
from policykb.index.updater import Cancelled, IngestReport, Progress, ShouldStop, Updater
from policykb.ingest.limits import ParseLimits
from policykb.ingest.pipeline import SIDECAR_SUFFIX
from policykb.ingest.readers import SUPPORTED_EXTENSIONS
from policykb.ingest.sessions import naming_words, symbol_of, symbols_named
from policykb.qa.answerer import Answerer, make_answerer
from policykb.qa.compose import refusal
from policykb.qa.followup import condense
from policykb.service.auth import AccessGuard
from policykb.service.fetch import FetchRefused, Validators, fetch
from policykb.service.grouping import by_date, group_by_document, passages_for

log = logging.getLogger("policykb.service")


MAX_NAME_BYTES = 255  # what common filesystems allow for one name
LINK_STATE = ".link.json"  # beside a fetched document: its link and the validators of the last answer
USER_AGENT = "policykb (knowledge base; fetches links an admin added)"


def link_file_name(url: str, extension: str) -> str:
    """A safe file name for a fetched link: the last part of its path (or its host), with the reader's extension."""
    parts = urlsplit(url)
    stem = PurePosixPath(parts.path).stem or parts.hostname or "page"
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._")[:80] or "page"
    return stem + extension


def _read_state(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


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


def change_run(report: IngestReport, trigger: str, job_id: str | None, documents: list[DocumentInfo]) -> ChangeRun:
    """What an ingest report changed, document by document, with the titles the documents have now."""
    titles = {d.doc_id: d.title for d in documents}

    def change(action: ChangeAction, source: str, detail: str | None = None) -> Change:
        doc_id = report.doc_ids.get(source)
        return Change(action, source, doc_id, titles.get(doc_id, source) if doc_id else source, detail)

    changes = [change("added", s) for s in report.added] + [change("updated", s) for s in report.updated]
    changes += [change("moved", m["to"], f"moved from {m['from']}") for m in report.moved]
    changes += [change("removed", s, "the file is gone") for s in report.removed]
    changes += [Change("failed", f["path"], detail=f["error"]) for f in report.failed]
    return ChangeRun(time.time(), trigger, changes, unchanged=len(report.unchanged), job_id=job_id)


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
        gone: list[Path] | None = None,
        trigger: str = "ingest",
        job_id: str | None = None,
        roots: Sequence[Path] = (),
        failures: Sequence[dict[str, str]] = (),
        unchanged: Sequence[str] = (),
    ) -> IngestReport:
        """Add, update (and with `prune`, forget) documents; `should_stop` is asked between files and batches;
        `gone`: vanished files to forget; `roots`: folders that name the files in them (a watched folder); `failures` and
        `unchanged`: what a step before found (links refused, or not modified), reported with the run. The run goes into the change feed as triggered by `trigger`."""
        try:
            report = self.updater.ingest(
                paths, prune=prune, progress=progress, should_stop=should_stop, gone=gone, roots=roots
            )
        except PolicyKBError as exc:
            if not isinstance(exc, StorageError):  # a storage that failed cannot be asked to record it
                self.record_run(ChangeRun(time.time(), trigger, job_id=job_id, error=str(exc)))
            raise
        report.failed[:0] = failures
        report.unchanged[:0] = unchanged
        self.record_run(change_run(report, trigger, job_id, self.catalog.documents()))
        return report

    def record_run(self, run: ChangeRun) -> None:
        """Into the change feed; a feed that cannot be written is logged and never fails the ingest."""
        try:
            self.storage.record_run(run)
        except Exception:
            log.exception("the change feed could not record a %s run", run.trigger)

    def changes(self, since: float | None = None, limit: int = 50) -> list[ChangeRun]:
        """The change feed: ingest runs at or after `since` (seconds since the epoch), newest first."""
        return self.storage.runs(since, limit)

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

    @property
    def fetched(self) -> Path:
        """Fetched links: data/fetched/<hash of the link>/ holds the document, its metadata and `.link.json`."""
        return self.data_dir / "fetched"

    def fetch(
        self,
        urls: Sequence[str],
        progress: Progress | None = None,
        should_stop: ShouldStop | None = None,
        trigger: str = "fetch",
        job_id: str | None = None,
    ) -> IngestReport:
        """Fetch web pages and PDFs and ingest what is new or changed; a link fetched before is asked
        conditionally (ETag, Last-Modified), so an unchanged one costs one request answered 304. A link that
        cannot be fetched is a per-link failure in the report, with the reason."""
        changed: list[Path] = []
        gone: list[Path] = []
        failures: list[dict[str, str]] = []
        unchanged: list[str] = []
        s = self.settings
        timeout = httpx.Timeout(s.fetch_timeout_s)
        # No kept-alive connections: one is made per checked address and host name (TLS is verified per name).
        limits = httpx.Limits(max_keepalive_connections=0)
        with httpx.Client(
            timeout=timeout, limits=limits, trust_env=False, headers={"User-Agent": USER_AGENT}
        ) as client:
            for done, url in enumerate(urls, start=1):
                if should_stop is not None and should_stop():
                    raise Cancelled("cancelled")
                try:
                    outcome = self._fetch_link(client, url.strip())
                except FetchRefused as exc:
                    failures.append({"path": url, "error": str(exc)})
                    continue
                if outcome is None:
                    unchanged.append(url)
                else:
                    changed.append(outcome[0])
                    gone.extend(outcome[1:])
                if progress is not None:
                    progress("links", done, len(urls))
        return self.ingest(changed, progress=progress, should_stop=should_stop, gone=gone, trigger=trigger,
                           job_id=job_id, failures=failures, unchanged=unchanged)  # fmt: skip

    def refresh(
        self, progress: Progress | None = None, should_stop: ShouldStop | None = None, job_id: str | None = None
    ) -> IngestReport:
        """Fetch every kept link again, conditionally."""
        urls = [link["url"] for link in self.links()]
        return self.fetch(urls, progress, should_stop, trigger="refresh", job_id=job_id)

    def links(self) -> list[dict]:
        """The kept links: url, file, etag, last_modified, fetched_at."""
        found = []
        for state in sorted(self.fetched.glob(f"*/{LINK_STATE}")):
            try:
                found.append(json.loads(state.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                log.warning("%s cannot be read; that link is not refreshed", state)
        return found

    def _fetch_link(self, client: httpx.Client, url: str) -> tuple[Path, ...] | None:
        """(the file to ingest, files it replaces), or None when the link has not changed."""
        folder = self.fetched / hashlib.sha1(url.encode()).hexdigest()[:16]
        state = _read_state(folder / LINK_STATE)
        kept = folder / state["file"] if state.get("file") else None
        known = Validators(state.get("etag"), state.get("last_modified")) if kept and kept.is_file() else None
        max_bytes = int(self.settings.max_upload_mb * 1024 * 1024)
        got = fetch(url, client, max_bytes, self.settings.fetch_allow_private, known)
        state["fetched_at"] = time.time()
        if got is None:
            atomic_write(folder / LINK_STATE, json.dumps(state).encode())
            return None
        target = folder / link_file_name(got.url, got.extension)
        state.update(url=url, file=target.name, etag=got.etag, last_modified=got.last_modified)
        same = (
            kept == target
            and target.is_file()
            and hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(got.data).digest()
        )
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if not same:
                sidecar = {"source": url, "source_url": url}
                atomic_write(target.with_name(target.name + SIDECAR_SUFFIX), json.dumps(sidecar).encode())
                atomic_write(target, got.data)
            atomic_write(folder / LINK_STATE, json.dumps(state).encode())
        except OSError as exc:
            raise StorageError(f"{url}: the fetched document could not be stored: {exc.strerror or exc}") from exc
        if same:
            return None
        replaced = []
        if kept is not None and kept != target:  # the link now serves another type: the old file goes
            for old in (kept, kept.with_name(kept.name + SIDECAR_SUFFIX)):
                old.unlink(missing_ok=True)
            replaced.append(kept)
        return (target, *replaced)

    @staticmethod
    def upload_types() -> tuple[str, ...]:
        """The file extensions an upload may have: those the readers read."""
        return SUPPORTED_EXTENSIONS

    def delete(self, doc_id: str, job_id: str | None = None) -> bool:
        """Remove a document everywhere. An uploaded original is deleted from disk; a file in a corpus folder
        stays where it is but is withheld from re-scans until `undelete` releases it."""
        document = self.catalog.document(doc_id)
        if document is None:
            return False
        path = Path(document.path)
        uploaded = any(path.resolve().is_relative_to(kept.resolve()) for kept in (self.originals, self.fetched)) or (
            not path.is_file() and self.catalog.original(document.path) is not None  # another replica's upload
        )
        deleted = self.updater.delete(doc_id, withhold=not uploaded)
        if deleted and uploaded:
            shutil.rmtree(path.parent, ignore_errors=True)
        if deleted:
            removed = Change("removed", document.source, doc_id, document.title, "deleted by an admin")
            self.record_run(ChangeRun(time.time(), "delete", [removed], job_id=job_id))
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
            self.ingest(lost, trigger="repair")
        return self.updater.repair(force=force)

    def _uploaded_files(self) -> list[Path]:
        found = [p for kept in (self.originals, self.fetched) if kept.is_dir() for p in kept.glob("*/*")]
        return sorted(p for p in found if p.is_file() and not p.name.startswith(".") and p.suffix != ".json")

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
        if not has_a_word(question):
            raise QuestionError(f"the question {NEEDS_A_WORD}")
        history = history or []
        answerer = self.answerer
        query = condense(question, history, answerer.rewrite_followup)
        if absent := self._absent_symbols(query, filters):
            closest = self.search(query, k=self.settings.answer_passages, filters=filters, group="passage")
            named = " or ".join(absent)
            yield Final(refusal(closest.results, 0.0, query, f"No document in the knowledge base is or cites {named}."))
            return
        response = self._evidence(query, filters)
        fixes = response.corrections  # the answer is drawn for the words searched, and says which they were
        focus = respell(question, fixes) if query != question else None
        for event in answerer.stream(respell(query, fixes), response, focus=focus):
            yield Final(replace(event.answer, corrections=fixes)) if fixes and isinstance(event, Final) else event

    def _evidence(self, question: str, filters: Filters | None) -> SearchResponse:
        """The passages an answer is drawn from. A question that names a resolution by its symbol ("What does
        WHA66.10 urge Member States to do?") is about that document: its passages only, when the collection
        holds it and no source filter was given; other documents that merely cite the symbol are not asked. The
        words that name it are then no terms a quote must hold: "What does resolution WHA66.4 endorse?" asks what
        it endorses. Each passage comes with the one after it in its document: a list it ends in may run on.
        The passages are those that hold a claim (search ranks them first): a reference list or a table of
        contents that shares the question's words ("Indoor residual spraying for preventing malaria …") can be
        quoted for nothing."""
        n = self.settings.answer_passages
        named = [] if filters is not None and filters.source else self.named_documents(question)
        if not named:
            response = self.search(question, k=n, filters=filters, group="passage")
            response.results = [h for h in response.results if h.holds_a_claim()][:n]
        else:
            base = filters or Filters()
            each = [
                self.search(question, k=n, filters=replace(base, source=source), group="passage") for source in named
            ]
            response = each[0]
            claims = ([h for h in r.results if h.holds_a_claim()] for r in each)
            response.results = [h for hits in itertools.zip_longest(*claims) for h in hits if h][:n]
            naming = {stem(w) for w in content_words(" ".join(naming_words(question)))}
            response.term_idf = {t: w for t, w in response.term_idf.items() if t not in naming}
        response.following = self.searcher.following(response, response.results)
        response.preceding = self.searcher.preceding(response, response.results)
        return response

    def _absent_symbols(self, question: str, filters: Filters | None) -> list[str]:
        """The resolution symbols `question` names that no document is and no passage cites ("What does
        WHA66.31 request?" where there is no WHA66.31), when none it names is here: what it asks about is not
        in the collection, and a resolution with another number must not answer for it."""
        named = symbols_named(question)
        if not named:
            return []
        held = {symbol_of(d.title, d.source) for d in self.catalog.documents()}
        absent = sorted(
            symbol
            for symbol in named - held
            if not self.search(f'"{symbol}"', k=1, filters=filters, mode="lexical", group="passage").results
        )
        return absent if len(absent) == len(named) else []  # one that is here is answered

    def named_documents(self, question: str) -> list[str]:
        """The sources of the documents whose resolution symbol `question` names, in the question's order."""
        named = symbols_named(question)
        if not named:
            return []
        found = {symbol_of(d.title, d.source): d.source for d in self.catalog.documents()}
        return [found[symbol] for symbol in sorted(named, key=question.upper().find) if symbol in found]

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
