"""The REST API through FastAPI's TestClient: every route, every auth case, error shapes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from policykb.api.app import create_app
from policykb.core.text import NEEDS_A_WORD
from policykb.qa.compose import TENTATIVE
from policykb.service.knowledge_base import KnowledgeBase
from tests.conftest import CORPUS, make_pdf, make_settings

ADMIN = {"Authorization": "Bearer admin-secret"}
READER = {"X-API-Key": "reader-secret"}


def _client(tmp: Path) -> TestClient:
    corpus = tmp / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "guideline.pdf").write_bytes(
        make_pdf(["Cover page of the guideline. " * 30, "Tuberculosis screening is advised."])
    )
    settings = make_settings(tmp, admin_keys=["admin-secret"], reader_keys=["reader-secret"], corpus_dirs=[corpus],
                             cors_origins=["https://advocates.example.org"])  # fmt: skip
    kb = KnowledgeBase(settings)
    kb.ingest([corpus])
    return TestClient(create_app(kb, with_ui=False))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    """Shared by the tests that only read: none of them may change the knowledge base."""
    return _client(tmp_path_factory.mktemp("api"))


@pytest.fixture
def writable_client(tmp_path: Path) -> TestClient:
    """A knowledge base of its own, for a test that uploads, deletes or re-indexes."""
    return _client(tmp_path)


def _problem(response) -> dict:  # type: ignore[no-untyped-def]
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    body = response.json()
    assert body["status"] == response.status_code and body["detail"]
    return body


def test_health_ready_metrics(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["chunks"] > 0
    client.post("/v1/search", json={"query": "patients"})
    metrics = client.get("/metrics").text
    assert 'policykb_requests_total{method="POST",route="/v1/search",status="200"}' in metrics
    assert "policykb_index_chunks" in metrics


def test_readyz_is_503_before_any_ingest(tmp_path: Path) -> None:
    empty = TestClient(create_app(KnowledgeBase(make_settings(tmp_path)), with_ui=False))
    _problem(empty.get("/readyz"))


def test_search_returns_the_cli_fields_and_file_links(client: TestClient) -> None:
    response = client.post("/v1/search", json={"query": "tuberculosis screening", "k": 3})
    assert response.status_code == 200
    top = response.json()["results"][0]
    assert set(top) >= {
        "chunk_id",
        "doc_id",
        "title",
        "source",
        "doc_type",
        "date",
        "page",
        "score",
        "text",
        "highlight",
    }
    assert top["source"] == "guideline.pdf" and top["page"] == 2
    assert top["file_url"].endswith("/file#page=2")


def test_search_filters_and_sort(client: TestClient) -> None:
    body = {"query": "patients", "k": 20, "filters": {"doc_type": ["press_release"]}}
    results = client.post("/v1/search", json=body).json()["results"]
    assert results and {r["doc_type"] for r in results} == {"press_release"}
    dated = client.post("/v1/search", json={"query": "patients", "sort": "date", "k": 10}).json()["results"]
    dates = [r["date"] or "" for r in dated]
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize(
    "payload",
    [
        b"{not json",
        b'{"query": 5, "k": "many"}',
        b'{"query": "x", "k": 0}',
        b'{"query": "x", "unknown": 1}',
        b'{"query": "x", "filters": {"date_from": "yesterday"}}',
    ],
)
def test_bad_search_requests_are_422_problems(client: TestClient, payload: bytes) -> None:
    response = client.post("/v1/search", content=payload, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    _problem(response)


def test_ask_json_and_stream(client: TestClient) -> None:
    answer = client.post("/v1/ask", json={"question": "When did the IAPG roundtable take place?"}).json()
    assert set(answer) >= {"answer", "answerable", "tentative", "confidence", "citations", "related"}
    assert answer["tentative"] is answer["answer"].startswith(TENTATIVE)
    response = client.post("/v1/ask", json={"question": "When did the IAPG roundtable take place?", "stream": True})
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [block for block in response.text.split("\n\n") if block.strip()]
    assert events[-1].startswith("event: answer")
    final = json.loads(events[-1].split("data: ", 1)[1])
    assert final == answer
    tokens = [json.loads(e.split("data: ", 1)[1])["text"] for e in events[:-1]]
    assert all(e.startswith("event: token") for e in events[:-1])
    assert tokens and "".join(tokens) == final["answer"]


def test_ask_with_history_validates_roles(client: TestClient) -> None:
    bad = client.post("/v1/ask", json={"question": "and then?", "history": [{"role": "robot", "content": "x"}]})
    assert bad.status_code == 422
    _problem(bad)
    assert client.post("/v1/ask", json={"question": ""}).status_code == 422


def test_openai_compatible_chat(client: TestClient) -> None:
    body = {"model": "policykb", "messages": [{"role": "user", "content": "When was the IAPG roundtable?"}]}
    response = client.post("/v1/chat/completions", json=body)
    assert response.status_code == 200
    data = response.json()
    assert data["object"] == "chat.completion" and data["choices"][0]["message"]["role"] == "assistant"
    content = data["choices"][0]["message"]["content"]
    assert data["answerable"] and data["citations"]
    assert "[1]" in content
    references = content.split("\n\nReferences:\n")[1].splitlines()
    assert references[0].startswith("[1")
    cited_sources = {c["source"] for c in data["citations"]}
    assert sorted(line.rsplit(" — ", 1)[1] for line in references) == sorted(cited_sources)  # one line per document
    streamed = client.post("/v1/chat/completions", json={**body, "stream": True})
    chunks = [line[6:] for line in streamed.text.splitlines() if line.startswith("data: ")]
    assert chunks[-1] == "[DONE]"
    parsed = [json.loads(c) for c in chunks[:-1]]
    assert parsed[0]["object"] == "chat.completion.chunk"
    assert parsed[-1]["choices"][0]["finish_reason"] == "stop" and parsed[-1]["citations"] == data["citations"]
    assert "".join(p["choices"][0]["delta"]["content"] for p in parsed) == content
    not_user = client.post("/v1/chat/completions", json={"messages": [{"role": "assistant", "content": "hi"}]})
    assert not_user.status_code == 422


def test_documents_list_detail_file(client: TestClient) -> None:
    listing = client.get("/v1/documents", params={"limit": 2}).json()
    assert listing["total"] == 6 and len(listing["documents"]) == 2
    only = client.get("/v1/documents", params={"doc_type": "press_release"}).json()
    assert [d["doc_type"] for d in only["documents"]] == ["press_release"]
    doc_id = only["documents"][0]["doc_id"]
    detail = client.get(f"/v1/documents/{doc_id}").json()
    assert detail["chunks"] and detail["chunks"][0]["ordinal"] == 0
    original = client.get(f"/v1/documents/{doc_id}/file")
    assert original.status_code == 200 and b"IFPMA" in original.content
    _problem(client.get("/v1/documents/0123456789abcdef"))
    assert client.get("/v1/documents/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert client.get("/v1/documents", params={"date_from": "soon"}).status_code == 422


def test_admin_routes_need_an_admin_key(client: TestClient) -> None:
    files = {"files": ("note.txt", b"Patient groups met the ministry about vaccines. " * 20, "text/plain")}
    _problem(client.post("/v1/documents", files=files))
    assert client.post("/v1/documents", files=files).status_code == 401
    assert client.post("/v1/documents", files=files, headers=READER).status_code == 403
    assert client.post("/v1/documents", files=files, headers={"X-API-Key": "wrong"}).status_code == 401
    assert client.post("/v1/reindex").status_code == 401
    assert client.post("/v1/reindex", headers=READER).status_code == 403
    assert client.delete("/v1/documents/0123456789abcdef", headers=READER).status_code == 403
    assert client.get("/v1/jobs/nope", headers=READER).status_code == 403


def test_upload_ingests_in_the_background(writable_client: TestClient) -> None:
    client = writable_client
    files = [
        (
            "files",
            ("../../etc/vaccine note.txt", b"The alliance met the ministry about vaccine access. " * 20, "text/plain"),
        ),
    ]
    accepted = client.post("/v1/documents", files=files, headers=ADMIN)
    assert accepted.status_code == 202
    job_id = accepted.json()["id"]
    job = client.app.state.jobs.wait(job_id)
    assert job.status == "done" and job.report["added"] == ["vaccine note.txt"]
    assert client.get(f"/v1/jobs/{job_id}", headers=ADMIN).json()["report"]["added"] == ["vaccine note.txt"]
    kb = client.app.state.kb
    saved = next(d for d in kb.documents() if d.source == "vaccine note.txt")
    assert Path(saved.path).resolve().is_relative_to((kb.data_dir / "originals").resolve())
    assert (
        client.post("/v1/search", json={"query": "vaccine access ministry"}).json()["results"][0]["doc_id"]
        == saved.doc_id
    )
    _problem(client.get("/v1/jobs/unknown", headers=ADMIN))


def test_upload_refuses_bad_types_and_sizes(client: TestClient) -> None:
    exe = client.post("/v1/documents", files={"files": ("tool.exe", b"MZ", "application/octet-stream")}, headers=ADMIN)
    assert exe.status_code == 415 and "unsupported" in _problem(exe)["detail"]
    big = b"x " * int(client.app.state.kb.settings.max_upload_mb * 1024 * 1024)
    too_big = client.post("/v1/documents", files={"files": ("big.txt", big, "text/plain")}, headers=ADMIN)
    assert too_big.status_code == 413


def test_delete_and_reindex(writable_client: TestClient) -> None:
    client = writable_client
    kb = client.app.state.kb
    target = next(d for d in kb.documents() if d.source == "iapg-roundtable-2016.txt")
    accepted = client.delete(f"/v1/documents/{target.doc_id}", headers=ADMIN)
    assert accepted.status_code == 202 and accepted.json()["kind"] == "delete"
    assert client.app.state.jobs.wait(accepted.json()["id"]).report == {"deleted": [target.doc_id]}
    results = client.post("/v1/search", json={"query": "Indian Alliance of Patient Groups roundtable", "k": 20}).json()
    assert all(r["doc_id"] != target.doc_id for r in results["results"])
    assert client.delete(f"/v1/documents/{target.doc_id}", headers=ADMIN).status_code == 404
    job = client.post("/v1/reindex", headers=ADMIN).json()
    done = client.app.state.jobs.wait(job["id"])
    assert done.status == "done" and done.report["withheld"] == ["iapg-roundtable-2016.txt"]
    assert kb.document(target.doc_id) is None  # a deleted corpus document does not come back at a re-scan
    assert kb.undelete("iapg-roundtable-2016.txt") == [target.path]
    again = client.app.state.jobs.wait(client.post("/v1/reindex", headers=ADMIN).json()["id"])
    assert "iapg-roundtable-2016.txt" in again.report["added"]


def test_reads_can_require_a_key(tmp_path: Path) -> None:
    kb = KnowledgeBase(make_settings(tmp_path, reader_keys=["r"], admin_keys=["a"], require_key_for_read=True))
    locked = TestClient(create_app(kb, with_ui=False))
    assert locked.post("/v1/search", json={"query": "x"}).status_code == 401
    assert locked.post("/v1/search", json={"query": "x"}, headers={"X-API-Key": "wrong"}).status_code == 401
    assert locked.post("/v1/search", json={"query": "x"}, headers={"X-API-Key": "r"}).status_code == 200
    assert locked.post("/v1/search", json={"query": "x"}, headers={"X-API-Key": "a"}).status_code == 200
    assert locked.get("/healthz").status_code == 200


def test_cors_and_docs(client: TestClient) -> None:
    preflight = client.options("/v1/search", headers={"Origin": "https://advocates.example.org",
                                                      "Access-Control-Request-Method": "POST"})  # fmt: skip
    assert preflight.headers["access-control-allow-origin"] == "https://advocates.example.org"
    assert client.get("/openapi.json").json()["info"]["title"] == "policykb"
    assert client.get("/docs").status_code == 200
    assert client.get("/", follow_redirects=False).headers["location"] == "/docs"


@pytest.mark.parametrize(("page", "assets"), [("/docs", ["swagger-ui-bundle.js", "swagger-ui.css"]),
                                              ("/redoc", ["redoc.standalone.js"])])  # fmt: skip
def test_api_docs_are_served_offline(client: TestClient, page: str, assets: list[str]) -> None:
    """The docs pages load their scripts from this server (an installed package), never from a CDN."""
    text = client.get(page).text
    assert "cdn" not in text and "googleapis" not in text
    for asset in assets:
        assert f'"/docs-assets/{asset}"' in text
        served = client.get(f"/docs-assets/{asset}")
        assert served.status_code == 200 and len(served.content) > 100_000


def test_open_reads_accept_any_key(client: TestClient) -> None:
    """OpenAI clients always send a key: while reads are open it is not checked on read routes."""
    for headers in ({"Authorization": "Bearer sk-whatever"}, {"X-API-Key": "wrong"}):
        assert client.post("/v1/search", json={"query": "patients"}, headers=headers).status_code == 200
        assert client.get("/v1/models", headers=headers).json()["data"][0]["id"] == "policykb"


def test_chat_stream_sends_the_draft_then_the_verified_answer(tmp_path: Path) -> None:
    from tests.fake_llm import fake_llm

    reply = "IAPO celebrated Patient Solidarity Day under the theme The Power of Community [1]. Unsupported. [2]"
    with fake_llm(lambda messages: reply) as (url, _):
        kb = KnowledgeBase(make_settings(tmp_path, answerer="openai", llm_url=url, llm_model="fake"))
        kb.ingest([CORPUS])
        client = TestClient(create_app(kb, with_ui=False))
        body = {"messages": [{"role": "user", "content": "What theme did Patient Solidarity Day 2024 have?"}]}
        streamed = client.post("/v1/chat/completions", json={**body, "stream": True})
        plain = client.post("/v1/chat/completions", json=body).json()
    chunks = [json.loads(line[6:]) for line in streamed.text.splitlines() if line.startswith("data: {")]
    text = "".join(c["choices"][0]["delta"]["content"] for c in chunks)
    draft, verified = text.split("\n\nVerified answer:\n")
    assert draft == reply
    assert verified == plain["choices"][0]["message"]["content"] and "Power of Community" in verified


def test_reading_view_opens_a_text_document_at_the_passage(client: TestClient) -> None:
    answer = client.post("/v1/ask", json={"question": "When was the IAPG roundtable?"}).json()
    citation = answer["citations"][0]
    assert citation["passage_url"].startswith(f"/v1/documents/{citation['doc_id']}/read?start=")
    assert citation["passage_url"].endswith(f"#chunk-{citation['chunk_id']}")
    page = client.get(citation["passage_url"].split("#")[0])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    kb = client.app.state.kb
    for chunk in kb.chunks(citation["doc_id"]):
        assert f'<section id="chunk-{chunk.chunk_id}">' in page.text
    marked = page.text.split("<mark>")[1].split("</mark>")[0]
    assert " ".join(citation["quote"].split())[:40] in marked
    assert "<script" not in page.text


def test_pdf_passages_open_at_their_page(client: TestClient) -> None:
    hits = client.post("/v1/search", json={"query": "Tuberculosis screening is advised"}).json()["results"]
    pdf = next(h for h in hits if h["source"] == "guideline.pdf")
    assert pdf["passage_url"] == f"/v1/documents/{pdf['doc_id']}/file#page=2" == pdf["file_url"]


@pytest.mark.parametrize("question", ["", "   ", "?", "¿ … !"])
def test_a_question_without_a_word_is_422_on_ask_and_chat(client: TestClient, question: str) -> None:
    for body in ({"question": question}, {"question": question, "stream": True}):
        problem = _problem(client.post("/v1/ask", json=body))
        assert problem["status"] == 422 and problem["detail"] == "body.question: " + NEEDS_A_WORD
    for content in (question, [{"type": "text", "text": question}]):
        chat = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": content}]})
        assert chat.status_code == 422 and NEEDS_A_WORD in _problem(chat)["detail"]


def test_a_question_with_one_word_is_asked(client: TestClient) -> None:
    assert client.post("/v1/ask", json={"question": "2024?"}).status_code == 200  # a number is a word
    chat = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "IAPO?"}]})
    assert chat.status_code == 200
