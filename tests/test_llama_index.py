"""The LlamaIndex integration: policykb's search as a retriever inside a real LlamaIndex query engine
(MockLLM: no network, no model)."""

from __future__ import annotations

import pytest
from llama_index.core.llms import MockLLM
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.schema import MetadataMode

from policykb.index.search import Filters
from policykb.integrations.llama_index import PolicyKBRetriever
from policykb.service.knowledge_base import KnowledgeBase

pytestmark = pytest.mark.model  # through sample_kb


def test_retriever_returns_the_service_search_results_as_nodes(sample_kb: KnowledgeBase) -> None:
    query = "Patient Solidarity Day theme"
    nodes = PolicyKBRetriever(sample_kb, k=2).retrieve(query)
    hits = sample_kb.search(query, k=2).results
    assert [n.node.node_id for n in nodes] == [h.chunk_id for h in hits]
    assert [n.score for n in nodes] == [h.score for h in hits]
    top = nodes[0].node
    assert top.metadata["source"] == "iapo-2024-activities-report.txt"
    assert top.ref_doc_id == hits[0].doc_id
    assert "Power of Community" in top.get_content()
    shown = top.get_content(metadata_mode=MetadataMode.LLM)
    assert f"source: {hits[0].source}" in shown and "char_start" not in shown


def test_filters_and_mode_reach_the_search(sample_kb: KnowledgeBase) -> None:
    press = PolicyKBRetriever(sample_kb, k=20, filters=Filters(doc_type=["press_release"])).retrieve("patients")
    assert press and {n.node.metadata["doc_type"] for n in press} == {"press_release"}
    lexical = PolicyKBRetriever(sample_kb, k=5, mode="lexical").retrieve("Power of Community")
    assert [n.node.node_id for n in lexical] == [
        h.chunk_id for h in sample_kb.search("Power of Community", k=5, mode="lexical").results
    ]


def test_runs_inside_a_llama_index_query_engine(sample_kb: KnowledgeBase) -> None:
    engine = RetrieverQueryEngine.from_args(PolicyKBRetriever(sample_kb, k=3), llm=MockLLM())
    response = engine.query("What was the theme of Patient Solidarity Day?")
    sources = [n.node.metadata["source"] for n in response.source_nodes]
    assert sources[0] == "iapo-2024-activities-report.txt"
    # MockLLM echoes its prompt: the retrieved passages reached the response synthesiser.
    assert response.source_nodes[0].node.get_content() in str(response)
    assert "title: " in str(response)
