"""The project's text analysis, in one place: words, stopwords, spelling variants, stems, sentences, and
the text a chunk is searched by.

`stem` is the key every comparison of words uses (query terms, highlighting, answer evidence): British and
American spellings share it ("organisation" and "organization" -> "organ"). `index_term` is the bare
Snowball stem, the form tantivy's `en_stem` tokenizer writes into the lexical index; use it only to look
terms up there.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from functools import lru_cache

import tantivy

WORD = re.compile(r"\w+", re.UNICODE)

_STOPWORDS_TEXT = (
    "a an and are as at be been but by can could did do does for from had has have how i if in into is "
    "it its me my no not of on or our she so such than that the their them then there these they this to "
    "was we were what when where which who whom why will with would you your many much often according "
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

# Snowball English as tantivy's `en_stem` tokenizer applies it: query stems, idf look-ups and highlights
# agree with what the lexical index holds (and nltk's slow import is not needed).
_SNOWBALL = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw()).filter(tantivy.Filter.stemmer("english")).build()


def _snowball(word: str) -> str:
    stems = _SNOWBALL.analyze(word)
    return stems[0] if stems else word


NEEDS_A_WORD = "must contain at least one word (letters or digits)"


def has_a_word(text: str) -> bool:
    """Whether `text` can be asked or ranked by: it holds a letter or digit ("?" or "   " does not)."""
    return WORD.search(text) is not None


def words(text: str) -> list[str]:
    """The word tokens of `text`, as written."""
    return WORD.findall(text)


def content_words(text: str) -> list[str]:
    """Lower-cased words that carry meaning: no stopwords, no single letters (single digits stay). A
    stopword that is also an acronym, written in capitals amid prose, carries meaning: "the Director-General
    of WHO" names the World Health Organization; "WHO IS ELIGIBLE" is a shouted heading. A contraction is
    its words ("isn't" is "is not", "they've" "they"), never a fragment ("isn", "ve") no passage holds."""
    tokens = WORD.findall(_uncontracted(text))
    out = []
    for i, token in enumerate(tokens):
        word = token.lower()
        if word in STOPWORDS and not _acronym_amid_prose(tokens, i):
            continue
        if len(word) > 1 or word.isdigit():
            out.append(word)
    return out


_IRREGULAR_NEGATIONS = {"can": "can", "won": "will", "shan": "shall"}
_NEGATION = re.compile(r"\b(\w+?)n['’]t\b", re.I)
_CONTRACTED = re.compile(r"(?<=\w)['’](?:ve|ll|re|d|m)\b", re.I)


def _uncontracted(text: str) -> str:
    if "'" not in text and "’" not in text:
        return text
    text = _NEGATION.sub(lambda m: f"{_IRREGULAR_NEGATIONS.get(m.group(1).lower() + 'n', m.group(1))} not", text)
    return _CONTRACTED.sub("", text)


# Stopwords that are also acronyms when written in capitals: the World Health Organization, information
# technology. Other stopwords in capitals are emphasis ("Do NOT reuse syringes AND/OR needles").
_STOPWORD_ACRONYMS = frozenset({"WHO", "IT"})


def _acronym_amid_prose(tokens: list[str], i: int) -> bool:
    """tokens[i] is a stopword's acronym written in capitals, and a word near it is not in capitals."""
    if tokens[i] not in _STOPWORD_ACRONYMS:
        return False
    return any(any(c.islower() for c in t) for t in tokens[max(0, i - 2) : i + 3])


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The comparison key of a lower-cased word: its American spelling, Snowball-stemmed; an irregular
    plural is its singular ("children" is "child"), which Snowball leaves apart; words that are verbs as well
    ("lives", "leaves", "analyses", "diagnoses") keep Snowball's stem, shared with "living", "analysed"."""
    return _verb_stem(_snowball(american_spelling(_IRREGULAR_PLURALS.get(word, word))))


