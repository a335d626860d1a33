"""Ranking mechanisms: contextual search text, spelling variants in both halves, document-level evidence and
the rerank stage (HashEmbedder; the figures live in `make eval`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policykb.core.errors import StorageError
from policykb.core.text import stem
from policykb.index.evidence import document_evidence
from policykb.index.rerank import FEATURES, Candidate, RerankModel, features
from policykb.service.knowledge_base import KnowledgeBase
from tests.conftest import make_settings

LEDGER = " ".join(f"Staff weigh each animal on day {i} and record the figure in the ledger." for i in range(30))


def test_title_and_headings_are_searched_but_never_shown(kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "q.md").write_text(
        f"# Quokka husbandry manual\n\n## Feeding schedule\n\n{LEDGER}\n\n## Enclosure cleaning\n\n{LEDGER}\n"
    )
    kb.ingest([folder])
    hits = kb.search("enclosure ledger", k=20, mode="lexical").results
    under = [h.headings[-1] for h in hits]
    assert "Enclosure cleaning" in under and "Feeding schedule" in under
    # a passage under the asked-for heading outranks its twin under the other heading
    assert max(i for i, h in enumerate(under) if h == "Enclosure cleaning") < min(
        i for i, h in enumerate(under) if h == "Feeding schedule" and "Enclosure" not in hits[i].text
    )
    bare = [h for h in hits if h.headings[-1] == "Enclosure cleaning" and "Enclosure" not in h.text]
    assert bare, "some passage under the heading does not repeat it"
    document = kb.document(bare[0].doc_id)
    assert document is not None
    for h in bare:
        assert h.text == document.text[h.char_start : h.char_end]
        assert "enclosure" not in h.highlight.lower() and "quokka" not in h.highlight.lower()


def test_british_and_american_spellings_meet_in_both_halves(kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("The haemoglobin organisation catalogue lists every paediatric programme.\n")
    (folder / "b.txt").write_text("The weather program lists the spring rain, not blood.\n")
    kb.ingest([folder])
    for mode in ("lexical", "dense"):
        hits = kb.search("hemoglobin organization catalog pediatric program", k=2, mode=mode).results  # type: ignore[arg-type]
        assert hits[0].source == "a.txt", mode
        assert hits[0].text.startswith("The haemoglobin organisation")  # shown as written


def test_a_question_spelling_out_an_acronym_finds_the_passage_that_uses_it(kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("The GDG will meet in April.\n")
    (folder / "b.txt").write_text("The working group will meet again in the spring of next year in Geneva.\n")
    kb.ingest([folder])
    hits = kb.search("When will the Guidelines Development Group meet?", k=2, mode="lexical").results
    assert [h.source for h in hits] == ["a.txt", "b.txt"]
    assert "<mark>GDG</mark>" in hits[0].highlight
    lower = kb.search("when will the guidelines development group meet", k=2, mode="lexical").results
    assert [h.source for h in lower] == ["b.txt", "a.txt"]  # words not written as a name spell nothing


def test_document_evidence_sums_a_documents_best_candidates_relative_to_the_best_document() -> None:
    fused = [("lone", 1.0), ("a1", 0.9), ("a2", 0.8), ("a3", 0.7), ("a4", 0.6), ("b1", 0.1)]
    doc_of = {"lone": 1, "a1": 2, "a2": 2, "a3": 2, "a4": 2, "b1": 3}
    evidence = document_evidence(fused, doc_of, depth=3)
    assert evidence[2] == 1.0  # 0.9 + 0.8 + 0.7: a fourth passage adds nothing
    assert evidence[1] == pytest.approx(1.0 / 2.4) and evidence[3] == pytest.approx(0.1 / 2.4)
    assert document_evidence([], {}) == {}


def candidate(text: str, fused: float, **halves: float) -> Candidate:
    return Candidate(fused, halves, text, "Guide", ["Section"], document=0.5)


def test_rerank_features_measure_coverage_adjacency_and_proximity() -> None:
    query = "malaria vaccine schedule"
    idf = {stem(w): 1.0 for w in ("malaria", "vaccine", "schedule")}
    rows = features(
        [
            candidate("The malaria vaccine schedule has four doses.", 2.0, lexical=10.0, dense=0.5),
            candidate(
                "A schedule. " + "Filler words here. " * 10 + "Malaria is common. Vaccine stocks.", 1.0, dense=0.7
            ),
        ],
        query,
        idf,
    )
    f = {name: rows[:, i] for i, name in enumerate(FEATURES)}
    assert list(f["fused"]) == [1.0, 0.5]
    assert list(f["lexical"]) == [1.0, 0.0] and list(f["dense"]) == [0.0, 1.0]
    assert list(f["coverage"]) == [1.0, 1.0]
    assert f["sentence"][0] == 1.0 and f["sentence"][1] == pytest.approx(1 / 3)
    assert f["bigram"][0] == 1.0 and f["bigram"][1] == 0.0
    assert f["proximity"][0] == 1.0 and f["proximity"][1] < 1.0
    assert list(f["rank"]) == [1.0, 0.5]


def test_a_model_fitted_on_other_features_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rerank.json"
    path.write_text(json.dumps({"features": ["fused"], "weights": [1.0], "depth": 30}))
    with pytest.raises(ValueError, match="features"):
        RerankModel.load(path)
    assert len(RerankModel.load().weights) == len(FEATURES)


def test_reranked_hits_come_best_first_and_only_in_hybrid_mode(kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "answer.txt").write_text("Filler about gardens. " * 8 + "The measles vaccine is given at nine months.\n")
    (folder / "scattered.txt").write_text("Measles. " + "Unrelated words about gardens. " * 8 + "A vaccine. Months.\n")
    kb.ingest([folder])
    hybrid = kb.search("when is the measles vaccine given", k=5).results
    assert hybrid[0].source == "answer.txt"
    assert [h.score for h in hybrid] == sorted((h.score for h in hybrid), reverse=True)
    assert hybrid[0].score == 1.0 and all(0 < h.score <= 1 for h in hybrid)
    assert hybrid[-1].score < 0.5  # how close a weaker passage comes to the best, not a saturated 0.99…
    plain = KnowledgeBase(make_settings(tmp_path / "plain", rerank=False))
    plain.ingest([folder])
    for mode in ("lexical", "dense"):
        reranked, not_reranked = kb.search("measles vaccine", mode=mode), plain.search("measles vaccine", mode=mode)  # type: ignore[arg-type]
        assert [h.chunk_id for h in reranked.results] == [h.chunk_id for h in not_reranked.results]


def test_a_generation_of_an_older_format_is_refused_with_what_to_do(kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("Measles vaccines.\n")
    generation = kb.ingest([folder]).generation
    manifest = Path(kb.settings.data_dir) / "generations" / str(generation) / "manifest.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "format": 1}))
    with pytest.raises(StorageError, match="policykb ingest"):
        KnowledgeBase(kb.settings).search("measles")
