"""Does a sentence answer the question? A tiny logistic model over evidence features decides, fitted on
data by `python -m bench.calibrate` (coefficients and how they were fitted in answerability.json).

Features of a candidate sentence, all in [0, 1] or {0, 1}:
- similarity of the question to the sentence and to its passage (embedding cosines),
- idf-weighted share of the question's terms in the sentence (a list item with its introduction, as the
  answer shows it: "Maternal health commodities … Oxytocin – …"), in the sentence with its neighbours, and in
  the passage with what the document is (title, headings, type, organisations),
- support of the question's rare terms (its most specific words, names and years) around the sentence,
  an acronym standing for its spelled-out words and the other way round ("NCD", "noncommunicable diseases"),
- whether the sentence holds the kind of thing asked (a figure about the asked noun, a date, a person …)
  and says the act asked about ("voted" in "which countries voted", "meet" in "when did the Group meet"),
  and a year or country the question names that the sentence contradicts: these are gates, not weights (a
  sentence without the asked kind or act, about another year or country, or a resolution's recital when the
  question asks what the resolution does, never answers; nor one that never names the outcome an effect is
  asked on, or what an amount of money is asked for),
- the passage's retrieval rank.
So a paraphrase sharing few words with its passage can still be answered when similarity, answer kind and
term support agree, and a close sentence about another year, country or quantity is not.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from policykb.core.text import acronym_stems, stem, unit_stems
from policykb.core.types import SearchHit
from policykb.qa.answer_types import (
    REGION_WITHIN,
    REGIONAL_OFFICES,
    SCOPES,
    Asked,
    Kind,
    asked,
    asks,
    codes,
    countries,
    country_adjective,
    holds,
    measured_by,
    medicines,
    medicines_named,
    mentioned_regions,
    named_countries,
    ordinal_named,
    read_row,
    regions,
    says_act,
    says_ordinal,
    scope_conflict,
    stated_measures,
    versions,
    writes_term,
)
from policykb.qa.evidence import Sentence, content_stems, coverage
from policykb.qa.shape import in_band, recital

MODEL_PATH = Path(__file__).with_name("answerability.json")
FEATURES = (
    "sem_sentence",
    "sem_passage",
    "cov_sentence",
    "cov_window",
    "cov_context",
    "rare_support",
    "rare_missing",
    "kind_holds",
    "kind_other_subject",
    "kind_missing",
    "scope_conflict",
    "first_passage",
)
_WORD = re.compile(r"\w+", re.UNICODE)
# Words about what a document says rather than what it is about ("as cited in", "what does CDC say",
# "the elements listed in", "where can I find"), and the kinds of document that say it ("the fact sheet",
# "CDC's checklist"): never among the terms a quote must support.
_CITING_WORDS = frozenset((
    "cite", "cites", "cited", "citing", "say", "says", "said", "mention", "mentions", "mentioned", "describe",
    "describes", "described", "listed", "named", "called", "quoted", "stated", "refers", "referred",
    "sheet", "factsheet", "checklist", "brochure", "leaflet", "booklet", "toolkit", "handbook", "guide",
    "find", "locate",
))  # fmt: skip
# Pronouns, light verbs ("get", "take part", "be told", "giving money") and placeholder nouns ("things like
# wheelchairs"), which the stopwords leave in the
# text but which name nothing a quote must hold: a refusal saying the passages "do not mention “whose”" or
# "“took”" tells the reader nothing, and the asked thing is said with other verbs ("18 advocates came together").
_FUNCTION_WORDS = frozenset((
    "he", "him", "his", "her", "hers", "herself", "himself", "itself", "themselves", "myself", "yourself",
    "yourselves", "ourselves", "us", "whose", "someone", "somebody", "anyone", "anybody", "everyone",
    "everybody", "something", "anything", "everything", "get", "gets", "got", "getting", "gotten",
    "take", "takes", "took", "taken", "taking", "give", "gives", "gave", "given", "giving", "tell", "tells",
    "told", "telling", "put", "puts", "putting", "keep", "keeps", "kept", "keeping", "thing", "things", "stuff",
))  # fmt: skip
# The subject matter a question asks for ("What subject does the course cover?", "which topics"): the answer
# names the subject ("the social determinants of health"), seldom the word "subject".
_ASKED_CATEGORY = re.compile(r"\b(?:what|which)\s+(subjects?|topics?)\b", re.I)
# What the asker calls their own, in lower case ("my little boy", "our clinic"; not "my Coartem tablets"):
# their situation, which no document describes.
_ASKERS_OWN = re.compile(
    r"\b(?:[Mm]y|[Oo]ur)\s+((?:(?:little|young|old|elderly|local|own|new|teenage|older|younger)\s+)?[a-z]+)\b"
)
# The asker's own people ("my uncle", "our neighbour"): who asks, not what the documents are about.
_ASKERS_PEOPLE = frozenset((
    "mum", "mom", "mummy", "mommy", "dad", "daddy", "uncle", "aunt", "auntie", "husband", "wife", "grandma",
    "grandpa", "granny", "grandad", "nephew", "niece", "cousin", "neighbour", "neighbor", "friend", "boyfriend",
    "girlfriend", "boss", "mate", "son", "daughter", "brother", "sister", "grandson", "granddaughter", "colleague",
))  # fmt: skip


@dataclass
class QuestionTerms:
    """What the features need to know about the question once."""

    text: str
    asked: Asked
    idf: dict[str, float]
    stems: set[str]
    rare: dict[str, str]  # stem -> the question's own word, for the refusal's note
    names: set[str]  # the rare words it writes as names, capitalised inside the question ("Datacol", "Capital")
    measures: list[tuple[float, str]]  # the weights and ages it states ("a child weighing 12 kg": (12, "kg"))

    @classmethod
    def of(cls, question: str, idf: dict[str, float], focus: str | None = None, part: bool = False) -> QuestionTerms:
        """`focus`: the user's latest words when `question` was expanded from a conversation (or one part of a
        two-part question); what they ask for (a person, a date …) is what is asked, unless they ask for nothing
        of their own ("in Asia?"), and the years, places and products they name are its scope, those of the
        whole question where they name none ("and for how many days?" is about the medicine asked before).
        A `part` of a two-part question asks what it asks: "…, and how strong is that recommendation?" asks
        no count because the other part does."""
        stems = content_stems(question)
        weights = {s: w for s, w in idf.items() if s in stems} or {s: 1.0 for s in stems}
        words: dict[str, str] = {}
        askers = [m.span(1) for m in (*_ASKERS_OWN.finditer(question), *_ASKED_CATEGORY.finditer(question))]
        for m in _WORD.finditer(question):
            w = m.group(0)
            if w.lower() in _CITING_WORDS | _ASKERS_PEOPLE or (w.lower() in _FUNCTION_WORDS and not w.isupper()):
                continue
            if any(start <= m.start() < end for start, end in askers):
                continue
            s = content_stems(w)
            if s:
                words.setdefault(next(iter(s)), w)
        top = max((weights.get(s, 0.0) for s in words), default=0.0)
        ask = asked(question)
        if focus and ((own := asked(focus)).kind is not Kind.OTHER or part):  # its scopes carried where it names none
            carried = {scope: getattr(ask, scope) for scope in SCOPES if not getattr(own, scope)}
            if not own.subject and own.kind is ask.kind:  # "…, and how many in 2021?" counts what was counted
                carried |= {"subject": ask.subject, "measure": own.measure or ask.measure}
            ask = replace(own, **carried, combination=ask.combination if "medicines" in carried else own.combination)
        elif focus:  # "and what about in Asia?": the follow-up's own places and years replace those carried along
            ask = replace(ask, **{scope: getattr(own, scope) for scope in SCOPES if getattr(own, scope)})
        rare = {s: w for s, w in words.items() if 0.0 < weights.get(s, 0.0) >= 0.75 * top}  # in question order
        rare |= {y: y for y in ask.years}
        return cls(question, ask, weights, stems, rare, _names(question, rare), stated_measures(question))


def names_target(q: QuestionTerms, near: set[str]) -> bool:
    """Whether the stems `near` a sentence (its window, its document's title and headings) name what the
    question asks an effect on or an amount of money for: "What effect does house screening have on anaemia?"
    is not answered by what screening does to mosquitoes, however many of the question's other words it shares."""
    return q.asked.target_stem is None or q.asked.target_stem in near


def target_unnamed(q: QuestionTerms, sentences: Sequence[Sentence]) -> bool:
    """No candidate sentence names the question's target, as `names_target` reads it."""
    return q.asked.target is not None and not any(
        names_target(q, supported_stems(q.text, " ".join([s.window(), s.hit.title, *s.hit.headings])))
        for s in sentences
    )


def banded(s: Sentence, q: QuestionTerms) -> bool:
    """Whether `s` is a table row whose band holds a weight or age the question states, in the unit its
    table's headings measure by ("a child weighing 20 kg": "15 to < 25" under "Body weight (kg)")."""
    return s.row is not None and any(
        in_band(s.row, value) and measured_by(s.introduction or "", unit) for value, unit in q.measures
    )


# Words of a question that say whose weight or age it states: what a table's band answers for.
_MEASURED = frozenset(stem(w) for w in (
    "weigh", "weighing", "weight", "weighs", "kg", "kilo", "kilos", "kilogram", "kilograms", "child", "children",
    "adult", "adults", "infant", "infants", "baby", "patient", "person", "old", "aged", "age", "year", "years",
    "month", "months",
))  # fmt: skip


def _names(question: str, rare: dict[str, str]) -> set[str]:
    """The rare words a question writes as names, capitalised inside it ("the Datacol survey", "the Working
    Capital Fund"). Not in a title that asks nothing ("Case Fatality Rates for Childhood Pneumonia …") or a
    title-cased opening, not an acronym or code ("HAdV-55", "R0": left to the acronym rules), a month or a
    day, nor a medicine, country (or its adjective: "Canadian") or region, which have scopes of their own."""
    words = _WORD.findall(question)
    if sum(w[:1].isupper() for w in words) > len(words) / 2 or not asks(question):
        return set()  # a title, not a question ("Case Fatality Rates for Childhood Pneumonia in …")
    opening = next((i for i, w in enumerate(words) if not w[:1].isupper()), len(words))
    places = " ".join(named_countries(question))
    return {
        s
        for s, w in rare.items()
        if w[:1].isupper() and w.isalpha() and sum(c.isupper() for c in w) == 1 and w in words[opening:]
        and not medicines(w) and not countries(w) and not country_adjective(w) and not mentioned_regions(w)
        and w not in places.split()
        and w.lower() not in _CALENDAR
    }  # fmt: skip


_CALENDAR = frozenset((
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
))  # fmt: skip


def features(
    q: QuestionTerms, sentences: list[Sentence], sem_sentence: np.ndarray, sem_passage: dict[str, float]
) -> np.ndarray:
    """One row of FEATURES per sentence."""
    rows = np.zeros((len(sentences), len(FEATURES)), dtype=np.float32)
    context_stems: dict[str, set[str]] = {}
    total_rare = sum(q.idf.get(s, 1.0) for s in q.rare) or 1.0
    passages = list({s.hit.chunk_id: s.hit for s in sentences}.values())
    beside = {p.chunk_id: " ".join([_beside(p, passages), _named(p), *p.organisations]) for p in passages}
    interests = {p.chunk_id: _declares_interests(p, q) for p in passages}
    common = (
        {stem(w) for p in passages for w in re.findall(r"(?<![.!?]\s)\b[a-z][a-z-]+", p.text)} if q.names else set()
    )
    context_text: dict[str, str] = {}
    for hit in passages:
        meta = " ".join([hit.title, *hit.headings, hit.doc_type.replace("_", " "), *hit.organisations, _named(hit)])
        context_text[hit.chunk_id] = f"{hit.text} {meta} {hit.date or ''}"
        context_stems[hit.chunk_id] = supported_stems(q.text, context_text[hit.chunk_id])
        context_stems[hit.chunk_id + "#about"] = supported_stems(q.text, f"{meta} {hit.date or ''}")
    own_bodies = _own_bodies(q, passages, context_text)
    # a term no candidate writes (misspelt: "Clodstridium") is answered as before, by the closest sentences
    typed = q.asked.typed and not (q.asked.term and not any(writes_term(q.asked.term, s.display) for s in sentences))
    for i, s in enumerate(sentences):
        hit = s.hit
        # an item that shares no word with the question borrows none from the items beside it: they are other claims
        window = s.window(items=bool(q.stems & content_stems(s.text)))
        window_stems = supported_stems(q.text, window)
        near = window_stems | context_stems[hit.chunk_id + "#about"]
        missing = [t for t in q.rare if t not in near]
        # "the Datacol survey": a name this passage does not hold makes its figures another thing's, unless the
        # passages write the word as a common noun ("the Flu": "flu"); so does a body only one document writes
        unnamed = any(t in q.names and t not in common for t in missing if t not in context_stems[hit.chunk_id]) or any(
            not _writes(body, context_text[hit.chunk_id]) for body in own_bodies
        )
        if s.row is not None and banded(s, q):
            near |= q.stems & _MEASURED  # "a child weighing 20 kg" is who the row "15 to < 25" is for
            missing = [t for t in q.rare if t not in near]
        shown = read_row(s.introduction or "", s.row, s.display) if s.row is not None else s.display
        kind = holds(q.asked, shown, q.stems) if typed else 1.0
        if s.row is not None and 0.0 < kind < 1.0 and q.asked.subject <= window_stems:
            kind = 1.0  # a table row's figure is about what its table is about: its lead-in or headings say it
        if not says_act(q.asked, s.display):
            kind = 0.0  # a name or a date near the subject is no answer unless the quote says the asked act
        about = " ".join([hit.title, *hit.headings, hit.date or ""])
        preamble = q.asked.operative and recital(s.display)  # what the resolution does is not its context
        rows[i] = (
            float(sem_sentence[i]),
            sem_passage.get(hit.chunk_id, 0.0),
            coverage(q.idf, content_stems(f"{s.introduction or ''} {s.text}")),
            coverage(q.idf, window_stems),
            coverage(q.idf, context_stems[hit.chunk_id]),
            1.0 - sum(q.idf.get(t, 1.0) for t in missing) / total_rare,
            1.0 if missing else 0.0,
            1.0 if typed and kind >= 1.0 else 0.0,
            1.0 if (typed and 0.0 < kind < 1.0) or preamble else 0.0,
            1.0 if typed and kind == 0.0 else 0.0,
            1.0
            if unnamed
            or not names_target(q, near)
            or interests[hit.chunk_id]
            or scope_conflict(q.asked, s.display, window, about, hit.text, beside[hit.chunk_id])
            else 0.0,
            1.0 if s.rank == 0 else 0.0,
        )
    return rows


# A document's account of who made it and what they declared: it names medicines and topics ("research
# support for a trial of tafenoquine") without saying anything of them, so it answers only questions about
# its people, their interests and who funded the work.
_INTERESTS = re.compile(
    r"\b(?:contributors?|declarations? of interests?|conflicts? of interests?|competing interests|interests declared"
    r"|acknowledge?ments?)\b",
    re.I,
)
_ASKS_OF_CONTRIBUTORS = frozenset(stem(w) for w in (
    "interest", "interests", "conflict", "declare", "declared", "declaration", "contributor", "contributors",
    "contributed", "member", "members", "chair", "chaired", "author", "authors", "wrote", "written", "panel",
    "expert", "experts", "reviewer", "reviewers", "reviewed", "consultant", "fund", "funded", "funding",
    "financed", "financial", "grant", "sponsor", "sponsored", "acknowledge", "acknowledged", "thank", "thanked",
    "people", "person", "group", "committee", "developed", "prepared",
))  # fmt: skip


def _declares_interests(hit: SearchHit, q: QuestionTerms) -> bool:
    """Whether `hit` stands in its document's account of contributors and their interests, and the question
    asks nothing of them."""
    return (
        bool(_INTERESTS.search(" ".join(hit.headings)))
        and q.asked.kind not in (Kind.PERSON, Kind.NAME)
        and not q.stems & _ASKS_OF_CONTRIBUTORS
    )


def _beside(hit: SearchHit, passages: Sequence[SearchHit]) -> str:
    """The text of the retrieved passages of the same document that overlap or adjoin `hit`: a sentence's
    country may be named just before its passage begins."""
    return " ".join(
        p.text
        for p in passages
        if p.doc_id == hit.doc_id and p.chunk_id != hit.chunk_id
        and p.char_start <= hit.char_end + 2 and hit.char_start <= p.char_end + 2
    )  # fmt: skip


def eligible(rows: np.ndarray) -> np.ndarray:
    """Which sentences hold the asked kind of thing about the asked noun, in the asked year."""
    gates = [FEATURES.index(f) for f in ("kind_other_subject", "kind_missing", "scope_conflict")]
    if not len(rows):
        return np.zeros(0, dtype=bool)
    return np.asarray(~rows[:, gates].any(axis=1), dtype=bool)


def supported_stems(question: str, text: str) -> set[str]:
    """The stems of `text`, and the question's stems it supports by spelling out or abbreviating them
    (acronyms, units written as symbols)."""
    return content_stems(text) | acronym_stems(question, text) | unit_stems(question, text)


def _named(hit: SearchHit) -> str:
    """The words of the document's file name and the regional offices of the regions it names: the
    passages of "WHO_EMRO_healthy_diet_factsheet_2019.pdf", or of a text by the "Regional Office for the
    Eastern Mediterranean", are what a question calls "WHO EMRO's fact sheet"."""
    offices = [REGIONAL_OFFICES[r] for r in sorted(regions(f"{hit.title} {hit.text}")) if r in REGIONAL_OFFICES]
    return " ".join([*re.split(r"[_\W]+", Path(hit.source).stem), *offices])


def missing_terms(q: QuestionTerms, passages: Sequence[SearchHit]) -> list[str]:
    """The question's rare words that none of the closest passages holds (tables and lists included), in its
    text or in what its document is (its title, file name, headings): what a refusal can truly say the
    closest passages do not mention."""
    held: set[str] = set()
    for hit in passages:
        held |= supported_stems(q.text, " ".join([hit.text, hit.title, *hit.headings, hit.date or "", _named(hit)]))
    return [word for stem_, word in q.rare.items() if stem_ not in held]


def absent_bodies(q: QuestionTerms, passages: Sequence[SearchHit]) -> list[str]:
    """The bodies and countries the question is about that no candidate passage names: a question about the
    OECD's agreement, or about a cost in Nigeria, is not answered from passages that never name them, however
    close they come. A body by its acronym ("OECD", "UNICEF"), held in letters or spelled out; a country by
    any of its names ("USA" is held by "the United States"); a product or strain by its code ("R21"); a
    document's version ("version 3.0" of a guide the passages know as Version 2.3); a
    medicine by any of its spellings ("ivermectin", in passages about mass drug administration). Roman
    numerals ("Phase III") and other names with digits ("COVID19") are left to the other evidence: the
    passages may write them otherwise."""
    named = [word for word in q.rare.values() if _body(word)]
    bodies = [word for word in missing_terms(q, passages) if word in named] if named else []  # most name none
    if q.asked.codes:
        held_codes = set().union(*(codes(f"{h.text} {h.title}") for h in passages))
        bodies += sorted(q.asked.codes - held_codes)
    held_versions = set().union(*(versions(" ".join([h.text, h.title, *h.headings])) for h in passages))
    bodies += [f"version {v}" for v in sorted(versions(q.text) - held_versions)]
    for number in sorted(q.asked.numbered):  # "the Second Global Ministerial Conference", when only the First is
        if not any(says_ordinal(" ".join([h.text, h.title, *h.headings]), number) for h in passages):
            bodies.append(ordinal_named(q.text, number))
    if q.asked.medicines:  # a trial of it declared as an interest says nothing of the medicine
        written = " ".join(" ".join([h.text, h.title, *h.headings]) for h in passages if not _declares_interests(h, q))
        bodies += [m for m in dict.fromkeys(medicines_named(q.text, written)) if m not in bodies]
    if q.asked.regions:
        held_regions = set().union(
            *(mentioned_regions(" ".join([h.text, h.title, *h.headings, _named(h)])) for h in passages)
        )
        absent = q.asked.regions - held_regions
        absent -= {REGION_WITHIN[r] for r in absent if r in REGION_WITHIN}  # "South-East Asia", not also "Asia"
        bodies += [_REGION_LABELS.get(r, r.title()) for r in sorted(absent) if REGIONAL_OFFICES.get(r) not in bodies]
    if not q.asked.places:
        return bodies
    held = set().union(*(countries(" ".join([h.text, h.title, *h.headings])) for h in passages))
    return bodies + [name for name, code in named_countries(q.text).items() if code in q.asked.places - held]


def _own_bodies(q: QuestionTerms, passages: Sequence[SearchHit], context: dict[str, str]) -> list[str]:
    """The bodies the question names by an acronym that the passages of one document alone write ("the IEEPO
    2024 event", in IEEPO's report): another document's passages speak of another body's events. An acronym
    many documents write is a topic as often ("COVID", "IPC"), which a passage may write otherwise."""
    bodies = [word for word in q.rare.values() if _body(word)]
    documents = {word: {p.doc_id for p in passages if _writes(word, context[p.chunk_id])} for word in bodies}
    return [word for word, holders in documents.items() if len(holders) == 1]


def _writes(acronym: str, text: str) -> bool:
    """The text writes the acronym, alone or as the stem of a longer code ("IFITM" in "IFITM5")."""
    return re.search(rf"(?<![A-Za-z]){re.escape(acronym)}", text, re.I) is not None


def _body(word: str) -> bool:
    """A word written as a body's acronym ("OECD", "IEEPO"): not a country's ("USA") nor a Roman numeral."""
    return word.isupper() and word.isalpha() and len(word) >= 3 and not countries(word) and not _ROMAN.fullmatch(word)


_REGION_LABELS = {"south-east asia": "South-East Asia", "americas": "the Americas"}  # as a refusal names them
_ROMAN = re.compile(r"[IVXLC]+")  # "Phase III": a number, written "Phase 3" as often


@dataclass
class AnswerabilityModel:
    """P(sentence answers the question) = sigmoid(bias + weights · features)."""

    weights: np.ndarray
    bias: float
    threshold: float  # answer when the best sentence's probability reaches it
    assured: float  # an answer whose confidence is under it (and at or over the threshold) is tentative
    keep_within: float  # further sentences within this log-odds of the best are kept

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """Zero for a sentence that cannot answer whatever its other evidence: one that lacks the asked
        kind of thing (or counts another noun than the asked one, or is a recital where the resolution's act
        is asked), or speaks of another year or country."""
        z = rows @ self.weights + self.bias
        return np.where(eligible(rows), 1.0 / (1.0 + np.exp(-z)), 0.0)

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> AnswerabilityModel:
        data = json.loads(path.read_text())
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{path.name} was fitted on other features; run python -m bench.calibrate")
        return cls(
            np.array([data["weights"][f] for f in FEATURES], dtype=np.float32),
            float(data["bias"]),
            float(data["threshold"]),
            float(data["assured"]),
            float(data["keep_within"]),
        )

    def tentative(self, confidence: float) -> bool:
        """An answer at this confidence is shown as what the closest passages say, not as the answer."""
        return confidence < self.assured

    def logit(self, p: float) -> float:
        p = min(max(p, 1e-6), 1 - 1e-6)
        return math.log(p / (1 - p))