def _verb_stem(stemmed: str) -> str:
    """A noun's stem made its verb's where Snowball leaves them apart ("reduction" "reduct" / "reduced" "reduc",
    "description" / "described", "decision" / "decided", "registration" "registr" / "registered" "regist"), so
    a question asking how much something was reduced is supported by "a reduction in …". Every form of the
    verb ends the same way and is rewritten alike."""
    for ending, verb in _NOUN_ENDINGS:
        if stemmed.endswith(ending) and len(stemmed) >= len(ending) + 2:
            return stemmed[: -len(ending)] + verb
    return stemmed


_NOUN_ENDINGS = (("uct", "uc"), ("script", "scrib"), ("cis", "cid"), ("str", "st"))


_IRREGULAR_PLURALS = {
    "children": "child", "women": "woman", "men": "man", "feet": "foot", "teeth": "tooth", "mice": "mouse",
    "lice": "louse", "geese": "goose", "oxen": "ox", "wives": "wife", "knives": "knife", "criteria": "criterion",
    "phenomena": "phenomenon", "bacteria": "bacterium", "fungi": "fungus",
}  # fmt: skip


@lru_cache(maxsize=200_000)
def index_term(word: str) -> str:
    """The term tantivy's `en_stem` tokenizer indexes for a lower-cased word (Snowball English, as written)."""
    return _snowball(word)


# ------------------------------------------------------------------------------------------------ spelling

# Whole words the rules below would miss or get wrong.
_SPELLING_EXCEPTIONS = {
    "programme": "program",
    "programmes": "programs",
    "practise": "practice",
    "practised": "practiced",
    "practises": "practices",
    "practising": "practicing",
    "defence": "defense",
    "defences": "defenses",
    "offence": "offense",
    "offences": "offenses",
    "pretence": "pretense",
    "licence": "license",
    "licences": "licenses",
    "judgement": "judgment",
    "judgements": "judgments",
    "acknowledgement": "acknowledgment",
    "acknowledgements": "acknowledgments",
    "ageing": "aging",
    "enrolment": "enrollment",
    "enrolments": "enrollments",
    "fulfil": "fulfill",
    "fulfils": "fulfills",
    "fulfilment": "fulfillment",
    "instalment": "installment",
    "instalments": "installments",
    "skilful": "skillful",
    "wilful": "willful",
    "aluminium": "aluminum",
    "grey": "gray",
    "mould": "mold",
    "moulds": "molds",
    "sceptic": "skeptic",
    "sceptical": "skeptical",
    "scepticism": "skepticism",
    "manoeuvre": "maneuver",
    "manoeuvres": "maneuvers",
    "catalogue": "catalog",
    "catalogues": "catalogs",
    "analogue": "analog",
    "analogues": "analogs",
    "dialogue": "dialog",
    "dialogues": "dialogs",
    "jewellery": "jewelry",
    "pyjamas": "pajamas",
}

# Words whose -ise, -yse, -our or -re is no British spelling of an American -ize, -yze, -or or -er. A word is
# left alone when its -ise base ends with one of these ("unsupervised" -> "supervise").
_NOT_ISE = [
    "advertise",
    "advise",
    "apprise",
    "chastise",
    "circumcise",
    "comprise",
    "compromise",
    "concise",
    "demise",
    "despise",
    "devise",
    "disguise",
    "enterprise",
    "excise",
    "exercise",
    "expertise",
    "franchise",
    "improvise",
    "incise",
    "merchandise",
    "precise",
    "premise",
    "promise",
    "praise",
    "raise",
    "reprise",
    "revise",
    "supervise",
    "surmise",
    "surprise",
    "sunrise",
    "uprise",
    "televise",
    "treatise",
    "cruise",
    "bruise",
    "paradise",
    "wise",
    "vise",
    "guise",
    "noise",
    "poise",
    "mortise",
    "chemise",
    "valise",
    "tortoise",
    "porpoise",
    "turquoise",
]
_NOT_OUR = frozenset(
    ["contour", "detour", "devour", "amour", "glamour", "velour", "paramour", "troubadour", "flour", "scour"]
)
_NOT_RE = frozenset(["macabre", "timbre", "hatred"])

