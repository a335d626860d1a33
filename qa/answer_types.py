"""What a question asks for, and whether a sentence holds that kind of thing about the asked subject.

Rules over the question's wording (no model): "how many members" asks for a count of members, "when did"
for a date, "who chaired" for a person. A sentence holds the answer kind when it states such a thing
(a figure, a date, a name …); for counts and amounts the figure should be about the asked noun, so a
subscriber count does not answer a question about members. A year named in the question must be the
year the sentence (or its document) speaks of.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

import pycountry

from policykb.core.text import FOOTNOTE_MARK, STOPWORDS, acronym_expansion, content_words, stem
from policykb.ingest.sessions import RESOLUTION_SYMBOL
from policykb.qa.shape import ASKED_OPERATIVE_VERBS, LINK, third_person


class Kind(StrEnum):
    QUANTITY = "quantity"  # a count, amount, dose, concentration, ratio
    PERCENT = "percentage"
    DURATION = "duration"
    FREQUENCY = "frequency"
    DATE = "date"
    TIME_OR_CONDITION = "time or condition"  # "when should staff …": a date or a circumstance
    PERSON = "person"
    COUNTRY = "country"  # "which countries", "which Member States": a country's name
    NAME = "name"  # a person, organisation or place: "who funded", "where", "which organisation"
    IDENTIFIER = "identifier"  # a document's ISBN, DOI, reference code or version ("A66/20", "Version 2.3")
    LIST = "list"
    YES_NO = "yes/no"
    REASON = "reason"
    DEFINITION = "definition"
    OTHER = "other"


@dataclass
class Asked:
    kind: Kind
    subject: set[str] = field(default_factory=set)  # stems of the counted or measured noun ("member")
    measure: str | None = None  # "money" for a budget or cost, else the measured thing ("dose", "concentration")
    years: set[str] = field(default_factory=set)  # years the question names
    places: set[str] = field(default_factory=set)  # countries the question is about ("Austria's estimated …")
    regions: set[str] = field(default_factory=set)  # world regions it is about ("the African Region")
    numbered: set[int] = field(default_factory=set)  # numbered instruments it names ("the Thirteenth GPW": 13)
    medicines: set[str] = field(default_factory=set)  # medicines it names by their INN ("tafenoquine")
    combination: set[str] = field(default_factory=set)  # medicines it joins into one ("artesunate + mefloquine")
    codes: set[str] = field(default_factory=set)  # products or strains it names by a code ("R21", "H120")
    doses: set[str] = field(default_factory=set)  # doses it states ("0.5 mg/kg" in "primaquine 0.5 mg/kg/day")
    levels: set[str] = field(default_factory=set)  # the level it asks about ("national IPC programmes")
    compounds: set[str] = field(default_factory=set)  # products named as compounds ("pyrethroid-pyriproxyfen")
    per: str | None = None  # the stem of what an amount is per ("cost per test": "test")
    per_initials: str = ""  # the initials of the words after "per" ("per health-facility catchment area": "hfca")
    precision: str | None = None  # "day" for "on what date", "month" for "in which month": a year does not answer
    relation: str | None = None  # what the asked one did, as written ("voted" in "which countries voted against")
    relation_phrase: str | None = None  # the act with what it was done to ("voted against WHA66.5"), when short
    owner: str | None = None  # the body whose person is asked for, by its acronym ("the Director-General of WHO")
    role: str | None = None  # that person's role as the question writes it ("Director-General")
    operative: bool = False  # it asks what a resolution does ("What does WHA66.10 urge …?"), not its preamble
    groups: bool = False  # "who" asks whom something is for or falls to: a group of people answers ("governments")
    link: bool = False  # it asks where something can be found online: a sentence giving a link may answer
    place: bool = False  # "Where is …?" asks a place, not a link: a sentence that names no place does not answer
    settlement: bool = False  # "In which city …?" asks a city, town or village: a country or region is none
    term: str | None = None  # what "What is …?" asks to define, as written ("incubation period")
    target: str | None = None  # what an asked effect is on or an amount of money is for ("malaria incidence")
    comparators: set[str] = field(default_factory=set)  # products it compares against, as compounds ("pyrethroid-only")
    counted: str | None = None  # what a count asks, where words qualify its plural noun ("malaria deaths")

    @property
    def target_stem(self) -> str | None:
        """The stem of the word naming the target ("incidence" in "malaria incidence")."""
        return stem(content_words(self.target)[-1]) if self.target else None

    @property
    def counted_stem(self) -> str | None:
        """The stem of the plural noun of what a count asks ("death" in "malaria deaths")."""
        return stem(self.counted.split()[-1].lower()) if self.counted else None

    @property
    def relation_stem(self) -> str | None:
        return act_stem(self.relation.split()[-1]) if self.relation else None

    @property
    def typed(self) -> bool:
        """Whether the kind constrains which sentences can answer: a yes/no question does when it asks whether
        something is recommended (only a sentence giving a recommendation answers it)."""
        if self.kind is Kind.YES_NO:
            return self.measure == "recommendation"
        if self.kind is Kind.DEFINITION:
            return self.term is not None
        return self.kind not in (Kind.OTHER, Kind.LIST)


# What bounds a question's scope: a sentence speaking of other ones does not answer it.
SCOPES = ("years", "places", "regions", "numbered", "medicines", "codes", "doses", "levels", "compounds")

_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundreds?"
    r"|thousands?|millions?|billions?|dozens?|half|third|quarter|single|double|twice|once"
)
# A figure stands alone: digits inside an identifier (WHA66.4, A66/10, COVID-19) are not a figure.
_FIGURE = re.compile(rf"(?<![\w./-])\d(?:[\d,.]|\s(?=\d{{3}}\b))*(?<![.,])(?![\w/-])|\b(?:{_NUMBER_WORDS})\b", re.I)
# A hyphenated ordinal ("the Seventy-third World Health Assembly", "Twenty-first"): a rank, not a figure.
_ORDINAL = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)+", re.I)
_PERCENT = re.compile(
    r"\d\s?%|\bper ?cent\b|\b\d+\s*(?:/|out of|of the|in)\s*\d+\b"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten) (?:in|out of) (?:\w+)\b"
    r"|\b(?:half|third|quarter|majority|minority)\b",
    re.I,
)
# A year, not the bound of an era ("the post-2015 development agenda" speaks of no year).
_YEAR = re.compile(r"(?<![Pp]ost-)(?<![Pp]re-)\b(?:19|20)\d{2}\b")
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
)
_DAY = r"(?:[12]?\d|3[01])"
# A date to the day: "28 May 2013", "May 28", "the 24th", "28/05/2013", "on Monday"; a year or a range is not one.
_DAY_DATE = re.compile(
    rf"\b{_DAY}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}|\b{_MONTH}\s+{_DAY}\b|\b{_DAY}(?:st|nd|rd|th)\b"
    r"|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)
_MONTH_NAME = re.compile(rf"\b{_MONTH}")
# Any date: one to the day, a month and year, or a year.
_DATE = re.compile(rf"{_DAY_DATE.pattern}|\b{_MONTH}\s+(?:19|20)\d{{2}}|{_YEAR.pattern}")
# A circumstance or an event that marks a time ("from the closure of the Sixty-sixth World Health Assembly").
_CONDITION = re.compile(
    r"\b(?:when|whenever|if|after|before|during|until|once|unless|in case|prior to|following)\b"
    r"|\b(?:from|at|by|on) the (?:closure|close|opening|end|start|beginning|conclusion) of\b",
    re.I,
)
_TIME_UNIT = re.compile(
    r"\b(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|biennium|annually|hrs?)\b"
    r"|\d\s?(?:y|yrs?|mos?|wks?|d|h|min)\b",
    re.I,
)
# A length: "how long is the genome?" asks this as often as a time ("27,534 nucleotides in length").
_LENGTH = re.compile(
    r"\d\s*(?:nucleotides|nt|bp|base pairs|kb|amino acids|aa|residues|km|kilomet(?:re|er)s?|miles?|met(?:re|er)s?|"
    r"m|cm|mm|µm|nm)\b|\bin length\b",
    re.I,
)
# A time told from another event: "1 month later", "two weeks after admission".
_RELATIVE_TIME = re.compile(
    rf"\b(?:\d+|a|several|few|{_NUMBER_WORDS})\s+(?:days?|weeks?|months?|years?)"
    r"\s+(?:later|after|before|earlier|ago|into)\b",
    re.I,
)
# "regularly" and "routinely" say that a thing recurs, not how often ("regularly available" is no interval).
_FREQUENCY = re.compile(
    r"\b(?:daily|weekly|monthly|yearly|annually|quarterly|hourly|fortnightly|biannually|once|twice|\d+ times|"
    r"(?:every|each|per|a|an) (?:other |[\w–-]+ (?:to \w+ )?)?"  # "every 3-5 years", "every three to five years"
    r"(?:days?|weeks?|months?|years?|hours?|shifts?|minutes?|uses?|times?|loads?|cycles?|visits?|session)"
    r"|continuous(?:ly)?|always|at least \w+ a)\b",
    re.I,
)
_UNIT = re.compile(
    r"\d\s*(?:%|mg|µg|mcg|g|kg|ml|mL|l|L|IU|ppm|mmol|mol|cm|mm|m|km|°C|°F|beds?|US\$|\$|€|£)\b"
    r"|(?:US\$|\$|€|£|CHF|USD|EUR)\s?\d|\b(?:dollars?|euros?|francs?|pounds?)\b|\d\s*(?:million|billion)\b",
    re.I,
)
_TITLE = re.compile(
    r"\b(?:Dr|Prof|Professor|Mr|Mrs|Ms|Sir|Dame|Lord|Lady|Dean|Chair(?:man|woman|person)?)\b\.?\s+[A-Z]"
)
_NAME = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-Z][\w&'’-]*(?:\s+(?:of|for|and|the|de|la|von|van)?\s*[A-Z][\w&'’-]*)*")
_PERSON_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z]\.)?\s+[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b")
# Two capitalised words after "of", "the", "for" … name a body or a place ("the Department of Service
# Delivery", "the Safeguarding Health … group"), not a person.
_NAMES_A_BODY = re.compile(r"\b(?:of|the|for|on|at|in|through)\s+$", re.I)
_NOT_PEOPLE = frozenset(
    stem(w)
    for w in re.findall(
        r"\w+",
        "organization organisation health world assembly committee council group ministry department agency "
        "programme program association alliance federation union nations united states office centre center "
        "institute foundation fund report guideline guidelines convention resolution day week regional global "
        "national international university hospital commission secretariat board member patient patients "
        "government republic kingdom africa america europe asia east west south north eastern western southern "
        "northern disease diseases service services team unit division network initiative project coverage "
        "quality safety delivery system control prevention",
    )
)


# Names in common use that ISO 3166 spells otherwise, by country code.
_COUNTRY_ALIASES = {
    "US": "US", "USA": "US", "UK": "GB", "Britain": "GB", "Great Britain": "GB", "Korea": "KR", "Russia": "RU",
    "Turkey": "TR", "Ivory Coast": "CI", "Cape Verde": "CV", "Swaziland": "SZ", "Macedonia": "MK",
    "Czech Republic": "CZ", "Vatican": "VA", "Brunei": "BN", "Micronesia": "FM", "Palestine": "PS",
    "Congo": "CG", "Republic of the Congo": "CG", "Democratic Republic of the Congo": "CD",
    "Democratic Republic of Congo": "CD", "DR Congo": "CD", "DRC": "CD", "Northern Ireland": "GB",
    "Republic of Korea": "KR",
}  # fmt: skip


def _country_codes() -> dict[str, str]:
    """Every ISO 3166 country by its short, common and official names ("Iran", "Iran, Islamic Republic of"
    gives "Iran") and the aliases above, each to its alpha-2 code."""
    codes = dict(_COUNTRY_ALIASES)
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                codes.setdefault(value.split(",")[0].strip().removeprefix("the "), country.alpha_2)
    return codes


_COUNTRY_CODES = _country_codes()
# A country's name, longest first ("Niger" does not match inside "Nigeria", nor "Korea" inside "South Korea"),
# not a currency ("US$", "US dollars"), a person ("Jordan et al."), an animal ("guinea pigs") or a state ("New
# Mexico", "New Jersey").
_COUNTRY_NAME = re.compile(
    r"(?<![\w.])(?<!New )(?:"
    + "|".join(re.escape(n) for n in sorted(_COUNTRY_CODES, key=len, reverse=True))
    + r")(?!\w)(?!\s?\$|\s+dollars?\b|\s+et al\b|\s+pigs?\b|[\s-]worms?\b)"
)
# "outside China", "other than Italy": a country the question sets aside is not its scope.
_SET_ASIDE = re.compile(r"\b(?:outside|excluding|except|other than|besides|beyond|apart from)\s+(?:the\s+)?$", re.I)
_REASON = re.compile(
    r"\b(?:because|due to|owing to|thanks to|since|as a result|result(?:s|ed|ing)? in|leads? to|led to|leading to|"
    r"contribut(?:es|ed|ing) to|caus\w+|so that|in order to|so as to|therefore|thus|reasons?|aims? to|"
    r"to (?:ensure|prevent|reduce|avoid|improve|protect|support)|"
    r"(?:developed|designed|needed|intended|meant|critical|vital|essential|necessary|crucial) to [a-z]+)\b",
    re.I,
)

_ASK_PERCENT = re.compile(
    r"\bwhat (?:\w+ ){0,2}(?:percentage|percent|share|proportion|fraction|rate|coverage|efficacy|effectiveness)\b"
    r"|\bhow many percent\b"
    r"|\bwhat (?:is|was|are|were) (?:[\w'’-]+ ){0,4}(?:percentage|percent|proportion|fraction|share of)\b",
    re.I,
)
# "the number of" asks for a count only as what is asked ("What was the total number of cases?"), not inside
# another question ("What approach models the true number of infections?").
_ASK_COUNT = re.compile(
    r"\bhow (?:many|much)\s+((?:[\w-]+\s+){0,3})"
    r"|(?:^\s*|\b(?:what|which) (?:is|was|are|were|will be) |\b(?:give|state|report) )(?:the )?(?:[\w-]+ ){0,2}"
    r"number of\s+((?:[\w-]+\s+){0,3})",
    re.I,
)
# "How many people worldwide are blind": people counted by what they are; the predicate is the counted noun.
_ASK_PEOPLE_WHO_ARE = re.compile(
    r"\bhow many (?:people|persons|individuals|adults|children|women|men)\b(?:\s+\w+)?\s+(?:are|were|is|was)\s+"
    r"(?:now |currently |still )?([\w-]+)",
    re.I,
)
_ASK_AMOUNT = re.compile(
    r"\bwhat (?:[\w'’-]+ ){0,6}(?:budget|cost|costs|price|amount|sum|fee|penalty|dose|dosage|"
    r"concentration|level|target|figure|total|minimum|maximum|limit|threshold|size|volume|quantity|value|funding|"
    r"salary|ratio|temperature|weight)\b|\bwhat (?:[\w'’-]+ ){0,3}fines?(?=\s+(?:does|do|did|is|are|was|were|will|would|can|for|of|imposed))"
    r"|\bhow (?:large|big|high|low|far|tall|heavy|old)\b",
    re.I,
)
# A unit counted ("how many grams of fruit …"): a measure, of what follows "of" ("pounds" may be money).
_COUNTED_UNIT = re.compile(
    r"(?:(?P<mass>(?:kilo|milli|micro)?grams?|kgs?|mgs?|ounces)|(?:milli)?lit(?:re|er)s?|mls?)\b"
    r"(?:\s+of\s+(?P<of>[A-Za-z][\w-]*))?",
    re.I,
)
# The thing an amount is of ("the maximum amount of potassium", "the level of funding"); a dose or a
# concentration is of a medicine its passage names before, so its figures are not held to it.
_ASK_AMOUNT_OF = re.compile(r"\b(?:amount|quantity|level|intake)\s+of\s+([A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?)", re.I)
_ASK_MONEY = re.compile(
    r"\b(?:budget|cost|costs|price|fee|fees|fines?(?=\s+(?:does|do|did|is|are|was|were|will|would|can|for|of|"
    r"imposed))|penalty|penalties|funding|salary|spend\w*|"
    r"expenditure|income|money|monetary|dollars)\b",
    re.I,
)
_ASK_MEASURE = re.compile(r"\b(?:dose|dosage|concentration|temperature|weight|volume|ratio)\b", re.I)
# A change asked for: "what percentage reduction", "reduced by how much", "by what percentage did … fall".
_CHANGE_WORDS = (
    r"reduc\w*|decreas\w*|declin\w*|increas\w*|rise|rises|rising|rose|risen|grow\w*|grew|drop\w*|fell|fall\w*|"
    r"cut|cuts|lower\w*|rais\w*|improve\w*|gain\w*|halv\w*|doubl\w*|tripl\w*"
)
# "How much does each dose of IPTp-SP reduce low birthweight …": a change in what follows the verb, which the
# figure must be about ("placental infection (risk ratio: 0.78)" is another outcome's).
_ASK_CHANGE_IN = re.compile(
    r"\bhow (?:much|far) (?:does|did|do|will|would|can|could|may|might|has|have|had) (?P<before>(?:[\w,./+-]+ ){1,6}?)"
    rf"(?:{_CHANGE_WORDS})\b(?P<changed>(?:\s+[\w-]+){{0,3}})",
    re.I,
)
_ASK_CHANGE = re.compile(
    rf"\b(?:percentage|percent|per cent|%)(?: point)?s? (?:{_CHANGE_WORDS})\b"
    r"|\bby (?:how much|how many|what (?:percentage|percent|proportion|share|factor|amount))\b",
    re.I,
)
# What states a change: its word, "by 25%", or "from 38% to 12%"; a level alone ("80% can be prevented") does not.
_CHANGE = re.compile(
    rf"\b(?:{_CHANGE_WORDS})\b|\bby (?:about |around |nearly |almost |over |at least )?\d|\bfrom\b[^.;]{{0,40}}\bto\b",
    re.I,
)
# What states each measured thing: a concentration is a percentage or an amount per volume, not "10 beds".
_MASS = r"mg|µg|mcg|g|kg|ng"
_VOLUME = r"ml|mL|l|L|litres?|liters?|cc"
_MEASURE_UNITS = {
    "concentration": re.compile(
        rf"\d\s*(?:%|per ?cent\b|ppm\b|(?:{_MASS}|mmol|mol|IU)\s*/\s*(?:{_VOLUME}|dl|dL)\b|mmol\b|M\b)", re.I
    ),
    "dose": re.compile(  # "40 mg", "2 tablets", and doses counted in words: "a four-dose schedule"
        rf"\d\s*(?:{_MASS}|IU|{_VOLUME}|units?|tablets?|doses?|drops?)\b|\b(?:{_NUMBER_WORDS})[\s-](?:doses?|tablets?|drops?)\b",
        re.I,
    ),
    "temperature": re.compile(r"\d\s*(?:[°º˚]\s*[CF]\b|degrees?\b)", re.I),  # "º" stands in for "°" in some PDFs
    "weight": re.compile(rf"\d\s*(?:{_MASS}|lbs?|pounds?|tonnes?|tons?)\b", re.I),
    "volume": re.compile(rf"\d\s*(?:{_VOLUME}|m3|m³|gallons?)\b", re.I),
}
_MEASURE_UNITS["dosage"] = _MEASURE_UNITS["dose"]
# A ratio is one count against another: "1:2", "one basin per 10 beds", "a nurse for every two patients".
_MEASURE_UNITS["ratio"] = re.compile(
    rf"\d\s?:\s?\d|\b(?:per(?:\s+every)?|for every|for each|to every)\s+(?:\d|(?:{_NUMBER_WORDS})\b)|\d\s?%"
    r"|\bratios?\b[^.;]{0,40}?\d",
    re.I,
)
# An amount of money: a currency, or millions not of a counted thing ("will cost 36 million over five years";
# "1000 million people" and "six million lives" count people and lives).
_MONEY = re.compile(
    r"(?:US\$|\$|€|£|CHF|USD|EUR)\s?\d|\d\s*(?:US\$|\$|€|£)|\b(?:dollars?|euros?|francs?|pounds?)\b"
    r"|\d\s*(?:million|billion)\b(?!\s+(?:of\s+)?(?:people|persons|individuals|children|men|women|adults|lives|"
    r"deaths|cases|doses|patients|infections|births|users|members|visits|tests|workers|households|girls|boys|babies|"
    r"infants|vaccinations|episodes|hospitali[sz]ations|consultations|treatments|courses|nets|tablets)\b)",
    re.I,
)
_ASK_DURATION = re.compile(r"\bhow long\b|\bfor how many (?:days|weeks|months|years|hours)\b", re.I)
# What a ratio counts: "the nurse-to-patient ratio", "the ratio of nurses to patients".
_ASK_RATIO_OF = re.compile(
    r"\b([A-Za-z]+)-to-([A-Za-z]+)\s+ratios?\b|\bratios?\s+of\s+([A-Za-z]+)\s+to\s+([A-Za-z]+)", re.I
)
# "How long is the SAIBK gene?" asks a length as often as a time; "How long should patients be isolated?" a time.
_ASK_LENGTH = re.compile(
    r"\bhow long (?:is|are|was|were)\b(?!\s+(?:it|they|he|she|you|we|patients?|people|persons?|children)\b)", re.I
)
_ASK_FREQUENCY = re.compile(r"\bhow often\b|\bhow frequently\b|\bat what (?:interval|frequency)\b", re.I)
_ASK_DATE = re.compile(
    r"\b(?:what|which|on what|from what|by what|since what|in what) (?P<unit>date|year|day|month|time|deadline)\b"
    r"|^\s*(?:since|until) when\b|^\s*when (?:did|was|were|will|has|have|had)\b|\bwhen (?:did|was|were)\b"
    r"|\bwhat (?:is|was) the deadline\b",
    re.I,
)
_ASK_WHEN = re.compile(
    r"\bwhen (?:should|does|do|must|can|could|may|might|is|are|will|would|did|was|were|has|have)\b"
    r"|\b(?:under|in) (?:what|which) (?:conditions?|circumstances?|situations?|cases?)\b",
    re.I,
)
_ASK_PERSON = re.compile(
    r"^\s*who\s+(?:chaired|chairs|led|leads|heads|headed|wrote|said|says|founded|is the|was the|are the|were the|"
    r"spoke|signed|directs|directed|presided|opened|quoted|authored|(?:is|was|are|were) (?:listed|named|appointed) as)\b"
    r"|\b(?:which|what) (?:person|people|expert|"
    r"individual|official|minister|director|chair|speaker|author)s?\b"
    r"|\bnames? of (?:the |its |their |this )?(?:[\w-]+ ){0,3}(?:director|director-general|chair|chairman|"
    r"chairperson|chairwoman|president|minister|secretary|author|head|leader|coordinator|officer|founder|"
    r"spokesperson|rapporteur|ceo|treasurer)s?(?=\s*(?:[?,.]|$)|\s+(?:of|who|at|in|for|that|when|[a-z]+ed)\b)",
    re.I,
)
_ASK_COUNTRY = re.compile(
    r"\b(?:which|what) (?:countries|country|nations?|member states?)\b|\bin which (?:country|nation)\b", re.I
)
# "the Director-General of WHO", "the CEO of IAPO": the body whose person is asked for.
_OF_BODY = re.compile(r"\bof (?:the )?(?P<body>[A-Z]{3,6})\b(?![./]?\d)")
# What a resolution does in its operative clauses ("URGES Member States", "REQUESTS the Director-General"),
# asked in any form of the verb ("urge", "urges", "urged"; "call on").
_ASK_OPERATIVE = re.compile(
    r"\b(?:"
    + "|".join(
        f"(?:{v}|{third_person(v)}|{v}{'d' if v.endswith('e') else 'ed'})" + (r"\s+(?:up)?on" if v == "call" else "")
        for v in ASKED_OPERATIVE_VERBS
    )
    + r")\b",
    re.I,
)
_NAMES_A_RESOLUTION = re.compile(
    rf"\b(?:resolutions?|decisions?|Health Assembly|Executive Board|Regional Committee)\b|{RESOLUTION_SYMBOL}", re.I
)
# The question asks what a resolution's preamble does: "… is recognized in WHA66.24", "does WHA66.9 recall".
_PREAMBLE_ACT = (
    r"recogni[sz]\w*|recall\w*|acknowledg\w*|reaffirm\w*|not(?:e|es|ed|ing)|welcom\w*|consider\w*|bear\w* in mind"
)
_ASK_PREAMBLE = re.compile(
    rf"\b(?:{_PREAMBLE_ACT})\s+(?:in|by)\s+(?:resolution\s+)?(?:{RESOLUTION_SYMBOL})"
    rf"|\b(?:does|did)\s+(?:resolution\s+)?(?:{RESOLUTION_SYMBOL})\s+(?:{_PREAMBLE_ACT})\b",
    re.I,
)
_ASK_NAME = re.compile(
    r"^\s*(?:who|whom|whose|where)\b|^\s*(?:to|by|from|with|for) whom\b|\b(?:which|what) (?:organi[sz]ations?|agency|agencies|city|"
    r"cities|place|region|venue|location|company|companies|institution|body|bodies|court|app|tool|toolkit|"
    r"campaign|code|name)\b|\bwhat is the name\b|\bin which (?:city|place)\b"
    r"|\b(?:which|what) (?-i:[A-Z][\w-]*\s+){1,2}(?:office|ministry|department|unit|agency|organi[sz]ation)s?\b"
    r"|\b(?:which|what) (?:[a-z-]+ ){1,2}(?:agency|agencies|firms?|compan(?:y|ies)|organi[sz]ations?|foundations?"
    r"|charit(?:y|ies)|universit(?:y|ies))\b",  # "which design agency", "what charitable foundation"
    re.I,
)
# Irregular past forms, so that "met" is the act "meet" and "held" is "hold".
_VERB_BASE = {
    "met": "meet", "held": "hold", "led": "lead", "wrote": "write", "written": "write", "spoke": "speak",
    "spoken": "speak", "won": "win", "gave": "give", "given": "give", "took": "take", "taken": "take",
    "made": "make", "began": "begin", "begun": "begin", "chose": "choose", "chosen": "choose", "sent": "send",
    "paid": "pay", "sought": "seek", "brought": "bring", "built": "build", "drew": "draw", "drawn": "draw",
    "grew": "grow", "grown": "grow", "knew": "know", "known": "know", "told": "tell", "said": "say",
    "sold": "sell", "taught": "teach", "went": "go", "gone": "go", "spent": "spend", "lent": "lend",
}  # fmt: skip
# Acts that institutions write in several words: a conference "held" is one "organized", "convened" or
# "hosted"; a text "adopted" is one "endorsed" or "approved". Verb forms only ("the Organization" is no act).
_SAME_ACT = {
    stem(act): re.compile(forms, re.I)
    for acts, forms in (
        (("hold", "organize", "organise", "convene"),
         r"\b(?:hold|holds|held|holding|organi[sz](?:e|es|ed|ing)|conven(?:e|es|ed|ing)|hosted)\b"),
        (("adopt", "endorse", "approve"),
         r"\b(?:adopt(?:s|ed|ing)?|endors(?:e|es|ed|ing)|approv(?:e|es|ed|ing))\b"),
        (("die", "kill"), r"\b(?:die[sd]?|dying|deaths?|dead|kill(?:s|ed|ing)?|fatal\w*|mortality)\b"),
        (("attend", "participate", "join"),
         r"\b(?:attend\w*|participa\w*|join(?:s|ed|ing)?|took part|take part|brought together|gathered)\b"),
        (("carry", "conduct", "perform", "undertake"),  # "carry out" a review, a survey, a study
         r"\b(?:carr(?:y|ies|ied|ying)\s+out|conduct(?:s|ed|ing)?|perform(?:s|ed|ing)?|undert(?:ake|akes|ook|aken|aking))\b"),
    )
    for act in acts
}  # fmt: skip
_IRREGULAR_PAST = "|".join(sorted(_VERB_BASE, key=len, reverse=True))
# The act a name-seeking question asks about: "who chaired", "which countries voted", "which body was
# appointed". Only a past-tense verb right after the asked phrase is taken; without a tagger, that is the
# form that reads as a verb and not as a noun.
_PHRASE_WORDS = 8  # a refusal repeats the asked act with its object up to this length
_ACT = rf"(?P<act>(?:(?:was|were|has|have|had) (?:been )?)?(?:[a-z]{{3,}}ed|{_IRREGULAR_PAST}))\b"
_ASK_RELATION = re.compile(rf"^\s*(?:who|(?:which|what) (?:[\w-]+ ){{0,2}}?[\w-]+)\s+{_ACT}", re.I)
# The act a count asks about: "how many countries voted", "how many member organisations attended it". Only a
# past tense right after the counted noun is taken ("how many people have a disability" asks no act).
_ASK_COUNTED_ACT = re.compile(rf"\bhow many (?:[\w-]+ ){{1,3}}?{_ACT}", re.I)
# The act a "when" question dates: after a named subject ("When did the Guidelines Development Group meet",
# "When was WHA66.10 adopted", "When was the Alliance of Patient Groups launched"), or in the passive after any.
# Verbs that only say something happened ("take place") name no act; nor, after a name joined by "of", does an
# active verb, which is often one for an event taking place ("When did the Alliance of Patient Groups hold its
# roundtable?").
_ASK_WHEN_ACT = re.compile(
    r"^\s*[Ww]hen (?:(?:did|does|do|will) (?:the )?(?:[A-Z][\w.-]*\s+(?:(?:and|&)\s+(?:the\s+)?)?){1,6}(?:first\s+|[a-z]+ly\s+)?"
    r"(?P<bare>[a-z]{3,})"
    r"|(?:was|were|is|are|has|have|had)(?: been)? (?:the )?(?:[A-Z][\w.-]*\s+(?:(?:and|&|of|for|on)\s+(?:the\s+)?)?){1,6}(?:first\s+|[a-z]+ly\s+)?"
    rf"(?P<done>[a-z]{{3,}}ed|{_IRREGULAR_PAST}))\b"
    # a passive after any subject: "When was the global action plan on AMR adopted, and …", the act before a
    # preposition or the question's end ("When was the updated guideline released?" dates "released")
    rf"|^\s*[Ww]hen (?:was|were)(?: it| they| the| a| an)?(?: [\w.'’-]+){{0,8}}? (?:first |[a-z]+ly )?"
    rf"(?P<passive>[a-z]{{3,}}ed|{_IRREGULAR_PAST})(?=\s*(?:[?,.;]|$|(?:by|in|at|on|for|to|and|as|with|from|under)\b))"
)
_NO_ACT = frozenset({"take", "happen", "occur", "come", "get", "go", "make", "do", "have", "become", "begin", "start",
                     "end", "exist"})  # fmt: skip
# Acts that only say something was counted or found, or say nothing by themselves ("took part"): no act of
# the counted things.
_COUNTED = frozenset(
    stem(w)
    for w in (
        "report", "record", "estimate", "identify", "find", "document", "observe", "register", "detect", "count",
        "list", "include", "confirm", "notify", "enrol", "enroll", "recruit", "analyse", "analyze", "study",
        "examine", "test", "sample", "screen", "survey", "collect", "involve", "need", "require", "use", "obtain",
        "contain", "isolate", "comprise", "describe", "name", "mention", "give", "show", "make", "form",
        "constitute", "compose", "take",
    )
)  # fmt: skip
_ASK_LIST = re.compile(
    r"^\s*(?:what|which) (?:are|were)\b|\b(?:list|name) (?:the|all)\b|\bwhat (?:\w+ ){0,2}(?:elements|components|"
    r"steps|measures|themes|sources|recommendations|strategies|types|kinds|areas|priorities)\b|^\s*which \w+s\b"
    r"|^\s*(?:which|what) (?:[\w-]+ ){0,3}[\w-]+s (?:and [\w-]+s )?(?:are|were|does|do|did|have|has|should|must)\b",
    re.I,
)
_ASK_REASON = re.compile(r"^\s*why\b|\bwhat (?:is|was|are|were) the (?:reason|purpose|cause|aim)s?\b", re.I)
_ASK_DEFINITION = re.compile(
    r"^\s*what (?:is|are|was|were) (?:an? |the )?\w+(?:\s+\w+)?\s*\??$|\bwhat does .* (?:mean|stand for)\b|"
    r"^\s*define\b",
    re.I,
)
# The things a list question asks for: "What are the elements of Standard Precautions listed in …", "Which
# maternal health medicines are on …": the noun phrase after its question word, up to a verb or a preposition
# that says where the list stands.
_ASKED_LIST = re.compile(
    r"^\s*(?:what|which) (?:(?:are|were) (?:the )?)?(?P<things>(?:[\w'-]+ ){0,4}?[\w-]+s(?: of (?:[\w'-]+ ){0,3}?[\w'-]+)?)"
    r"(?= (?:are|were|does|do|did|have|has|should|must|can|listed|named|given|included|mentioned|recommended|in|"
    r"for|to|from|by|on|at|under|that|which|who)\b|\s*\?|$)",
    re.I,
)
# Words that say a list is asked for, not what is listed.
_LISTING_WORDS = frozenset(stem(w) for w in (
    "elements", "components", "steps", "measures", "types", "kinds", "things", "items", "ways", "main", "key",
    "different", "various", "specific", "existing", "other",
))  # fmt: skip


def listed_things(question: str) -> set[str]:
    """The stems of what a list question asks to be listed, without the words that only ask for a list: the
    introduction of a list that answers names them ("Standard Precautions include: 1) hand hygiene, …"). Empty
    when the question names no such phrase."""
    m = _ASKED_LIST.match(question)
    if m is None:
        return set()
    return {stem(w) for w in content_words(m.group("things"))} - _LISTING_WORDS


# The term "What is …?" asks about: a name or a noun, not what was done ("What is summarized?", "What was
# additionally demonstrated?").
_DEFINED_TERM = re.compile(r"^\s*what (?:is|are|was|were) (?:an? |the )?(?P<term>[^?]+?)\s*\??$", re.I)


def _defined_term(question: str) -> str | None:
    """The term a definition question asks about, unless it names an act rather than a thing."""
    m = _DEFINED_TERM.match(question)
    if m is None:
        return None
    term = m.group("term")
    last = term.split()[-1]
    return None if last.islower() and last.endswith("ed") else term


def defines(term: str, sentence: str) -> bool:
    """Whether `sentence` says what `term` is: it is "a …", "the …" or "one of …" (after an aside in brackets or
    commas: "EGR1, also known as Zif268, is a zinc finger protein"), it "refers to" or "means" something, it is
    what something "is called", an appositive says it ("Chikungunya virus (CHIKV), a mosquito-borne pathogen"),
    or an acronym is spelled out before it ("interferon-induced transmembrane (IFITM)")."""
    t = _term_pattern(term)
    aside = r"(?:\s*\([^()]{0,80}\))?(?:,[^,.;]{1,80},)?"
    patterns = [
        rf"{t}{aside}\s+(?:is|are|was|were|remains?|has been)\s+(?:(?:also|now|still|usually|often) )?"
        r"(?:an?|the(?! same\b| case\b)|one)\b",
        rf"{t}{aside}\s+(?:refers? to|means?|(?:is|are) defined as|(?:is|are) known as|stands? for|denotes|describes)\b",
        rf"{t}(?:\s+of\s+[\w\s-]{{1,40}}?)?\s+(?:is|are|was|were) defined as\b",
        rf"{t}{aside},?\s+(?:(?:which|that) (?:is|are|was|were|aims?|seeks?|helps?|provides?|brings?)|"
        r"(?:designed|developed|created|established|launched|intended|meant|set up) to)\b",
        rf"\b(?:refers? to|referred to|defined as|known as|called|termed|so-called)\s+(?:as\s+)?(?:an?\s+|the\s+)?{t}",
        rf"{t}\s*(?:\([^()]{{0,80}}\))?,\s+(?:an?|the)\s+\w+",
        rf"{t}\s*\((?:an?|the)\s",
        rf"^\s*{t}\s*[:–—](?:\s|$)",
    ]
    if term.isupper() and " " not in term:
        patterns.append(rf"(?:\b[A-Za-z][\w’'-]*\s+){{1,8}}\(\s*{t}\s*\)")  # spelled out before its acronym
    return any(re.search(p, sentence, re.I) for p in patterns)


def writes_term(term: str, text: str) -> bool:
    """Whether `text` writes the term at all (in any case, in the plural)."""
    return re.search(_term_pattern(term), text, re.I) is not None


def _term_pattern(term: str) -> str:
    """The term's words as a pattern: spaced or hyphenated alike, a word between two of them ("FACE strategic
    framework"), in the plural too."""
    words = re.split(r"[\s-]+", term.strip())
    return r"\b" + r"[\s-]+(?:[\w-]+\s+)?".join(map(re.escape, words)) + r"(?:e?s)?\b"


