"""Identity and incremental updates: stat gate, hash gate, replace, duplicates, prune, re-chunk."""

from __future__ import annotations

import os
import time
from pathlib import Path

from policykb.service.knowledge_base import KnowledgeBase
from tests.conftest import make_settings


def test_sample_corpus_then_unchanged(kb: KnowledgeBase, corpus_copy: Path) -> None:
    first = kb.ingest([corpus_copy])
    assert len(first.added) == 5 and not first.failed
    docs = {d.source: d for d in kb.documents()}
    assert docs["iapo-2024-activities-report.txt"].doc_type == "report"
    second = kb.ingest([corpus_copy])
    assert sorted(second.unchanged) == sorted(first.added)
    assert not (second.added or second.updated or second.removed)
    assert second.generation == first.generation  # nothing changed: no new generation


def test_touched_file_passes_the_hash_gate(kb: KnowledgeBase, corpus_copy: Path) -> None:
    kb.ingest([corpus_copy])
    target = corpus_copy / "iapg-roundtable-2016.txt"
    later = time.time() + 10
    os.utime(target, (later, later))
    report = kb.ingest([corpus_copy])
    assert "iapg-roundtable-2016.txt" in report.unchanged
    assert kb.catalog.file(str(target.resolve())).mtime_ns == target.stat().st_mtime_ns


def test_changed_file_replaces_its_chunks_and_keeps_its_id(kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    f = folder / "note.txt"
    f.write_text("Alpha paragraph about vaccines.\n\n" + "Beta paragraph about medicines. " * 30)
    kb.ingest([folder])
    doc_id = kb.documents()[0].doc_id
    f.write_text("Alpha paragraph about vaccines.\n\n" + "Gamma paragraph about diagnostics. " * 30)
    report = kb.ingest([folder])
    assert report.updated == ["note.txt"]
    assert kb.documents()[0].doc_id == doc_id
    texts = " ".join(c.text for c in kb.chunks(doc_id))
    assert "Gamma" in texts and "Beta" not in texts
    # Only the new text was embedded: the unchanged first paragraph kept its vector.
    assert report.embedded < len(kb.chunks(doc_id)) + 1


def test_identical_content_under_two_paths_is_indexed_once(kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    body = "The same statement delivered twice. " * 20
    (folder / "a.txt").write_text(body)
    (folder / "copy-of-a.txt").write_text(body)
    report = kb.ingest([folder])
    assert report.added == ["a.txt"] and report.duplicates == ["copy-of-a.txt"]
    assert len(kb.documents()) == 1
    assert sorted(kb.ingest([folder]).unchanged) == ["a.txt", "copy-of-a.txt"]


def test_prune_removes_documents_whose_files_are_gone(kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    body = "Statement on access to medicines. " * 20
    (folder / "a.txt").write_text(body)
    (folder / "copy.txt").write_text(body)
    (folder / "b.txt").write_text("Different text about patient safety. " * 20)
    kb.ingest([folder])
    (folder / "a.txt").unlink()
    assert kb.ingest([folder]).removed == []  # without --prune nothing is removed
    report = kb.ingest([folder], prune=True)
    assert report.removed == ["a.txt"]
    # The duplicate now stands for the content.
    assert report.added == ["copy.txt"]
    assert sorted(d.source for d in kb.documents()) == ["b.txt", "copy.txt"]


def test_new_chunker_version_rechunks(tmp_path: Path, corpus_copy: Path) -> None:
    KnowledgeBase(make_settings(tmp_path)).ingest([corpus_copy])
    report = KnowledgeBase(make_settings(tmp_path, chunk_tokens=60)).ingest([corpus_copy])
    assert len(report.updated) == 5


def test_chunk_lookup_by_id(kb: KnowledgeBase, corpus_copy: Path) -> None:
    kb.ingest([corpus_copy])
    doc = kb.documents()[0]
    first = kb.chunks(doc.doc_id)[0]
    assert kb.chunk(first.chunk_id) == first
    assert kb.chunk("no-such-chunk") is None
