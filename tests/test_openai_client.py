"""The official `openai` client against the API served on loopback: models, chat, streaming, usage; any
key is accepted while reads are open, a wrong key is refused where keys are required."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from policykb.api.app import create_app
from policykb.api.routers.chat import references
from policykb.service.knowledge_base import KnowledgeBase
from tests.conftest import CORPUS, make_settings
from tests.live_server import serving

QUESTION = "When was the IAPG roundtable?"


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    kb = KnowledgeBase(make_settings(tmp_path_factory.mktemp("openai"), admin_keys=["admin-secret"]))
    kb.ingest([CORPUS])
    return kb


@pytest.fixture(scope="module")
def base_url(kb: KnowledgeBase) -> Iterator[str]:
    with serving(create_app(kb, with_ui=False)) as base:
        yield base + "/v1"


def _client(base_url: str, key: str = "sk-anything-the-client-sends") -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key=key, max_retries=0, timeout=60)


def test_models_lists_the_answerer(base_url: str) -> None:
    models = _client(base_url).models.list().data
    assert [m.id for m in models] == ["policykb"]
    assert models[0].model_extra == {"answerer": "extractive"}
    assert _client(base_url).models.retrieve("policykb").id == "policykb"


def test_chat_answers_with_citations_and_real_usage(base_url: str, kb: KnowledgeBase) -> None:
    completion = _client(base_url).chat.completions.create(
        model="policykb", messages=[{"role": "user", "content": QUESTION}]
    )
    content = completion.choices[0].message.content or ""
    assert "roundtable" in content and "[1]" in content and "\n\nReferences:\n" in content
    usage = completion.usage
    assert usage is not None
    assert usage.prompt_tokens == kb.embedder.count_tokens([QUESTION])[0] > 0
    assert usage.completion_tokens == kb.embedder.count_tokens([content])[0] > 10
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_streaming_sends_the_answer_in_several_chunks(base_url: str) -> None:
    client = _client(base_url)
    plain = client.chat.completions.create(model="policykb", messages=[{"role": "user", "content": QUESTION}])
    stream = client.chat.completions.create(
        model="policykb",
        messages=[{"role": "user", "content": QUESTION}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    texts = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(texts) >= 3
    assert "".join(texts) == plain.choices[0].message.content
    assert chunks[-1].choices == [] and chunks[-1].usage == plain.usage


def test_a_wrong_key_is_refused_only_where_keys_are_required(base_url: str, tmp_path: Path) -> None:
    assert _client(base_url, "wrong").models.list().data  # reads are open here
    refused = httpx.post(base_url + "/reindex", headers={"Authorization": "Bearer wrong"})
    assert refused.status_code == 401 and refused.json()["detail"] == "unknown API key"
    kb = KnowledgeBase(make_settings(tmp_path, reader_keys=["reader-secret"], require_key_for_read=True))
    with serving(create_app(kb, with_ui=False)) as locked:
        with pytest.raises(openai.AuthenticationError):
            _client(locked + "/v1", "wrong").models.list()
        assert _client(locked + "/v1", "reader-secret").models.list().data[0].id == "policykb"


def test_references_name_each_document_once() -> None:
    def cite(n: int, doc: str, page: int | None) -> dict:
        return {"n": n, "doc_id": doc, "title": f"Title {doc}", "doc_type": "report", "date": "2024",
                "page": page, "source": f"{doc}.pdf"}  # fmt: skip

    text = references({"citations": [cite(1, "a", 7), cite(2, "b", None), cite(3, "a", 9), cite(4, "a", 7)]})
    assert text.split("References:\n")[1].splitlines() == [
        "[1, 3, 4] Title a (report, 2024, pp. 7, 9) — a.pdf",
        "[2] Title b (report, 2024) — b.pdf",
    ]
