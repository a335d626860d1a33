"""HTML: the main content only (no script, style, nav, header, footer), with title, dates and canonical URL;
table rows and figure captions are typed blocks."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

from policykb.ingest.parsed import BlockKind, Parsed, TextBuilder
from policykb.ingest.readers.encoding import decode

_DROP = [
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "template",
    "iframe",
    "svg",
    "button",
    "select",
    "input",
    "menu",
]
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "ul",
    "ol",
    "table",
    "tr",
    "td",
    "th",
    "blockquote",
    "pre",
    "dl",
    "dt",
    "dd",
    "figure",
    "figcaption",
    "br",
    "hr",
    "address",
    "details",
    "summary",
    "li",
    "body",
}
_DATE_META = [
    "article:published_time",
    "datePublished",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.date",
    "dcterms.issued",
    "citation_publication_date",
    "og:published_time",
    "pubdate",
    "publish_date",
    "article:modified_time",
]


def read(path: Path, data: bytes) -> Parsed:
    soup = BeautifulSoup(decode(data), "lxml")
    title = _title(soup)
    date = _meta_date(soup)
    url = _canonical(soup)
    for tag in soup.find_all(_DROP):
        tag.decompose()
    for tag in soup.find_all(None, {"role": ["navigation", "banner", "contentinfo"]}):
        tag.decompose()
    root = soup.find("main") or soup.find(None, {"role": "main"}) or soup.find("article") or soup.body or soup
    builder = TextBuilder()
    _walk(root, builder, [])
    return builder.build(title=title, date=date, url=url)


def _walk(node: Tag, builder: TextBuilder, inline: list[str]) -> None:
    for child in node.children:
        if isinstance(child, NavigableString):
            if type(child) is NavigableString:
                inline.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name in _HEADINGS:
            _flush(builder, inline)
            builder.add(_squash(child.get_text(" ")), "heading", _HEADINGS[name])
        elif name == "tr":
            _flush(builder, inline)
            cells = [_squash(c.get_text(" ")) for c in child.find_all(["td", "th"], recursive=False)]
            builder.add(" | ".join(c for c in cells if c), "table")
        elif name in ("figcaption", "caption"):
            _flush(builder, inline)
            builder.add(_squash(child.get_text(" ")), "caption")
        elif name == "li":
            _flush(builder, inline)
            item: list[str] = []
            _walk(child, builder, item)
            _flush(builder, item, "list_item")
        elif name in _BLOCKS:
            _flush(builder, inline)
            _walk(child, builder, inline)
            _flush(builder, inline)
        else:
            _walk(child, builder, inline)


def _flush(builder: TextBuilder, inline: list[str], kind: BlockKind = "paragraph") -> None:
    text = _squash("".join(inline))
    inline.clear()
    if text:
        builder.add(text, kind)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _title(soup: BeautifulSoup) -> str | None:
    for key, value in (("property", "og:title"), ("name", "citation_title"), ("name", "dc.title")):
        tag = soup.find("meta", attrs={key: value})
        if isinstance(tag, Tag) and tag.get("content"):
            return _squash(str(tag["content"]))
    if soup.title and soup.title.string:
        return _squash(soup.title.string)
    h1 = soup.find("h1")
    return _squash(h1.get_text(" ")) if h1 else None


def _meta_date(soup: BeautifulSoup) -> str | None:
    for key in _DATE_META:
        for attr in ("property", "name", "itemprop"):
            tag = soup.find("meta", attrs={attr: re.compile(f"^{re.escape(key)}$", re.I)})
            if isinstance(tag, Tag) and tag.get("content"):
                return str(tag["content"]).strip()
    time_tag = soup.find("time", attrs={"datetime": True})
    if isinstance(time_tag, Tag):
        return str(time_tag["datetime"]).strip()
    return None


def _canonical(soup: BeautifulSoup) -> str | None:
    link = soup.find("link", rel="canonical")
    if isinstance(link, Tag) and link.get("href"):
        return str(link["href"]).strip()
    og = soup.find("meta", attrs={"property": "og:url"})
    if isinstance(og, Tag) and og.get("content"):
        return str(og["content"]).strip()
    return None
