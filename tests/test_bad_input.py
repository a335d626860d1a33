"""Bad input gets a clear per-file error; the batch goes on; nothing is half-registered."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from policykb.service.knowledge_base import KnowledgeBase
from tests.conftest import make_pdf, make_settings

GOOD = "Patient organisations call for meaningful involvement in health policy. " * 20


def _errors(report) -> dict[str, str]:
    return {Path(f["path"]).name: f["error"] for f in report.failed}


def test_every_bad_file_is_reported_and_the_rest_ingested(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD)
    pdf = make_pdf(["A real page of text about advocacy."] * 3)
    (folder / "truncated.pdf").write_bytes(pdf[: len(pdf) // 3])
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(2000))
    (folder / "encrypted.pdf").write_bytes(make_pdf(["secret text"], encrypt="pw"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder / "big.txt").write_text("x " * 600_000)
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    (folder / "dangling.txt").symlink_to(folder / "missing.txt")

    kb = KnowledgeBase(make_settings(tmp_path, max_file_mb=1.0))
    report = kb.ingest([folder])
    errors = _errors(report)
    assert report.added == ["good.txt"]
    assert "truncated" in errors["truncated.pdf"] or "corrupt" in errors["truncated.pdf"]
    assert "corrupt" in errors["corrupt.pdf"] or "unreadable" in errors["corrupt.pdf"]
    assert "encrypted" in errors["encrypted.pdf"]
    assert errors["empty.txt"] == "empty file"
    assert "binary" in errors["binary.txt"]
    assert "unsupported file type" in errors["image.png"]
    assert "too large" in errors["big.txt"]
    assert "loop" in errors["loop"]
    assert "broken" in errors["dangling.txt"]
    assert [d.source for d in kb.documents()] == ["good.txt"]
    assert kb.search("involvement").results


def test_unreadable_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "secret.txt").write_text(GOOD)
    (folder / "open.txt").write_text(GOOD + " open")
    real = Path.read_bytes

    def guarded(self: Path) -> bytes:
        if self.name == "secret.txt":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", guarded)
    report = KnowledgeBase(make_settings(tmp_path)).ingest([folder])
    assert "permission denied" in _errors(report)["secret.txt"]
    assert report.added == ["open.txt"]


def test_failure_mid_document_registers_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(GOOD)
    kb = KnowledgeBase(make_settings(tmp_path))
    import policykb.index.registry as registry_module

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(registry_module.Registry, "_upsert_file", staticmethod(explode))
    with pytest.raises(RuntimeError):
        kb.ingest([folder])
    assert kb.catalog.counts() == {"documents": 0, "chunks": 0}


def test_cli_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    import json

    from policykb import cli
    from policykb.core.settings import get_settings

    monkeypatch.setenv("POLICYKB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("POLICYKB_EMBEDDER", "hash")
    get_settings.cache_clear()
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(GOOD)
    (folder / "b.txt").write_bytes(b"")
    assert cli.main(["ingest", str(folder), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"added", "updated", "unchanged", "removed", "moved", "duplicates", "withheld", "failed",
                           "healed", "seconds"}  # fmt: skip
    assert report["added"] == ["a.txt"] and report["failed"][0]["path"] == "b.txt"
    assert cli.main(["ingest", str(tmp_path / "nowhere")]) == 2
    get_settings.cache_clear()
