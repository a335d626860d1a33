"""Settings read from the environment: lists in two forms, one clear line for a bad value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from policykb.core.errors import ConfigError
from policykb.core.settings import load_settings
from tests.conftest import ROOT


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


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["status"]])
def test_the_server_and_cli_print_one_line_for_a_bad_setting(tmp_path: Path, command: list[str]) -> None:
    """End to end, as `make run` starts it: no traceback, exit 2, the variable named on one line."""
    env = {**os.environ, "POLICYKB_ADMIN_KEYS": '["unclosed', "POLICYKB_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-m", "policykb.cli", *command], env=env, capture_output=True,
                          text=True, timeout=120, cwd=ROOT)  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "POLICYKB_ADMIN_KEYS" in done.stderr and "Traceback" not in done.stderr


def test_a_comma_separated_admin_key_starts_the_cli(tmp_path: Path) -> None:
    env = {**os.environ, "POLICYKB_ADMIN_KEYS": "secret", "POLICYKB_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-m", "policykb.cli", "status"], env=env, capture_output=True,
                          text=True, timeout=120, cwd=ROOT)  # fmt: skip
    assert done.returncode == 0 and done.stderr == ""
