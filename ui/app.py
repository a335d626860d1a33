"""The Gradio front end: Ask (cited answers), Search (for staff), Library and Admin.

It calls the service facade in-process and never re-implements search or answering. Every piece of
document text is HTML-escaped before it is shown.
"""

from __future__ import annotations

import csv
import html
import re
import tempfile
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import gradio as gr
import pandas as pd

from policykb.core.types import DOC_TYPES
from policykb.index.search import FilterError, Filters
from policykb.qa.compose import claims_of
from policykb.service.jobs import JobManager
from policykb.service.knowledge_base import KnowledgeBase, UploadError, file_url
from policykb.ui.access import UIAccess, received_files

CSS = """
.chips .wrap { gap: 6px; }
.chips label { border-radius: 999px !important; padding: 2px 12px !important; }
.passage-box { border-left: 4px solid #6b8afd; padding: 8px 12px; background: rgba(107,138,253,0.06); }
.passage-box mark, .result mark { background: #ffe58a; padding: 0 2px; }
.result { border-bottom: 1px solid #ddd; padding: 8px 0; }
.meta { color: #666; font-size: 0.9em; }
"""


def _filters(types: list[str] | None, orgs: list[str] | None, year_from: str | None, year_to: str | None) -> Filters:
    return Filters(
        doc_type=list(types or []),
        organisation=list(orgs or []),
        date_from=str(year_from) if year_from else None,
        date_to=str(year_to) if year_to else None,
    )


def _compact(text: str) -> str:
    """Hard-wrapped and double-spaced text (PDFs, press releases) without runs of blank lines."""
    return re.sub(r"\n[ \t]*(?:\n[ \t]*)+", "\n", text).strip()


def _file_link(doc_id: str, source: str, page: int | None) -> str:
    url = file_url(doc_id, source, page)
    return f'<a href="{html.escape(url)}" target="_blank">open the original{f" at page {page}" if page else ""}</a>'


def _chip(c: dict) -> str:
    page = f", p. {c['page']}" if c["page"] else ""
    return f"[{c['n']}] {c['title'][:60]}{page}"