_ISE = re.compile(r"^([a-z]{3,})is(e|ed|es|ing|er|ers|able|ation|ations|ational|ationally)$")
_YSE = re.compile(r"^([a-z]+l)ys(e|ed|es|ing|er|ers)$")  # analyse, paralyse, catalyse
_OUR = re.compile(r"^([a-z]{2,})our(|s|ed|ing|al|ally|able|ably|ite|ites|ful|less|hood|er|ers|ism|ist|ists)$")
_RE = re.compile(r"^([a-z]{2,}[tbg])re(|s|d)$")  # centre(s|d), fibre, meagre
_CLASSICAL = (
    (re.compile(r"^(an|h)aem"), r"\1em"),  # haemorrhage, haematology, anaemia
    (re.compile(r"aem(ia|ias|ic)$"), r"em\1"),  # leukaemia, ischaemic, septicaemia
    (re.compile(r"^anaesth"), "anesth"),
    (re.compile(r"^(ortho|encyclo)?paed"), r"\1ped"),  # paediatric, orthopaedic, encyclopaedia
    (re.compile(r"^aetiolog"), "etiolog"),
    (re.compile(r"^gynaec"), "gynec"),
    (re.compile(r"^caesar"), "cesar"),
    (re.compile(r"^coeliac"), "celiac"),
    (re.compile(r"^oesophag"), "esophag"),
    (re.compile(r"^oestr"), "estr"),
    (re.compile(r"^oedem"), "edem"),
    (re.compile(r"^foet"), "fet"),
    (re.compile(r"^homoeopath"), "homeopath"),
    (re.compile(r"(rrh|pn)oea(s|l)?$"), r"\1ea\2"),  # diarrhoea, gonorrhoea, dyspnoea, apnoea
)


@lru_cache(maxsize=200_000)
def american_spelling(word: str) -> str:
    """The American spelling of a lower-cased British word ("behaviour" -> "behavior"); other words unchanged.

    Rules cover the regular patterns (-ise/-isation, -yse, -our, -tre/-bre, ae/oe in medical words); a
    short exception list covers the irregular words and the words that only look British.
    """
    if word in _SPELLING_EXCEPTIONS:
        return _SPELLING_EXCEPTIONS[word]
    if len(word) < 5 or not word.isalpha() or not word.isascii():
        return word
    m = _ISE.match(word)
    if m and not any((m.group(1) + "ise").endswith(base) for base in _NOT_ISE):
        return f"{m.group(1)}iz{m.group(2)}"
    m = _YSE.match(word)
    if m:
        return f"{m.group(1)}yz{m.group(2)}"
    m = _OUR.match(word)
    if m and m.group(1) + "our" not in _NOT_OUR:
        return f"{m.group(1)}or{m.group(2)}"
    m = _RE.match(word)
    if m and word not in _NOT_RE:
        return m.group(1) + {"": "er", "s": "ers", "d": "ered"}[m.group(2)]
    for pattern, replacement in _CLASSICAL:
        word = pattern.sub(replacement, word)
    return word


# ------------------------------------------------------------------------------------------------ sentences

# The glyphs that open a bulleted item, wherever a line is read as a list item (ingest) or a quote leaves
# its bullet out (the answerer): one set, so an item the ingest keeps is an item the answerer quotes.
BULLET_GLYPHS = "•◆▪●○◦‣∙·›»"

