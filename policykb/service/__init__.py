"""The service: the one facade (`KnowledgeBase`) that every face calls, background jobs and key roles."""

from policykb.service.knowledge_base import KnowledgeBase

__all__ = ["KnowledgeBase"]
