"""Behaviour every storage backend must show, written only against the interfaces in
index/storage/base.py. A backend's test module subclasses `StorageContract` and provides a `storage`
fixture returning a fresh, empty backend (see tests/test_storage_embedded.py).

Documents are written straight into the catalog (no parsing), embedded with `HashEmbedder` and published,
so a failure here points at the backend, not at ingestion.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policykb.core.filters import Filters
from policykb.core.text import index_term, search_text
from policykb.core.types import Change, ChangeRun, Chunk, Document, DocumentInfo, KindSpan
from policykb.index.embedders import HashEmbedder
from policykb.index.storage.base import ChunkRow, FileRecord, Published, SearchSnapshot, Storage
from tests.filter_conformance import FilterRow, assert_filter_conformance

EMBEDDER = HashEmbedder()
EVERYTHING = 10_000


def make_document(
    doc_id: str,
    paragraphs: list[str],
    *,
    title: str = "A statement",
    doc_type: str = "statement",
    date: str | None = "2024-05-01",
    organisations: tuple[str, ...] = ("WHO",),
    language: str = "en",
    source: str | None = None,
    version: str = "v1",
    meeting: str | None = None,
    agenda_item: str | None = None,
) -> tuple[Document, list[Chunk], FileRecord]:
    """A document of one chunk per paragraph; chunk ids carry `version` so a replacement's are new."""
    source = source or f"{doc_id}.txt"
    text = "\n\n".join(paragraphs)
    sha = hashlib.sha256(text.encode()).hexdigest()
    chunks, start = [], 0
    for ordinal, paragraph in enumerate(paragraphs):
        chunks.append(
            Chunk(f"{doc_id}-{version}-{ordinal}", doc_id, ordinal, paragraph, start, start + len(paragraph),
                  1, 1, [title])
        )  # fmt: skip
        start += len(paragraph) + 2
    document = Document(
        doc_id=doc_id,
        source=source,
        path=f"/corpus/{source}",
        title=title,
        doc_type=doc_type,
        date=date,
        organisations=list(organisations),
        language=language,
        pages=1,
        sha256=sha,
        format="txt",
        text=text,
        page_starts=[0],
        meeting=meeting,
        agenda_item=agenda_item,
    )
    record = FileRecord(document.path, len(text), 1, sha, "meta", "versions", doc_id, None)
    return document, chunks, record


def save(storage: Storage, *args: object, **kwargs: object) -> tuple[Document, list[Chunk], FileRecord]:
    document, chunks, record = make_document(*args, **kwargs)  # type: ignore[arg-type]
    storage.catalog.save_document(document, chunks, record, ["test"])
    return document, chunks, record


def embed_missing(storage: Storage) -> int:
    missing = storage.catalog.texts_without_embedding(EMBEDDER.model_id)
    if missing:
        vectors = EMBEDDER.embed_passages([text for _, text in missing])
        storage.catalog.store_embeddings(EMBEDDER.model_id, [sha for sha, _ in missing], vectors)
    return len(missing)


def publish(storage: Storage) -> SearchSnapshot:
    embed_missing(storage)
    storage.publish(EMBEDDER.model_id, EMBEDDER.dim)
    snapshot = storage.snapshots.current()
    assert snapshot is not None
    return snapshot


def lexical_ids(snapshot: SearchSnapshot, *terms: str, phrases: Sequence[str] = (), f: Filters | None = None) -> set:
    rowids = [r for r, _ in snapshot.lexical_top_k(list(terms), list(phrases), f or Filters(), EVERYTHING)]
    return {row.chunk.chunk_id for row in snapshot.rows(rowids).values()}


def dense_ids(snapshot: SearchSnapshot, query: str, k: int = EVERYTHING, allowed: np.ndarray | None = None) -> list:
    ranked = snapshot.dense_top_k(EMBEDDER.embed_queries([query]), k, allowed)
    rows = snapshot.rows([r for r, _ in ranked])
    return [rows[r].chunk.chunk_id for r, _ in ranked]


def all_rows(snapshot: SearchSnapshot) -> dict[int, ChunkRow]:
    return snapshot.rows(snapshot.newest(Filters(), EVERYTHING))