_ASK_YES_NO = re.compile(
    r"^\s*(?:is|are|was|were|does|do|did|can|could|should|must|may|has|have|had|will|would)\b|"
    r"(?:^|[.,;]\s*)(?:is|are|does|do|can|should|must) (?:it|there|they|we|i)\b",
    re.I,
)
# What an effect is asked on ("What effect does house screening have on anaemia?", "Does adding IRS to
# pyrethroid nets reduce malaria incidence compared with nets alone?", "How does AL compare with quinine on fetal
# loss?") or an amount of money is for ("What budget was set for the proposed Task Force?"). It runs to what
# compares or bounds it, or to the first of several ("access to government and media": access); its last
# content word names it ("incidence").
_TARGET_END = (
    r"(?:compared|versus|vs|than|relative|among|amongst|in|for|when|if|with|by|at|during|after|before|within|"
    r"over|under|from|while|as|according|to|and|or)\b"
)
_TARGET = rf"(?P<target>(?:(?!{_TARGET_END})[\w'’-]+\s*){{1,6}})"
_EFFECT_NOUN = re.compile(r"effects?|impacts?|influence|benefits?|harms?", re.I)
_ASK_EFFECT_ON = re.compile(
    rf"\b(?:{_EFFECT_NOUN.pattern})\b(?:\s+[\w'’,.+/-]+){{0,12}}?\s+(?:on|upon)\s+{_TARGET}",
    re.I,
)
_ASK_EFFECT_VERB = re.compile(
    r"^\s*(?:does|do|did|can|could|will|would|may|might)\s+(?:[\w'’,.+/-]+\s+){1,14}?"
    r"(?:reduce|lower|decrease|increase|raise|improve|prevent|affect|worsen|shorten|lengthen)\s+(?:the\s+)?"
    r"(?:(?:risk|rates?|number|incidence|prevalence|odds|burden|frequency|duration|severity|occurrence)\s+of\s+)?"
    rf"{_TARGET}",
    re.I,
)
_ASK_COMPARED_ON = re.compile(
    rf"\bcompar\w*\s+(?:with|to|against)\s+(?:[\w'’,.+/-]+\s+){{1,12}}?(?:on|for|regarding)\s+{_TARGET}", re.I
)
_ASK_MONEY_FOR = re.compile(
    rf"\b(?:budgets?|costs?|funding|funds|money|spending|allocation)\b(?:\s+[\w'’-]+){{0,6}}?\s+for\s+{_TARGET}", re.I
)
# A period an amount is for ("for the 2014–2015 biennium") bounds it in time: the year scope judges that.
_PERIOD = re.compile(r"\d|\b(?:biennium|years?|period|months?|weeks?|days?)\b", re.I)
_DETERMINER = re.compile(r"^(?:the|a|an|its|their|his|her|our|this|that|these|those)\s+", re.I)
# A yes/no question about a recommendation: "Does WHO recommend …?", "Is IRS recommended …?".
_ASK_RECOMMENDATION = re.compile(
    r"^\s*(?:does|do|did|would|will) (?:[\w'’.-]+ ){1,4}?(?:recommend|advise|endorse|advocate)\b"
    r"|^\s*(?:is|are|was|were) (?:[\w'’.-]+ ){1,8}?(?:recommended|advised|endorsed)\b",
    re.I,
)
# What gives a recommendation: its own words, a modal, a good practice statement, something advised against.
_VERDICT = re.compile(
    r"\brecommend\w*|\badvis(?:e[sd]?|able|ory)\b|\badvice\b|\b(?:should|must|shall|ought)\b|\bencourage[sd]?\b"
    r"|\bdiscourage[sd]?\b|\bendorse[sd]?\b|\bgood practice\b|\bcontraindicated\b|\bavoid(?:ed)?\b"
    r"|\b(?:is|are|be) (?:not )?(?:required|allowed|permitted|indicated|warranted|appropriate|suitable)\b",
    re.I,
)
# "Where is the South Centre headquartered?", "Where was the dialogue held?", "In which city was it held?":
# a place answers.
_ASK_PLACE = re.compile(
    r"\s*(?:where\b|(?:(?:in|at|from)\s+)?(?:which|what)\s+(?:city|cities|town|towns|village|venue|venues|location"
    r"|locations)\b)",
    re.I,
)
# A place as a sentence gives it: "in Gaborone", "at the WHO headquarters", "within airway epithelial cells",
# "from a low-income country"; not a time or a manner ("in March", "in 2013", "in addition", "in which").
_LOCATIVE = re.compile(
    r"\b(?:in|at|within|inside|near|throughout|across|from)\s+(?:the\s+|a\s+|an\s+)?+"
    rf"(?!\d|{_MONTH}(?!\w)|(?:addition|order|particular|general|accordance|line|response|terms|part|all|this|that|"
    r"these|those|which|whose|such|each|any|some|least|most|first|once|times?|end|beginning|course|context|light|"
    r"view|spite|favou?r|turn|regard|respect|relation|support|collaboration|consultation|cooperation|partnership|"
    r"conjunction|practice|fact|effect|total|short|brief|future|past)\b)"
    r"[A-Za-z]",
    re.I,
)
# "In which city", "what town": a place a country or a world region does not give.
_ASK_SETTLEMENT = re.compile(r"\b(?:which|what)\s+(?:city|cities|town|towns|village|villages)\b", re.I)
# A place's name after a locative: capitalised words ("in Mumbai", "in New Delhi").
_PLACE_NAME = re.compile(r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*")
# Where something can be found online, or its address: "Where on the CDC website can I find …", "What is the link".
_ASK_LINK = re.compile(
    r"\bwhere\b.*\b(?:find|found|get|download|access|read|available|online|website|web ?site|web ?page|site)\b"
    r"|\b(?:link|url|web address|website address)\b",
    re.I,
)


def _changed(words: str) -> set[str]:
    """The stems of what a change is asked of: the first two words of the object of a verb that changes it
    ("reduce low birthweight compared with …"), or, where the verb has none ("did malaria deaths fall between
    …"), of its subject; a figure or a name of a product is not what changed ("each dose of IPTp-SP")."""
    subject: set[str] = set()
    for word in words.split():
        lowered = word.lower().strip(",.")
        if lowered in STOPWORDS | _SUBJECT_SKIP | _NOT_CHANGED or not lowered.isalpha() or len(subject) == 2:
            break
        subject.add(stem(lowered))
    return subject


_NOT_CHANGED = frozenset((
    "compared", "versus", "vs", "relative", "than", "among", "between", "across", "within", "since", "during",
    "over", "when", "if", "after", "before", "overall", "each", "every",
))  # fmt: skip
_SUBJECT_SKIP = frozenset(
    re.findall(
        r"\w+",
        "of the a an times more less people persons does do did is are was were have has had could would should "
        "can will may must per in on at for to by with us we they it worldwide globally overall total "
        "approximately roughly currently now still ever altogether exactly really actually",
    )
)


_OPENER = re.compile(r"^(?:(?:and|but|also|so|then|ok(?:ay)?|now)\b[\s,]*)+", re.I)
_WH = r"(?:what|when|where|who|whom|whose|which|how|why)"
# "…, and what declaration did it adopt?": a second question asked after the first.
_SECOND_QUESTION = re.compile(
    rf",?\s+and\s+(?=(?:(?:up\s+)?(?:to|for|in|by|from|at|of|with|on|under|until|since)\s+)?{_WH}\b)", re.I
)  # "…, and up to what share …?", "…, and by when …?"
# "Where and when was the conference held?": two question words over one clause.
_TWO_QUESTION_WORDS = re.compile(
    r"^\s*(what|when|where|who|why)\s+and\s+(what|when|where|who|why)(?=\s+(?:is|are|was|were|did|does|do|will|"
    r"can|should|has|have|had)\b)",
    re.I,
)  # "Where and when was it held?"; not "Which and how many …", "Where and how often …"
_PAIRED = re.compile(r"\b(?:between|both|compare[sd]?|comparing|whether)\b", re.I)
_ELLIPTICAL = frozenset(("against", "for", "about", "with", "without", "between", "among", "instead", "else"))
_ASKS = re.compile(rf"\b{_WH}\b|^\s*(?:is|are|was|were|does|do|did|can|could|should|has|have|will)\b", re.I)


def asks(text: str) -> bool:
    """Whether `text` asks something: a question mark, a question word, or an opening auxiliary ("Is …",
    "Should …"); a title ("Case Fatality Rates for Childhood Pneumonia …") asks nothing."""
    return "?" in text or bool(_ASKS.search(text))


# A person's weight or age the question states: "a child weighing 12 kg", "a 70-kg adult", "a 3-year-old".
_STATED_MEASURE = re.compile(r"(\d+(?:\.\d+)?)\s?-?\s?(kg|kilos?|kilograms?|years?|yrs?|months?)\b(?:-old)?", re.I)
_MEASURE_HEADINGS = {"kg": re.compile(r"\bkg\b|\bweight", re.I), "year": re.compile(r"\byears?\b|\bage\b", re.I),
                     "month": re.compile(r"\bmonths?\b", re.I)}  # fmt: skip


def stated_measures(question: str) -> list[tuple[float, str]]:
    """The weights and ages a question states, as (value, "kg" | "year" | "month")."""
    out = []
    for m in _STATED_MEASURE.finditer(question):
        unit = m.group(2).lower()
        unit = "kg" if unit.startswith("k") else "year" if unit.startswith("y") else "month"
        out.append((float(m.group(1)), unit))
    return out


def measured_by(headings: str, unit: str) -> bool:
    """Whether a table's headings measure its rows in `unit` ("Body weight (kg)" for "kg")."""
    return bool(_MEASURE_HEADINGS[unit].search(headings))


_HEADING_UNIT = re.compile(r"\((mg|g|mL|ml|IU|%)\)")


def read_row(headings: str, label: str, row: str) -> str:
    """A table row read with its headings: each figure after the row's name carries the unit the headings
    put in brackets ("Dose (mg) …" over "15 to < 25 40 + 240" reads "… 15 to < 25 40 mg + 240 mg")."""
    units = _HEADING_UNIT.findall(headings)
    figures = row[len(label) :] if row.startswith(label) else row
    if len(units) == 1:
        figures = re.sub(r"\d+(?:[.,]\d+)?(?![\d.,%])", lambda m: f"{m.group(0)} {units[0]}", figures)
    return f"{headings} {label}{figures}"


def question_parts(question: str) -> list[str]:
    """The questions a two-part question asks, each to be answered on its own ("When did WHO and FAO hold
    ICN2, and what declaration did it adopt?" -> "When did WHO and FAO hold ICN2?", "What declaration did it
    adopt?"; "Where and when was it held?" -> "Where was it held?", "When was it held?"); [question] when it
    asks one thing. A part that names nothing of its own ("and which against?") is no question to answer."""
    if m := _TWO_QUESTION_WORDS.match(question):
        rest = question[m.end() :]
        return [m.group(1).capitalize() + rest, m.group(2).capitalize() + rest]
    pieces = _SECOND_QUESTION.split(question.strip())
    if len(pieces) != 2 or not _ASKS.search(pieces[0]) or not all(content_words(p) for p in pieces):
        return [question]
    paired = _PAIRED.search(pieces[0])
    separator = _SECOND_QUESTION.search(question.strip())
    comma = separator is not None and "," in separator.group(0)
    if paired and not (paired.group(0).lower() == "whether" and comma):
        # "the difference between what WHO recommends and what CDC recommends", "by whether they are men or women
        # and by how old they are": one question; "… reassess whether they need it, and to whom do they report?": two
        return [question]
    first, second = pieces
    if not set(content_words(_ASKS.sub("", second))) - _ELLIPTICAL:
        return [question]
    return [first.rstrip(" ,;") + "?", second[:1].upper() + second[1:]]


# Who takes an amount ("the amount of potassium adults should take"): not what it is an amount of.
_TAKERS = frozenset(("adults", "children", "women", "men", "infants", "patients", "adolescents", "pregnant"))


def _amount_of(phrase: str) -> set[str]:
    """The noun an amount is of, both words of a compound: "the level of bed-net coverage" is a figure for
    coverage of bed nets, either word near it answering; a verb or a function word ends it
    ("the amount of salt consumed", "the level of funding for …"), and so do the people who take it ("the
    amount of potassium adults should take")."""
    out: set[str] = set()
    for word in phrase.lower().split():
        if word in STOPWORDS | _SUBJECT_SKIP | _TAKERS or word.endswith(("ed", "ly")):
            break
        out.add(stem(word))
    return out


def asked(question: str) -> Asked:
    """The kind of thing `question` asks for, the counted or measured noun, and the years it names. A
    conversational opener is passed over: "And who chaired it?" asks what "Who chaired it?" asks."""
    q = _OPENER.sub("", question.strip())
    years = set(_YEAR.findall(q))
    subject: set[str] = set()
    counted = None
    kind = Kind.OTHER
    measure = precision = per = term = None
    per_initials = ""
    if re.match(r"\s*why\b", q, re.I):  # "Why is it impossible to say which individual intervention …"
        kind = Kind.REASON
    elif _ASK_IDENTIFIER.search(q):
        kind = Kind.IDENTIFIER
    elif _ASK_FREQUENCY.search(q):
        kind = Kind.FREQUENCY
    elif _ASK_DURATION.search(q):
        kind = Kind.DURATION
        if _ASK_LENGTH.search(q):
            measure = "length"  # "How long is the genome?": a length or a time
    elif _ASK_PERCENT.search(q):
        kind = Kind.PERCENT
        measure = "change" if _ASK_CHANGE.search(q) else None
    elif changed := _ASK_CHANGE_IN.search(q):
        kind, measure = Kind.QUANTITY, "change"
        subject = _changed(changed.group("changed")) or _changed(changed.group("before"))  # "did deaths fall by …"
    elif (m := _ASK_COUNT.search(q)) and m.group(0).lower().startswith("how much") and _ASK_MONEY.search(q):
        kind, measure = Kind.QUANTITY, "money"  # "How much does SMC cost per child?" asks an amount of money
        per, per_initials = _per(q)
    elif (m := _ASK_COUNT.search(q)) and (counted_unit := _COUNTED_UNIT.match(m.group(1) or "")):
        kind = Kind.QUANTITY  # "how many grams of fruit": a weight of fruit, which the documents write "400 g"
        measure = "weight" if counted_unit.group("mass") else "volume"
        subject = {stem(counted_unit.group("of").lower())} if counted_unit.group("of") else set()
    elif m := _ASK_COUNT.search(q):
        kind = Kind.QUANTITY
        measure = "change" if _ASK_CHANGE.search(q) else None
        words = (m.group(1) or m.group(2) or "").split()
        counted = _qualified_count(words)
        for w in words:
            lw = w.lower()
            if lw in _SUBJECT_SKIP or lw in STOPWORDS:
                if subject:
                    break
                continue
            subject.add(stem(lw))
            if len(subject) == 2:
                break
        if not subject and (who_are := _ASK_PEOPLE_WHO_ARE.search(q)):
            predicate = who_are.group(1).lower()
            if predicate not in STOPWORDS and predicate not in _SUBJECT_SKIP and predicate != "there":
                subject.add(stem(predicate))
    elif _ASK_AMOUNT.search(q):
        kind = Kind.QUANTITY
        measured = _ASK_MEASURE.search(q)
        measure = "money" if _ASK_MONEY.search(q) else measured.group(0).lower() if measured else None
        per, per_initials = _per(q) if measure == "money" else (None, "")
        if measure == "ratio" and (ratio_of := _ASK_RATIO_OF.search(q)):
            subject = {stem(w.lower()) for w in ratio_of.groups() if w}  # "nurse-to-patient": nurses against patients
        elif of := _ASK_AMOUNT_OF.search(q):
            subject = _amount_of(of.group(1))  # "the maximum amount of potassium": a figure for potassium
    elif ask_date := _ASK_DATE.search(q):
        kind = Kind.DATE
        unit = (ask_date.group("unit") or "").lower()
        precision = "day" if unit in ("date", "day") else "month" if unit == "month" else None
    elif _ASK_WHEN.search(q):
        kind = Kind.TIME_OR_CONDITION
    elif _ASK_PERSON.search(q):
        kind = Kind.PERSON
    elif _ASK_REASON.search(q):
        kind = Kind.REASON
    elif _ASK_COUNTRY.search(q):
        kind = Kind.COUNTRY
    elif _ASK_NAME.search(q):
        kind = Kind.NAME
    elif _ASK_LIST.search(q):
        kind = Kind.LIST
    elif _ASK_DEFINITION.search(q):
        kind = Kind.DEFINITION
        term = _defined_term(q)
    elif _ASK_YES_NO.search(q):
        kind = Kind.YES_NO
        measure = "recommendation" if _ASK_RECOMMENDATION.search(q) else None
    act = (
        _ASK_RELATION.search(q)
        if kind in (Kind.PERSON, Kind.COUNTRY, Kind.NAME)
        else _counted_act(q)
        if kind is Kind.QUANTITY and measure is None
        else None
    )
    relation = act.group("act") if act else None
    relation_phrase = None
    if act:
        phrase = q[act.start("act") :].strip().rstrip("?.!").strip()
        if kind is Kind.QUANTITY:  # "countries that voted against WHA66.5": what was counted, and its act
            things = re.sub(r"^.*?\bhow many\s+", "", q[: act.start("act")], flags=re.I).strip()
            phrase = f"{things} that {phrase}"
        relation_phrase = phrase if len(phrase.split()) <= _PHRASE_WORDS else None
    if kind is Kind.DATE and (when := _ASK_WHEN_ACT.search(q)):
        done, bare = when.group("done") or when.group("passive"), when.group("bare")
        if done or (bare not in _NO_ACT and not bare.endswith(("s", "ly"))):  # "authorities" is no verb
            relation = done or bare
    owner, role = _owner_and_role(q) if kind is Kind.PERSON else (None, None)
    operative = bool(_ASK_OPERATIVE.search(q) and _NAMES_A_RESOLUTION.search(q)) and not _ASK_PREAMBLE.search(q)
    places = set() if kind is Kind.COUNTRY else _scope_countries(q)  # which countries: the answer, not the scope
    groups = kind in (Kind.PERSON, Kind.NAME) and bool(_ASK_WHO.match(q)) and not _ASK_NAMED_PERSON.match(q)
    return Asked(
        kind, subject, years=years, places=places, regions=regions(q), numbered=numbered(q), medicines=medicines(q),
        codes=codes(q), combination=combination(q), doses=doses(q), levels=levels(q), compounds=compounds(q),
        measure=measure, per=per, per_initials=per_initials,
        precision=precision, relation=relation,
        relation_phrase=relation_phrase, owner=owner, role=role, operative=operative, groups=groups,
        link=bool(_ASK_LINK.search(q)), place=bool(_ASK_PLACE.match(q) and not _ASK_LINK.search(q)),
        settlement=bool(_ASK_SETTLEMENT.search(q)), term=term if kind is Kind.DEFINITION else None,
        target=_target(q, measure), comparators=_comparators(q), counted=counted,
    )  # fmt: skip


_IRREGULAR_PLURALS = frozenset(("people", "children", "women", "men", "lives", "feet", "teeth", "mice"))


def _qualified_count(words: list[str]) -> str | None:
    """What a count asks, as written, where words qualify its plural noun ("malaria deaths" in "how many
    malaria deaths were reported"): a figure whose words name only the qualifier ("prevalence of malaria …
    0.32") counts something else. None for a bare plural ("how many countries") or a run not ending in one."""
    run: list[str] = []
    for w in words:
        lw = w.lower()
        if lw in STOPWORDS or (lw in _SUBJECT_SKIP and lw not in _IRREGULAR_PLURALS) or _PAST.fullmatch(lw):
            break  # "how many cases reported symptoms": the noun ends where its act begins
        run.append(w)
    head = run[-1].lower() if len(run) > 1 else ""
    plural = head in _IRREGULAR_PLURALS or (head.endswith("s") and not head.endswith(("ss", "us", "is")))
    return " ".join(run) if plural else None


_PAST = re.compile(rf"[a-z]{{3,}}ed|{_IRREGULAR_PAST}")


def _target(question: str, measure: str | None) -> str | None:
    """What the question asks an effect on, or an amount of money for, as it writes it ("anaemia", "malaria
    incidence" in "reduce malaria incidence compared with nets alone"): a sentence that never names it speaks
    of another outcome or another recipient."""
    found = _ASK_EFFECT_ON.search(question) or _ASK_EFFECT_VERB.search(question) or _ASK_COMPARED_ON.search(question)
    if found is None and measure == "money":
        found = _ASK_MONEY_FOR.search(question)
    if found is None or _PERIOD.search(found.group("target")):
        return None
    target = _DETERMINER.sub("", found.group("target").strip())
    return target if content_words(target) else None


def _names_a_settlement(sentence: str) -> bool:
    """Whether a locative in `sentence` names a place that may be a city, town or village: a capitalised name
    that is no country, world region or body's acronym ("in Mumbai", not "in India" or "at the IAPG")."""
    for m in _LOCATIVE.finditer(sentence):
        name = _PLACE_NAME.match(sentence, m.end() - 1)
        if (
            name
            and not name.group(0).isupper()
            and not countries(name.group(0))
            and not mentioned_regions(name.group(0))
        ):
            return True
    return False


def _counted_act(question: str) -> re.Match[str] | None:
    """The act a count asks about, unless it only says the things were counted or make up a whole ("how many
    cases were reported", "how many studies were included", "how many experts made up the group"): any count
    of them answers that."""
    found = _ASK_COUNTED_ACT.search(question)
    return None if found is None or act_stem(found.group("act").split()[-1]) in _COUNTED else found


_PER = re.compile(r"\bper\s+(?:each\s+|every\s+)?([A-Za-z][\w-]*)", re.I)


def _per(question: str) -> tuple[str | None, str]:
    """What an asked amount of money is per ("the cost per test"), as a stem, and the initials of the words
    after "per", which a sentence may write as an acronym ("per HFCA" for "per health-facility catchment area")."""
    found = _PER.search(question)
    if found is None:
        return None, ""
    words = re.findall(r"[A-Za-z]+", question[found.start(1) :])[:5]
    return stem(found.group(1).lower()), "".join(w[0] for w in words if w.lower() not in STOPWORDS).lower()


def _same_per(ask: Asked, written: str) -> bool:
    """A sentence's "per …" word is the asked one, or its acronym ("HFCA" for "health-facility catchment area")."""
    if stem(written.lower()) == ask.per:
        return True
    return written.isupper() and len(written) > 1 and ask.per_initials.startswith(written.lower())


def _owner_and_role(question: str) -> tuple[str | None, str | None]:
    """The body a person is asked for by ("WHO" in "Who is the Director-General of WHO?") and the role the
    question gives them ("Director-General"), from the last "of <acronym>"; none when no role precedes it."""
    found = list(_OF_BODY.finditer(question))
    if not found:
        return None, None
    last = found[-1]
    before = re.findall(r"[A-Za-z][\w-]*", question[: last.start()])[-2:]
    role = [w for w in before if w.lower() not in STOPWORDS and w.lower() not in ("name", "names")]
    return (last.group("body"), " ".join(role)) if role else (None, None)


def _another_bodys(owner: str, role: str, sentence: str) -> bool:
    """The sentence gives the asked role to another body, named by its acronym ("Thomas Cueni, IFPMA Director
    General", "the Director-General of UNICEF"), and nowhere to the asked one."""
    words = [w for w in re.split(r"[\s-]+", role) if w.lower() not in STOPWORDS]
    if not words:
        return False
    said = re.compile(r"[\s-]+".join(re.escape(w) for w in words), re.I)
    bodies = set()
    for m in said.finditer(sentence):
        before = re.search(r"\b([A-Z]{2,6})\s+$", sentence[max(0, m.start() - 12) : m.start()])
        after = re.match(r"\s+of\s+(?:the\s+)?([A-Z]{2,6})\b", sentence[m.end() :])
        bodies |= {x.group(1) for x in (before, after) if x}
    return bool(bodies) and owner not in bodies and acronym_expansion(owner, sentence) is None


def act_stem(word: str) -> str:
    """The stem of a verb's base form: "met", "meets" and "meeting" all say the act "meet"."""
    lowered = word.lower()
    return stem(_VERB_BASE.get(lowered, lowered))


# A participle naming someone's standing, not an act it dates: "a founding member", "the organizing partners".
_ROLE_PARTICIPLE = re.compile(
    r"\b[a-z]{3,}ing\s+(?=(?:members?|partners?|signator(?:y|ies)|fathers?|mothers?|chairs?|directors?|presidents?|"
    r"sponsors?|part(?:y|ies))\b)",
    re.I,
)


def says_act(ask: Asked, sentence: str) -> bool:
    """The sentence says the act the question asks about, or an act institutions write for it ("organized"
    for "held"); true when it asks about none. A participle that only names a role ("as a founding member")
    does not say its act."""
    if ask.relation_stem is None:
        return True
    if ask.relation_stem in {act_stem(w) for w in content_words(_ROLE_PARTICIPLE.sub("", sentence))}:
        return True
    same = _SAME_ACT.get(ask.relation_stem)
    return bool(same and same.search(sentence))


# Reference numbers in brackets: "(316, 317, 319)", "[25–27]".
_CITED_NUMBERS = re.compile(r"[(\[]\s*\d{1,3}(?:\s*[,–-]\s*\d{1,3})*\s*[)\]]")


def _figures(sentence: str) -> list[re.Match[str]]:
    """The figures a sentence states: years, footnote marks, reference numbers in brackets, the number
    words of an ordinal and "one of" are not among them ("Sixty-five Member States" states one, "the
    Seventy-third Assembly" none, "reduced HAI (316, 317)" none, "is one of the key functions" none)."""
    notes = {m.start() for m in FOOTNOTE_MARK.finditer(sentence)}
    cited = [m.span() for m in _CITED_NUMBERS.finditer(sentence)]
    ranks = [m.span() for m in _ORDINAL.finditer(sentence) if m.group(0).lower().endswith(("st", "nd", "rd", "th"))]
    return [
        m
        for m in _FIGURE.finditer(sentence)
        if not _YEAR.fullmatch(m.group(0).strip())
        and m.start() not in notes
        and not any(a <= m.start() < b for a, b in ranks + cited)
        and not (
            m.group(0).lower() == "one" and _ONE_OF.match(sentence, m.end()) and _BEING.search(sentence, 0, m.start())
        )
    ]


# "is one of the key functions", "as one of the priorities": an instance of a kind, not a count ("only one of
# them abstained" counts)
_ONE_OF = re.compile(r"\s+of\b", re.I)
_BEING = re.compile(r"\b(?:is|are|was|were|be|been|being|as|remains?|becomes?|became)\s+$", re.I)


def _new_names(sentence: str, question_stems: set[str]) -> list[str]:
    """Capitalised names in the sentence (not its first word) that the question does not already say: a month
    is none, nor the acronym of a name the question spells out ("the Indian Alliance of Patient Groups (IAPG)")."""
    names = []
    for m in _NAME.finditer(sentence):
        name = m.group(0)
        words = [w for w in re.findall(r"[\w&'’-]+", name) if w[:1].isupper()]
        if not words or all(stem(w.lower()) in question_stems for w in words):
            continue
        if _DATE.fullmatch(name) or _MONTH_NAME.fullmatch(name):
            continue
        spelled = acronym_expansion(name, sentence) if name.isupper() and len(name) > 1 else None
        if spelled and len(spelled.split()) > 1 and {stem(w.lower()) for w in content_words(spelled)} <= question_stems:
            continue
        names.append(name)
    return names


# What a document is catalogued by: its ISBN, ISSN or DOI, or the code it is issued under.
_ASK_IDENTIFIER = re.compile(
    r"\b(?:ISBN|ISSN|DOI)\b|\b(?:document|reference|publication|catalogue|report)\s+(?:reference\s+)?"
    r"(?:number|code|symbol)\b|\bwhat (?:is|was) (?:the|its) (?:document )?symbol\b|\b(?:what|which) version\b",
    re.I,
)
_IDENTIFIER = re.compile(
    r"\bISBN[\s:]*[\d-]{10,}|\bISSN[\s:]*\d{4}-\d{3}[\dX]|\bdoi[\s:]*10\.\d{4,}/\S+|\b10\.\d{4,}/\S+"
    r"|\b[A-Z]{2,}(?:/[A-Z0-9][\w.-]*){2,}|\b(?:A|EB|WHA)\d{2,3}(?:/|\.)[\w./]+|\bversion\s+\d+(?:\.\d+)*\b",
    re.I,
)


# "Who …?" asking a named person: one who did something once (chaired, wrote, signed) or holds a post.
_ASK_NAMED_PERSON = re.compile(
    r"^\s*who\s+(?:chaired|chairs|led|heads|headed|wrote|said|says|founded|spoke|signed|directs|directed|presided|"
    r"opened|quoted|authored|(?:is|was|are|were) (?:listed|named|appointed)|(?:is|was|are|were) the (?:[\w-]+ ){0,2}"
    r"(?:director|director-general|chair|chairman|chairperson|chairwoman|president|minister|secretary|author|head|"
    r"leader|coordinator|officer|founder|spokesperson|rapporteur|ceo|treasurer|chief|commissioner|ambassador|"
    r"patron|editor|dg)s?\b)",
    re.I,
)
_ASK_WHO = re.compile(r"^\s*(?:who|whose|to whom|for whom)\b", re.I)
# People named by what they are or do, not by name: who a measure is for, or whose task it is.
_PEOPLE_GROUPS = re.compile(
    r"\b(?:governments?|ministr(?:y|ies)|ministers|policy-?makers|decision-?makers|administrators|managers|leaders|"
    r"leadership|staff|(?:health(?:care)?|community|lay) workers|workers|professionals|practitioners|clinicians|"
    r"physicians|doctors|nurses|midwives|pharmacists|patients|women|men|children|infants|adolescents|girls|boys|"
    r"mothers|families|communities|caregivers|carers|partners|stakeholders|authorities|donors|employers|employees|"
    r"users|consumers|producers|manufacturers|industry|civil society|researchers|experts|officials|the public|"
    r"individuals|people|persons|providers|suppliers|regulators|educators|teachers|travell?ers|personnel|"
    r"(?:Member )?States|parents|survivors|volunteers|students|residents)\b",
    re.I,
)


def _people_groups(sentence: str, question_stems: set[str]) -> bool:
    """Whether `sentence` names a group of people the question does not ("policy-makers" for "Who is the
    guideline's audience?")."""
    return any(
        not {stem(w.lower()) for w in re.findall(r"\w+", m.group(0))} <= question_stems
        for m in _PEOPLE_GROUPS.finditer(sentence)
    )


def holds(ask: Asked, sentence: str, question_stems: set[str]) -> float:
    """How well `sentence` holds the kind of thing asked: 1 holds it (about the asked noun, where one was
    named), 0.5 holds a thing of that kind about something else, 0 holds none."""
    k = ask.kind
    if k in (Kind.QUANTITY, Kind.PERCENT, Kind.DURATION, Kind.FREQUENCY):
        figures = _figures(sentence)
        stated = _CITED_NUMBERS.sub(" ", sentence)  # reference numbers state no measure
        if k is Kind.PERCENT:
            found = bool(_PERCENT.search(stated)) and (ask.measure != "change" or bool(_CHANGE.search(stated)))
        elif k is Kind.DURATION:
            timed = bool(_TIME_UNIT.search(stated) or (ask.measure == "length" and _LENGTH.search(stated)))
            found = (bool(figures) and timed) or bool(re.search(r"\buntil\b", sentence))
        elif k is Kind.FREQUENCY:
            found = bool(_FREQUENCY.search(stated))
        elif ask.measure == "money":
            found = bool(_MONEY.search(stated))
            pers = _PER.findall(stated)
            if found and ask.per and pers and not any(_same_per(ask, w) for w in pers):
                return 0.5  # "US$ 1.88 per child treated" is no cost per test
        elif ask.measure == "change":
            found = bool(figures or _UNIT.search(stated)) and bool(_CHANGE.search(stated))
        elif ask.measure:
            found = bool(_MEASURE_UNITS[ask.measure].search(stated))
        else:
            figures = [m for m in figures if not _estimate(sentence, m)]  # a rate ratio counts nothing
            found = bool(figures) or bool(_UNIT.search(stated))
        if not found:
            return 0.0
        if not ask.subject:
            return 1.0
        measured = ask.measure in ("weight", "volume")
        subject = {ask.counted_stem} if ask.counted_stem else ask.subject
        return 1.0 if _about(subject, sentence, figures, ask.measure == "ratio", measured) else 0.5
    if k is Kind.DATE:
        if ask.precision == "day":
            return 1.0 if _DAY_DATE.search(sentence) else 0.0
        if ask.precision == "month":
            return 1.0 if _MONTH_NAME.search(sentence) else 0.0
        return 1.0 if _DATE.search(sentence) or _RELATIVE_TIME.search(sentence) else 0.0
    if k is Kind.YES_NO:
        return 1.0 if _VERDICT.search(sentence) else 0.0
    if k is Kind.TIME_OR_CONDITION:
        return 1.0 if _DATE.search(sentence) or _CONDITION.search(sentence) else 0.0
    if k is Kind.PERSON:
        if ask.owner and ask.role and _another_bodys(ask.owner, ask.role, sentence):
            return 0.5
        if _TITLE.search(sentence):
            return 1.0
        people = [
            m.group(0)
            for m in _PERSON_NAME.finditer(sentence)
            if not {stem(w.lower()) for w in m.group(0).split()} & (_NOT_PEOPLE | question_stems)
            and m.group(0).split()[0].lower() not in STOPWORDS  # "The Steering Group"
            and not _NAMES_A_BODY.search(sentence[max(0, m.start() - 12) : m.start()])
        ]
        if people:
            return 1.0
        if ask.groups and _people_groups(sentence, question_stems):
            return 1.0
        return 0.5 if _new_names(sentence, question_stems) else 0.0
    if k is Kind.COUNTRY:
        named = (
            {stem(w) for w in m.group(0).lower().split() if w not in STOPWORDS}
            for m in _COUNTRY_NAME.finditer(sentence)
        )
        return 1.0 if any(not words <= question_stems for words in named) else 0.0
    if k is Kind.NAME and ask.link and LINK.search(sentence):
        return 1.0  # where to find it: its address
    if k is Kind.NAME and ask.place and ask.settlement:
        return 1.0 if _names_a_settlement(sentence) else 0.0
    if k is Kind.NAME and ask.place:
        return 1.0 if _LOCATIVE.search(sentence) or countries(sentence) or mentioned_regions(sentence) else 0.0
    if k is Kind.NAME:
        return (
            1.0
            if _new_names(sentence, question_stems) or (ask.groups and _people_groups(sentence, question_stems))
            else 0.0
        )
    if k is Kind.REASON:
        return 1.0 if _REASON.search(sentence) else 0.0
    if k is Kind.DEFINITION and ask.term:
        return 1.0 if defines(ask.term, sentence) else 0.0
    if k is Kind.IDENTIFIER:
        return 1.0 if _IDENTIFIER.search(sentence) else 0.0
    return 1.0


# An effect estimate: named as a ratio or a risk before it, or followed by its confidence interval; and the
# bounds of that interval.
_ESTIMATE_NAME = re.compile(r"\b(?:ratio|risk|RR|OR|HR|IRR|aOR|aRR)\s*[:=]?\s*$", re.I)
_INTERVAL_AFTER = re.compile(r"\s*[(\[]\s*(?:CI\b|95\s*%)|\s*%\s*(?:CI\b|confidence)", re.I)  # or its level
_IN_INTERVAL = re.compile(r"[(\[;,]\s*(?:95\s*%\s*)?CI\b[^()\[\]]*$", re.I)


def _estimate(sentence: str, figure: re.Match[str]) -> bool:
    """Whether `figure` is an effect estimate or a bound of its interval ("Rate ratio 0.9 (CI 95% 0.73 —
    1.13)"): a relative effect, no count or amount of anything ("How many malaria cases have the nets
    prevented?" is not answered by it)."""
    before = sentence[max(0, figure.start() - 40) : figure.start()]
    return bool(
        _ESTIMATE_NAME.search(before) or _INTERVAL_AFTER.match(sentence, figure.end()) or _IN_INTERVAL.search(before)
    )


# A word's letters: a footnote mark glued to it is not part of it ("25 indicators1 capable of …").
_LETTERS = re.compile(r"[A-Za-z][A-Za-z'-]*")
_ASIDE = re.compile(r"\([^()]*\)")


def _about(
    subject: set[str], sentence: str, figures: list[re.Match[str]], every: bool = False, measured: bool = False
) -> bool:
    """The asked noun is counted by one of the figures: it follows the figure within a few words or
    precedes it closely ("hand wash basin per 10 beds", "members: 276"). With `every`, each asked noun is: a
    ratio relates both its counts ("nurse-to-patient" is not "one preventionist (nurse or doctor) per 250
    beds"). A `measured` figure's unit and the words around it stand between it and its noun ("400 g, or 5
    portions, of fruits"; "5 portions of fruit a day (at least 400 g)"): only their content words are counted.
    An aside in brackets between the noun and its figure is passed over."""
    for m in figures:
        if _counts_another(sentence[m.end() :], subject):
            continue  # "built over the last 25 years", "the 4 episodes featured members": years, episodes
        after = [
            w for w in _LETTERS.findall(sentence[m.end() : m.end() + 60]) if not measured or w.lower() not in STOPWORDS
        ]
        lead = _ASIDE.sub(" ", sentence[: m.start()])  # "coverage (i.e. the proportion …) of ≥ 50%"
        lead = _EFFECT_LABEL.sub(" ", lead)  # "… clinical malaria by almost three quarters (risk ratio: 0.27"
        before = [w for w in _LETTERS.findall(lead[-60:]) if not measured or w.lower() not in STOPWORDS]
        after, before = after[:4], before[-6:]
        near = _stems_of(after + before)
        if subject <= near if every else subject & near:
            return True
    return False


# An effect's name opening the brackets its figure stands in, after what it measures ("… reduced the risk of
# clinical malaria by almost three quarters (risk ratio: 0.27; …)"): the words before the brackets are its noun's.
_EFFECT_LABEL = re.compile(r"\(\s*(?:[A-Za-z-]+\s+){0,3}(?:ratio|risk|difference|RR|OR|HR|IRR|RD|MD)\s*[:=]?\s*$", re.I)
_SPANS = frozenset(stem(w) for w in ("year", "month", "week", "day", "hour", "minute", "decade", "century"))
_NEXT_WORD = re.compile(r"\s+([a-z][a-z-]*)\b")


def _counts_another(rest: str, subject: set[str]) -> bool:
    """The word right after a figure is a noun it counts, and not an asked one: a span of time ("25 years")
    or another plural ("4 episodes"), whatever asked noun the words before the figure hold."""
    following = _NEXT_WORD.match(rest)
    if following is None or following.group(1) in STOPWORDS or following.group(1) in ("times", "percent"):
        return False  # "1.4 times more likely" is a figure of what follows
    word = stem(following.group(1))
    if word in subject:
        return False
    plural = following.group(1).endswith("s") and not following.group(1).endswith(("ss", "us", "is"))
    return word in _SPANS or plural


def _stems_of(words: list[str]) -> set[str]:
    """Stems of the words and of a compound's parts ("nurse-to-patient": nurse, patient)."""
    return {stem(part.lower()) for w in words for part in [w, *w.split("-")] if part}


def _scope_countries(question: str) -> set[str]:
    """The countries a question is about: those it names, less those it sets aside ("outside China")."""
    return {
        _COUNTRY_CODES[m.group(0)]
        for m in _COUNTRY_NAME.finditer(question)
        if not _SET_ASIDE.search(question[max(0, m.start() - 20) : m.start()])
    }


def named_countries(text: str) -> dict[str, str]:
    """The countries `text` names, as written, each with its ISO 3166 code."""
    return {m.group(0): _COUNTRY_CODES[m.group(0)] for m in _COUNTRY_NAME.finditer(text)}


# The world's regions as WHO's regions and the continents name them, each with its regional office's acronym;
# one key per region ("the African Region", "sub-Saharan Africa" and "AFRO" are one).
_REGION_NAMES = {
    "africa": r"(?:sub-Saharan\s+)?Africa|African\s+Region|AFRO",
    "americas": r"(?:the\s+)?Americas|Latin\s+America|North\s+America|South\s+America|PAHO|AMRO",
    "south-east asia": r"South[\s-]+East\s+Asia(?:n\s+Region|\s+Region)?|SEARO",
    "europe": r"Europe|European\s+Region|EURO",
    "eastern mediterranean": r"Eastern\s+Mediterranean(?:\s+Region)?|EMRO",
    "western pacific": r"Western\s+Pacific(?:\s+Region)?|WPRO",
    "asia": r"Asia(?:-Pacific)?",
}
REGION_WITHIN = {"south-east asia": "asia"}  # a sentence about South-East Asia speaks of Asia
_REGION = re.compile("|".join(rf"(?P<{key.replace(' ', '_').replace('-', '_')}>\b(?:{names})\b)"
                               for key, names in _REGION_NAMES.items()))  # fmt: skip


def regions(text: str) -> set[str]:
    """The world regions `text` names: a question about the African Region is not answered by a resolution of
    the South-East Asia Region. A region is not its countries (a sentence naming Nigeria is not judged)."""
    named = {
        m.lastgroup.replace("_", " ").replace("south east", "south-east") for m in _REGION.finditer(text) if m.lastgroup
    }
    return named | {REGION_WITHIN[r] for r in named if r in REGION_WITHIN}


# The acronym of each WHO region's regional office.
REGIONAL_OFFICES = {
    "africa": "AFRO", "americas": "PAHO", "south-east asia": "SEARO", "europe": "EURO",
    "eastern mediterranean": "EMRO", "western pacific": "WPRO",
}  # fmt: skip
# Any mention of a region, its adjective included ("African countries", "European data"): what holds it.
_REGION_MENTIONS = {
    "africa": r"\bAfric|\bAFRO\b",
    "americas": r"\bAmerica|\bPAHO\b|\bAMRO\b",
    "south-east asia": r"\bSouth[\s-]*East(?:ern)?\s+Asia|\bSoutheast\s+Asia|\bSEARO\b",
    "europe": r"\bEurop|\bEURO\b|\bEU\b|\bEEA\b",
    "eastern mediterranean": r"\bEastern\s+Mediterranean|\bEMRO\b",
    "western pacific": r"\bWestern\s+Pacific|\bWPRO\b",
    "asia": r"\bAsia",
}
_REGION_MENTION = {key: re.compile(pattern, re.I) for key, pattern in _REGION_MENTIONS.items()}


def mentioned_regions(text: str) -> set[str]:
    """The world regions `text` mentions in any form: a passage on "African countries" mentions Africa."""
    return {key for key, pattern in _REGION_MENTION.items() if pattern.search(text)}


# A product or strain named by a code ("the R21 vaccine", "adjuvant AS01", "strain H120"): written the same
# wherever it is named.
_CODE = re.compile(r"(?<![\w.-])[A-Z]{1,4}\d{1,3}(?![\w.-])")


def codes(text: str) -> set[str]:
    """The codes `text` names products or strains by: a question about the R21 vaccine is not answered by a
    sentence about RTS,S/AS01."""
    return set(_CODE.findall(text))


# A product named as a compound of two long words: "pyrethroid-pyriproxyfen" nets, "pyrethroid-chlorfenapyr" ones.
_COMPOUND = re.compile(r"\b([a-z]{6,})[-‐‑]([a-z]{6,})\b", re.I)


def compounds(text: str) -> set[str]:
    """The compounds of two long words `text` names, lower-cased."""
    return {f"{a}-{b}".lower() for a, b in _COMPOUND.findall(text)}


# What a question compares against ("… with pyrethroid-chlorfenapyr nets compared with pyrethroid-only nets?"), and
# what an evidence profile's finding is compared against ("… versus Pyrethroid-PBO nets for prevention of malaria …").
_ASKED_COMPARATOR = re.compile(r"\b(?:compared (?:with|to)|versus|vs\.?|rather than|instead of)\s+([^?,;]+)", re.I)
_COMPARED_AGAINST = re.compile(r"\bversus\s+([^…]+)", re.I)
# A product compound whose second part may be short ("pyrethroid-only", "pyrethroid-PBO").
_QUALIFIED = re.compile(r"\b([a-z]{6,})[-‐‑]([a-z]{2,})\b", re.I)


def _qualified(text: str) -> set[str]:
    return {f"{a}-{b}".lower() for a, b in _QUALIFIED.findall(text)}


def _comparators(question: str) -> set[str]:
    """The products a question compares against, as compounds ("pyrethroid-only" in "compared with
    pyrethroid-only nets")."""
    return set().union(*(_qualified(m.group(1)) for m in _ASKED_COMPARATOR.finditer(question)))


def _comparator_conflict(ask: Asked, window: str) -> bool:
    """A finding compared against another product of the same kind than the question compares against: the
    pyrethroid-chlorfenapyr nets' effect against pyrethroid-PBO nets is not their effect against pyrethroid-only
    ones."""
    if not ask.comparators:
        return False
    heads = {c.split("-")[0] for c in ask.comparators}
    for against in _COMPARED_AGAINST.finditer(window):
        named = {c for c in _qualified(against.group(1)) if c.split("-")[0] in heads}
        if named and not named & ask.comparators:
            return True
    return False


def _compound_conflict(asked_for: set[str], sentence: str, window: str, passage: str) -> bool:
    """The question names a product by a compound and the sentence (or its neighbours, or its passage) names
    only others with the same first word: the torn pyrethroid-chlorfenapyr nets are not the
    pyrethroid-pyriproxyfen ones."""
    heads = {c.split("-")[0] for c in asked_for}

    def named_in(text: str) -> set[str]:
        return {c for c in compounds(text) if c.split("-")[0] in heads}

    return _named_conflict(asked_for, named_in, sentence, window, passage)


_VERSION = re.compile(r"\bversion\s+(\d+(?:\.\d+)*)\b", re.I)


def versions(text: str) -> set[str]:
    """The versions of a document `text` names ("Version 2.3"): a question about version 3.0 is not answered
    from passages that name no such version."""
    return set(_VERSION.findall(text))


# A dose as written: a figure, a mass (or volume, or units) and what it is given per ("0.5 mg/kg/day", "25 mg
# base per kg", "200 µg"), read as the figure with the mass and the per-weight part: "0.5 mg/kg".
_DOSE = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)?)\s?(mg|µg|μg|mcg|ml|mL|IU)\b(?:\s?base)?(\s?(?:/|per)\s?kg)?", re.I)


