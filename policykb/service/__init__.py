"""The service: the one facade (`KnowledgeBase`) that every face calls, background jobs and key roles."""

from policykb.index.search import Filters, SearchHit, SearchResponse
from policykb.service.knowledge_base import KnowledgeBase

__all__ = ["Filters", "KnowledgeBase", "SearchHit", "SearchResponse"]
