"""The service's errors mapped once per face: HTTP status and problem body, CLI exit code, stream events
that never carry an internal error's text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from policykb.api.app import create_app
from policykb.api.errors import STATUS, status_of
from policykb.cli import EXIT_CODES
from policykb.core.errors import (
    INTERNAL,
    ConfigError,
    FilterError,
    IngestError,
    LLMError,
    NotFound,
    PolicyKBError,
    StorageError,
    UploadRejected,
    kind_of,
)
from policykb.core.events import FAILURE_MESSAGES, Failed, Final, Token
from policykb.service.knowledge_base import KnowledgeBase
from tests.conftest import CORPUS, make_settings

KINDS = [ConfigError, IngestError, FilterError, NotFound, LLMError, StorageError]
SECRET = "/srv/secret/path token=hunter2"


def _dead_url() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"  # nothing listens there once the socket is closed


def test_every_kind_has_an_http_status_an_exit_code_and_a_stream_message() -> None:
    kinds = {cls("x").kind for cls in KINDS} | {UploadRejected("x", "too_large").kind}
    assert kinds <= set(STATUS)
    assert kinds - {"upload_rejected", "ingest"} <= set(FAILURE_MESSAGES)
    assert {"filter", "storage", "not_found", "llm", "config"} <= set(EXIT_CODES)
    assert kind_of(RuntimeError("x")) == INTERNAL and kind_of(NotFound("x")) == "not_found"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (UploadRejected("a.exe: unsupported", "unsupported_type"), 415),
        (UploadRejected("big.txt: too large", "too_large"), 413),
        (NotFound("no document"), 404),
        (FilterError("not a date"), 422),
        (LLMError("the language model failed"), 502),
        (StorageError("disk full"), 503),
        (ConfigError("POLICYKB_LLM_URL is needed"), 500),
    ],
)
def test_http_status_of_each_error(error: PolicyKBError, status: int) -> None:
    assert status_of(error) == status


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    kb = KnowledgeBase(make_settings(tmp_path, admin_keys=["admin"]))
    kb.ingest([CORPUS])
    return kb


def test_a_service_error_is_a_problem_with_its_status_and_message(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = TestClient(create_app(kb, with_ui=False), raise_server_exceptions=False)

    def broken(*args: object, **kwargs: object) -> None:
        raise StorageError("the index cannot be read")

    monkeypatch.setattr(kb, "search", broken)
    response = client.post("/v1/search", json={"query": "patients"})
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == "the index cannot be read" and response.json()["kind"] == "storage"
    assert client.get("/v1/jobs/0123", headers={"X-API-Key": "admin"}).status_code == 404
    assert client.get("/v1/documents", params={"date_from": "soon"}).json()["title"] == "Invalid filter"


def test_an_internal_error_never_shows_its_text(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    client = TestClient(create_app(kb, with_ui=False), raise_server_exceptions=False)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(SECRET)

    monkeypatch.setattr(kb, "search", broken)
    plain = client.post("/v1/search", json={"query": "patients"})
    assert plain.status_code == 500 and "hunter2" not in plain.text
    streamed = client.post("/v1/ask", json={"question": "What is Patient Solidarity Day?", "stream": True})
    assert streamed.status_code == 200 and "hunter2" not in streamed.text
    error = [b for b in streamed.text.split("\n\n") if b.startswith("event: error")]
    assert len(error) == 1
    assert json.loads(error[0].split("data: ", 1)[1]) == {"kind": INTERNAL, "detail": FAILURE_MESSAGES[INTERNAL]}
    body = {"messages": [{"role": "user", "content": "What is Patient Solidarity Day?"}], "stream": True}
    chat = client.post("/v1/chat/completions", json=body)
    assert "hunter2" not in chat.text and FAILURE_MESSAGES[INTERNAL] in chat.text
    assert chat.text.rstrip().endswith("data: [DONE]")


def test_a_failing_language_model_is_a_502_or_an_llm_error_event(tmp_path: Path) -> None:
    url = _dead_url()
    kb = KnowledgeBase(make_settings(tmp_path, answerer="openai", llm_url=url, llm_model="fake", llm_timeout=2))
    kb.ingest([CORPUS])
    client = TestClient(create_app(kb, with_ui=False))
    question = {"question": "What theme did Patient Solidarity Day 2024 have?"}
    plain = client.post("/v1/ask", json=question)
    assert plain.status_code == 502 and url not in plain.text
    assert plain.json()["detail"] == "the language model failed to answer (could not connect)"
    streamed = client.post("/v1/ask", json={**question, "stream": True})
    error = streamed.text.split("event: error\ndata: ", 1)[1]
    assert json.loads(error) == {"kind": "llm", "detail": FAILURE_MESSAGES["llm"]}
    events = list(kb.ask_events(question["question"]))
    assert events == [Failed("llm", FAILURE_MESSAGES["llm"])]


def test_cli_exit_codes_per_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from policykb import cli
    from policykb.core.settings import get_settings

    monkeypatch.setenv("POLICYKB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("POLICYKB_EMBEDDER", "hash")
    get_settings.cache_clear()
    try:
        assert cli.main(["ingest", str(CORPUS)]) == 0
        assert cli.main(["search", "patients", "--from", "soon"]) == 2
        assert cli.main(["delete", "0123456789abcdef"]) == 4
        assert "no document 0123456789abcdef" in capsys.readouterr().err
        monkeypatch.setenv("POLICYKB_ANSWERER", "openai")
        get_settings.cache_clear()
        assert cli.main(["ask", "What is Patient Solidarity Day?"]) == 2  # no POLICYKB_LLM_URL: a ConfigError
        assert "POLICYKB_LLM_URL" in capsys.readouterr().err
        monkeypatch.setenv("POLICYKB_LLM_URL", _dead_url())
        monkeypatch.setenv("POLICYKB_LLM_MODEL", "fake")
        get_settings.cache_clear()
        assert cli.main(["ask", "What is Patient Solidarity Day?"]) == 5

        def full(*args: object, **kwargs: object) -> None:
            raise StorageError("the data directory is full")

        monkeypatch.setattr(KnowledgeBase, "search", full)
        assert cli.main(["search", "patients"]) == 3
    finally:
        get_settings.cache_clear()


def test_the_facade_drains_the_stream_it_serves(kb: KnowledgeBase) -> None:
    question = "What theme did Patient Solidarity Day 2024 have?"
    events = list(kb.ask_stream(question))
    assert [type(e) for e in events[-1:]] == [Final] and all(isinstance(e, Token) for e in events[:-1])
    final = events[-1]
    assert isinstance(final, Final)
    assert "".join(e.text for e in events[:-1] if isinstance(e, Token)) == final.answer.answer
    assert kb.ask(question) == final.answer
    assert kb.answerer.rewrite_followup("and in Asia?", [{"role": "user", "content": "x"}]) is None