def doses(text: str) -> set[str]:
    """The doses `text` states, each as "figure unit" or "figure unit/kg" ("0.5 mg/kg", "45 mg")."""
    return {
        f"{float(m.group(1).replace(',', '.')):g} {m.group(2).lower().replace('μ', 'µ')}{'/kg' if m.group(3) else ''}"
        for m in _DOSE.finditer(text)
    }


def _dose_conflict(asked_for: set[str], sentence: str) -> bool:
    """The question states a dose and the sentence states others in the same unit and not it: "primaquine 1.0
    mg/kg/day … is not recommended" is another regimen than the 0.5 mg/kg/day course asked about. A dose in
    another unit (an adult's 30 mg beside 0.5 mg/kg) may be the same regimen's, and is not judged."""
    units = {d.split(" ", 1)[1] for d in asked_for}
    said = {d for d in doses(sentence) if d.split(" ", 1)[1] in units}
    return bool(said) and not said & asked_for


# The level a programme or recommendation works at (not a name's "National Institute of …"): what is
# recommended at facility level, and the evidence for it, is not what national programmes are to do.
_LEVELS = {
    "national": re.compile(r"\b[Nn]ational(?:ly)?\b(?!\s+[A-Z][a-z])|\bnationwide\b|\bcountry[- ]level\b"),
    "facility": re.compile(r"\bfacility[- ](?:level|based)\b|\bhospital[- ]level\b"),
    "community": re.compile(r"\bcommunity[- ](?:level|based)\b"),
}


