"""The UI in a real browser: Playwright driving Debian's Chromium (never a downloaded browser) against the
one-process server on loopback. Screenshots land in tests/artifacts/ (git-ignored)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import CORPUS, make_settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
CSP_VIOLATIONS: list[str] = []  # console reports of anything the UI's Content-Security-Policy blocked


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from policykb.api.app import create_app
    from policykb.service.knowledge_base import KnowledgeBase

    tmp = tmp_path_factory.mktemp("browser")
    kb = KnowledgeBase(make_settings(tmp, embedder="minilm", chunk_tokens=200, chunk_overlap_tokens=32))
    kb.ingest([CORPUS])
    planted = tmp / "planted"
    planted.mkdir()
    (planted / "markup.txt").write_text(
        "Zebrafish advocacy note. <script>alert('x')</script> The text must show as text. " * 3
    )
    kb.ingest([planted])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(kb), host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    yield base
    uv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page(server: str):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.on("console", lambda m: CSP_VIOLATIONS.append(m.text) if "Content Security Policy" in m.text else None)
        page.set_default_timeout(60_000)
        page.goto(server + "/")
        page.wait_for_selector("#ask-input textarea")
        yield page
        browser.close()


def test_ask_shows_cited_answer_and_opens_the_passage(page) -> None:  # type: ignore[no-untyped-def]
    page.fill("#ask-input textarea", "What theme did Patient Solidarity Day 2024 have?")
    page.click("#ask-button")
    chip = page.wait_for_selector("#citation-chips label")
    assert "[1]" in chip.inner_text()
    assert "Power of Community" in page.inner_text("#chat")
    chip.click()
    passage = page.wait_for_selector("#passage-view mark")
    assert "Power of Community" in passage.inner_text()
    assert "2024 Activities Report" in page.inner_text("#passage-view")
    page.screenshot(path=str(ARTIFACTS / "ask.png"), full_page=True)


def test_unanswerable_question_shows_related_documents(page) -> None:  # type: ignore[no-untyped-def]
    page.fill("#ask-input textarea", "What is IAPO's annual budget?")
    page.click("#ask-button")
    page.wait_for_selector("#related-docs li")
    assert "don't answer" in page.inner_text("#chat")


def test_filtered_search(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("tab", name="Search").click()
    page.fill("#search-input textarea", "patient organisations")
    page.click("#search-type input")
    page.keyboard.type("press_release")
    page.keyboard.press("Enter")
    page.click("#search-button")
    page.wait_for_selector("#search-results .result")
    results = page.inner_text("#search-results")
    assert "press_release" in results and "report ·" not in results
    assert page.query_selector("#search-results mark") is not None
    page.wait_for_selector("#search-export a")
    assert ".csv" in page.inner_text("#search-export")
    page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)


def test_more_like_this(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("tab", name="Search").click()
    page.fill("#search-input textarea", "Patient Solidarity Day")
    page.click("#search-button")
    page.wait_for_selector("#search-results .result")
    page.click("#more-like-this input")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_selector("#more-like-note")
    assert page.query_selector_all("#search-results .result")


def test_library_lists_documents(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("tab", name="Library").click()
    page.wait_for_selector("#library-table")
    assert "IAPO" in page.inner_text("#library-table")
    page.screenshot(path=str(ARTIFACTS / "library.png"), full_page=True)


def test_document_markup_is_shown_as_text(page) -> None:  # type: ignore[no-untyped-def]
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.reload()  # a fresh page: no filters left from the tests before
    page.get_by_role("tab", name="Search").click()
    page.fill("#search-input textarea", "zebrafish advocacy")
    page.click("#search-button")
    page.wait_for_selector("#search-results .result >> text=Zebrafish advocacy note")
    assert "<script>alert('x')</script>" in page.inner_text("#search-results")
    assert page.query_selector("#search-results script") is None
    assert dialogs == []


def test_the_security_policy_blocks_nothing_the_ui_needs(page) -> None:  # type: ignore[no-untyped-def]
    """Runs last: every tab and action above worked under the UI's CSP without a single violation."""
    page.reload()
    page.wait_for_selector("#ask-input textarea")
    assert CSP_VIOLATIONS == []
