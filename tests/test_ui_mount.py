"""The server answers its API before the web UI is built, and the UI arrives by itself; a UI that cannot be
built leaves the API serving."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from policykb.api import ui_mount
from policykb.api.app import create_app
from policykb.service.knowledge_base import KnowledgeBase
from tests.conftest import make_settings
from tests.live_server import serving


def _until(predicate, seconds: float = 60) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_the_api_is_ready_while_the_ui_is_being_built(
    tmp_path: Path, corpus_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = KnowledgeBase(make_settings(tmp_path))
    kb.ingest([corpus_copy])
    release = threading.Event()
    real = ui_mount.build_host

    def slow_build(*args: object) -> FastAPI:
        assert release.wait(60)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(ui_mount, "build_host", slow_build)
    with serving(create_app(kb, ui_background=True)) as base:
        assert httpx.get(f"{base}/readyz").status_code == 200
        assert httpx.post(f"{base}/v1/search", json={"query": "patients"}).json()["results"]
        starting = httpx.get(f"{base}/ui/")
        assert starting.status_code == 503 and starting.headers["retry-after"] == "1"
        assert "starting" in starting.text and starting.headers["x-frame-options"] == "DENY"  # inside the edge
        release.set()
        assert _until(lambda: httpx.get(f"{base}/ui/").status_code == 200)
        assert "policykb" in httpx.get(f"{base}/ui/").text


def test_a_ui_that_fails_to_build_leaves_the_api_serving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> FastAPI:
        raise RuntimeError("no gradio here")

    monkeypatch.setattr(ui_mount, "build_host", broken)
    kb = KnowledgeBase(make_settings(tmp_path))
    with serving(create_app(kb, ui_background=True)) as base:
        assert _until(lambda: httpx.get(f"{base}/ui/").status_code == 500)
        assert "failed to start" in httpx.get(f"{base}/ui/").text
        assert httpx.get(f"{base}/healthz").status_code == 200