def levels(text: str) -> set[str]:
    """The levels `text` speaks of: "national", "facility", "community"."""
    return {name for name, pattern in _LEVELS.items() if pattern.search(text)}


def countries(text: str) -> set[str]:
    """The countries `text` names, by ISO 3166 code: "the UK" and "the United Kingdom" are one country."""
    return set(named_countries(text).values())


# Adjectives of countries that no suffix on the name makes.
_IRREGULAR_ADJECTIVES = frozenset((
    "british", "english", "scottish", "welsh", "french", "spanish", "dutch", "swiss", "swedish", "danish", "finnish",
    "polish", "irish", "greek", "turkish", "thai", "filipino", "icelandic", "malagasy", "burmese", "lao",
    "norwegian", "peruvian", "american", "saudi", "argentine", "belgian", "czech", "slovak", "maltese", "cypriot",
))  # fmt: skip
_ADJECTIVE_SUFFIXES = ("ian", "an", "n", "ese", "ish", "i", "ean", "ic")


def _country_adjectives() -> frozenset[str]:
    """Every country's adjective: its one-word name, or the name's stem (less a closing vowel), with a suffix
    ("Canadian", "Kenyan", "Chinese", "Pakistani", "Brazilian"), the stem alone ("German"), and the irregular
    ones ("French", "Dutch")."""
    forms = set(_IRREGULAR_ADJECTIVES)
    for name in _COUNTRY_CODES:
        root = name.lower()
        if " " in root or len(root) < 4:
            continue
        stem_ = root.rstrip("aeiouy")
        if len(stem_) >= 4 and stem_ != root:
            forms.add(stem_)
        forms |= {base + suffix for base in {root, stem_} if len(base) >= 4 for suffix in _ADJECTIVE_SUFFIXES}
    return frozenset(forms)


