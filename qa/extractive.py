"""The default answerer, with no LLM: it selects the passage sentences that answer the question and
quotes them, each with its citation. It cannot hallucinate: every sentence is a document's own text.

Whether a sentence answers is decided by a small fitted model over evidence features (answerability.py):
similarity, term coverage, rare-term support and answer kind together, not a single cut-off. Only
quotable sentences are claims (shape.py); one that points back ("It has …") brings its antecedent, one
that introduces a list brings its items, or it is left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from policykb.core.events import AnswerEvent, Final, Token
from policykb.core.text import content_words, stem
from policykb.core.types import Answer, SearchHit, SearchResponse
from policykb.index.embedders import Embedder
from policykb.qa.answer_types import Kind, asked, describe_missing, listed_things, question_parts
from policykb.qa.answerability import (
    FEATURES,
    AnswerabilityModel,
    QuestionTerms,
    absent_bodies,
    banded,
    features,
    missing_terms,
    supported_stems,
    target_unnamed,
)
from policykb.qa.compose import Claim, Verifier, compose, number_facts, refusal
from policykb.qa.evidence import Sentence, SentenceEmbeddings, candidate_sentences, content_stems
from policykb.qa.shape import (
    dangling,
    ends_sentence,
    introduces,
    names_what_follows,
    needs_antecedent,
    opens_count,
    qualifies,
)


@dataclass
class ExtractiveConfig:
    max_sentences: int = 3
    max_list_items: int = 16  # the most lines (introduction and items) a list is quoted whole with
    duplicate_overlap: float = 0.6  # a sentence sharing this share of its terms with a chosen one adds nothing


@dataclass
class Found:
    """What answers a question, or one part of it: no claims when nothing does."""

    evidence: Evidence
    claims: list[Claim]
    confidence: float
    conflicts: list[str]


@dataclass
class Evidence:
    """The question's terms, the quotable candidate sentences and each one's probability of answering."""

    question: QuestionTerms
    sentences: list[Sentence]
    rows: np.ndarray
    probabilities: np.ndarray


class ExtractiveAnswerer:
    def __init__(
        self, embedder: Embedder, config: ExtractiveConfig | None = None, model: AnswerabilityModel | None = None
    ) -> None:
        self.embedder = embedder
        self.config = config or ExtractiveConfig()
        self.model = model or AnswerabilityModel.load()
        self.embeddings = SentenceEmbeddings(embedder)
        self.verifier = Verifier(self.embeddings)

    def stream(self, question: str, response: SearchResponse, *, focus: str | None = None) -> Iterator[AnswerEvent]:
        """The answer word by word (as a model would stream it; the pieces join to `answer.answer`, each
        claim with its [n]), then the answer itself."""
        answer = self._answer(question, response, focus)
        for claim in answer.claims():
            for piece in re.findall(r"\S+\s*|\s+", claim):
                yield Token(piece)
        yield Final(answer)

    def rewrite_followup(self, question: str, history: list[dict]) -> str | None:
        return None  # no model to rewrite with: the facade's heuristic carries the previous question along

    def evidence(
        self,
        question: str,
        hits: list[SearchHit],
        idf: dict[str, float],
        focus: str | None = None,
        part: bool = False,
        following: Mapping[str, SearchHit] | None = None,
        preceding: Mapping[str, SearchHit] | None = None,
    ) -> Evidence:
        """`focus`: the user's latest words when `question` was expanded from a conversation, or the `part` of a
        two-part question weighed; `following` and `preceding`: the next and the previous passage of each hit's
        document (a list may run on, or have begun before)."""
        idf = dict(idf)
        if focus:
            for term in content_stems(focus):
                if term in idf:
                    idf[term] *= 2.0  # the follow-up's own words matter most
        terms = QuestionTerms.of(question, idf, focus, part)
        sentences = [
            s for s in candidate_sentences(hits, following=following, preceding=preceding) if _claimable(s, terms)
        ]
        if not sentences:
            empty = np.zeros((0, len(self.model.weights)), dtype=np.float32)
            return Evidence(terms, [], empty, np.zeros(0))
        query = self.embedder.embed_queries([question])[0]
        semantic = self.embeddings.vectors([s.claim_text for s in sentences]) @ query
        passages = list({s.hit.chunk_id: s.hit for s in sentences}.values())
        passage_sims = self.embeddings.vectors([h.text for h in passages]) @ query
        sem_passage = {h.chunk_id: float(v) for h, v in zip(passages, passage_sims, strict=True)}
        rows = features(terms, sentences, semantic, sem_passage)
        probabilities = self.model.probabilities(rows)
        for s, sim, p in zip(sentences, semantic, probabilities, strict=True):
            s.semantic, s.score = float(sim), float(p)
        return Evidence(terms, sentences, rows, probabilities)

    def _answer(self, question: str, response: SearchResponse, focus: str | None) -> Answer:
        hits, idf = response.results, response.term_idf
        evidence = self.evidence(question, hits, idf, focus, following=response.following, preceding=response.preceding)
        whole = self._find(evidence, hits)
        parts = question_parts(question) if focus is None else [question]
        if len(parts) > 1:
            return self._answer_parts(question, parts, whole, response)
        if not whole.claims:
            return self._refuse(whole, hits, question)
        tentative = self.model.tentative(whole.confidence)
        return compose(whole.claims, whole.confidence, whole.conflicts, question, tentative=tentative)

    def _answer_parts(self, question: str, parts: list[str], whole: Found, response: SearchResponse) -> Answer:
        """A question of several parts ("When did … hold ICN2, and what declaration did it adopt?"): the
        claims of the answer to the whole that answer a part, with each part they do not answer answered on
        its own, or named as not answered, so that a half-answer never reads as a whole one and a claim that
        answers no part is not shown."""
        claims: list[Claim] = []
        conflicts, confidence = list(whole.conflicts), whole.confidence
        unanswered = []
        hits = response.results
        for n, part in enumerate(parts):
            ev = self.evidence(
                question,
                hits,
                response.term_idf,
                part,
                part=True,
                following=response.following,
                preceding=response.preceding,
            )
            own = content_stems(part).difference(*(content_stems(p) for i, p in enumerate(parts) if i != n))
            if covering := [c for c in whole.claims if self._answers([c], ev, own)]:
                claims += [c for c in covering if not any(_same_span(c, o) for o in claims)]
                continue
            found = self._find(ev, hits)
            answering = [c for c in found.claims if self._answers([c], ev, own)]
            if not answering:
                if asked(part).typed and own:
                    # said only of a part asking a kind of thing (a figure, a date, a person), whether or not
                    # the passages hold its words: "what is that meeting meant to do?" may be answered in other
                    # words, "how much did membership cost?" is not answered by a passage on membership
                    unanswered.append(part)
                continue
            claims += [c for c in answering if not any(_same_span(c, o) for o in claims)]
            conflicts += [note for note in found.conflicts if note not in conflicts]
            confidence = min(confidence, found.confidence) if whole.claims else found.confidence
        if not claims:
            return self._refuse(whole, hits, question)
        order = {id(c): i for i, c in enumerate(whole.claims)}  # the whole answer's order first
        claims.sort(key=lambda c: order.get(id(c), len(order)))
        return compose(claims, confidence, conflicts, question, unanswered, self.model.tentative(confidence))

    def _answers(self, claims: list[Claim], ev: Evidence, own: set[str]) -> bool:
        """Whether a quoted claim holds a sentence that answers the part of the question `ev` weighs: scored
        as answering it, and holding the kind of thing that part asks about its own noun ("how many
        commodities": "13 … commodities") or saying one of the words only that part uses ("publication
        period" in "…, and which publication period did it cover?"), when it has any: in the claim itself, not
        in the sentences around it, which the answer does not show."""
        about_noun = bool(ev.question.asked.subject)  # "how many commodities"; "at what level" names none
        holds_kind = ev.rows[:, FEATURES.index("kind_holds")] if len(ev.rows) and about_noun else np.zeros(len(ev.rows))
        return any(
            s.score >= self.model.threshold
            and s.hit.chunk_id == c.hit.chunk_id
            and c.quote_start <= s.start < c.quote_end
            and (not own or holds_kind[i] == 1.0 or bool(own & supported_stems(ev.question.text, _said(s, c))))
            for i, s in enumerate(ev.sentences)
            for c in claims
        )

    def _refuse(self, found: Found, hits: list[SearchHit], question: str) -> Answer:
        missing = self._what_is_missing(found.evidence, hits) if found.evidence.sentences else None
        return refusal(hits, found.confidence, question, missing)

    def _find(self, ev: Evidence, hits: list[SearchHit]) -> Found:
        """The claims that answer the question of `ev`, with their confidence and conflicts."""
        if not ev.sentences:
            return Found(ev, [], 0.0, [])
        ranked = sorted(ev.sentences, key=lambda s: -s.score)
        best = ranked[0]
        if best.score < self.model.threshold or absent_bodies(ev.question, hits):
            return Found(ev, [], best.score, [])
        claims = []
        groups = self._select(ranked, ev.question.asked.kind, listed_things(ev.question.text))
        confidence = max((s.score for s in groups[0]), default=best.score) if groups else best.score
        for group in groups:
            for n, part in enumerate(_by_passage(group)):
                claim = _claim(part, continued=n > 0)
                introduced = " ".join(filter(None, [part[0].introduction, _quote(claim)]))
                if self.verifier.lexically_supported(claim.text, introduced):
                    claims.append(claim)
        # a claim that another shows as what introduces it (a finding above its summary) is not said twice
        claims = [c for c in claims if not any(o.text.startswith(f"{c.text} … ") for o in claims)]
        if not claims:
            return Found(ev, [], best.score, [])
        return Found(ev, claims, confidence, self._conflicts(claims, ranked))

    def _what_is_missing(self, ev: Evidence, hits: list[SearchHit]) -> str | None:
        """What part of the question the closest passages leave uncovered: the asked kind of thing, when no
        candidate holds it, and the rare words, bodies, regions and products that none of them mentions."""
        kind_missing = ev.question.asked.typed and ev.rows[:, FEATURES.index("kind_missing")].min() != 0
        missing = missing_terms(ev.question, hits)
        missing += [name for name in absent_bodies(ev.question, hits) if not set(name.split()) & set(missing)]
        unnamed = target_unnamed(ev.question, ev.sentences)
        uncounted = ev.rows[:, FEATURES.index("kind_holds")].max() == 0
        return describe_missing(ev.question.asked, missing, bool(kind_missing), unnamed, bool(uncounted))

    def _select(self, ranked: list[Sentence], kind: Kind, things: set[str]) -> list[list[Sentence]]:
        """The best sentence and those close to it, each completed into a quotable group of sentences; a group
        that holds a chosen one whole (the list of a chosen item, a sentence pointing back to a chosen one) takes
        its place. A list question whose best group lists nothing is answered by the best group that lists the
        asked `things` when one scores above the threshold, and by lists of them alone: "based upon elements of
        Standard Precautions" names the list without giving it."""
        c, m = self.config, self.model
        lists_only = False
        if kind is Kind.LIST and things:
            quotable = ((s, g) for s in ranked if s.score >= m.threshold and (g := self._complete(s, kind)) is not None)
            first = next(quotable, None)
            if first is not None and not _lists(first[1], things):
                listing = next((s for s, g in quotable if _lists(g, things)), None)
                if listing is not None:
                    ranked, lists_only = [listing, *(s for s in ranked if s is not listing)], True
        floor = m.threshold  # until the first quotable group sets it: a sentence that cannot be quoted sets nothing
        groups: list[list[Sentence]] = []
        used: set[int] = set()
        for s in ranked:
            if len(groups) == c.max_sentences or s.score < floor:
                break
            if id(s) in used or any(_jaccard(content_stems(s.text), content_stems(o.text)) > c.duplicate_overlap
                                    for g in groups for o in g):  # fmt: skip
                continue
            group = self._complete(s, kind)
            if group is None or (lists_only and not _lists(group, things)):
                continue
            members = {id(x) for x in group}
            within = [g for g in groups if {id(x) for x in g} < members]  # chosen ones `group` holds whole
            if members & used and (len(within) != 1 or members & used != {id(x) for x in within[0]}):
                continue
            used.update(members)
            if within:
                groups[groups.index(within[0])] = group  # the whole list, where its item stood
                continue
            groups.append(group)
            if len(groups) == 1:
                floor = max(m.threshold, _sigmoid(m.logit(s.score) - m.keep_within))
        return groups

    def _complete(self, s: Sentence, kind: Kind = Kind.OTHER) -> list[Sentence] | None:
        """`s` with what it needs to stand alone, or None when that is not in the passage. A list item, for a
        question that asks for a list, brings the other items under its introduction (a list too long to show
        whole, or an item listing things itself, "Articles 16, 19, 20 and 25", is left alone), and a sentence
        that leads into a list brings the list."""
        if (
            kind is Kind.LIST
            and s.introduction
            and s.bulleted
            and not _ENUMERATES.search(s.display)
            and 1 < len(items := _items_beside(s)) <= self.config.max_list_items
        ):
            return items
        if kind is Kind.LIST and (listed := self._list_after(s)):
            return listed
        group = [s]
        if dangling(s.display) and not s.bulleted:
            if (before := _antecedent(s, s.previous or s.before)) is not None:
                twin = before.following  # the same sentence in the passage that holds its antecedent: one quote
                group = [before, twin if twin is not None and twin.start == s.start else s]
            elif needs_antecedent(s.display):
                return None
        if introduces(s.display):
            item = _next(s)
            running = names_what_follows(s.display)  # its items are the sentences of its passage after it
            while item is not None and len(group) <= self.config.max_list_items and not introduces(item.display):
                if not (item.flaw is None or (item.bulleted and item.flaw in ("fragment", "heading"))):
                    break
                bullets = item.bulleted and group[-1].bulleted
                if len(group) > 1 and not bullets and not (running and item.hit.chunk_id == s.hit.chunk_id):
                    break  # a list is its bulleted items, or the one sentence after the introduction
                group.append(item)
                item = _next(item)
            if len(group) == 1 or not _closed(group, item):
                return None  # the items are not here, or the list does not end
        closing = group[-1].following
        while _quotation_balance(" ".join(x.display for x in group)) > 0 and closing is not None and len(group) < 4:
            if closing.flaw is not None:
                break
            group.append(closing)  # a quotation ends where its speaker stops, not at its first full stop
            closing = closing.following
        group = _with_quotation_opening(group)
        note = group[-1].following
        if note is not None and qualifies(note.display):
            group.append(note)
        return group

    def _list_after(self, s: Sentence) -> list[Sentence] | None:
        """`s` with the list it leads into ("… to assist in the assessment of infection control programs. The
        checklist should be used: 1. To ensure … 2. To systematically assess …"), and the sentence before `s`
        when it points back; None when no whole list follows it."""
        following = s.following
        if (
            following is None
            or following.flaw is not None
            or introduces(s.display)
            or not introduces(following.display)
        ):
            return None
        listed = [x for x in self._complete(following, Kind.LIST) or [] if x is not s]  # its antecedent may be `s`
        if len(listed) < 2:
            return None
        before = _antecedent(s, s.previous) if dangling(s.display) else None
        return [before, s, *listed] if before is not None else [s, *listed]

    def _conflicts(self, claims: list[Claim], ranked: list[Sentence]) -> list[str]:
        """Figures that disagree between documents about the same quantity of the same subject: the two
        sentences answer the question, count the same noun, and say nearly the same thing otherwise."""
        notes: list[str] = []
        for claim in list(claims):
            for value, noun in number_facts(claim.text):
                for other in ranked:
                    if other.score < self.model.threshold or other.hit.doc_id == claim.hit.doc_id:
                        continue
                    facts = [(v, n) for v, n in number_facts(other.display) if n == noun and v != value]
                    if not facts or _jaccard(_context(claim.text), _context(other.display)) < 0.5:
                        continue
                    if all(o.quote_start != other.start or o.hit.chunk_id != other.hit.chunk_id for o in claims):
                        claims.append(Claim(other.claim_text, other.hit, other.start, other.end))
                    note = (
                        f"The sources differ: {value} {noun}… in “{claim.hit.title}” ({claim.hit.date or 'undated'}) "
                        f"and {facts[0][0]} {noun}… in “{other.hit.title}” ({other.hit.date or 'undated'})."
                    )
                    if note not in notes:
                        notes.append(note)
        return notes


_OPENING_QUOTE = re.compile(r'(?:^|(?<=[\s(:]))"(?=\w)')
_CLOSING_QUOTE = re.compile(r'(?<=[\w.,!?;)])"')


def _quotation_balance(text: str) -> int:
    """Quotations the text opens less those it closes: above 0 it opens one it does not close ("… without ”",
    or a straight quote before a word without one after a word), below 0 it closes one it does not open
    ("… as well as patient organizations", said …"); a stray mark opens none."""
    opened = text.count("“") + len(_OPENING_QUOTE.findall(text))
    return opened - text.count("”") - len(_CLOSING_QUOTE.findall(text))


def _with_quotation_opening(group: list[Sentence]) -> list[Sentence]:
    """`group` with the sentences before it in its passage back to where the quotation it closes opens (a
    quotation begins where its speaker begins, not at its last sentence); `group` as it is when the opening
    is not within three quotable sentences before it (a stray mark, or a quotation the passage cut)."""
    opened = list(group)
    while _quotation_balance(" ".join(x.display for x in opened)) < 0:
        before = opened[0].previous
        if before is None or before.flaw is not None or len(opened) >= len(group) + 3:
            return group
        opened.insert(0, before)
    return opened


def _said(s: Sentence, claim: Claim) -> str:
    """What a claim says to the reader about its sentence: its text, and a table row's lead-in."""
    return f"{s.lead_in} {claim.text}" if s.lead_in else claim.text


def _same_span(a: Claim, b: Claim) -> bool:
    return (a.hit.chunk_id, a.quote_start) == (b.hit.chunk_id, b.quote_start)


# Words every evidence profile's findings share (their study design and data): no outcome of its own.
_PROFILE_WORDS = frozenset(stem(w) for w in (
    "study", "studies", "trial", "trials", "randomized", "randomised", "controlled", "participants", "data",
    "follow", "up", "months", "years", "weeks",
))  # fmt: skip


def _claimable(s: Sentence, question: QuestionTerms) -> bool:
    """Quotable on its own, or a list item or introduction that a group may complete; a table row only for
    a question that names the row, in its words or their initials, or states a weight or age in its band (a
    figure is found by its row and column: "Austria's … percentage", "the UK's share", "a 20 kg child"), and
    an evidence profile's finding only for a question naming some of its outcome. A sentence giving a link, or
    pointing the reader elsewhere, answers only a question asking where something can be found."""
    if s.flaw in ("link", "pointer"):
        return question.asked.link and s.row is None
    if s.flaw is not None:
        return False
    if s.outcome is not None and not (content_stems(s.outcome) - _PROFILE_WORDS) & question.stems:
        return False  # an evidence profile's finding answers a question about its outcome, not about another's
    if s.row is None:
        return True
    named = content_stems(s.row)  # "No", "Of which", "N/A" name nothing a question could name
    if (named and named <= question.stems) or banded(s, question):
        return True  # "a child weighing 20 kg": the row "15 to < 25" of a table by body weight (kg)
    words = content_words(s.row)  # "Democratic Republic of the Congo": DRC; "United States of America": USA
    return len(words) > 1 and "".join(w[0] for w in words).upper() in re.findall(r"\b[A-Z]{2,6}\b", question.text)


def _closed(group: list[Sentence], after: Sentence | None) -> bool:
    """Whether a list's items end where the group does: its last item ends as a sentence, or bulleted items
    without end punctuation ("• artesunate-mefloquine (ASMQ)") are followed in their passage by anything but
    another item (a sentence, a heading, a "Source:" line), or run on to the passage's end, where the claim
    says that more may follow. A list longer than the most items shown is not quoted whole: its items answer
    on their own."""
    if ends_sentence(group[-1].text):
        return True
    items = group[1:]
    if not all(s.bulleted for s in items):
        return False
    return after is None or not after.bulleted


# Three or more things listed in one sentence: "Articles 16 (…), 19 (…), 20 (…) and 31 (…)".
_ENUMERATES = re.compile(r"[^,;]+,[^,;]+,[^;]*\b(?:and|or)\b")


def _items_beside(item: Sentence) -> list[Sentence]:
    """The run of bulleted items that `item` stands in, in order: its siblings under one introduction, marked
    as it is ("›" items under a "•" one are its sub-list; the "•" items after them are not its siblings)."""
    style = item.mark

    def member(s: Sentence | None) -> Sentence | None:
        if s is None or not s.bulleted or s.flaw not in (None, "fragment", "heading"):
            return None
        return s if style is None or s.mark in (None, style) else None

    first = item
    while (before := member(_prior(first))) is not None and not introduces(before.display):
        first = before
    run = [first]
    while (after := member(_next(run[-1]))) is not None:
        run.append(after)
    return run


# Where a sentence starts to enumerate: after a colon or a verb that introduces items, three or more of them
# ("Standard Precautions include: 1) hand hygiene, 2) use of …, and …"; "such as A, B and C" with short items,
# or "… included: problem-based learning; hands-on workshops; …", not "A and B), although … and …" nor
# "infected with three viruses, and then …").
_INLINE_LIST = re.compile(
    r"(?::|\b(?:include|includes|included|including|comprise|comprises|such as|namely|are|were)\b)\s*"
    r"(?=(?:\(?(?:1|a|i)\)\s*)?(?:[^,;]+,[^,;]+,[^;]*\b(?:and|or)\b|[^,;]{1,60},\s*(?!and\b|or\b)[^,;]{1,60}\s(?:and|or)\s"
    r"|[^;:.]{1,80};[^;:.]{1,80};))"
)


def _lists(group: list[Sentence], things: set[str]) -> bool:
    """Whether `group` lists the asked `things`: items under an introduction that names most of them, or a
    sentence whose enumeration follows right after it names them ("Standard Precautions include: 1) …"; not
    "mutations in enzyme genes SPG4, KATNB1 and KATNAL2 are associated with …", which lists something else)."""
    items = [s for s in group if s.bulleted]
    if len(items) >= 2:
        lead = " ".join(filter(None, [items[0].introduction, *(s.display for s in group if not s.bulleted)]))
        return _names_most(things, content_words(lead))
    return any(
        (start := _INLINE_LIST.search(s.display)) is not None and _leads_into(s.display[: start.start()], things)
        for s in group
    )


_LEAD_WORDS = 6  # the words before an enumeration that say what it lists


def _leads_into(lead: str, things: set[str]) -> bool:
    """Whether the words just before an enumeration name the `things`, with no other enumeration between
    them and it ("enzyme genes SPG4, KATNB1 and KATNAL2 are associated with …" lists genes, not enzymes)."""
    if not _names_most(things, content_words(lead)[-_LEAD_WORDS:]):
        return False
    last = max((m.end() for m in re.finditer(r"\w+", lead) if stem(m.group(0).lower()) in things), default=None)
    return last is not None and not re.search(r",|\b(?:and|or)\b", lead[last:])


def _names_most(things: set[str], words: list[str]) -> bool:
    return len(things & {stem(w) for w in words}) > len(things) / 2


def _next(s: Sentence) -> Sentence | None:
    """The sentence after `s`: in its passage, or opening the next passage of the document at its end."""
    return s.following if s.following is not None else s.after


def _prior(s: Sentence) -> Sentence | None:
    """The sentence before `s`: in its passage, or ending the passage of the document before its start."""
    return s.previous if s.previous is not None else s.before


def _claim(group: list[Sentence], continued: bool = False) -> Claim:
    """The claim quoting `group`, one passage's part of what answers; `continued` from the passage before, a
    list's items run on without their introduction again."""
    first, last = group[0], group[-1]
    more = not ends_sentence(last.text) and _next(last) is None  # the list runs on past what the answer read
    if continued and all(s.bulleted for s in group):
        return Claim(" ".join([*(_item(s) for s in group), *(["…"] if more else [])]), first.hit, first.start, last.end)
    if len(group) > 1 and all(s.bulleted for s in group):  # a list's items, after their introduction
        introduction = next((s.introduction for s in group if s.introduction), None)
        listed = " ".join(_item(s) for s in group if s.display != introduction)  # a bulleted introduction
        return Claim(f"{introduction} {listed}" if introduction else listed, first.hit, first.start, last.end)
    items = group[1:]
    # items only their bullets part, or items under an introduction the group holds: shown as a list
    bullets = any(s.bulleted and not ends_sentence(s.text) for s in items) or any(introduces(s.display) for s in group)
    parts = [first.claim_text, *(_item(s) if bullets and s.bulleted else s.display for s in items)]
    if len(group) > 1 and introduces(first.display) and more:
        parts.append("…")  # the list runs on past the passage: the reader is told it may hold more
    return Claim(" ".join(parts), first.hit, first.start, last.end)


def _antecedent(s: Sentence, before: Sentence | None) -> Sentence | None:
    """The sentence before `s`, when it is quotable prose that `s` can point back to (no heading, fragment or
    introduction of a list)."""
    return before if before is not None and not before.flaw and not introduces(before.display) else None


def _by_passage(group: list[Sentence]) -> list[list[Sentence]]:
    """A group cut where its sentences pass into another passage (an antecedent the previous passage ends
    with): each part is quoted, and cited, from its own passage."""
    parts: list[list[Sentence]] = []
    for s in group:
        if parts and parts[-1][-1].hit.chunk_id == s.hit.chunk_id:
            parts[-1].append(s)
        else:
            parts.append([s])
    return parts


def _item(sentence: Sentence) -> str:
    """A list item as the answer shows it: behind a bullet, or behind its own number where it opens a count its
    text goes on with ("i. Preparation ii. Testing …")."""
    return sentence.display if opens_count(sentence.display) else f"• {sentence.display}"


def _quote(claim: Claim) -> str:
    offset = claim.hit.char_start
    return claim.hit.text[claim.quote_start - offset : claim.quote_end - offset]


def _context(text: str) -> set[str]:
    """A sentence's terms without its figures: what it is about."""
    return {s for s in content_stems(text) if not s[:1].isdigit()}


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + float(np.exp(-z)))


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0