# A sentence ends at . ! ? before a capital or digit (perhaps after a note's asterisk), or at a line break that follows closing punctuation or
# precedes a bullet (any of the glyphs above, or a dash or an asterisk), and at a blank line before a capital unless a comma leaves the sentence open ("include:
# 1) hand hygiene,\n\n2) use of …", an enumeration the page layout broke). Other line breaks are hard wrapping (PDFs, plain-text letters), not sentence ends.
_SENTENCE_BREAK = re.compile(
    r"(?<=[.!?])[\"'”’)\]]*\s+(?=(?:[•◆▪●❑□■➢►❖✓✔]\s+)?[\"'“‘(\[*]?[A-Z0-9])|(?<=[.!?:;])[\"'”’)\]]*[ \t]*\n\s*(?=\S)"
    rf"|\n(?=[^\S\n]*[-*{BULLET_GLYPHS}]\s)|\n[ \t\r]*\n(?=[^\S\n]*[A-Z0-9\"“(\[{BULLET_GLYPHS}-])"
)
_CLOSING = re.compile(r"[\"'”’)\]]*")
# Never a sentence's end: a common abbreviation, or the mark of an item counted inside the sentence
# ("… are followed for: i. Preparation ii. Testing …, and iii. Use").
_ABBREVIATION = re.compile(
    r"\b(?:Dr|Mr|Mrs|Ms|Prof|St|No|Nos|Vol|Fig|Figs|Inc|Ltd|Co|vs|al|e\.g|i\.e|etc|approx|Art|p|pp|Rev|Suppl|Corr|Add)\.$"
    r"|(?<![\w.])[ivx]{1,4}\.$"
)

_INITIAL = re.compile(r"(?:^|\s)[A-Z]\.$")
_NAME_AFTER = re.compile(r"[A-Z][a-z]+\s+(?:[A-Z]\.\s+)?[A-Z][a-z]+")


# A numbered paragraph that opens with a capital: a resolution's operative clause ("1. ENDORSES …"), which
# starts a sentence even after the comma that ends the last recital.
_NUMBERED_CLAUSE = re.compile(r"\(?\d{1,2}[.)]\s+[A-Z]")
# A paragraph's number alone, the only thing before a break: it belongs to the sentence that follows.
_BARE_NUMBER = re.compile(r"\s*\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)]\s*")


def runs_on(text: str, cut: int, resume: int) -> bool:
    """Whether the sentence goes on across the break between text[:cut] and text[resume:], though a line
    break or a full stop stands there: after a comma (an enumeration the page layout broke, unless a
    numbered clause opens after it), or after a person's initial that a name follows ("was M. Lindsay
    Grayson"; "hepatitis B. Vaccination" ends)."""
    before = text[max(0, cut - 3) : cut]
    if before.rstrip().endswith(","):
        return not _NUMBERED_CLAUSE.match(text, resume)
    return bool(_INITIAL.search(before) and _NAME_AFTER.match(text, resume))


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans inside text[start:end]; never splits after a common abbreviation, nor where the
    sentence runs on (`runs_on`), nor after a paragraph's bare number ("2." before "URGES Member States:")."""
    spans: list[tuple[int, int]] = []
    cursor = start
    segment = text[start:end]
    for m in _SENTENCE_BREAK.finditer(segment):  # a break at a line starts at the run's last line break
        cut = start + m.start()
        while cut > cursor and text[cut - 1].isspace():
            cut -= 1
        if cut <= cursor or _ABBREVIATION.search(text[max(cursor, cut - 8) : cut]):
            continue
        if runs_on(text, cut, start + m.end()) or _BARE_NUMBER.fullmatch(text, cursor, cut):
            continue
        closing = _CLOSING.match(text, cut, start + m.end())  # a closing quote ends the sentence too
        cut = closing.end() if closing else cut
        piece = text[cursor:cut]
        if piece.strip():
            spans.append(trim_span(text, cursor, cut))
        cursor = start + m.end()
    if text[cursor:end].strip():
        spans.append(trim_span(text, cursor, end))
    return spans


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span narrowed to exclude leading and trailing whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# ------------------------------------------------------------------------------------------------ footnote marks