_COUNTRY_ADJECTIVES = _country_adjectives()


def country_adjective(word: str) -> bool:
    """Whether `word` is a country's adjective ("Canadian", "German", "French")."""
    return word.lower() in _COUNTRY_ADJECTIVES


_UNITS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
_TEENS = ("tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
          "eighteenth", "nineteenth")  # fmt: skip
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_ORDINAL_VALUE = {
    **{w: n for n, w in enumerate(_UNITS + _TEENS, start=1)},
    **{f"{t[:-1]}ieth": 10 * n for n, t in enumerate(_TENS, start=2)},
    **{f"{t}-{u}": 10 * n + m for n, t in enumerate(_TENS, start=2) for m, u in enumerate(_UNITS, start=1)},
}
# An ordinal naming a numbered instrument ("the Twelfth General Programme of Work", "the 13th Revision"), in
# capitals before the name of an instrument; not a date ("31st December"), a war or a person ("First Lady"),
# nor a Health Assembly's session, whose number is its date, which years judge.
_NUMBERED = re.compile(
    r"\b(?P<ordinal>(?:"
    + "|".join(sorted((w.capitalize() for w in _ORDINAL_VALUE), key=len, reverse=True))
    + r")|\d{1,3}(?:st|nd|rd|th))(?P<name>(?:\s+[A-Z][\w-]*){0,2}?\s+(?:Programmes?|Programs?|Plans?|Conferences?|"
    r"Conventions?|Sessions?|Revisions?|Reports?|Summits?|Councils?|Meetings?|Forums?|Congress|Editions?|"
    r"Amendments?|Protocols?|Decades?|Rounds?|Replenishments?|Reviews?|Strategy|Strategies|Frameworks?|"
    r"Agendas?|Consultations?|Dialogues?|Committees?|Periods?|Cycles?|Resolutions?)\b)"
)


