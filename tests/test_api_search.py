"""The staff search routes: grouped search, CSV, more like this, the timeline, facets, meeting filters."""

from __future__ import annotations

import csv
import io
import shutil

import pytest
from fastapi.testclient import TestClient

from policykb.api.app import create_app
from policykb.service.knowledge_base import KnowledgeBase
from tests.conftest import CORPUS, make_settings
from tests.test_staff_search import write_statements


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    tmp = tmp_path_factory.mktemp("api-search")
    shutil.copytree(CORPUS, tmp / "corpus")
    write_statements(tmp / "corpus" / "statements")
    kb = KnowledgeBase(make_settings(tmp))
    kb.ingest([tmp / "corpus"])
    return TestClient(create_app(kb, with_ui=False))


def test_search_groups_by_document_unless_asked_for_passages(client: TestClient) -> None:
    grouped = client.post("/v1/search", json={"query": "patients", "k": 5}).json()["results"]
    assert len(grouped) == 5 and len({r["doc_id"] for r in grouped}) == 5
    assert any(r["more"] for r in grouped)
    assert all(p["doc_id"] == r["doc_id"] for r in grouped for p in r["more"])
    assert {"snippet", "meeting", "agenda_item", "passage_url"} <= set(grouped[0])
    passages = client.post("/v1/search", json={"query": "patients", "k": 30, "group": "passage"}).json()["results"]
    assert len({r["doc_id"] for r in passages}) < len(passages) and all(r["more"] == [] for r in passages)


def test_search_as_csv(client: TestClient) -> None:
    body = {"query": "access to medicines", "k": 5, "format": "csv", "filters": {"doc_type": ["statement"]}}
    response = client.post("/v1/search", json=body)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert 'filename="policykb-search-access-to-medicines-' in response.headers["content-disposition"]
    first, rest = response.text.split("\n", 1)
    assert first.startswith("# policykb search: query: access to medicines; filters: type=statement;")
    rows = list(csv.reader(io.StringIO(rest)))
    assert rows[0][0] == "rank" and len(rows) == 4 and {r[2] for r in rows[1:]} == {"Statement"}


def test_more_like_this_for_a_passage_and_for_a_document(client: TestClient) -> None:
    top = client.post("/v1/search", json={"query": "NOT only AND OR lone quote", "group": "passage"}).json()
    source = next(r for r in top["results"] if "(WHO: NOT only AND OR)" in r["text"])
    like = client.post("/v1/more-like-this", json={"chunk_id": source["chunk_id"], "group": "passage"})
    assert like.status_code == 200
    assert like.json()["results"] and all(r["chunk_id"] != source["chunk_id"] for r in like.json()["results"])
    by_doc = client.post("/v1/more-like-this", json={"doc_id": source["doc_id"], "k": 3}).json()["results"]
    assert len(by_doc) == 3 and all(r["doc_id"] != source["doc_id"] for r in by_doc)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 422),
        ({"chunk_id": "a", "doc_id": "b"}, 422),
        ({"chunk_id": "no-such-passage"}, 404),
        ({"doc_id": "0123456789abcdef"}, 404),
    ],
)
def test_more_like_this_needs_one_known_id(client: TestClient, body: dict, status: int) -> None:
    response = client.post("/v1/more-like-this", json=body)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")


