"""policykb's hybrid search as a LlamaIndex retriever, for LlamaIndex query engines, chat engines and
node postprocessors.

A face like the API or the CLI: it calls only `KnowledgeBase.search`, so it works with any storage
backend and sees exactly what the other faces see (same filters, same fusion, same live generation).

    from llama_index.core.query_engine import RetrieverQueryEngine
    from policykb.integrations.llama_index import PolicyKBRetriever
    from policykb.service.knowledge_base import KnowledgeBase

    engine = RetrieverQueryEngine.from_args(PolicyKBRetriever(KnowledgeBase(), k=5), llm=my_llm)
    print(engine.query("What did WHA66 resolve on patient safety?"))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llama_index.core.callbacks import CallbackManager
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeRelationship, NodeWithScore, QueryBundle, RelatedNodeInfo, TextNode

from policykb.service.knowledge_base import KnowledgeBase

if TYPE_CHECKING:
    from policykb.core.filters import Filters
    from policykb.core.types import SearchMode as Mode

# Shown to the LLM with each passage (so an answer can name its source); the rest is for the caller.
_LLM_METADATA = ("title", "source", "date", "page")


class PolicyKBRetriever(BaseRetriever):
    """Retrieves passages with `KnowledgeBase.search`: one node per passage, its node id the chunk id and
    its source document the policykb document (`node.ref_doc_id == doc_id`)."""

    def __init__(
        self,
        kb: KnowledgeBase,
        k: int = 10,
        filters: Filters | None = None,
        mode: Mode = "hybrid",
        callback_manager: CallbackManager | None = None,
    ) -> None:
        super().__init__(callback_manager=callback_manager)
        self._kb = kb
        self._k = k
        self._filters = filters
        self._mode = mode

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        response = self._kb.search(query_bundle.query_str, k=self._k, filters=self._filters, mode=self._mode)
        nodes = []
        for hit in response.results:
            metadata: dict[str, Any] = {
                "title": hit.title,
                "source": hit.source,
                "date": hit.date,
                "page": hit.page,
                "doc_id": hit.doc_id,
                "chunk_id": hit.chunk_id,
                "doc_type": hit.doc_type,
                "organisations": hit.organisations,
                "url": hit.url,
                "char_start": hit.char_start,
                "char_end": hit.char_end,
            }
            hidden = [key for key in metadata if key not in _LLM_METADATA]
            node = TextNode(
                id_=hit.chunk_id,
                text=hit.text,
                metadata=metadata,
                excluded_llm_metadata_keys=hidden,
                excluded_embed_metadata_keys=list(metadata),
            )
            node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=hit.doc_id)
            nodes.append(NodeWithScore(node=node, score=hit.score))
        return nodes
