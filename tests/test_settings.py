"""Settings read from the environment: lists in two forms, one clear line for a bad value."""

from __future__ import annotations

import pytest

from policykb.core.errors import ConfigError
from policykb.core.settings import load_settings


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("secret", ["secret"]), ("a, b,,c", ["a", "b", "c"]), ('["a", "b"]', ["a", "b"]), ("", [])],
)
def test_key_lists_accept_comma_separated_values_and_json(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: list[str]
) -> None:
    monkeypatch.setenv("POLICYKB_ADMIN_KEYS", raw)
    assert load_settings().admin_keys == expected


def test_corpus_dirs_are_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYKB_CORPUS_DIRS", "corpus,/srv/statements")
    assert [str(p) for p in load_settings().corpus_dirs] == ["corpus", "/srv/statements"]


@pytest.mark.parametrize(
    ("name", "value"),
    [("POLICYKB_PORT", "eighty"), ("POLICYKB_ADMIN_KEYS", '["unclosed'), ("POLICYKB_FUSION", "max")],
)
def test_a_bad_value_is_one_line_naming_the_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert name in message
    assert "\n" not in message
