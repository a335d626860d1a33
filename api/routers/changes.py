"""What changed: the change feed as JSON, and the documents it added as an Atom feed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from policykb.api import deps
from policykb.api.schemas import ChangeFeed, change_feed
from policykb.core.types import Change, ChangeRun
from policykb.service.changes import new_documents, parse_since
from policykb.service.knowledge_base import KnowledgeBase

router = APIRouter(prefix="/v1", tags=["changes"])

SINCE = Query(default=None, max_length=64, description="ISO 8601 date or time (UTC by default), or a span: 36h, 7d, 2w")
ATOM = "http://www.w3.org/2005/Atom"


@router.get("/changes", response_model=ChangeFeed, dependencies=[Depends(deps.require_reader)])
def changes(
    kb: KnowledgeBase = Depends(deps.kb),
    since: str | None = SINCE,
    limit: int = Query(default=50, ge=1, le=500),
) -> dict:
    """Every ingest run (CLI, upload, re-scan, watched folder, fetched link, delete), newest first: when, what
    triggered it, and the documents it added, updated, moved or removed, and the files that failed and why."""
    return change_feed(kb.changes(parse_since(since), limit))


@router.get(
    "/changes.atom",
    dependencies=[Depends(deps.require_reader)],
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}, "description": "an Atom feed of new documents"}},
)
def changes_atom(
    request: Request,
    kb: KnowledgeBase = Depends(deps.kb),
    since: str | None = SINCE,
    limit: int = Query(default=50, ge=1, le=500),
) -> Response:
    """New documents as an Atom feed (RFC 4287), newest first; each entry links to the document's reading view."""
    base = str(request.base_url).rstrip("/")
    added = new_documents(kb.changes(parse_since(since), limit))
    return Response(atom_feed(base, added), media_type="application/atom+xml; charset=utf-8")


def atom_feed(base: str, added: list[tuple[ChangeRun, Change]]) -> bytes:
    """ElementTree escapes every text and attribute: titles and sources are data, never markup."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", f"{base}/v1/changes.atom")
    _text(feed, "title", "policykb: new documents")
    _text(feed, "updated", _stamp(added[0][0].at if added else 0.0))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=f"{base}/v1/changes.atom")
    _text(ET.SubElement(feed, f"{{{ATOM}}}author"), "name", "policykb")
    for run, change in added:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", f"{base}/v1/documents/{change.doc_id}#added-{run.id}")
        _text(entry, "title", change.title or change.source)
        _text(entry, "updated", _stamp(run.at))
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html",
                      href=f"{base}/v1/documents/{change.doc_id}/read")  # fmt: skip
        _text(entry, "summary", f"{change.source}: added ({run.trigger})")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _text(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}{tag}").text = _xml_safe(text)


def _xml_safe(text: str) -> str:
    """XML 1.0 cannot carry control characters even escaped; a title extracted from a file may hold some."""
    return "".join(
        c
        for c in text
        if c in "\t\n\r" or (ord(c) >= 0x20 and not 0xD800 <= ord(c) <= 0xDFFF and ord(c) not in (0xFFFE, 0xFFFF))
    )


def _stamp(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