def build_ui(kb: KnowledgeBase, jobs: JobManager) -> gr.Blocks:
    access = UIAccess(kb)
    # With reads protected, the page itself carries no library data: choices arrive after signing in.
    docs = [] if kb.settings.require_key_for_read else kb.documents()
    organisations = sorted({o for d in docs for o in d.organisations})
    years = sorted({d.date[:4] for d in docs if d.date}, reverse=True)

    # ------------------------------------------------------------------------------------------------ Ask
    def ask(question: str, chat: list, turns: list, types, orgs, y_from, y_to):  # type: ignore[no-untyped-def]
        question = (question or "").strip()
        if not question:
            yield chat, turns, gr.update(), "", "", []
            return
        chat = [*chat, {"role": "user", "content": html.escape(question)}, {"role": "assistant", "content": "…"}]
        yield chat, turns, gr.update(choices=[], value=None), "", "", []
        try:
            events = kb.ask_stream(question, _filters(types, orgs, y_from, y_to), turns)
            answer = None
            draft = ""
            for event in events:
                if event["type"] == "token":
                    draft += event["text"]
                    chat[-1] = {"role": "assistant", "content": html.escape(draft)}
                    yield chat, turns, gr.update(), "", "", []
                else:
                    answer = event["answer"]
        except FilterError as exc:
            chat[-1] = {"role": "assistant", "content": f"Invalid filter: {html.escape(str(exc))}"}
            yield chat, turns, gr.update(), "", "", []
            return
        assert answer is not None
        text = answer.answer
        shown = ""
        for claim in claims_of(text):  # stream the verified answer claim by claim
            shown += claim
            chat[-1] = {"role": "assistant", "content": html.escape(shown)}
            yield chat, turns, gr.update(), "", "", []
        citations = [asdict(c) for c in answer.citations]
        related_html = ""
        if not answer.answerable and answer.related:
            items = "".join(
                f'<li><b>{html.escape(r.title)}</b> <span class="meta">({html.escape(r.doc_type)}, '
                f"{html.escape(r.date or 'undated')})</span> — {_file_link(r.doc_id, r.source, r.page)}"
                f'<br><span class="meta">{html.escape(r.snippet)}</span></li>'
                for r in answer.related
            )
            related_html = f'<div id="related-docs"><p>The closest documents:</p><ul>{items}</ul></div>'
        turns = [*turns, {"role": "user", "content": question}, {"role": "assistant", "content": text}]
        chips = gr.update(choices=[_chip(c) for c in citations], value=None, visible=bool(citations))
        yield chat, turns, chips, "", related_html, citations

    def show_passage(choice: str | None, citations: list[dict]) -> str:
        if not choice:
            return ""
        n = int(choice[1 : choice.index("]")])
        c = next((c for c in citations if c["n"] == n), None)
        if c is None:
            return ""
        chunk = kb.chunk(c["chunk_id"])
        if chunk is None:
            return "<p>This passage is no longer in the knowledge base.</p>"
        a, b = c["char_start"] - chunk.char_start, c["char_end"] - chunk.char_start
        body = (html.escape(chunk.text[:a]) + "<mark>" + html.escape(chunk.text[a:b]) + "</mark>"
                + html.escape(chunk.text[b:]))  # fmt: skip
        page = f" · page {c['page']}" if c["page"] else ""
        return (
            f'<div class="passage-box" id="passage-view"><h4>[{n}] {html.escape(c["title"])}</h4>'
            f'<p class="meta">{html.escape(c["doc_type"])} · {html.escape(c["date"] or "undated")}{page} · '
            f"{html.escape(c['source'])} · {_file_link(c['doc_id'], c['source'], c['page'])}</p>"
            f'<p style="white-space: pre-wrap">{_compact(body)}</p></div>'
        )

    # ------------------------------------------------------------------------------------------------ Search
    def search(query: str, types, orgs, y_from, y_to, sort: str, exclude: str | None = None):  # type: ignore[no-untyped-def]
        try:
            response = kb.search(query or "", k=21 if exclude else 20, filters=_filters(types, orgs, y_from, y_to),
                                 sort="date" if sort == "Newest first" else "relevance")  # fmt: skip
        except FilterError as exc:
            return f"<p>Invalid filter: {html.escape(str(exc))}</p>", gr.update(choices=[]), [], None
        hits = [h.as_dict() for h in response.results if h.chunk_id != exclude][:20]
        return _results_html(hits), gr.update(choices=_result_labels(hits), value=None), hits, _csv(hits)

    def more_like_this(choice: str | None, hits: list[dict], types, orgs, y_from, y_to, sort):  # type: ignore[no-untyped-def]
        """Passages like the chosen one (its own text as the query), the chosen passage itself left out."""
        if not choice:
            return gr.update(), gr.update(), hits, gr.update()
        hit = hits[int(choice.split(".")[0]) - 1]
        results, *rest = search(" ".join(hit["text"].split()[:60]), types, orgs, y_from, y_to, sort, hit["chunk_id"])
        page = f", p. {hit['page']}" if hit["page"] else ""
        note = f'<p class="meta" id="more-like-note">Passages like: {html.escape(hit["title"])}{page}</p>'
        return note + results, *rest

    # ------------------------------------------------------------------------------------------------ Library
    def library():  # type: ignore[no-untyped-def]
        docs = kb.documents()
        table = pd.DataFrame(
            [
                [d.title, d.doc_type, d.date or "", ", ".join(d.organisations[:5]), d.pages or "", d.source]
                for d in docs
            ],
            columns=["title", "type", "date", "organisations", "pages", "source"],
        )
        by_type = pd.DataFrame(sorted(Counter(d.doc_type for d in docs).items()), columns=["type", "documents"])
        years = Counter(d.date[:4] for d in docs if d.date)
        by_year = pd.DataFrame(sorted(years.items()), columns=["year", "documents"])
        return table, by_type, by_year

    # ------------------------------------------------------------------------------------------------ Admin
    def upload(files: list | None):  # type: ignore[no-untyped-def]
        if not files:
            return "Choose one or more files first."
        saved = []
        for path in received_files(files):
            try:
                saved.append(kb.store_upload(path.name, path.read_bytes()))
            except UploadError as exc:
                return html.escape(str(exc))
        job = jobs.submit_ingest(saved, kind="upload")
        return f"Ingesting {len(saved)} file(s) in the background (job {job.id})."

    def rebuild() -> str:
        job = jobs.submit_ingest([Path(p) for p in kb.settings.corpus_dirs], prune=True, kind="reindex")
        return f"Re-scanning the corpus folders in the background (job {job.id}); searches go on meanwhile."

    def job_status():  # type: ignore[no-untyped-def]
        job = jobs.latest()
        if job is None:
            return "No ingest has run in this session.", None
        line = f"**{job.kind}** job `{job.id}`: {job.status}"
        if job.status == "running" and job.total:
            line += f" — {job.stage} {job.done}/{job.total}"
        if job.error:
            line += f" — {html.escape(job.error)}"
        return line, job.report

    # ------------------------------------------------------------------------------------------------ layout
    with gr.Blocks(title="policykb", delete_cache=(900, 3600)) as demo:
        gr.Markdown("## policykb — patient-advocacy policy documents, searched and answered with citations")
        with gr.Row():
            key = gr.Textbox(label="API key (if this server needs one)", type="password", elem_id="api-key", scale=3)
            sign_in = gr.Button("Use key", elem_id="use-key", scale=1)
            signed = gr.Markdown(elem_id="key-status")
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                with gr.Row():
                    with gr.Column(scale=3):
                        chat = gr.Chatbot(label="Answers", elem_id="chat", height=380, sanitize_html=True)
                        question = gr.Textbox(label="Your question", elem_id="ask-input",
                                              placeholder="What did IAPO call for at the WHO Regional Committee for Africa?")  # fmt: skip
                        with gr.Row():
                            ask_button = gr.Button("Ask", variant="primary", elem_id="ask-button")
                            clear = gr.Button("New conversation", elem_id="ask-clear")
                        chips = gr.Radio(label="Citations — click one to read the passage", choices=[],
                                         elem_id="citation-chips", elem_classes=["chips"], visible=False)  # fmt: skip
                        passage = gr.HTML(elem_id="passage")
                        related = gr.HTML(elem_id="related")
                    with gr.Column(scale=1, min_width=220):
                        gr.Markdown("**Filters**")
                        a_types = gr.Dropdown(list(DOC_TYPES), multiselect=True, label="Type", elem_id="ask-type")
                        a_orgs = gr.Dropdown(organisations, multiselect=True, label="Organisation")
                        a_from = gr.Dropdown(years, value=None, label="From year", allow_custom_value=True)
                        a_to = gr.Dropdown(years, value=None, label="To year", allow_custom_value=True)
                turns = gr.State([])
                citations = gr.State([])
                outputs = [chat, turns, chips, passage, related, citations]
                inputs = [question, chat, turns, a_types, a_orgs, a_from, a_to]
                ask_button.click(access.guard(ask), inputs, outputs).then(lambda: "", None, question)
                question.submit(access.guard(ask), inputs, outputs).then(lambda: "", None, question)
                chips.change(access.guard(show_passage), [chips, citations], passage)
                clear.click(lambda: ([], [], gr.update(choices=[], visible=False), "", "", []), None, outputs)

            with gr.Tab("Search", id="search"):
                with gr.Row():
                    query = gr.Textbox(
                        label='Search — "double quotes" for exact phrases', elem_id="search-input", scale=4
                    )
                    search_button = gr.Button("Search", variant="primary", elem_id="search-button", scale=1)
                with gr.Row():
                    s_types = gr.Dropdown(list(DOC_TYPES), multiselect=True, label="Type", elem_id="search-type")
                    s_orgs = gr.Dropdown(organisations, multiselect=True, label="Organisation")
                    s_from = gr.Dropdown(years, value=None, label="From year", allow_custom_value=True)
                    s_to = gr.Dropdown(years, value=None, label="To year", allow_custom_value=True)
                    sort = gr.Radio(["Most relevant", "Newest first"], value="Most relevant", label="Sort")
                results = gr.HTML(elem_id="search-results")
                with gr.Row():
                    more = gr.Dropdown(label="More like this", choices=[], value=None, elem_id="more-like-this")
                    export = gr.File(label="Results as CSV", elem_id="search-export")
                hits = gr.State([])
                s_inputs = [query, s_types, s_orgs, s_from, s_to, sort]
                s_outputs = [results, more, hits, export]
                search_button.click(access.guard(search), s_inputs, s_outputs)
                query.submit(access.guard(search), s_inputs, s_outputs)
                more.input(access.guard(more_like_this), [more, hits, s_types, s_orgs, s_from, s_to, sort], s_outputs)

            with gr.Tab("Library", id="library"):
                refresh = gr.Button("Refresh")
                documents = gr.Dataframe(label="Documents", elem_id="library-table", wrap=True)
                with gr.Row():
                    by_type = gr.BarPlot(x="type", y="documents", title="Documents by type")
                    by_year = gr.BarPlot(x="year", y="documents", title="Documents by year")
                library_outputs = [documents, by_type, by_year]
                refresh.click(access.guard(library), None, library_outputs)
                demo.load(access.guard(library, quiet=(None, None, None)), None, library_outputs)

            with gr.Tab("Admin", id="admin"):
                gr.Markdown("Use an admin key (top of the page) to upload and re-scan.")
                files = gr.File(label="Upload documents", file_count="multiple", file_types=[".pdf", ".html", ".htm",
                                ".txt", ".md", ".docx"])  # fmt: skip
                with gr.Row():
                    upload_button = gr.Button("Upload and ingest", variant="primary")
                    rebuild_button = gr.Button("Re-scan corpus folders")
                message = gr.Markdown()
                status = gr.Markdown()
                report = gr.JSON(label="Last ingest report")
                upload_button.click(access.guard(upload, "admin"), files, message)
                rebuild_button.click(access.guard(rebuild, "admin"), None, message)
                gr.Timer(1.0).tick(access.guard(job_status, "admin", quiet=("", None)), None, [status, report])

        def filter_choices():  # type: ignore[no-untyped-def]
            """Organisations and years as they are now: uploads since the server started appear too."""
            docs = kb.documents()
            orgs = gr.update(choices=sorted({o for d in docs for o in d.organisations}))
            years_now = gr.update(choices=sorted({d.date[:4] for d in docs if d.date}, reverse=True))
            return orgs, orgs, years_now, years_now, years_now, years_now

        choice_outputs = [a_orgs, s_orgs, a_from, a_to, s_from, s_to]
        demo.load(access.guard(filter_choices, quiet=(gr.update(),) * 6), None, choice_outputs)
        signing_in = sign_in.click(access.sign_in, key, signed)
        signing_in.then(access.guard(filter_choices, quiet=(gr.update(),) * 6), None, choice_outputs)
        signing_in.then(access.guard(library, quiet=(None, None, None)), None, library_outputs)
    return demo


