"""What the faces rely on: nothing outside the answerers tells answerer classes apart, and the upload
widget accepts what the readers read. (Import layers are checked in test_layers.py.)"""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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