def numbered(text: str) -> set[int]:
    """The numbers of the numbered instruments `text` names: "the Twelfth General Programme" -> {12}."""
    return set(_numbered_names(text).values())


def ordinal_named(text: str, number: int) -> str:
    """How `text` names its instrument numbered `number` ("Second Global Ministerial Conference")."""
    return next((name for name, n in _numbered_names(text).items() if n == number), str(number))


def _numbered_names(text: str) -> dict[str, int]:
    out = {}
    for m in _NUMBERED.finditer(text):
        word = m.group("ordinal").lower()
        out[m.group(0)] = int(word[:-2]) if word[0].isdigit() else _ORDINAL_VALUE[word]
    return out


def says_ordinal(text: str, number: int) -> bool:
    """Whether `text` says the ordinal `number` in any case or form ("second", "Second", "2nd"), or numbers an
    instrument by it after its acronym ("ICD-11", "GPW 13")."""
    words = [w for w, n in _ORDINAL_VALUE.items() if n == number]
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10 if number % 100 not in (11, 12, 13) else 0, "th")
    return bool(
        re.search(rf"\b(?:{'|'.join(words)}|{number}{suffix})\b", text, re.I)
        or re.search(rf"\b[A-Z]{{2,}}[\s-]?{number}\b", text)  # "ICD-11", "GPW 13", "COP7"
    )


