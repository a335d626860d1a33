"""The CLI's JSON is the API's wire format: the same pydantic models, the same values for the same request."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from policykb import cli
from policykb.api.app import create_app
from policykb.api.schemas import AskResponse, DocumentList, SearchResponseModel, StatusModel, TimelineResponse
from policykb.core.settings import Settings
from policykb.service.knowledge_base import KnowledgeBase
from tests.conftest import CORPUS, make_settings


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    tmp = tmp_path_factory.mktemp("cli")
    shutil.copytree(CORPUS, tmp / "corpus")
    settings = make_settings(tmp)
    KnowledgeBase(settings).ingest([tmp / "corpus"])
    return settings


@pytest.fixture
def run(settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cli, "get_settings", lambda: settings)

    def run(*argv: str) -> str:
        assert cli.main(list(argv)) == 0
        return capsys.readouterr().out

    return run


@pytest.fixture(scope="module")
def api(settings: Settings) -> TestClient:
    return TestClient(create_app(KnowledgeBase(settings), with_ui=False))


def test_search_json_validates_and_equals_the_api_response(run, api: TestClient) -> None:  # type: ignore[no-untyped-def]
    out = run("search", "patient organisations", "--json", "-k", "5", "--type", "report")
    SearchResponseModel.model_validate_json(out)
    from_cli = json.loads(out)
    from_api = api.post("/v1/search", json={"query": "patient organisations", "k": 5,
                                            "filters": {"doc_type": ["report"]}}).json()  # fmt: skip
    assert from_cli["results"] and {r["doc_type"] for r in from_cli["results"]} == {"report"}
    from_cli.pop("took_ms"), from_api.pop("took_ms")
    assert from_cli == from_api


def test_ask_json_validates_and_equals_the_api_response(run, api: TestClient) -> None:  # type: ignore[no-untyped-def]
    out = run("ask", "What theme did Patient Solidarity Day 2024 have?", "--json")
    AskResponse.model_validate_json(out)
    from_api = api.post("/v1/ask", json={"question": "What theme did Patient Solidarity Day 2024 have?"}).json()
    assert json.loads(out) == from_api


def test_documents_json_validates_and_equals_the_api_listing(run, api: TestClient) -> None:  # type: ignore[no-untyped-def]
    listing = DocumentList.model_validate_json(run("documents", "--json"))
    assert listing.total == len(listing.documents) == 5
    from_api = api.get("/v1/documents", params={"limit": listing.total}).json()
    assert listing.model_dump(mode="json") == from_api


def test_status_json_validates(run, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    status = StatusModel.model_validate_json(run("status"))
    assert status.documents == 5 and status.generation is not None and status.indexed_chunks == status.chunks


def test_a_malformed_date_is_a_usage_error(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    assert cli.main(["search", "patients", "--from", "last spring"]) == 2


def test_timeline_json_equals_the_api_and_reads_oldest_first(run, api: TestClient) -> None:  # type: ignore[no-untyped-def]
    # three documents dated 2016 or later say "patient organisations"; a fourth is reached by the hashing
    # embedder alone, at the edge of the candidates among many tied BM25 scores, so it is not asked for
    out = run("timeline", "patient organisations", "--json", "-k", "3", "--from", "2016")
    from_cli = TimelineResponse.model_validate_json(out).model_dump(mode="json")
    from_api = api.get("/v1/timeline", params={"query": "patient organisations", "k": 3, "date_from": "2016"}).json()
    dates = [r["date"] for r in from_cli["results"]]
    assert len(dates) == 3 and dates == sorted(dates) and from_cli["order"] == "oldest"
    from_cli.pop("took_ms"), from_api.pop("took_ms")
    assert from_cli == from_api
    newest = TimelineResponse.model_validate_json(run("timeline", "patient organisations", "--json", "-k", "3",
                                                      "--from", "2016", "--newest-first"))  # fmt: skip
    assert [r.date for r in newest.results] == sorted(dates, reverse=True)


def test_search_groups_by_document_and_prints_passages_on_request(run) -> None:  # type: ignore[no-untyped-def]
    grouped = SearchResponseModel.model_validate_json(run("search", "patients", "--json", "-k", "4"))
    assert len({r.doc_id for r in grouped.results}) == len(grouped.results) == 4
    passages = SearchResponseModel.model_validate_json(run("search", "patients", "--json", "-k", "20",
                                                           "--group", "passage"))  # fmt: skip
    assert len({r.doc_id for r in passages.results}) < len(passages.results)
    text = run("search", "patients", "-k", "4")
    assert "more passages in this document" in text and "<mark>" not in text


def test_search_csv_on_stdout(run) -> None:  # type: ignore[no-untyped-def]
    out = run("search", "patient organisations", "--csv", "-k", "3", "--type", "report")
    assert out.startswith("# policykb search: query: patient organisations; filters: type=report;")
    assert out.splitlines()[1].startswith("rank,title,type,date,meeting,agenda_item")


def test_python_dash_m_runs_the_same_command_line() -> None:
    done = subprocess.run([sys.executable, "-m", "policykb", "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "exit codes:" in done.stdout and "ingest" in done.stdout


# ------------------------------------------------------------------ bad input: the API's rules, a usage error (2)


@pytest.fixture
def refused(settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Runs a command that must be refused: exit 2, one line on stderr (returned), nothing on stdout."""
    monkeypatch.setattr(cli, "get_settings", lambda: settings)

    def refused(*argv: str) -> str:
        assert cli.main(list(argv)) == 2
        out, err = capsys.readouterr()
        assert out == "" and err.startswith("policykb: ") and len(err.splitlines()) == 1
        return err

    return refused


