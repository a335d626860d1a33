"""Per-document bounds: a page bomb, a text bomb and a slow parse each cost one clear per-file error."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from policykb.service.knowledge_base import KnowledgeBase
from tests.conftest import make_pdf, make_settings

GOOD = "Patient organisations call for meaningful involvement in health policy. " * 20


def page_bomb(pages: int) -> bytes:
    """Many pages that all share one content stream: tiny on disk, a page count far over any real report."""
    page = PdfReader(io.BytesIO(make_pdf(["Access to medicines for every patient. " * 40]))).pages[0]
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _errors(report) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {Path(f["path"]).name: f["error"] for f in report.failed}


def test_a_page_bomb_is_refused_by_its_page_count(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    bomb = page_bomb(2000)
    assert len(bomb) < 400_000
    (folder / "bomb.pdf").write_bytes(bomb)
    (folder / "good.txt").write_text(GOOD)
    kb = KnowledgeBase(make_settings(tmp_path, max_pages=500))
    report = kb.ingest([folder])
    assert report.added == ["good.txt"]
    assert "too many pages: 2000" in _errors(report)["bomb.pdf"]


def test_a_text_bomb_is_refused_by_its_length(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "long.txt").write_text("advocacy " * 20_000)
    (folder / "good.txt").write_text(GOOD)
    report = KnowledgeBase(make_settings(tmp_path, max_chars=100_000)).ingest([folder])
    assert report.added == ["good.txt"]
    assert "too much text" in _errors(report)["long.txt"]


def test_a_slow_parse_is_stopped_between_pages(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "slow.pdf").write_bytes(page_bomb(50))
    report = KnowledgeBase(make_settings(tmp_path, parse_timeout_s=1e-6)).ingest([folder])
    assert "parsing took longer than 1e-06 s" in _errors(report)["slow.pdf"]
    assert report.added == []
