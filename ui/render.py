"""HTML for the UI, as pure functions of the service's types.

Every piece of document text is HTML-escaped here; the only markup that passes through is the `<mark>`
that search adds to its (already escaped) highlight.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import UTC, datetime

from policykb.core.text import read_as
from policykb.core.types import ChangeRun, Chunk, Citation, DocumentInfo, RelatedDocument, SearchHit, doc_type_label
from policykb.service.changes import new_documents
from policykb.service.knowledge_base import passage_url
from policykb.service.reading import ITEM, blocks_html, readable

QUOTE_WORDS = 8


def compact(text: str) -> str:
    """Hard-wrapped and double-spaced text (PDFs, press releases) without runs of blank lines."""
    return re.sub(r"\n[ \t]*(?:\n[ \t]*)+", "\n", text).strip()


def short_title(title: str, limit: int = 48) -> str:
    """The distinctive part of a title: "Alliance X: 2024 Activities Report" -> "2024 Activities Report"."""
    _, sep, tail = title.rpartition(": ")
    short = tail if sep and len(tail) >= 12 else title
    return short if len(short) <= limit else short[: limit - 1].rstrip() + "…"


def first_words(quote: str, words: int = QUOTE_WORDS) -> str:
    text = readable(quote).strip()
    parts = text[m.end() :].split() if (m := ITEM.match(text)) else text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def chip_labels(citations: list[Citation]) -> list[str]:
    """What each citation points to: `[2] 2024 Activities Report, p. 7 — “first words…”`; a second citation
    of the same document and page says which one it repeats."""
    seen: dict[tuple[str, int | None], int] = {}
    labels = []
    for c in citations:
        page = f", {c.pages}" if c.pages else ""
        earlier = seen.setdefault((c.doc_id, c.page), c.n)
        again = f" (same {'page' if c.page else 'document'} as [{earlier}])" if earlier != c.n else ""
        labels.append(f"[{c.n}] {short_title(c.title)}{page}{again} — “{first_words(c.quote)}”")
    return labels


def chat_text(text: str) -> str:
    """Text for a chat message: markup characters escaped, quotes and apostrophes left as they are (the
    message's accessible name is made from what is shown)."""
    return html.escape(text, quote=False)


def original_link(
    doc_id: str, source: str, page: int | None, chunk_id: str | None, quote: tuple[int, int] | None = None
) -> str:
    """A PDF at its page; other formats in the reading view at the passage (with `quote` marked)."""
    url = passage_url(doc_id, source, page, chunk_id, quote)
    where = " at the passage" if "#chunk-" in url else f" at page {page}" if "#page=" in url else ""
    return f'<a href="{html.escape(url)}" target="_blank" rel="noopener">open the original{where}</a>'


def passage_html(citation: Citation, chunk: Chunk | None) -> str:
    """The cited passage as paragraphs and list items with the quoted span marked, its heading path, its
    source and a link to the original at the page or the passage."""
    if chunk is None:
        return "<p>This passage is no longer in the knowledge base.</p>"
    mark = (citation.char_start - chunk.char_start, citation.char_end - chunk.char_start)
    mark_in_doc = (citation.char_start, citation.char_end)
    spans = [(s.start - chunk.char_start, s.end - chunk.char_start, s.kind) for s in chunk.non_prose]
    page = f" · {citation.pages}" if citation.pages else ""
    path = " › ".join(chunk.headings)
    return (
        f'<section class="passage-box" id="passage-view" aria-label="Passage {citation.n}">'
        f"<h2>[{citation.n}] {html.escape(citation.title)}</h2>"
        f'<p class="meta">{html.escape(doc_type_label(citation.doc_type))} · {html.escape(citation.date or "undated")}{page} · '
        f"{html.escape(citation.source)} · {original_link(citation.doc_id, citation.source, citation.page, citation.chunk_id, mark_in_doc)}</p>"
        + (f'<p class="meta path">{html.escape(path)}</p>' if path else "")
        + f'<div class="passage-text">{blocks_html(chunk.text, mark, spans)}</div></section>'
    )


def related_html(related: list[RelatedDocument]) -> str:
    """The closest documents, shown with a refusal."""
    if not related:
        return ""
    items = "".join(
        f'<li><b>{html.escape(r.title)}</b> <span class="meta">({html.escape(doc_type_label(r.doc_type))}, '
        f"{html.escape(r.date or 'undated')})</span> — {original_link(r.doc_id, r.source, r.page, r.chunk_id)}"
        f'<br><span class="meta">{html.escape(r.snippet)}</span></li>'
        for r in related
    )
    return f'<div id="related-docs"><p>The closest documents:</p><ul>{items}</ul></div>'


def _where(h: SearchHit) -> str:
    """Type, date, meeting and agenda item, page, source: the line under a result's title."""
    parts = [doc_type_label(h.doc_type), h.date or "undated"]
    if h.meeting:
        parts.append(h.meeting + (f", agenda item {h.agenda_item}" if h.agenda_item else ""))
    if h.page:
        parts.append(f"p. {h.page}")
    parts.append(h.source)
    return " · ".join(html.escape(p) for p in parts)


def _more_html(h: SearchHit) -> str:
    """The document's other ranked passages, folded: "2 more passages in this document"."""
    if not h.more:
        return ""
    n = len(h.more)
    items = "".join(
        f'<li><span class="meta">{f"p. {p.page} · " if p.page else ""}'
        f"{original_link(p.doc_id, p.source, p.page, p.chunk_id)}</span><br>{p.snippet}</li>"  # escaped, <mark> added
        for p in h.more
    )
    return (
        f'<details class="more-passages"><summary>{n} more passage{"s" if n > 1 else ""} in this document'
        f"</summary><ul>{items}</ul></details>"
    )


def _result_html(n: int, h: SearchHit) -> str:
    return (
        f'<div class="result"><b>{n}. {html.escape(h.title)}</b> <span class="meta">{_where(h)} · '
        f"{original_link(h.doc_id, h.source, h.page, h.chunk_id)}</span>"
        f'<p class="snippet">{h.snippet}</p>{_more_html(h)}</div>'  # escaped, <mark> added
    )


def results_html(hits: list[SearchHit]) -> str:
    """One row per result (a document's best passage, or a passage), each as its snippet; a document's
    other ranked passages fold out under it."""
    if not hits:
        return "<p>No results.</p>"
    return "".join(_result_html(n, h) for n, h in enumerate(hits, start=1))


def timeline_html(hits: list[SearchHit]) -> str:
    """Documents in the order given (by date), under a heading per year; undated ones last."""
    if not hits:
        return "<p>No results.</p>"
    parts, year = ['<div class="timeline">'], None
    for n, h in enumerate(hits, start=1):
        this_year = h.date[:4] if h.date else "Undated"
        if this_year != year:
            year = this_year
            parts.append(f'<h3 class="timeline-year">{html.escape(year)}</h3>')
        parts.append(_result_html(n, h))
    return "".join(parts) + "</div>"


def result_choices(hits: list[SearchHit]) -> list[tuple[str, str]]:
    """(label, "chunk:<id>" or "doc:<id>") for the more-like-this menu: each passage shown, and each
    document it comes from."""
    choices = []
    for n, h in enumerate(hits, start=1):
        page = f", p. {h.page}" if h.page else ""
        choices.append(
            (f"{n}. Passages like this one: {h.title[:50]}{page} ({h.date or 'undated'})", f"chunk:{h.chunk_id}")
        )
        choices.append((f"{n}. Documents like this one: {h.title[:50]} ({h.date or 'undated'})", f"doc:{h.doc_id}"))
    return choices


def corrections_note(corrections: dict[str, str]) -> str:
    text = read_as(corrections)
    return f'<p class="meta" id="corrections-note">{html.escape(text, quote=False)}</p>' if text else ""


def more_like_note(hit: SearchHit, whole_document: bool) -> str:
    if whole_document:
        return f'<p class="meta" id="more-like-note">Documents like: {html.escape(hit.title)}</p>'
    page = f", p. {hit.page}" if hit.page else ""
    return f'<p class="meta" id="more-like-note">Passages like: {html.escape(hit.title)}{page}</p>'


def ticks(largest: int, most: int = 5) -> list[int]:
    """Integer axis ticks from zero that reach at least `largest`."""
    step = max(1, -(-largest // (most - 1)))
    return list(range(0, largest + step, step)) if largest > 0 else [0, 1]


def bars_html(title: str, counts: list[tuple[str, int]], element_id: str) -> str:
    """A horizontal bar chart from a zero baseline with integer ticks; a single value is a one-row table."""
    heading = f"<h3>{html.escape(title)}</h3>"
    if len(counts) <= 1:
        rows = "".join(f"<tr><td>{html.escape(label)}</td><td>{n}</td></tr>" for label, n in counts)
        return f'<div class="counts" id="{element_id}">{heading}<table><tbody>{rows}</tbody></table></div>'
    axis = ticks(max(n for _, n in counts))
    top = axis[-1]
    rows = "".join(
        f'<span>{html.escape(label)}</span><div class="row"><div class="bar" style="width: {100 * n / top:.1f}%" '
        f'title="{html.escape(label)}: {n}"></div><span>{n}</span></div>'
        for label, n in counts
    )
    marks = "".join(f'<span class="tick" style="left: {100 * t / top:.1f}%">{t}</span>' for t in axis)
    return (
        f'<figure class="chart" id="{element_id}" aria-label="{html.escape(title)}">{heading}'
        f'<div class="bars">{rows}<div class="axis">{marks}</div></div></figure>'
    )


STAGES = {
    "links": ("Fetching links", "links"),
    "files": ("Reading files", "files"),
    "embeddings": ("Embedding passages", "chunks"),
}


def progress_html(status: str, stage: str, done: int, total: int, rate: float | None) -> str:
    """An ingest job's progress: a bar with its percentage, the rate and the time left."""
    if status == "queued":
        return '<div id="upload-progress"><p>Waiting for the ingest before it to finish…</p></div>'
    name, unit = STAGES.get(stage, ("Preparing", "items"))
    percent = round(100 * done / total) if total else 0
    details = [f"{done}/{total} {unit}"] if total else []
    if rate:
        details.append(f"{rate:.1f} {unit}/s")
        details.append(f"about {max(0, round((total - done) / rate))} s left")
    return (
        f'<div id="upload-progress"><label for="upload-bar">{name}: {percent}%</label>'
        f'<progress id="upload-bar" max="100" value="{percent}">{percent}%</progress>'
        f'<p class="meta">{" · ".join(details)}</p></div>'
    )


def report_html(report: dict, documents: list[DocumentInfo]) -> str:
    """What an ingest did, readably: counts, the new documents linked, failures with their reasons, and a
    question to try about what was added."""
    counts = " · ".join(f"{len(report.get(key, []))} {key}" for key in ("added", "updated", "unchanged", "failed"))
    by_source = {d.source: d for d in documents}
    parts = [
        f'<div class="report" id="ingest-report"><p><b>Done</b> in {report.get("seconds", 0):.1f} s: {counts}.</p>'
    ]
    new = [by_source[s] for s in report.get("added", []) + report.get("updated", []) if s in by_source]
    if new:
        items = "".join(
            f'<li><b>{html.escape(d.title)}</b> <span class="meta">({html.escape(doc_type_label(d.doc_type))}, '
            f"{html.escape(d.date or 'undated')})</span> — {original_link(d.doc_id, d.source, None, None)}</li>"
            for d in new
        )
        parts.append(f"<p>New or updated:</p><ul>{items}</ul>")
        parts.append(f"<p>Try a question about it in the Ask tab, e.g. “What does "
                     f"{html.escape(short_title(new[0].title, 90))} say?”</p>")  # fmt: skip
    failed = report.get("failed", [])
    if failed:
        items = "".join(f"<li>{html.escape(str(f.get('path', '')))}: {html.escape(str(f.get('error', '')))}</li>"
                        for f in failed)  # fmt: skip
        parts.append(f"<p>Not added:</p><ul>{items}</ul>")
    return "".join(parts) + "</div>"


def changes_html(runs: list[ChangeRun], days: int = 7) -> str:
    """Recent changes from the change feed (runs newest first): the documents added in the last `days`, each
    linked to where it can be read, then what was updated, moved, removed or could not be read."""
    added = new_documents(runs)
    span = "this week" if days == 7 else f"in the last {days} days"
    noun = "document" if len(added) == 1 else "documents"
    parts = [f'<div id="recent-changes"><p><b>{len(added)} {noun} added {span}</b>{":" if added else "."}</p>']
    if added:
        items = "".join(
            f'<li><a href="{html.escape(passage_url(c.doc_id or "", c.source, None))}" target="_blank" '
            f'rel="noopener">{html.escape(c.title or c.source)}</a> <span class="meta">({html.escape(c.source)}, '
            f"{html.escape(run.trigger)}, {_day(run.at)})</span></li>"
            for run, c in added[:20]
        )
        more = f"<p class='meta'>and {len(added) - 20} more</p>" if len(added) > 20 else ""
        parts.append(f"<ul>{items}</ul>{more}")
    others = Counter(c.action for run in runs for c in run.changes if c.action != "added")
    if others:
        said = ", ".join(f"{n} {action}" for action, n in sorted(others.items()))
        parts.append(f'<p class="meta">Also {span}: {html.escape(said)}.</p>')
    failed = [c for run in runs for c in run.changes if c.action == "failed"][:10]
    if failed:
        items = "".join(f"<li>{html.escape(c.source)}: {html.escape(c.detail or '')}</li>" for c in failed)
        parts.append(f"<p>Not added:</p><ul>{items}</ul>")
    return "".join(parts) + "</div>"


def _day(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%d %b %Y")