@pytest.mark.parametrize("question", ["", "   ", "?", "¿ … !"])
def test_a_question_without_a_word_is_a_usage_error_as_in_the_api(refused, api: TestClient, question: str) -> None:  # type: ignore[no-untyped-def]
    err = refused("ask", question)
    assert "question: must contain at least one word" in err
    from_api = api.post("/v1/ask", json={"question": question})
    assert from_api.status_code == 422 and from_api.json()["errors"][0]["msg"] in err


@pytest.mark.parametrize("query", ["", "   ", '""', "?"])
def test_a_blank_query_sorted_by_relevance_is_a_usage_error_as_in_the_api(  # type: ignore[no-untyped-def]
    refused, run, api: TestClient, query: str
) -> None:
    err = refused("search", query)
    assert "give a query, or sort by date" in err
    from_api = api.post("/v1/search", json={"query": query})
    assert from_api.status_code == 422 and from_api.json()["detail"] in err
    # documented: an empty query sorted by date lists the newest documents; the timeline is in date order anyway
    newest = SearchResponseModel.model_validate_json(run("search", query, "--sort", "date", "--json", "-k", "3"))
    dates = [r.date or "" for r in newest.results]
    assert dates and dates == sorted(dates, reverse=True)
    assert api.post("/v1/search", json={"query": query, "sort": "date", "k": 3}).status_code == 200
    assert TimelineResponse.model_validate_json(run("timeline", query, "--json", "-k", "3")).results


@pytest.mark.parametrize("command", [["search", "patients"], ["timeline", "patients"]])
@pytest.mark.parametrize("k", ["0", "-5", "101", "100000", "many"])
def test_k_outside_the_api_bounds_is_a_usage_error(  # type: ignore[no-untyped-def]
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: list[str],
    k: str,
) -> None:  # fmt: skip
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    with pytest.raises(SystemExit) as exited:  # argparse's usage error: the usage line, then the reason
        cli.main([*command, "-k", k])
    assert exited.value.code == 2
    assert "argument -k:" in capsys.readouterr().err


def test_k_within_the_api_bounds_is_accepted(run, api: TestClient) -> None:  # type: ignore[no-untyped-def]
    from policykb.api.schemas import MAX_K

    assert SearchResponseModel.model_validate_json(run("search", "patients", "-k", str(MAX_K), "--json")).results
    assert run("timeline", "patients", "-k", "1")
    assert api.post("/v1/search", json={"query": "patients", "k": MAX_K}).status_code == 200
    assert api.post("/v1/search", json={"query": "patients", "k": MAX_K + 1}).status_code == 422
    assert api.get("/v1/timeline", params={"query": "patients", "k": MAX_K + 1}).status_code == 422


@pytest.mark.parametrize(
    "command", [["search", "patients"], ["timeline", "patients"], ["ask", "What is Patient Solidarity Day?"]]
)
def test_an_empty_date_range_is_a_usage_error_as_in_the_api(refused, api: TestClient, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    err = refused(*command, "--from", "2020", "--to", "2010")
    assert "the date range is empty: date_from (2020) is after date_to (2010)" in err
    from_api = api.get("/v1/timeline", params={"query": "patients", "date_from": "2020", "date_to": "2010"})
    assert from_api.status_code == 422 and from_api.json()["detail"] in err
