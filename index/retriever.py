"""The hybrid search as a llama-index retriever, so llama-index query engines and postprocessors can use it."""

from __future__ import annotations

from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from policykb.core.filters import Filters
from policykb.index.search import HybridSearcher


class PolicyRetriever(BaseRetriever):
    def __init__(self, searcher: HybridSearcher, k: int = 10, filters: Filters | None = None) -> None:
        super().__init__()
        self._searcher = searcher
        self._k = k
        self._filters = filters

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        response = self._searcher.search(query_bundle.query_str, k=self._k, filters=self._filters)
        nodes = []
        for hit in response.results:
            node = TextNode(
                id_=hit.chunk_id,
                text=hit.text,
                metadata={
                    "doc_id": hit.doc_id,
                    "title": hit.title,
                    "source": hit.source,
                    "doc_type": hit.doc_type,
                    "date": hit.date,
                    "page": hit.page,
                    "char_start": hit.char_start,
                    "char_end": hit.char_end,
                },
            )
            nodes.append(NodeWithScore(node=node, score=hit.score))
        return nodes