class FailingChunks(Sequence[Chunk]):
    """Chunks whose iteration breaks part-way, as a write interrupted by a crash would."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = chunks

    def __len__(self) -> int:
        return len(self.chunks)

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        return self.chunks[index]

    def __iter__(self) -> Iterator[Chunk]:
        yield self.chunks[0]
        raise RuntimeError("interrupted")


class StorageContract:
    """Subclass and provide a `storage` fixture returning an empty backend."""

    @pytest.fixture
    def storage(self) -> Storage:
        raise NotImplementedError("a backend's test module provides the `storage` fixture")

    # ------------------------------------------------------------------------------------ catalog

    def test_a_document_reads_back_whole(self, storage: Storage) -> None:
        document, chunks, record = make_document(
            "d1", ["Malaria in Zanzibar.", "Vaccines for children."], meeting="WHA77", agenda_item="11.2"
        )
        assert storage.catalog.save_document(document, chunks, record, ["test"]) is True
        assert storage.catalog.document("d1") == document
        assert storage.catalog.chunks("d1") == chunks
        assert storage.catalog.chunk(chunks[1].chunk_id) == chunks[1]
        assert storage.catalog.chunk("no-such-chunk") is None
        assert storage.catalog.document("no-such-doc") is None
        assert storage.catalog.file(record.path) == record
        assert storage.catalog.counts() == {"documents": 1, "chunks": 2}

    def test_non_prose_spans_reach_the_catalog_and_the_snapshot(self, storage: Storage) -> None:
        document, chunks, record = make_document("d1", ["Staffing", "Each hospital has one nurse per ward."])
        chunks[0].non_prose = [KindSpan(0, 8, "heading")]
        storage.catalog.save_document(document, chunks, record, ["test"])
        assert storage.catalog.chunk(chunks[0].chunk_id).non_prose == [KindSpan(0, 8, "heading")]  # type: ignore[union-attr]
        snapshot = publish(storage)
        rows = {row.chunk.chunk_id: row.chunk for row in all_rows(snapshot).values()}
        assert rows[chunks[0].chunk_id].non_prose == [KindSpan(0, 8, "heading")]
        assert rows[chunks[1].chunk_id].non_prose == []

    def test_meeting_and_agenda_item_reach_the_listing_and_the_snapshot(self, storage: Storage) -> None:
        save(storage, "wha", ["Statement on access to medicines."], meeting="WHA77", agenda_item="11.2")
        save(storage, "plain", ["A report on access to medicines."], doc_type="report")
        listing = {d.doc_id: d for d in storage.catalog.documents()}
        assert (listing["wha"].meeting, listing["wha"].agenda_item) == ("WHA77", "11.2")
        assert (listing["plain"].meeting, listing["plain"].agenda_item) == (None, None)
        rows = {r.chunk.doc_id: r for r in all_rows(publish(storage)).values()}
        assert (rows["wha"].meeting, rows["wha"].agenda_item) == ("WHA77", "11.2")
        assert (rows["plain"].meeting, rows["plain"].agenda_item) == (None, None)

    def test_listing_is_metadata_only(self, storage: Storage) -> None:
        save(storage, "old", ["An old text."], date="2019", title="Old")
        save(storage, "new", ["A new text."], date="2024-02-03", title="New")
        save(storage, "undated", ["No date here."], date=None, title="Undated")
        listing = storage.catalog.documents()
        assert [d.doc_id for d in listing] == ["new", "old", "undated"]
        assert all(type(d) is DocumentInfo for d in listing)
        assert not any(hasattr(d, "text") for d in listing)
        full = storage.catalog.document("new")
        assert full is not None
        assert listing[0] == DocumentInfo(**{k: getattr(full, k) for k in DocumentInfo.__dataclass_fields__})

    def test_saving_again_replaces_and_is_not_new(self, storage: Storage) -> None:
        save(storage, "d1", ["First version about quokkas.", "Second paragraph."])
        document, chunks, record = make_document("d1", ["Only a platypus now."], version="v2")
        assert storage.catalog.save_document(document, chunks, record, ["test"]) is False
        assert storage.catalog.chunks("d1") == chunks
        assert storage.catalog.chunk("d1-v1-0") is None
        assert storage.catalog.counts() == {"documents": 1, "chunks": 1}

    def test_a_write_interrupted_part_way_registers_nothing(self, storage: Storage) -> None:
        save(storage, "kept", ["A document that stays."])
        document, chunks, record = make_document("d1", ["One.", "Two.", "Three."])
        with pytest.raises(RuntimeError):
            storage.catalog.save_document(document, FailingChunks(chunks), record, ["test"])
        assert storage.catalog.document("d1") is None
        assert storage.catalog.file(record.path) is None
        assert storage.catalog.counts() == {"documents": 1, "chunks": 1}

    def test_delete(self, storage: Storage) -> None:
        _, chunks, record = save(storage, "d1", ["Gone soon."])
        save(storage, "d2", ["Stays."])
        assert storage.catalog.delete_document("d1") is True
        assert storage.catalog.delete_document("d1") is False
        assert storage.catalog.document("d1") is None
        assert storage.catalog.chunk(chunks[0].chunk_id) is None
        assert storage.catalog.file(record.path) is None
        assert [d.doc_id for d in storage.catalog.documents()] == ["d2"]
        assert storage.catalog.counts() == {"documents": 1, "chunks": 1}

    def test_a_withheld_file_stays_out_until_released(self, storage: Storage) -> None:
        _, _, kept = save(storage, "d1", ["Withheld."], source="reports/a.txt")
        _, _, gone = save(storage, "d2", ["Deleted outright."], source="reports/b.txt")
        assert storage.catalog.delete_document("d1", withhold=True) is True
        assert storage.catalog.delete_document("d2") is True
        assert storage.catalog.is_withheld(kept.path) is True
        assert storage.catalog.is_withheld(gone.path) is False
        assert storage.catalog.withheld() == [(kept.path, "reports/a.txt")]
        assert storage.catalog.release("reports/a.txt") == [kept.path]
        assert storage.catalog.is_withheld(kept.path) is False
        assert storage.catalog.release(kept.path) == []
        assert storage.catalog.withheld() == []

    def test_an_intact_catalog_passes_its_check_and_may_be_written(self, storage: Storage) -> None:
        save(storage, "d1", ["Text."])
        assert storage.catalog.quick_check() == "ok"
        with storage.writer_lock():
            storage.prepare_write()

    def test_prune_forgets_a_vanished_file_and_its_document(self, storage: Storage) -> None:
        _, _, record = save(storage, "d1", ["Text."], source="reports/a.txt")
        assert storage.catalog.forget_file(record.path) == "reports/a.txt"
        assert storage.catalog.forget_file(record.path) is None
        assert storage.catalog.file(record.path) is None
        assert storage.catalog.document("d1") is None

    def test_a_moved_document_keeps_its_id_and_added_date_under_its_new_path(self, storage: Storage) -> None:
        document, chunks, record = save(storage, "d1", ["Moved along."], source="drafts/a.txt")
        _, _, other = save(storage, "d2", ["Was at the target path."], source="final/a.txt")
        document.path, document.source, document.source_url = other.path, "final/a.txt", "https://example.org/a"
        moved = FileRecord(other.path, record.size, 2, record.sha256, "meta", "versions", "d1", None)
        storage.catalog.move_document(document, chunks, moved, ["test"], moved_from=record.path)
        assert storage.catalog.file(record.path) is None and storage.catalog.file(other.path) == moved
        assert storage.catalog.document("d2") is None  # moved over another file: that document went
        back = storage.catalog.document("d1")
        assert back is not None and (back.path, back.source) == (other.path, "final/a.txt")
        assert back.source_url == "https://example.org/a"
        assert [c.chunk_id for c in storage.catalog.chunks("d1")] == [c.chunk_id for c in chunks]
        assert storage.catalog.counts() == {"documents": 1, "chunks": 1}

    def test_the_change_feed_keeps_runs_newest_first(self, storage: Storage) -> None:
        first = storage.record_run(ChangeRun(100.0, "ingest", [Change("added", "a.txt", "d1", "A")], unchanged=2))
        second = storage.record_run(
            ChangeRun(200.0, "watch", [Change("failed", "b.pdf", detail="no text")], job_id="job1")
        )
        assert first.id is not None and second.id is not None and second.id > first.id
        assert storage.runs() == [second, first]
        assert storage.runs(since=150.0) == [second]
        assert storage.runs(limit=1) == [second]
        assert storage.runs(since=300.0) == []

    def test_fingerprints(self, storage: Storage) -> None:
        _, _, b = save(storage, "b", ["B."])
        _, _, a = save(storage, "a", ["A."])
        assert [f.path for f in storage.catalog.files()] == sorted([a.path, b.path])
        storage.catalog.touch_file(a.path, 999, 123456789)
        touched = storage.catalog.file(a.path)
        assert touched is not None and (touched.size, touched.mtime_ns) == (999, 123456789)
        assert touched.sha256 == a.sha256
        assert storage.catalog.file("/nowhere") is None

    def test_duplicates(self, storage: Storage) -> None:
        original, _, _ = save(storage, "d1", ["The same statement."])
        assert storage.catalog.doc_with_sha(original.sha256, "/corpus/copy.txt") == "d1"
        assert storage.catalog.doc_with_sha(original.sha256, original.path) is None
        copy = FileRecord("/corpus/copy.txt", 1, 1, original.sha256, "meta", "versions", None, "d1")
        storage.catalog.record_duplicate(copy)
        assert storage.catalog.file(copy.path) == copy
        assert storage.catalog.counts()["documents"] == 1
        # Once the original goes, the duplicate's record goes too, so the next ingest indexes the copy.
        storage.catalog.delete_document("d1")
        assert storage.catalog.file(copy.path) is None

    def test_a_duplicate_recorded_over_a_document_replaces_it(self, storage: Storage) -> None:
        original, _, _ = save(storage, "d1", ["The original."])
        _, _, other = save(storage, "d2", ["Was different, now a copy."])
        copy = FileRecord(other.path, 1, 1, original.sha256, "meta", "versions", None, "d1")
        storage.catalog.record_duplicate(copy)
        assert storage.catalog.document("d2") is None
        assert storage.catalog.file(other.path) == copy

    def test_cached_embeddings_are_reused(self, storage: Storage) -> None:
        save(storage, "d1", ["Unchanged paragraph on vaccines.", "Old paragraph on quokkas."])
        assert embed_missing(storage) == 2
        assert storage.catalog.texts_without_embedding(EMBEDDER.model_id) == []
        assert len(storage.catalog.texts_without_embedding("another-model")) == 2
        save(storage, "d1", ["Unchanged paragraph on vaccines.", "New paragraph on platypuses."], version="v2")
        assert [t for _, t in storage.catalog.texts_without_embedding(EMBEDDER.model_id)] == [
            "A statement\n\nNew paragraph on platypuses."
        ]
        embed_missing(storage)
        assert storage.catalog.drop_orphan_embeddings() >= 1  # the quokka paragraph's vector
        assert storage.catalog.texts_without_embedding(EMBEDDER.model_id) == []

    def test_cached_embeddings_read_back_exactly(self, storage: Storage) -> None:
        assert storage.catalog.embedding_models() == {}
        save(storage, "d1", ["Malaria in Zanzibar.", "Vaccines for children."])
        embed_missing(storage)
        assert storage.catalog.embedding_models() == {EMBEDDER.model_id: EMBEDDER.dim}
        shas, vectors = storage.catalog.embeddings(EMBEDDER.model_id)
        texts = dict(storage.catalog.texts_without_embedding("another-model"))
        assert sorted(shas) == sorted(texts)
        assert vectors.dtype == np.float32
        np.testing.assert_array_equal(vectors, EMBEDDER.embed_passages([texts[s] for s in shas]))
        assert storage.catalog.embeddings("another-model")[0] == []

    def test_reasons_and_originals_are_kept(self, storage: Storage, tmp_path) -> None:  # type: ignore[no-untyped-def]
        document, chunks, record = make_document("d1", ["Text."])
        storage.catalog.save_document(document, chunks, record, ["title: 'Report' (+3)"])
        assert storage.catalog.doc_type_reasons("d1") == ["title: 'Report' (+3)"]
        assert storage.catalog.doc_type_reasons("nope") == []
        path = str(tmp_path / "originals" / "abc" / "report.pdf")
        assert storage.catalog.original(path) is None
        storage.catalog.store_original(path, b"%PDF-1.7 bytes")
        assert storage.catalog.original(path) == b"%PDF-1.7 bytes"

    def test_snapshot_rows_hold_embedded_chunks_with_their_vectors(self, storage: Storage) -> None:
        save(storage, "d1", ["Malaria in Zanzibar.", "Vaccines for children."])
        rows, vectors = storage.catalog.snapshot_rows(EMBEDDER.model_id, EMBEDDER.dim)
        assert rows == [] and vectors.shape == (0, EMBEDDER.dim)
        embed_missing(storage)
        rows, vectors = storage.catalog.snapshot_rows(EMBEDDER.model_id, EMBEDDER.dim)
        assert [r.chunk.text for r in rows] == ["Malaria in Zanzibar.", "Vaccines for children."]
        assert len({r.rowid for r in rows}) == 2 and all(r.rowid > 0 for r in rows)
        expected = EMBEDDER.embed_passages([search_text(r.title, r.chunk.headings, r.chunk.text) for r in rows])
        assert vectors.dtype == np.float32
        np.testing.assert_allclose(vectors, expected, rtol=1e-6)

    # ------------------------------------------------------------------------------------ publishing

    def test_nothing_is_searchable_before_the_first_publish(self, storage: Storage) -> None:
        save(storage, "d1", ["Text."])
        assert storage.live() is None
        assert storage.snapshots.current() is None

    def test_an_empty_catalog_publishes_an_empty_snapshot(self, storage: Storage) -> None:
        snapshot = publish(storage)
        assert snapshot.size == 0
        assert storage.live() == Published(snapshot.name, 0)
        assert snapshot.dense_top_k(EMBEDDER.embed_queries(["anything"]), 10) == []
        assert snapshot.lexical_top_k(["anything"], [], Filters(), 10) == []
        assert snapshot.newest(Filters(), 10) == []
        assert snapshot.rows([1]) == {}
        assert snapshot.doc_freq("anyth") == 0

    def test_publish_reports_what_readers_get(self, storage: Storage) -> None:
        save(storage, "d1", ["One.", "Two."])
        first = publish(storage)
        assert storage.live() == Published(first.name, 2)
        assert first.size == 2
        save(storage, "d2", ["Three."])
        second = publish(storage)
        assert second.name != first.name
        assert storage.live() == Published(second.name, 3)

    def test_health_tells_whether_the_live_snapshot_matches_the_catalog(self, storage: Storage) -> None:
        model = EMBEDDER.model_id
        assert (storage.health(model).state, storage.health(model).generation) == ("empty", None)
        save(storage, "d1", ["Malaria in Zanzibar."])
        assert (storage.health(model).state, storage.health(model).generation) == ("behind", None)
        publish(storage)
        live = storage.live()
        assert live is not None
        for deep in (True, False):
            health = storage.health(model, deep=deep)
            assert (health.state, health.generation, health.serving) == ("ok", live.name, True)
        assert storage.health("another-model").state == "behind"
        save(storage, "d1", ["Malaria in Pemba."], version="v2")  # same count, other content
        assert storage.health(model).state == "behind"
        publish(storage)
        save(storage, "d2", ["Registered, not yet published."])
        behind = storage.health(model)
        assert (behind.state, behind.serving) == ("behind", True)
        publish(storage)
        assert storage.health(model).state == "ok"

    def test_job_records_are_kept_and_claimed_once(self, storage: Storage) -> None:
        jobs = storage.job_records()
        try:
            jobs.save("a", {"id": "a", "status": "queued"}, "queued", 1.0)
            jobs.save("b", {"id": "b", "status": "running"}, "running", 2.0)
            jobs.save("c", {"id": "c", "status": "done"}, "done", 3.0)
            assert jobs.get("a") == {"id": "a", "status": "queued"}
            assert jobs.get("nope") is None
            assert (jobs.status("b"), jobs.status("nope")) == ("running", None)
            assert [j["id"] for j in jobs.unfinished(["queued", "running"])] == ["a", "b"]
            assert jobs.latest() == {"id": "c", "status": "done"}
            jobs.save("a", {"id": "a", "status": "done"}, "done", 1.0)
            jobs.prune(1, ["queued", "running"])
            assert (jobs.get("a"), jobs.status("b"), jobs.status("c")) == (None, "running", "done")
            assert jobs.claimed_elsewhere("b") is False
            assert jobs.claim("b") is True
            assert jobs.claim("b") is False
            assert jobs.claimed_elsewhere("b") is True
            jobs.release("b")
            assert jobs.claimed_elsewhere("b") is False
            assert jobs.claim("b") is True
        finally:
            jobs.close()

    def test_the_writer_lock_can_be_taken_again(self, storage: Storage) -> None:
        with storage.writer_lock():
            pass
        with storage.writer_lock():
            save(storage, "d1", ["Written under the lock."])
        assert storage.catalog.counts()["documents"] == 1

    # ------------------------------------------------------------------------------------ reading

    def test_every_read_path_finds_a_published_document(self, storage: Storage) -> None:
        save(storage, "d1", ["Malaria eradication in Zanzibar.", "Vaccines for children."], doc_type="report",
             organisations=("WHO", "IAPO"), source="reports/d1.txt", title="Malaria report")  # fmt: skip
        save(storage, "d2", ["Patient safety in hospitals."])
        snapshot = publish(storage)
        assert lexical_ids(snapshot, "zanzibar") == {"d1-v1-0"}
        assert dense_ids(snapshot, "malaria eradication zanzibar", k=1) == ["d1-v1-0"]
        reports = snapshot.filter_rowids(Filters(doc_type=["report"]))
        assert reports is not None
        assert {row.chunk.chunk_id for row in snapshot.rows(list(reports)).values()} == {"d1-v1-0", "d1-v1-1"}
        row = next(r for r in all_rows(snapshot).values() if r.chunk.chunk_id == "d1-v1-0")
        assert row.chunk == storage.catalog.chunk("d1-v1-0")
        assert (row.title, row.source, row.doc_type, row.date, row.organisations, row.language, row.url) == (
            "Malaria report", "reports/d1.txt", "report", "2024-05-01", ["WHO", "IAPO"], "en", None
        )  # fmt: skip
        assert snapshot.doc_freq(index_term("zanzibar")) == 1
        assert snapshot.doc_freq(index_term("vaccines")) == 1

    def test_lexical_phrases_must_all_match(self, storage: Storage) -> None:
        save(storage, "d1", ["The power of community in patient advocacy."])
        save(storage, "d2", ["Community power and the patient."])
        snapshot = publish(storage)
        assert lexical_ids(snapshot, "community") == {"d1-v1-0", "d2-v1-0"}
        assert lexical_ids(snapshot, phrases=["power of community"]) == {"d1-v1-0"}
        assert lexical_ids(snapshot, "patient", phrases=["community power", "the patient"]) == {"d2-v1-0"}
        assert lexical_ids(snapshot) == set()

    def test_equal_bm25_scores_rank_by_row_id_at_any_depth(self, storage: Storage) -> None:
        # the same words in many documents, published in two rounds and one of them replaced, so the lexical
        # index holds several segments: the order of equal scores must not depend on how it was written
        for n in range(12):
            save(storage, f"d{n:02d}", ["Patients need safe medicines."])
        publish(storage)
        for n in range(12, 24):
            save(storage, f"d{n:02d}", ["Patients need safe medicines."])
        save(storage, "d03", ["Patients need safe medicines."], version="v2")
        snapshot = publish(storage)
        every = snapshot.lexical_top_k(["medicines"], [], Filters(), EVERYTHING)
        assert len(every) == 24 and len({score for _, score in every}) == 1
        assert [r for r, _ in every] == sorted(r for r, _ in every)
        for depth in (1, 5, 13, 24):
            assert snapshot.lexical_top_k(["medicines"], [], Filters(), depth) == every[:depth]

    def test_dense_search_keeps_to_the_allowed_rows(self, storage: Storage) -> None:
        save(storage, "d1", ["Malaria in Zanzibar."], doc_type="report")
        save(storage, "d2", ["Malaria in Kenya."], doc_type="guideline")
        snapshot = publish(storage)
        guidelines = snapshot.filter_rowids(Filters(doc_type=["guideline"]))
        assert guidelines is not None and len(guidelines) == 1
        assert dense_ids(snapshot, "malaria zanzibar", allowed=guidelines) == ["d2-v1-0"]
        assert snapshot.dense_top_k(EMBEDDER.embed_queries(["malaria"]), 10, np.array([], dtype=np.int64)) == []
        assert snapshot.filter_rowids(Filters()) is None

    def test_newest_first_and_date_keys(self, storage: Storage) -> None:
        save(storage, "old", ["Old."], date="2019")
        save(storage, "undated", ["Undated."], date=None)
        save(storage, "new", ["New."], date="2024-05")
        snapshot = publish(storage)
        ranked = snapshot.newest(Filters(), 10)
        rows = snapshot.rows(ranked)
        assert [rows[r].chunk.doc_id for r in ranked] == ["new", "old", "undated"]
        assert list(snapshot.date_keys(ranked)) == [20240501, 20190101, 0]
        assert [rows[r].chunk.doc_id for r in snapshot.newest(Filters(), 1)] == ["new"]
        only_old = snapshot.newest(Filters(date_to="2020"), 10)
        assert [rows[r].chunk.doc_id for r in only_old] == ["old"]

    def test_rows_skips_ids_not_in_the_snapshot(self, storage: Storage) -> None:
        save(storage, "d1", ["Text."])
        snapshot = publish(storage)
        present = snapshot.newest(Filters(), 10)
        assert set(snapshot.rows([*present, 987654321])) == set(present)
        assert snapshot.rows([]) == {}

    def test_the_chunks_beside_a_row_are_the_next_and_previous_of_its_document(self, storage: Storage) -> None:
        save(storage, "d1", ["First part of a list:", "Second part.", "Last part."])
        save(storage, "d2", ["Another document."])
        snapshot = publish(storage)
        by_chunk = {row.chunk.chunk_id: rowid for rowid, row in all_rows(snapshot).items()}
        asked = [by_chunk["d1-v1-0"], by_chunk["d1-v1-1"], by_chunk["d1-v1-2"], by_chunk["d2-v1-0"], 987654321]
        after, before = snapshot.following(asked), snapshot.preceding(asked)
        assert {rowid: row.chunk.chunk_id for rowid, row in after.items()} == {
            by_chunk["d1-v1-0"]: "d1-v1-1",
            by_chunk["d1-v1-1"]: "d1-v1-2",
        }  # a document's last chunk has none, whatever row comes next; an unknown row has none
        assert {rowid: row.chunk.chunk_id for rowid, row in before.items()} == {
            by_chunk["d1-v1-1"]: "d1-v1-0",
            by_chunk["d1-v1-2"]: "d1-v1-1",
        }  # and its first none before it
        assert after[by_chunk["d1-v1-0"]].title == before[by_chunk["d1-v1-1"]].title == "A statement"
        assert snapshot.following([]) == snapshot.preceding([]) == {}

    # ------------------------------------------------------------------------------------ no stale results

    def test_a_replaced_document_leaves_nothing_behind(self, storage: Storage) -> None:
        save(storage, "d1", ["Quokka vaccination in Zanzibar.", "Shared paragraph."], doc_type="report")
        save(storage, "other", ["Unrelated text on hospitals."])
        publish(storage)
        save(storage, "d1", ["Platypus vaccination guidance.", "Shared paragraph."], doc_type="guideline",
             version="v2")  # fmt: skip
        snapshot = publish(storage)
        assert lexical_ids(snapshot, "quokka") == set()
        assert lexical_ids(snapshot, "platypus") == {"d1-v2-0"}
        assert lexical_ids(snapshot, "shared") == {"d1-v2-1"}
        assert not any(cid.startswith("d1-v1") for cid in dense_ids(snapshot, "quokka vaccination zanzibar"))
        assert snapshot.filter_rowids(Filters(doc_type=["report"])).size == 0  # type: ignore[union-attr]
        assert sorted(r.chunk.chunk_id for r in all_rows(snapshot).values()) == ["d1-v2-0", "d1-v2-1", "other-v1-0"]
        assert {r.doc_type for r in all_rows(snapshot).values() if r.chunk.doc_id == "d1"} == {"guideline"}
        assert snapshot.size == 3

    def test_a_deleted_document_leaves_nothing_behind(self, storage: Storage) -> None:
        save(storage, "d1", ["Quokka vaccination in Zanzibar."], organisations=("IAPO",))
        save(storage, "d2", ["Platypus vaccination guidance."])
        publish(storage)
        storage.catalog.delete_document("d1")
        snapshot = publish(storage)
        assert lexical_ids(snapshot, "quokka") == set()
        assert dense_ids(snapshot, "quokka vaccination zanzibar") == ["d2-v1-0"]
        assert snapshot.filter_rowids(Filters(organisation=["IAPO"])).size == 0  # type: ignore[union-attr]
        assert [r.chunk.doc_id for r in all_rows(snapshot).values()] == ["d2"]
        assert snapshot.doc_freq(index_term("quokka")) == 0

    def test_a_held_snapshot_stays_consistent_while_a_new_one_is_published(self, storage: Storage) -> None:
        save(storage, "d1", ["Quokka vaccination in Zanzibar."])
        old = publish(storage)
        old_rows = all_rows(old)
        save(storage, "d1", ["Platypus vaccination guidance."], version="v2")
        save(storage, "d2", ["A second document on quokkas."])
        new = publish(storage)
        assert new.name != old.name
        assert storage.snapshots.current() is not old
        # The old snapshot answers exactly as before, in every read path.
        assert old.size == 1
        assert all_rows(old) == old_rows
        assert lexical_ids(old, "quokka") == {"d1-v1-0"}
        assert lexical_ids(old, "platypus") == set()
        assert dense_ids(old, "platypus") == ["d1-v1-0"]
        assert new.size == 2
        assert lexical_ids(new, "quokka") == {"d2-v1-0"}

    # One storage serves every example (the body empties it first); each backend's subclass runs this
    # same property, which Hypothesis sees as one test called from several classes.
    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.differing_executors],
    )
    @given(st.lists(st.tuples(st.sampled_from(["save", "delete"]), st.integers(0, 3)), min_size=1, max_size=8))
    def test_published_snapshot_mirrors_the_catalog_after_any_writes(
        self, storage: Storage, operations: list[tuple[str, int]]
    ) -> None:
        for info in storage.catalog.documents():  # one storage serves every example: start empty
            storage.catalog.delete_document(info.doc_id)
        versions: dict[int, int] = {}
        for step, (operation, n) in enumerate(operations):
            if operation == "save":
                versions[n] = step
                save(storage, f"d{n}", [f"Marker tok{n}x{step} on medicines.", "A shared paragraph."],
                     version=f"v{step}")  # fmt: skip
            else:
                versions.pop(n, None)
                storage.catalog.delete_document(f"d{n}")
        snapshot = publish(storage)
        expected = {c.chunk_id for info in storage.catalog.documents() for c in storage.catalog.chunks(info.doc_id)}
        assert {r.chunk.chunk_id for r in all_rows(snapshot).values()} == expected
        assert snapshot.size == len(expected)
        for step, (operation, n) in enumerate(operations):
            live = operation == "save" and versions.get(n) == step
            assert lexical_ids(snapshot, f"tok{n}x{step}") == ({f"d{n}-v{step}-0"} if live else set())
        assert set(dense_ids(snapshot, "shared paragraph")) == expected

    # ------------------------------------------------------------------------------------ filters

    FILTER_CASES = (
        Filters(doc_type=["report", "toolkit"]),
        Filters(organisation=["IAPO"]),
        Filters(language=["fr"]),
        Filters(source="reports"),
        Filters(source="report"),
        Filters(date_from="2024-06-01"),
        Filters(date_to="2023"),
        Filters(date_from="2020", date_to="2023-12"),
        Filters(doc_type=["report"], organisation=["WHO"], date_from="2020"),
        Filters(meeting=["WHA77"]),
        Filters(meeting=["WHA77", "RC74 AFRO"], agenda_item=["11.2"]),
        Filters(agenda_item=["13"], date_from="2024"),
        Filters(meeting=["WHA"]),
    )

    def test_filters_agree_with_the_reference_semantics(self, storage: Storage) -> None:
        save(storage, "a", ["Patients and access."], doc_type="report", organisations=("IAPO",),
             source="reports/2024/a.pdf", date="2024", meeting="WHA77", agenda_item="11.2")  # fmt: skip
        save(storage, "b", ["Patients and safety."], doc_type="toolkit", organisations=("WHO", "IAPO"),
             source="reports-old/b.pdf", date="2021-03-05", language="fr", meeting="RC74 AFRO",
             agenda_item="13")  # fmt: skip
        save(storage, "c", ["Patients and medicines."], doc_type="report", organisations=("WHO",),
             source="statements/c.txt", date=None)  # fmt: skip
        save(storage, "d", ["Patients and vaccines."], doc_type="guideline", organisations=(),
             source="report/d.txt", date="2023-12")  # fmt: skip
        snapshot = publish(storage)
        self.assert_filters_conform(snapshot, all_rows(snapshot))

    def assert_filters_conform(self, snapshot: SearchSnapshot, rows: dict[int, ChunkRow]) -> None:
        """Every read path of `snapshot` that filters (the row set, the lexical half, browsing) selects
        exactly the rows the reference semantics (`document_matches_filter`, docs/filters.md) select."""
        table = [
            FilterRow(rowid, r.doc_type, tuple(r.organisations), r.language, r.source, r.date, r.meeting, r.agenda_item)
            for rowid, r in rows.items()
        ]
        encodings: dict[str, Callable[[Filters], set[int]]] = {
            "filter_rowids": lambda f: set(snapshot.filter_rowids(f).tolist()),  # type: ignore[union-attr]
            "lexical_top_k": lambda f: {r for r, _ in snapshot.lexical_top_k(["patients"], [], f, EVERYTHING)},
            "newest": lambda f: set(snapshot.newest(f, EVERYTHING)),
        }
        for f in self.FILTER_CASES:
            for name, select in encodings.items():
                assert_filter_conformance(select, table, f, name)