def _results_html(hits: list[dict]) -> str:
    if not hits:
        return "<p>No results.</p>"
    rows = []
    for n, h in enumerate(hits, start=1):
        page = f" · p. {h['page']}" if h["page"] else ""
        rows.append(
            f'<div class="result"><b>{n}. {html.escape(h["title"])}</b> <span class="meta">{html.escape(h["doc_type"])} · '
            f"{html.escape(h['date'] or 'undated')}{page} · {html.escape(h['source'])} · "
            f"{_file_link(h['doc_id'], h['source'], h['page'])}</span>"
            f'<p style="white-space: pre-wrap">{_compact(h["highlight"])}</p></div>'  # escaped, <mark> added
        )
    return "".join(rows)


def _result_labels(hits: list[dict]) -> list[str]:
    return [f"{n}. {h['title'][:50]} ({h['date'] or 'undated'})" for n, h in enumerate(hits, start=1)]


def _csv(hits: list[dict]) -> str | None:
    if not hits:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".csv", prefix="policykb-search-", delete=False, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "doc_type", "date", "page", "source", "score", "text"])
        for h in hits:
            writer.writerow(
                [h["title"], h["doc_type"], h["date"] or "", h["page"] or "", h["source"], h["score"], h["text"]]
            )
    return handle.name
