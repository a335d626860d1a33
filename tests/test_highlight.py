"""What a query matched, marked: phrases as wholes, never a stopword alone; snippets around the matches."""

from __future__ import annotations

import html
import re
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from policykb.index.highlight import highlight, match_spans, snippet
from policykb.index.lexical import parse_query


def marked(text: str, query: str) -> list[str]:
    q = parse_query(query)
    return [text[s:e] for s, e in match_spans(text, q.terms, q.phrases)]


def plain(marked_html: str) -> str:
    return html.unescape(re.sub(r"</?mark>", "", marked_html))


def test_a_quoted_phrase_is_marked_as_a_whole_and_its_words_alone_are_not() -> None:
    text = "The power of community: power grows when the community acts. Powers of communities unite."
    assert marked(text, '"power of community"') == ["power of community", "Powers of communities"]


def test_phrase_and_terms_together() -> None:
    text = "Access to medicines matters; medicines are costly, and access is unequal."
    assert marked(text, '"access to medicines" costly') == ["Access to medicines", "costly"]


def test_stopwords_alone_are_never_marked() -> None:
    text = "The rights of the patients and of their families."
    assert marked(text, "the of and") == []
    assert marked(text, '"of the"') == []
    assert marked(text, "rights of patients") == ["rights", "patients"]


def test_highlight_escapes_markup_and_marks_only_matches() -> None:
    text = "<script>x</script> patients & carers"
    assert highlight(text, match_spans(text, ["patient"], [])) == (
        "&lt;script&gt;x&lt;/script&gt; <mark>patients</mark> &amp; carers"
    )


def test_the_snippet_is_a_window_around_the_matches() -> None:
    filler = "Unrelated words about budgets and committees fill this part of the passage. " * 12
    text = filler + "Our statement asks for access to essential medicines for every patient. " + filler
    q = parse_query('"essential medicines"')
    shown = snippet(text, match_spans(text, q.terms, q.phrases), width=200)
    assert "<mark>essential medicines</mark>" in shown
    assert shown.startswith("…") and shown.endswith("…")
    assert len(plain(shown)) <= 202


def test_a_match_wider_than_the_snippet_is_cut_to_it() -> None:
    phrase = "patients " * 30
    text = "Opening words. " * 10 + phrase + "closing words. " * 10
    q = parse_query(f'"{phrase.strip()}"')
    shown = snippet(text, match_spans(text, q.terms, q.phrases), width=100)
    assert shown.startswith("…<mark>patients") and len(plain(shown)) <= 102


def test_without_matches_the_snippet_is_the_opening() -> None:
    text = "First sentence here. " + "More text follows. " * 40
    shown = snippet(text, [], width=100)
    assert shown.startswith("First sentence here.") and shown.endswith("…") and "<mark>" not in shown


@given(
    text=st.lists(st.sampled_from([*"ab <&>\"'\n.", "care ", "of ", "patients "]), max_size=150).map("".join),
    query=st.sampled_from(["patients", '"care of patients"', "care", "of", '"of"', "x"]),
    width=st.integers(20, 400),
)
def test_marks_and_snippets_keep_the_text(text: str, query: str, width: int) -> None:
    q = parse_query(query)
    spans = match_spans(text, q.terms, q.phrases)
    assert all(a < b <= c < d for (a, b), (c, d) in pairwise(spans))
    assert plain(highlight(text, spans)) == text
    shown = plain(snippet(text, spans, width)).removeprefix("…").removesuffix("…")
    assert shown in " ".join(text.split())
    assert len(shown) <= width