# How a list item is numbered: "4." and "8." alike, "(1)" and "(2)", "(a)" and "(b)", "(i)" and "(ii)".
_NUMBER_STYLE = re.compile(r"\s*(\(?)(?:(\d{1,3})|([ivx]{1,4})|[a-z]{1,2})([.)])\s")
_MARK_GLYPHS = rf"{BULLET_GLYPHS}\-–*❑➢■"  # with dashes, asterisks and checklist boxes
_BULLET_STYLE = re.compile(rf"\s*([{_MARK_GLYPHS}])\s")
# The mark that opens a list item's line, numbered or not, with the space after it.
LIST_MARK = re.compile(rf"^\s*(?:[{_MARK_GLYPHS}]|\(?[a-z0-9ivx]{{1,4}}[.)])\s+")


# A line opening with a bare number ("4 Injectable antibiotics – newborn sepsis"): an item of a list laid out
# without marks, when it is short, ends no sentence and the lines around it count on. A footnote ("2 Document
# A66/14.") ends a sentence.
_COUNTED = re.compile(r"(\d{1,2})\s+[A-Z(]")
# A line that ends a sentence or a clause, or introduces what follows ("…;", "… as follows:", "… (2013).").
LINE_END = re.compile(r"[.!?:;][\"'”’)\]]*$")


def counted_number(line: str) -> int | None:
    """The bare number opening `line` when the line may be an item of a list laid out without marks."""
    line = line.strip()
    counted = _COUNTED.match(line)
    if counted is None or len(line) > 100 or "\n" in line or LINE_END.search(line):
        return None
    return int(counted.group(1))


def number_style(line: str) -> str | None:
    """How a numbered line is numbered ("4." and "8." alike; "(i)", "(ii)" read as roman: sub-items under a
    lettered one); None when it is not numbered."""
    m = _NUMBER_STYLE.match(line)
    return f"{m.group(1)}{'9' if m.group(2) else 'i' if m.group(3) else 'a'}{m.group(4)}" if m else None


def marker_style(line: str) -> str | None:
    """How a list item is marked: its number's style, or its bullet glyph ("•" items under a "›" one)."""
    if style := number_style(line):
        return style
    m = _BULLET_STYLE.match(line)
    return m.group(1) if m else None


# A footnote mark: one or two digits glued to a word's punctuation ("Diseases,1 which", "Member States:2") or
# standing after a clause's semicolon, before the next clause or at the end ("eye health; 4 Recalling"). Neither a figure nor part of what a line says.
FOOTNOTE_MARK = re.compile(r"(?<=[A-Za-z][,;:)”\"])\d{1,2}(?!\S)|(?<=;\s)\d{1,2}(?=\s+[A-Z][a-z]|\s*$)")


def without_footnote_marks(text: str) -> str:
    return FOOTNOTE_MARK.sub("", text)


# A reference to the bibliography in brackets after a word: "(2,5)", "[12]", "[3–5]" (with the space before
# a punctuation mark it leaves: "45% [1] ." -> "45%."). Not a designated number ("Article (5)"), a year or a
# decimal.
REFERENCE_MARK = re.compile(
    r"(?<![Aa]rticle)(?<![Pp]aragraph)(?<![Ss]ection)(?<![Aa]nnex)(?<![Tt]able)(?<![Ff]igure)(?<![Ii]tem)"
    r"(?<=[A-Za-z%)\]’”\"])\s?(?:\((?P<round>\d{1,3}(?:\s?[,–-]\s?\d{1,3})*)\)|\[\d{1,3}(?:\s?[,–-]\s?\d{1,3})*\])"
    r"(?:\s+(?=[.,;:!?]))?(?=[\s.,;:!?)]|$)"
)

_COUNTERS = re.compile(r"\(1\)[^()]*\(2\)")


