"""Service objects -> API models, with links to the original files (PDF links open at the page)."""

from __future__ import annotations

from dataclasses import asdict

from policykb.core.types import Answer, DocumentInfo
from policykb.service.knowledge_base import file_url, passage_url


def answer_view(answer: Answer) -> dict:
    data = asdict(answer)
    for item in data["citations"] + data["related"]:
        item["file_url"] = file_url(item["doc_id"], item["source"], item["page"])
        quote = (item["char_start"], item["char_end"]) if "char_start" in item else None
        item["passage_url"] = passage_url(item["doc_id"], item["source"], item["page"], item["chunk_id"], quote)
    keys = ("answer", "answerable", "tentative", "confidence", "citations", "related", "conflicts", "corrections")
    return {k: data[k] for k in keys}


def document_view(d: DocumentInfo) -> dict:
    keys = ("doc_id", "title", "doc_type", "date", "organisations", "language", "pages", "source", "format", "url",
            "meeting", "agenda_item", "source_url")  # fmt: skip
    view = {k: getattr(d, k) for k in keys}
    view["file_url"] = file_url(d.doc_id, d.source, None)
    return view