# Medicines by the stems of their International Nonproprietary Names (WHO's INN stem book): "primaquine",
# "zanamivir", "amoxicillin", "lumefantrine". A class ("artemisinin") is no one medicine and not among them.
_INN_STEMS = (
    "quine", "fantrine", "sunate", "mether", "guanil", "methamine", "doxine", "mectin", "quantel", "azole",
    "vir", "mab", "cillin", "mycin", "micin", "floxacin", "oxacin", "kacin", "penem", "cycline", "sartan",
    "pril", "olol", "statin", "tinib", "dipine", "parin", "semide", "thiazide", "oxetine", "setron",
    "triptan", "vudine", "profen", "coxib", "caine", "azepam", "zolam", "gliptin", "glitazone", "sonide",
    "olone", "platin", "rubicin", "taxel", "tocin", "prostol", "cetamol",
)  # fmt: skip
_MEDICINE = re.compile(r"\b[A-Za-z][a-z]{2,}(?:" + "|".join(_INN_STEMS) + r")\b")


def medicines(text: str) -> set[str]:
    """The medicines `text` names by their INN, lower-cased and spelled one way ("sulphadoxine" and
    "sulfadoxine", "aciclovir" and "acyclovir", "meticillin" and "methicillin" are one medicine each)."""
    return {_ONE_SPELLING.sub(lambda m: _SPELLED[m.group(0)], m.group(0).lower()) for m in _MEDICINE.finditer(text)}