def without_reference_marks(text: str) -> str:
    """`text` without its bibliography references ("… of total energy intake (2,5)." -> "… intake."): they
    point into a list the answer does not show, and "[3]" would read as the answer's own citation. A lone
    number in round brackets is a reference, and so are several apart that count on ("(15) … (16)"); others
    are counts ("sore throat (2), myalgia (1)") or an enumeration's counters ("(1) hand hygiene, (2) masks"),
    and stay."""
    singles = [m for m in REFERENCE_MARK.finditer(text) if m.group("round") and m.group("round").isdigit()]
    numbers = [int(m.group("round")) for m in singles]
    numbered_on = all(3 <= a < b <= a + 10 for a, b in itertools.pairwise(numbers))  # "(15) … (16)": references
    apart = any(b.start() - a.end() > 1 for a, b in itertools.pairwise(singles))
    counted = bool(_COUNTERS.search(text)) or (apart and not numbered_on)

    def drop(m: re.Match[str]) -> str:
        return m.group(0) if counted and m.group("round") and m.group("round").isdigit() else ""

    return REFERENCE_MARK.sub(drop, text)


# ------------------------------------------------------------------------------------------------ acronyms

# An acronym as written: three to six capitals, perhaps a plural s ("NCDs", "IPC", "WHO"); two letters
# spell too many runs of words by chance.
ACRONYM = re.compile(r"\b([A-Z]{3,6})s?\b")
# Words an expansion may pass over without lending a letter ("Infection Prevention and Control" is IPC).
_ACRONYM_SKIPPABLE = frozenset(["of", "and", "for", "the", "on", "in", "to", "a"])
# Prefixes whose following letter may stand in an acronym too ("noncommunicable diseases" is NCD).
_ACRONYM_PREFIXES = ("non", "anti", "multi", "inter", "intra", "sub", "trans", "micro", "co")


def acronym_expansion(acronym: str, text: str) -> str | None:
    """The first run of words in `text` whose initials spell `acronym` ("NCD" in "… prevention of
    noncommunicable diseases …" -> "noncommunicable diseases"), or None.

    Each word lends its first letter, a word with a common prefix may lend the letter after it as well, and
    a connecting word ("of", "and") may lend its letter or be passed over. Without a definition ("… (NCDs)")
    this stays strict: the run must be whole, consecutive words, beginning and ending on a lent letter, and
    hold no stopword but a connecting one ("which hospitals offer" does not spell WHO).
    """
    letters = acronym.lower()
    tokens = re.findall(r"[A-Za-z]+", text)
    lowered = [t.lower() for t in tokens]

    def match(pos: int, i: int) -> int | None:
        """The index after the run that spells letters[pos:] from word i, or None."""
        if pos == len(letters):
            return i
        if i == len(lowered):
            return None
        w = lowered[i]
        if w[0] == letters[pos] and (end := match(pos + 1, i + 1)) is not None:
            return end
        for prefix in _ACRONYM_PREFIXES:
            if (
                w.startswith(prefix)
                and len(w) > len(prefix) + 2
                and w[0] == letters[pos]
                and pos + 1 < len(letters)
                and w[len(prefix)] == letters[pos + 1]
                and (end := match(pos + 2, i + 1)) is not None
            ):
                return end
        if pos > 0 and w in _ACRONYM_SKIPPABLE:
            return match(pos, i + 1)
        return None

    for start, word in enumerate(lowered):
        if word[0] != letters[0] or word in STOPWORDS or (end := match(0, start)) is None:
            continue
        run = lowered[start:end]
        if all(w not in STOPWORDS or w in _ACRONYM_SKIPPABLE for w in run) and run[-1] not in STOPWORDS:
            return " ".join(tokens[start:end])
    return None


def spelled_acronyms(text: str) -> list[str]:
    """The acronyms that runs of capitalised words in `text` spell, a single connecting word passed over
    ("Guidelines Development Group" -> "GDG", "Infection Prevention and Control" -> "IPC"): each run of
    three to six, inside a longer one too. A stopword ("Which", "The") lends no letter."""
    out: list[str] = []
    tokens = re.findall(r"[A-Za-z][\w'’-]*", text)
    run: list[str] = []
    passed = False  # the word before was a connecting word passed over
    for token in [*tokens, "."]:
        if token[:1].isupper() and token.lower() not in STOPWORDS and not token.isupper():
            run.append(token[0])
            passed = False
            continue
        if run and not passed and token.lower() in _ACRONYM_SKIPPABLE:
            passed = True
            continue
        passed = False
        for size in range(3, 7):
            out.extend("".join(run[i : i + size]) for i in range(len(run) - size + 1))
        run = []
    return list(dict.fromkeys(out))


