"""The library: list, read, download; admins upload and delete."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from policykb.api import deps
from policykb.api.routers.views import document_view
from policykb.api.schemas import DocumentDetail, DocumentList, JobModel, LinksRequest
from policykb.core.errors import NotFound
from policykb.core.filters import Filters
from policykb.core.types import Document
from policykb.service.fetch import check_url
from policykb.service.jobs import JobManager
from policykb.service.knowledge_base import KnowledgeBase

router = APIRouter(prefix="/v1", tags=["documents"])


@router.get("/documents", response_model=DocumentList, dependencies=[Depends(deps.require_reader)])
def list_documents(
    kb: KnowledgeBase = Depends(deps.kb),
    filters: Filters = Depends(deps.filters),
    offset: int = Query(default=0, ge=0),
    limit: int = Query(default=50, ge=1, le=500),
) -> dict:
    """Documents, newest first, with the same filter semantics as search."""
    docs = kb.documents(filters)
    return {"documents": [document_view(d) for d in docs[offset : offset + limit]], "total": len(docs),
            "offset": offset, "limit": limit}  # fmt: skip


def _document(kb: KnowledgeBase, doc_id: str) -> Document:
    document = kb.document(doc_id) if re.fullmatch(r"[0-9a-f]{16}", doc_id) else None
    if document is None:
        raise NotFound(f"no document with id {doc_id!r}")
    return document


@router.get("/documents/{doc_id}", response_model=DocumentDetail, dependencies=[Depends(deps.require_reader)])
def get_document(doc_id: str, kb: KnowledgeBase = Depends(deps.kb)) -> dict:
    document = _document(kb, doc_id)
    chunks = [
        {k: getattr(c, k) for k in ("chunk_id", "ordinal", "text", "page_start", "page_end", "char_start", "char_end",
                                    "headings")}
        for c in kb.chunks(doc_id)
    ]  # fmt: skip
    return {**document_view(document), "chunks": chunks}


@router.get(
    "/documents/{doc_id}/file",
    dependencies=[Depends(deps.require_reader)],
    responses={200: {"content": {"application/octet-stream": {}}, "description": "the original file"}},
)
def get_file(doc_id: str, kb: KnowledgeBase = Depends(deps.kb)) -> Response:
    """The original file; links to PDFs carry #page=N. Types that can run script in a browser (HTML, SVG,
    XML ...) are only offered as downloads, and everything is sandboxed: no original runs as this origin.
    A replica that does not hold the file on its disk serves the bytes its catalog kept (PostgreSQL)."""
    document = _document(kb, doc_id)
    path = Path(document.path)
    media, disposition = serving_of(document.format)
    response: Response
    if path.is_file():
        response = FileResponse(path, media_type=media, filename=path.name, content_disposition_type=disposition)
    else:
        data = kb.original(document)
        if data is None:
            raise NotFound("the original file is no longer on the server")
        response = Response(
            data,
            media_type=media,
            headers={"Content-Disposition": f"{disposition}; filename*=utf-8''{quote(path.name)}"},
        )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    )
    return response


# Formats a browser shows without running anything; every other original (HTML can carry script) downloads.
INLINE = {"pdf": "application/pdf", "txt": "text/plain; charset=utf-8", "markdown": "text/plain; charset=utf-8"}
DOWNLOAD = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def serving_of(doc_format: str) -> tuple[str, str]:
    """(media type, disposition) of an original file."""
    if doc_format in INLINE:
        return INLINE[doc_format], "inline"
    return DOWNLOAD.get(doc_format, "application/octet-stream"), "attachment"


@router.delete(
    "/documents/{doc_id}", response_model=JobModel, status_code=202, dependencies=[Depends(deps.require_admin)]
)
def delete_document(
    doc_id: str, kb: KnowledgeBase = Depends(deps.kb), manager: JobManager = Depends(deps.jobs)
) -> dict:
    """Removes the document from the registry and every part of the index, as a job (it waits for a running
    ingest without holding the request). An uploaded original is deleted; a corpus file is left out of
    later re-scans until `policykb undelete` releases it."""
    _document(kb, doc_id)
    return manager.submit_delete(doc_id).as_dict()


UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"},
                                         "description": "one or more documents"}},
                "required": ["files"],
            }
        },
        "application/json": {"schema": LinksRequest.model_json_schema()},
    },
}  # fmt: skip


@router.post(
    "/documents",
    response_model=JobModel,
    status_code=202,
    dependencies=[Depends(deps.require_admin)],
    openapi_extra={"requestBody": UPLOAD_BODY},
)
async def upload(
    request: Request, kb: KnowledgeBase = Depends(deps.kb), manager: JobManager = Depends(deps.jobs)
) -> dict:
    """Upload documents (multipart `files`), or give links to fetch (JSON `{"urls": [...]}`: web pages and
    PDFs, kept with their address and refreshed by `POST /v1/links/refresh`). Either is ingested in the
    background (follow GET /v1/jobs/{id}); a link that cannot be fetched is a failure in the job's report."""
    if request.headers.get("content-type", "").split(";", 1)[0].strip().lower() == "application/json":
        try:
            links = LinksRequest.model_validate_json(await request.body())
        except ValidationError as exc:
            raise RequestValidationError(exc.errors(include_url=False, include_context=False)) from None
        for url in links.urls:
            check_url(url, allow_private=True)  # the scheme and host now; addresses when fetched
        return manager.submit_fetch(links.urls).as_dict()
    form = await request.form()
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    if not files:
        missing = {"type": "missing", "loc": ("body", "files"), "msg": "Field required", "input": None}
        raise RequestValidationError([missing])
    limit = int(kb.settings.max_upload_mb * 1024 * 1024)
    saved: list[Path] = []
    for upload_file in files:
        data = await upload_file.read(limit + 1)
        saved.append(kb.store_upload(upload_file.filename or "", data))
    return manager.submit_ingest(saved, kind="upload").as_dict()
