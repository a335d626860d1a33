"""schemathesis generates requests from /openapi.json: whatever it sends, the API never answers 5xx."""

from __future__ import annotations

import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from policykb.api.app import create_app
from policykb.service.knowledge_base import KnowledgeBase
from tests.conftest import CORPUS, make_settings


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(CORPUS, tmp / "corpus")
    kb = KnowledgeBase(make_settings(tmp, admin_keys=["fuzz-admin"], corpus_dirs=[tmp / "corpus"]))
    kb.ingest([tmp / "corpus"])
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(kb, with_ui=False))


def test_no_server_errors(api_schema) -> None:  # type: ignore[no-untyped-def]
    """Every operation of the schema, 25 generated requests each (the pytest plugin of schemathesis 4.32
    does not load under pytest 9, so the strategies are driven directly)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 12
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate(checks=[not_a_server_error])

        check()