def acronym_stems(question: str, text: str) -> set[str]:
    """Stems `text` supports under acronym equivalence: the question's acronym when `text` spells it out,
    and the question's words when they spell out an acronym that `text` uses."""
    out: set[str] = set()
    for m in ACRONYM.finditer(question):
        if acronym_expansion(m.group(1), text):
            out.add(stem(m.group(0).lower()))
    for acronym in {m.group(1) for m in ACRONYM.finditer(text)}:
        if expansion := acronym_expansion(acronym, question):
            out |= {stem(w) for w in content_words(expansion)}
    return out


# Units a question spells out and documents write as symbols after a figure ("how many grams": "400 g").
_UNIT_SYMBOLS = {
    "gram": r"g", "kilogram": r"kg", "milligram": r"mg", "microgram": r"(?:µg|μg|mcg)", "litre": r"(?:l|L)",
    "liter": r"(?:l|L)", "millilitre": r"ml", "milliliter": r"ml", "percent": r"%", "hour": r"(?:h|hrs?)",
    "minute": r"min", "kilometre": r"km", "kilometer": r"km", "centimetre": r"cm", "centimeter": r"cm",
    "metre": r"m", "meter": r"m", "kilocalorie": r"kcal", "calorie": r"(?:kcal|cal)",
}  # fmt: skip
_WRITTEN_UNIT = {
    stem(word + suffix): re.compile(rf"\d\s?{symbol}(?![\w%])", re.I if symbol.islower() else 0)
    for word, symbol in _UNIT_SYMBOLS.items()
    for suffix in ("", "s")
}


def unit_stems(question: str, text: str) -> set[str]:
    """The question's unit words ("grams", "percent") that `text` writes as a symbol after a figure."""
    return {s for w in content_words(question) if (s := stem(w)) in _WRITTEN_UNIT and _WRITTEN_UNIT[s].search(text)}


# ------------------------------------------------------------------------------------------------ search text

# Part of every file's ingest versions: a change re-saves each chunk under its new search text (and re-embeds).
SEARCH_TEXT_VERSION = "1"

# The context line is cut at this many words so that it never crowds the chunk's own text out of the
# embedder's window (chunks fill at most 200 of all-MiniLM-L6-v2's 256 tokens).
CONTEXT_WORDS = 32


def american_text(text: str) -> str:
    """`text` with every British spelling replaced by its American one (lower-cased; other words untouched)."""
    return WORD.sub(lambda m: _american_word(m.group(0)), text)


def _american_word(word: str) -> str:
    lower = word.lower()
    american = american_spelling(lower)
    return word if american == lower else american


def search_context(title: str, headings: Sequence[str]) -> str:
    """The document title and the chunk's heading path, each part once, cut at CONTEXT_WORDS words."""
    parts: list[str] = []
    for part in (title, *headings):
        part = " ".join(part.split())
        if part and part.lower() not in (p.lower() for p in parts):
            parts.append(part)
    return " ".join(" > ".join(parts).split()[:CONTEXT_WORDS])


def search_text(title: str, headings: Sequence[str], text: str) -> str:
    """What a chunk is embedded and indexed for BM25 as: its context line above its text, spelled American.

    Only search reads it: passages, quotes, snippets and highlights are always the chunk's own text.
    """
    context = search_context(title, headings)
    return american_text(f"{context}\n\n{text}" if context else text)


def read_as(corrections: dict[str, str]) -> str:
    """What misspelt words were read as, for every face to say: "No passage holds the words as typed; read
    “carageenan” as “carrageenan”." ("" when nothing was read otherwise)."""
    read = "; ".join(f"“{word}” as “{corrected}”" for word, corrected in corrections.items())
    return f"No passage holds the words as typed; read {read}." if read else ""
