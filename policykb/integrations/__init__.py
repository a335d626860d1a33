"""Adapters that let other frameworks use policykb; each calls only the service (`KnowledgeBase`)."""