def test_timeline_lists_documents_by_date(client: TestClient) -> None:
    params = {"query": "access to medicines", "doc_type": "statement", "date_from": "2016"}
    oldest = client.get("/v1/timeline", params=params).json()
    assert oldest["order"] == "oldest"
    assert oldest["results"][0]["meeting"] == "WHA69"
    dates = [r["date"] for r in oldest["results"]]
    assert dates == sorted(dates) and len(dates) == 3
    newest = client.get("/v1/timeline", params={**params, "order": "newest"}).json()["results"]
    assert [r["date"] for r in newest] == sorted(dates, reverse=True)
    only = client.get("/v1/timeline", params={**params, "meeting": ["WHA77", "RC74 AFRO"]}).json()["results"]
    assert {r["meeting"] for r in only} == {"WHA77", "RC74 AFRO"}
    as_csv = client.get("/v1/timeline", params={**params, "format": "csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.text.startswith("# policykb timeline: query: access to medicines; filters: type=statement; from=2016")
    assert client.get("/v1/timeline", params={"date_from": "last spring"}).status_code == 422


def test_facets_and_meeting_filters_on_the_document_list(client: TestClient) -> None:
    facets = client.get("/v1/facets").json()
    types = {f["value"]: f for f in facets["doc_types"]}
    assert types["statement"]["label"] == "Statement" and types["statement"]["count"] == 3
    assert "toolkit" not in types
    assert {m["value"] for m in facets["meetings"]} == {"WHA69", "WHA77", "RC74 AFRO"}
    listed = client.get("/v1/documents", params={"meeting": "WHA77"}).json()["documents"]
    assert [(d["meeting"], d["agenda_item"]) for d in listed] == [("WHA77", "11.2")]


# ------------------------------------------------ bad input: one rule per input, the same problem on every route

EMPTY_RANGE = {"date_from": "2020", "date_to": "2010"}


@pytest.mark.parametrize("query", ["", "   ", "?", '""'])
def test_a_blank_query_is_refused_unless_sorted_by_date(client: TestClient, query: str) -> None:
    from policykb.api.schemas import BLANK_QUERY

    for body in ({"query": query}, {"query": query, "format": "csv"}, {"query": query, "group": "passage"}):
        response = client.post("/v1/search", json=body)
        assert response.status_code == 422 and response.headers["content-type"].startswith("application/problem")
        assert response.json()["detail"] == BLANK_QUERY and "sort by date" in BLANK_QUERY
    # documented (docs/filters.md): an empty query sorted by date lists the newest; a timeline is in date order
    newest = client.post("/v1/search", json={"query": query, "sort": "date", "k": 3})
    dates = [r["date"] or "" for r in newest.json()["results"]]
    assert newest.status_code == 200 and dates and dates == sorted(dates, reverse=True)
    timeline = client.get("/v1/timeline", params={"query": query, "k": 3})
    assert timeline.status_code == 200 and timeline.json()["results"]


@pytest.mark.parametrize(("k", "status"), [(0, 422), (-5, 422), (1, 200), (100, 200), (101, 422), (100000, 422)])
def test_k_has_the_same_bounds_on_every_route(client: TestClient, k: int, status: int) -> None:
    doc_id = client.post("/v1/search", json={"query": "patients", "k": 1}).json()["results"][0]["doc_id"]
    assert client.post("/v1/search", json={"query": "patients", "k": k}).status_code == status
    assert client.get("/v1/timeline", params={"query": "patients", "k": k}).status_code == status
    assert client.post("/v1/more-like-this", json={"doc_id": doc_id, "k": k}).status_code == status


def test_an_empty_date_range_is_an_invalid_filter_on_every_route(client: TestClient) -> None:
    question = "What is Patient Solidarity Day?"
    responses = [
        client.post("/v1/search", json={"query": "patients", "filters": EMPTY_RANGE}),
        client.post("/v1/search", json={"query": "patients", "filters": EMPTY_RANGE, "format": "csv"}),
        client.post("/v1/search", json={"query": "", "sort": "date", "filters": EMPTY_RANGE}),
        client.post("/v1/more-like-this", json={"doc_id": "0123456789abcdef", "filters": EMPTY_RANGE}),
        client.post("/v1/ask", json={"question": question, "filters": EMPTY_RANGE}),
        client.post("/v1/ask", json={"question": question, "filters": EMPTY_RANGE, "stream": True}),
        client.get("/v1/timeline", params={"query": "patients", **EMPTY_RANGE}),
        client.get("/v1/timeline", params={"query": "patients", "format": "csv", **EMPTY_RANGE}),
        client.get("/v1/documents", params=EMPTY_RANGE),
    ]
    for response in responses:
        assert response.status_code == 422 and response.headers["content-type"].startswith("application/problem")
        problem = response.json()
        assert problem["title"] == "Invalid filter" and problem["kind"] == "filter"
        assert "the date range is empty: date_from (2020) is after date_to (2010)" in problem["detail"]
    # a range inside one period is not empty: March 2024 to the end of 2024
    one_period = {"date_from": "2024-03", "date_to": "2024"}
    assert client.post("/v1/search", json={"query": "patients", "filters": one_period}).status_code == 200
    assert client.get("/v1/timeline", params={"query": "patients", **one_period}).status_code == 200


def test_a_malformed_date_is_the_same_problem_on_every_route(client: TestClient) -> None:
    bad = {"date_from": "last spring"}
    responses = [
        client.post("/v1/search", json={"query": "patients", "filters": bad}),
        client.post("/v1/ask", json={"question": "What is Patient Solidarity Day?", "filters": bad}),
        client.get("/v1/timeline", params={"query": "patients", **bad}),
        client.get("/v1/documents", params=bad),
    ]
    problems = [r.json() for r in responses]
    assert {r.status_code for r in responses} == {422}
    assert {(p["title"], p["kind"], p["errors"][0]["msg"]) for p in problems} == {
        ("Invalid filter", "filter", "not a date: 'last spring' (use YYYY, YYYY-MM or YYYY-MM-DD)")
    }
    assert [p["errors"][0]["loc"] for p in problems] == [["body", "filters", "date_from"]] * 2 + [
        ["query", "date_from"]
    ] * 2
    # a bad date beside another bad value is not only a filter problem
    mixed = client.post("/v1/search", json={"query": "patients", "k": 0, "filters": bad}).json()
    assert mixed["title"] == "Invalid request" and len(mixed["errors"]) == 2 and "kind" not in mixed
