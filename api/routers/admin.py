from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends

from policykb.api import deps
from policykb.api.schemas import JobModel
from policykb.core.errors import NotFound
from policykb.service.jobs import JobManager
from policykb.service.knowledge_base import KnowledgeBase

router = APIRouter(prefix="/v1", tags=["admin"])


@router.post("/reindex", response_model=JobModel, status_code=202, dependencies=[Depends(deps.require_admin)])
def reindex(kb: KnowledgeBase = Depends(deps.kb), manager: JobManager = Depends(deps.jobs)) -> dict:
    """Re-scan the configured corpus folders (POLICYKB_CORPUS_DIRS) in the background; queries go on."""
    folders = [Path(p) for p in kb.settings.corpus_dirs]
    return manager.submit_ingest(folders, prune=True, kind="reindex").as_dict()


@router.post("/links/refresh", response_model=JobModel, status_code=202, dependencies=[Depends(deps.require_admin)])
def refresh_links(manager: JobManager = Depends(deps.jobs)) -> dict:
    """Fetch every kept link again in the background, conditionally (ETag, Last-Modified): an unchanged page
    costs one request answered 304; a changed one is updated in place and keeps its document."""
    return manager.submit_refresh().as_dict()


@router.get("/jobs/{job_id}", response_model=JobModel, dependencies=[Depends(deps.require_admin)])
def job(job_id: str, manager: JobManager = Depends(deps.jobs)) -> dict:
    """Progress and, when done, the ingest report."""
    found = manager.get(job_id)
    if found is None:
        raise NotFound(f"no job {job_id!r}")
    return found.as_dict()


@router.post("/jobs/{job_id}/cancel", response_model=JobModel, dependencies=[Depends(deps.require_admin)])
def cancel_job(job_id: str, manager: JobManager = Depends(deps.jobs)) -> dict:
    """A queued job is cancelled at once; a running one stops at its next file or embedding batch (status
    `cancelling`, then `cancelled`). Documents it finished stay; a finished job is returned unchanged."""
    found = manager.cancel(job_id)
    if found is None:
        raise NotFound(f"no job {job_id!r}")
    return found.as_dict()
