"""The faces call only the service and the floor: no module of the API, the UI or the CLI imports the
layers below the service, and nothing outside the answerers tells answerer classes apart."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FACES = sorted([*(ROOT / "api").rglob("*.py"), *(ROOT / "ui").rglob("*.py"), ROOT / "policykb" / "cli.py"])
BELOW_THE_SERVICE = ("policykb.qa", "policykb.index", "policykb.ingest")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", FACES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_face_imports_nothing_below_the_service(path: Path) -> None:
    below = {m for m in _imports(path) if m.startswith(BELOW_THE_SERVICE)}
    assert not below, f"{path.relative_to(ROOT)} imports {sorted(below)}"


def test_only_the_answerers_name_answerer_classes() -> None:
    """The service and the faces use the Answerer interface; only qa/ knows which class it is."""
    sources = [
        Path(folder) / name
        for top in ("policykb", "api", "ui", "index", "ingest")
        for folder, _, names in os.walk(ROOT / top)  # symlinks (policykb/qa -> ../qa) are not followed
        for name in names
        if name.endswith(".py")
    ]
    assert any(p.name == "knowledge_base.py" for p in sources)
    naming = re.compile(r"\b(ExtractiveAnswerer|OpenAICompatibleAnswerer)\b")
    found = sorted(str(p.relative_to(ROOT)) for p in sources if naming.search(p.read_text()))
    assert not found, f"answerer classes named outside qa/: {found}"


def test_the_upload_widget_accepts_what_the_readers_read(tmp_path: Path) -> None:
    import gradio as gr

    from policykb.ingest.readers import READERS
    from policykb.service import KnowledgeBase
    from policykb.service.jobs import JobManager
    from policykb.ui.app import build_ui
    from tests.conftest import make_settings

    kb = KnowledgeBase(make_settings(tmp_path))
    demo = build_ui(kb, JobManager(kb))
    uploads = [b for b in demo.blocks.values() if isinstance(b, gr.File) and b.label == "Upload documents"]
    assert len(uploads) == 1 and set(uploads[0].file_types or []) == set(READERS)
    assert {".text", ".markdown"} <= set(uploads[0].file_types or [])