_SPELLED = {"ph": "f", "th": "t", "y": "i", "ae": "e"}
_ONE_SPELLING = re.compile("|".join(_SPELLED))


def medicines_named(question: str, unsaid_in: str) -> list[str]:
    """The medicines `question` names, as it writes them, that `unsaid_in` never names ("ivermectin" in a
    question about mass drug administration, against passages about other medicines)."""
    said = medicines(unsaid_in)
    return [
        m.group(0)
        for m in _MEDICINE.finditer(question)
        if not any(_same_medicine(x, y) for x in medicines(m.group(0)) for y in said)
    ]


def _same_medicine(a: str, b: str) -> bool:
    """One name ends with the other: "co-trimoxazole" is "trimoxazole" (and a salt or prefix names the same)."""
    return a.endswith(b) or b.endswith(a)


def scope_conflict(ask: Asked, sentence: str, window: str, context: str, passage: str = "", beside: str = "") -> bool:
    """The sentence (in its `window` of neighbours) speaks of another year, country, numbered instrument,
    medicine, dose or product than the question asks about: a dose of primaquine does not answer for tafenoquine. `context`
    is what its document is (title, headings, date), `passage` the passage it stands in, `beside` the
    retrieved passages adjoining it."""
    return (
        _year_conflict(ask, window, context, passage)
        or _named_conflict(ask.places, countries, sentence, window)
        or _pooled_conflict(ask, sentence, window)
        or _unplaced_figure(ask, window, context, f"{passage} {beside}")
        or _unnamed_medicine(ask, window, context, f"{passage} {beside}")
        or _named_conflict(ask.regions, regions, sentence, window)
        or _named_conflict(ask.codes, codes, sentence, window, passage)
        or _named_conflict(ask.numbered, numbered, sentence, window)
        or _medicine_conflict(ask.medicines, sentence, window, ask.combination)
        or _dose_conflict(ask.doses, sentence)
        or _named_conflict(ask.levels, levels, sentence, window)
        or _compound_conflict(ask.compounds, sentence, window, passage)
        or _comparator_conflict(ask, window)
    )


# A sentence about several countries at once: "across all 11 countries", "in 11 European countries".
_SEVERAL_COUNTRIES = re.compile(
    r"\b(?:all|across|both|each of the|(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty)"
    r"(?:\s+(?-i:[A-Z]\w+))?)\s+(?:the\s+)?(?:\d+\s+)?(?:countries|nations|Member States)\b",
    re.I,
)


def _pooled_conflict(ask: Asked, sentence: str, window: str) -> bool:
    """The question asks one country's figure and the sentence gives one pooled over several countries
    without naming it: "across all 11 countries … 1.88% to 11.43% of the population" is not Austria's share.
    What all countries should do is asked of each, so only figures are judged."""
    return (
        ask.kind in (Kind.QUANTITY, Kind.PERCENT)
        and len(ask.places) == 1
        and bool(_SEVERAL_COUNTRIES.search(sentence))
        and not countries(window) & ask.places
    )


def _unplaced_figure(ask: Asked, window: str, context: str, passage: str) -> bool:
    """The question asks a figure for a country, and neither the sentence with its neighbours, nor its
    passage (with those adjoining it), nor what its document is names that country: a cost per child from
    studies elsewhere is not Nigeria's."""
    if ask.kind not in (Kind.QUANTITY, Kind.PERCENT) or not ask.places:
        return False
    return not (countries(window) | countries(passage) | countries(context)) & ask.places


def _unnamed_medicine(ask: Asked, window: str, context: str, passage: str) -> bool:
    """As `_unplaced_figure` for a medicine: a figure asked for one medicine ("lives saved by oxytocin alone")
    is not given by a sentence whose neighbours, passage and document never name it (the lives saved by
    thirteen commodities together)."""
    if ask.kind not in (Kind.QUANTITY, Kind.PERCENT) or not ask.medicines:
        return False
    said = medicines(window) | medicines(passage) | medicines(context)
    return not any(_same_medicine(m, a) for m in said for a in ask.medicines)


def _medicine_conflict(
    asked_for: set[str], sentence: str, window: str, combined: AbstractSet[str] = frozenset()
) -> bool:
    """As `_named_conflict`, with a medicine's several spellings and prefixes taken as one; and a sentence
    that names part of a combination the question asks about without the rest is about another combination
    or a medicine alone ("artesunate + amodiaquine", or "a higher dose of artesunate", for "artesunate +
    mefloquine"), while one adding a partner is not."""
    if not asked_for:
        return False
    said = medicines(sentence) or medicines(window)
    if not said:
        return False
    if not any(_same_medicine(m, a) for m in said for a in asked_for):
        return True
    partners = [c for c in combined if any(_same_medicine(m, c) for m in said)]
    return 0 < len(partners) < len(combined)


def combination(text: str) -> set[str]:
    """The medicines `text` joins into one combination ("artesunate + mefloquine", "artemether-lumefantrine");
    "primaquine and tafenoquine" are two."""
    return set().union(*(medicines(m.group(0)) for m in _COMBINATION.finditer(text)))


# Medicines joined into one combination ("artesunate + mefloquine", "artemether-lumefantrine"); "and" lists two.
_COMBINATION = re.compile(r"[a-z]{4,}\s*(?:\+|/|[-–])\s*[a-z]{4,}(?:ine|one|ole|vir|mycin|cillin|quine)\b", re.I)


def _year_conflict(ask: Asked, window: str, context: str, passage: str) -> bool:
    """The question names a year, the sentence speaks of other years, and neither it nor what it stands in
    names the asked one: a 2023 question is not answered by a 2024 sentence. A sentence naming no year
    takes its time from its passage (a survey's year stated two sentences before its findings) or, when
    the passage names none either, from its document's context (title, headings, date)."""
    if not ask.years:
        return False
    said = set(_YEAR.findall(window))
    if said:
        return not said & ask.years
    return not set(_YEAR.findall(passage) + _YEAR.findall(context)) & ask.years


_Named = TypeVar("_Named", str, int)


def _named_conflict(
    asked_for: set[_Named], named_in: Callable[[str], set[_Named]], sentence: str, window: str, passage: str = ""
) -> bool:
    """The question names some countries (or numbered instruments) and the sentence names others and not
    those: a question about Austria's infections is not answered by Italy's figure, nor one about the
    Thirteenth General Programme of Work by the Twelfth's. A sentence naming none takes its neighbours' ("In
    Germany, … . The attack rate was 0.7%."), and then its `passage`'s when one is given (a product's trial
    table is about the product its passage names); with none named there either it is not judged (its
    country may be its document's, in words no list of names holds)."""
    if not asked_for:
        return False
    said = named_in(sentence) or named_in(window) or named_in(passage)
    return bool(said) and not said & asked_for


def describe_missing(
    ask: Asked, rare_missing: list[str], kind_missing: bool, target_missing: bool = False, uncounted: bool = False
) -> str | None:
    """A sentence for a refusal saying what part of the question the closest passages did not cover;
    `target_missing`: none of them names what the question asks an effect on or an amount of money for;
    `uncounted`: their figures count other things than the asked count's noun ("malaria deaths")."""
    what = {
        Kind.QUANTITY: "figure",
        Kind.PERCENT: "percentage",
        Kind.DURATION: "duration",
        Kind.FREQUENCY: "frequency",
        Kind.DATE: "date",
        Kind.TIME_OR_CONDITION: "time",
        Kind.PERSON: "person",
        Kind.COUNTRY: "country",
        Kind.NAME: "name",
        Kind.IDENTIFIER: "identifier",
        Kind.REASON: "reason",
        Kind.DEFINITION: "definition",
    }.get(ask.kind)
    if ask.place:
        what = "place"
    elif ask.measure == "money":
        what = "amount of money"
    elif ask.measure == "change":
        what = "percentage change" if ask.kind is Kind.PERCENT else "size of the change"
    elif ask.measure:
        what = ask.measure
    parts = []
    if kind_missing and what:
        about = f" for {' '.join(sorted(ask.years))}" if ask.years else ""
        act = ""
        if ask.kind is Kind.DATE and ask.relation:
            act = f" for “{ask.relation}”"
        elif ask.relation and ask.kind is Kind.QUANTITY:
            if ask.relation_phrase:
                what, act = "count", f" of {ask.relation_phrase}"
                about = "" if all(y in act for y in ask.years) else about
        elif ask.term:
            what = f"definition of “{ask.term}”"
        elif ask.relation:
            done = ask.relation_phrase or ask.relation
            act = f" {'who' if ask.kind is Kind.PERSON else 'that'} {done}"
            about = "" if all(y in done for y in ask.years) else about
        parts.append(f"no {what}{about}{act} was found in the closest passages")
        if ask.measure == "money":  # "money" asks for the amount the note says was not found ("budget" names it)
            rare_missing = [t for t in rare_missing if t.lower() not in ("money", "monetary", "dollars")]
        if act:  # the act is said there, not again among the words the passages lack
            rare_missing = [t for t in rare_missing if act_stem(t) != ask.relation_stem]
    if uncounted and ask.counted and not kind_missing:
        parts.append(f"no count of “{ask.counted}” was found in the closest passages")
        rare_missing = [t for t in rare_missing if t.lower() not in ask.counted.lower().split()]
    if target_missing and ask.target:
        said = "amount of money for" if ask.measure == "money" else "effect on"
        parts.append(f"no {said} “{ask.target}” was found in the closest passages")
        rare_missing = [
            t for t in rare_missing if t.lower() not in ask.target.lower().split() and not _EFFECT_NOUN.fullmatch(t)
        ]
    if rare_missing:
        named = [f"“{t}”" for t in rare_missing[:5]]
        quoted = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} or {named[-1]}"
        # several of the question's words missing: as often everyday wording as a topic the documents lack
        other_words = "; they may say it in other words" if len(named) > 1 else ""
        parts.append(f"{'they' if parts else 'the closest passages'} do not mention {quoted}{other_words}")
    if parts:
        text = ", and ".join(parts)
        return text[0].upper() + text[1:] + "."
    return None
