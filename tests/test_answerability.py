"""Answerability: what a question asks for, whether a sentence holds it, which text is quotable, and the
extractive answerer's answers and refusals on small built passages."""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policykb.core.events import Final
from policykb.core.text import content_words, stem
from policykb.core.types import Answer, KindSpan, SearchHit, SearchResponse
from policykb.index.embedders import HashEmbedder
from policykb.qa.answer_types import (
    Asked,
    Kind,
    asked,
    countries,
    defines,
    describe_missing,
    doses,
    holds,
    listed_things,
    medicines,
    numbered,
    question_parts,
    says_act,
    scope_conflict,
)
from policykb.qa.answerability import FEATURES, QuestionTerms, absent_bodies, features, missing_terms
from policykb.qa.compose import REFUSAL, TENTATIVE
from policykb.qa.evidence import candidate_sentences, clauses, content_stems
from policykb.qa.extractive import ExtractiveAnswerer, _claim, _items_beside, _lists
from policykb.qa.shape import (
    dangling,
    finding,
    finding_start,
    flaw,
    in_band,
    introduces,
    names_what_follows,
    needs_antecedent,
    recital,
    strip_certainty,
    strip_section_label,
    table_rows,
)


@pytest.mark.parametrize(
    ("question", "kind", "subject"),
    [
        ("How many member organisations does IAPO have?", Kind.QUANTITY, {"member", "organisations"}),
        ("How many newsletter subscribers does IAPO have?", Kind.QUANTITY, {"newsletter", "subscribers"}),
        ("What total budget did the Assembly approve for 2014–2015?", Kind.QUANTITY, set()),
        ("What is the recommended dose of artesunate for children?", Kind.QUANTITY, set()),
        ("What percentage of facilities have no water source?", Kind.PERCENT, set()),
        ("What share of patients acquire an infection?", Kind.PERCENT, set()),
        ("What is Austria's estimated mean percentage of the population infected?", Kind.PERCENT, set()),
        ("What is the best way to share data between laboratories?", Kind.OTHER, set()),
        ("How long can an opened vial be kept?", Kind.DURATION, set()),
        ("How often should a biological indicator be used?", Kind.FREQUENCY, set()),
        ("When did the group meet?", Kind.DATE, set()),
        ("In what year was the alliance founded?", Kind.DATE, set()),
        ("When should staff wash their hands with soap and water?", Kind.TIME_OR_CONDITION, set()),
        ("Under what conditions could the strategy be reconsidered?", Kind.TIME_OR_CONDITION, set()),
        ("What protective efficacy did the vaccine show against severe malaria?", Kind.PERCENT, set()),
        (
            "How much does each dose reduce low birthweight compared with no dose?",
            Kind.QUANTITY,
            {"low", "birthweight"},
        ),
        ("Who chaired the Guidelines Development Group?", Kind.PERSON, set()),
        ("Who is listed as the Regional Adviser for Nutrition?", Kind.PERSON, set()),
        ("What is the name of the WHO Director-General who is asked to act?", Kind.PERSON, set()),
        ("Where was the alliance launched?", Kind.NAME, set()),
        ("Which organisations funded the guidelines?", Kind.NAME, set()),
        ("To whom do the countries report?", Kind.NAME, set()),
        ("Which design agency created the new logo?", Kind.NAME, set()),
        ("Which WHO office published the fact sheet?", Kind.NAME, set()),
        ("What does the office do in an emergency?", Kind.OTHER, set()),
        ("Which countries ratified the convention?", Kind.COUNTRY, set()),
        ("In which country was the alliance founded?", Kind.COUNTRY, set()),
        ("How many people worldwide are blind?", Kind.QUANTITY, {"blind"}),
        ("Of all the people who cannot see, how many could have been cured?", Kind.QUANTITY, set()),
        ("What are the elements of Standard Precautions?", Kind.LIST, set()),
        ("Why are single-dose vials preferred?", Kind.REASON, set()),
        ("Is it safe to reuse a lancet?", Kind.YES_NO, set()),
        ("When the clinic pricks my finger, is it okay to reuse the device?", Kind.YES_NO, set()),
        ("What does FACE stand for?", Kind.DEFINITION, set()),
        ("new visual identity and logo of the alliance", Kind.OTHER, set()),
    ],
)
def test_what_a_question_asks_for(question: str, kind: Kind, subject: set[str]) -> None:
    a = asked(question)
    assert a.kind is kind
    assert a.subject == {stem(w) for w in subject}


def test_years_named_in_a_question() -> None:
    assert asked("What was the theme of World Patient Safety Day 2024?").years == {"2024"}
    assert asked("What budget was approved for the 2014–2015 biennium?").years == {"2014", "2015"}
    assert asked("What theme did the day have?").years == set()


@pytest.mark.parametrize(
    ("question", "relation"),
    [
        ("Which countries voted against the resolution?", "voted"),
        ("Who chaired the Guidelines Development Group?", "chaired"),
        ("Which organisation was appointed to host the secretariat?", "was appointed"),
        ("Who led the review?", "led"),
        ("When did the Guidelines Development Group meet to formulate the recommendations?", "meet"),
        ("When was WHA66.10 adopted?", "adopted"),
        ("When was HBoV1 first identified?", "identified"),
        ("And who chaired it?", "chaired"),  # a conversational opener is passed over
        # a noun or a verb that only says something happened is no act
        ("When did the Chinese authorities share the sequence?", None),
        ("When did the IAPO General Assembly take place?", None),
        # no act to hold the answer to: the asked thing is a role or a place, or no verb follows the phrase
        ("Who is the Chief Executive Officer of IAPO?", None),
        ("Where did IAPO hold a workshop?", None),
        ("Which toolkit did IAPO launch about biosimilars?", None),
        # a count asks what the counted did, unless they were only counted
        ("How many countries signed the convention?", "signed"),
        ("How many cases were reported?", None),
    ],
)
def test_the_act_a_name_seeking_question_asks_about(question: str, relation: str | None) -> None:
    assert asked(question).relation == relation


@pytest.mark.parametrize(
    ("question", "note"),
    [
        ("Which countries founded IAPO?", "No country that founded IAPO was found"),
        ("Who chaired the Guidelines Development Group?", "No person who chaired the Guidelines Development Group"),
        ("Which countries joined the alliance in 2019?", "No country that joined the alliance in 2019 was found"),
        # too long to repeat: the act alone
        (
            "Which countries voted against the resolution on health conditions in the occupied territory?",
            "No country that voted was found",
        ),
    ],
)
def test_a_refusal_names_the_asked_act_with_its_object(question: str, note: str) -> None:
    assert (describe_missing(asked(question), [], kind_missing=True) or "").startswith(note)


def test_a_refusal_lists_the_words_it_did_not_find_as_alternatives() -> None:
    ask = asked("Is malaria in pregnant women treated with artemether?")
    assert describe_missing(ask, ["malaria"], kind_missing=False) == "The closest passages do not mention “malaria”."
    assert describe_missing(ask, ["malaria", "pregnant", "artemether"], kind_missing=False) == (
        "The closest passages do not mention “malaria”, “pregnant” or “artemether”; they may say it in other words."
    )


def test_an_act_is_said_in_any_of_its_forms() -> None:
    ask = asked("When did the IAPO General Assembly meet?")
    assert says_act(ask, "The General Assembly met on 12 May 2024 in London.")
    assert says_act(ask, "The meeting of the General Assembly was held on 12 May 2024.")
    assert not says_act(ask, "The General Assembly adopted the 2009 strategy.")
    assert says_act(asked("When was adoption due?"), "Anything at all.")  # no act asked
    # a passive dates its act after any subject, named or not
    assert not says_act(asked("When was the global action plan adopted, and by when implemented?"), "It ended in 2015.")
    assert says_act(asked("When was the updated guideline released?"), "The guideline was released in 2016.")


@pytest.mark.parametrize(
    ("question", "recommendation"),
    [
        ("Does WHO recommend routinely testing all travellers arriving at airports for malaria?", True),
        ("Do the WHO malaria guidelines recommend mass drug administration of ivermectin?", True),
        ("Is indoor residual spraying recommended in urban areas?", True),
        ("Is it OK for the nurse to rinse her gloves?", False),
        ("Does WHO consider access to safe health care a human right?", False),
    ],
)
def test_a_yes_no_question_about_a_recommendation_needs_one(question: str, recommendation: bool) -> None:
    ask = asked(question)
    assert ask.kind is Kind.YES_NO
    assert ask.typed is recommendation
    if recommendation:
        assert holds(ask, "Routine testing of people arriving at points of entry is not recommended.", set()) == 1.0
        assert holds(ask, "Good practice statement: nets should be buried, not burned.", set()) == 1.0
        assert holds(ask, "Border screening may take two forms: testing at entry, and testing of groups.", set()) == 0


def test_a_when_question_dates_the_act_of_a_name_joined_by_of() -> None:
    assert asked("When was the Indian Alliance of Patient Groups officially launched?").relation == "launched"
    # an active verb after such a name is often the event's taking place, which a dated sentence need not say
    assert asked("When did the Indian Alliance of Patient Groups hold its roundtable?").relation is None


def test_a_month_or_the_acronym_of_the_asked_name_is_no_place_or_name() -> None:
    ask = asked("Where was the Indian Alliance of Patient Groups officially launched?")
    stems = content_stems("Where was the Indian Alliance of Patient Groups officially launched?")
    assert ask.kind is Kind.NAME
    assert (
        holds(ask, "On August 18, 2016, the Indian Alliance of Patient Groups (IAPG) achieved a milestone.", stems) == 0
    )
    assert holds(ask, "Since its official launch in Mumbai, on 8 October 2015, the IAPG has grown.", stems) == 1.0


def test_a_temperature_is_a_measure_not_a_body() -> None:
    ask = asked("Above what body temperature should malaria be suspected in a patient?")
    assert (ask.kind, ask.measure) == (Kind.QUANTITY, "temperature")
    assert holds(ask, "Suspect malaria in any patient with fever or temperature ≥ 37.5 °C.", set()) == 1.0
    assert holds(ask, "Antipyretics should be used if the core temperature is > 38.5 ºC.", set()) == 1.0  # U+00BA


def test_how_often_is_answered_by_an_interval_not_by_regularly() -> None:
    ask = asked("How often do outpatient clinic staff need infection prevention training?")
    assert ask.kind is Kind.FREQUENCY
    assert holds(ask, "Training should be provided upon hire and repeated annually.", set()) == 1.0
    assert holds(ask, "Reassess the need for DDT regularly (at least once every two years).", set()) == 1.0
    assert holds(ask, "Hands are always cleaned before touching a patient.", set()) == 1.0
    assert (
        holds(ask, "Assure one trained individual is employed by or regularly available to the facility.", set()) == 0
    )
    assert holds(ask, "Staff routinely wear gloves when handling specimens.", set()) == 0


def test_a_dose_schedule_is_answered_by_doses_counted_in_words() -> None:
    ask = asked("In what dose schedule should the RTS,S/AS01 malaria vaccine be given?")
    assert (ask.kind, ask.measure) == (Kind.QUANTITY, "dose")
    assert holds(ask, "The vaccine should be provided in a four-dose schedule from 5 months of age.", set()) == 1.0
    assert holds(ask, "Give 2 tablets twice a day.", set()) == 1.0
    assert holds(ask, "The vaccine should be provided to children living in regions of transmission.", set()) == 0.0


def test_a_cost_per_a_thing_is_answered_per_its_acronym() -> None:
    ask = asked("What was the mean annual cost of case detection per health-facility catchment area?")
    assert holds(ask, "In Zambia, the mean annual cost of RACDT per HFCA was US$ 1177.", set()) == 1.0
    assert holds(ask, "The mean annual cost was US$ 1.07 per child treated.", set()) == 0.5


def test_a_product_named_as_a_compound_must_be_the_sentences() -> None:
    ask = asked("Two years on, what proportion of pyrethroid-pyriproxyfen nets were torn?")
    other = "Two years after deployment, 34% of pyrethroid‐chlorfenapyr ITNs were torn."  # U+2010 hyphen
    assert scope_conflict(ask, other, other, "")
    same = "Two years after deployment, 39% of pyrethroid-pyriproxyfen ITNs were torn."
    assert not scope_conflict(ask, same, same, "")
    unnamed = "Two years after deployment, 39% of the nets were torn."
    assert not scope_conflict(ask, unnamed, unnamed, "")


def test_light_verbs_are_no_terms_a_quote_must_hold() -> None:
    terms = QuestionTerms.of("How many patient advocates took part in the workshop, and were they told?", {})
    assert "took" not in terms.rare.values() and "told" not in terms.rare.values()
    assert asked("How many patient advocates took part in the workshop?").relation is None


def test_placeholder_nouns_are_no_terms_a_quote_must_hold() -> None:
    terms = QuestionTerms.of("Is WHO asking governments to do anything about things like wheelchairs and stuff?", {})
    assert "things" not in terms.rare.values() and "stuff" not in terms.rare.values()
    assert "wheelchairs" in terms.rare.values()


def test_a_where_question_needs_a_place() -> None:
    ask = asked("Where is the South Centre headquartered?")
    assert ask.kind is Kind.NAME and ask.place
    assert holds(ask, "APPROVES the proposed agreement between the World Health Organization and the South Centre.",
                 set()) == 0.0  # fmt: skip
    assert holds(ask, "In addition, the agreement was signed in 2013 in line with the rules.", set()) == 0.0
    assert holds(ask, "The South Centre is an intergovernmental organization headquartered in Geneva.", set()) == 1.0
    assert holds(ask, "The dialogue was held in March 2013 in Gaborone.", set()) == 1.0
    assert holds(ask, "The agreement was signed in March 2013, at the end of the session.", set()) == 0.0
    assert holds(ask, "In Geneva, the Centre opened its offices.", set()) == 1.0
    assert holds(ask, "The receptor is found in endothelial cells.", set()) == 1.0
    assert holds(ask, "The office moved to Kenya.", set()) == 1.0  # a country named is a place
    assert holds(asked("Where does EGR1 accumulate?"), "EGR1 accumulates within the nucleus.", set()) == 1.0
    city = asked("In which city was the 2023 IEEPO event held?")
    assert city.kind is Kind.NAME and city.place
    assert holds(city, "The IEEPO event was held on Wednesday 15th – Thursday 16th March 2023.", set()) == 0.0
    assert asked("What venue hosted the General Assembly?").place
    assert city.settlement and not ask.settlement  # a city: no country, world region or body's acronym gives one
    assert holds(city, "The roundtable reached an audience of over 150,000 in India via Twitter.", set()) == 0.0
    assert holds(city, "Officials were represented at the IAPG roundtable in the African Region.", set()) == 0.0
    assert holds(city, "Since its launch in Mumbai, on 8 October 2015, the IAPG has grown.", set()) == 1.0
    assert holds(city, "The event was held in New Delhi.", set()) == 1.0
    link = asked("Where can I find the checklist online?")
    assert link.link and not link.place
    assert describe_missing(ask, [], True) == "No place was found in the closest passages."


def test_a_participle_naming_a_role_does_not_say_its_act() -> None:
    ask = asked("When was IAPO founded?")
    assert not says_act(ask, "As a founding member of the Alliance, IAPO joined its statement in February 2024.")
    assert says_act(ask, "IAPO was founded in 1999 by patients' organisations.")
    assert says_act(ask, "Since its founding in 1999, IAPO has grown to 270 members.")


def test_an_act_institutions_write_in_other_words_is_said_and_two_actors_are_no_act() -> None:
    ask = asked("When did WHO and FAO hold the Second International Conference on Nutrition?")
    assert ask.kind is Kind.DATE and ask.relation == "hold"
    assert says_act(ask, "In November 2014, WHO organized, jointly with FAO, the Second International Conference.")
    assert says_act(ask, "The conference was convened in Rome in November 2014.")
    assert not says_act(ask, "The conference ended in November 2014.")
    assert says_act(asked("When did the Assembly adopt the plan?"), "The Assembly endorsed the plan in May 2013.")
    assert not says_act(ask, "The World Health Organization published its report in November 2014.")  # no act
    assert not says_act(ask, "Hosting costs rose in 2014.")
    assert asked("When did WHO and the World Bank sign the agreement?").relation == "sign"
    carried = asked("When did the IPC Global Unit carry out the update of the review?")
    assert says_act(carried, "The update was conducted between November 2015 and March 2016.")
    assert says_act(carried, "The Unit carried out the update in 2016.")
    assert not says_act(carried, "The update was published in 2016.")


def _holds(question: str, sentence: str) -> float:
    return holds(asked(question), sentence, content_stems(question))


def test_a_count_must_count_the_asked_noun() -> None:
    q = "How many member organisations does IAPO have?"
    assert _holds(q, "IAPO has 276 member organisations in 71 countries.") == 1.0
    assert _holds(q, "The IAPO newsletter now reaches 12,000 subscribers.") == 0.5
    assert _holds(q, "IAPO represents patients around the world.") == 0.0


@pytest.mark.parametrize(
    ("question", "good", "bad"),
    [
        ("When did the group meet?", "The group met on 30 March 2015 in Geneva.", "The group met in Geneva."),
        (
            "Who chaired the group?",
            "The group was chaired by Professor Lindsay Grayson.",
            "The group was chaired well.",
        ),
        ("Where was the alliance launched?", "The alliance was launched in Mumbai.", "The alliance was launched."),
        (
            "What percentage of facilities lack water?",
            "Some 38% of facilities lack water.",
            "Many facilities lack water.",
        ),
        ("How long can an opened vial be kept?", "Discard it after 28 days.", "Discard it when it is opened."),
        ("How often should an indicator be used?", "Use it weekly for each sterilizer.", "Use it for each sterilizer."),
        (
            "How often are the guidelines reviewed?",
            "WHO will review these guidelines every 3-5 years.",
            "WHO will review these guidelines when new evidence appears.",
        ),
        (
            "How often is the programme evaluated?",
            "The programme is evaluated every three to five years.",
            "The programme is evaluated by external experts.",
        ),
        (
            "What percentage of health care-associated infections are preventable?",
            "About 55% of health care-associated infections are preventable.",
            "A large percentage of health care-associated infections are preventable.",  # the word, no figure
        ),
        (
            "Why are single-dose vials preferred?",
            "They are preferred because they prevent outbreaks.",
            "Vials are used.",
        ),
        ("What dose of the drug is recommended?", "The dose is 4 mg/kg daily.", "The drug is recommended."),
        (
            "What fine does the agency impose for reusing syringes?",
            "Clinics that reuse syringes are fined US$ 5000.",
            "Reuse of syringes has resulted in pathogen transmission and should be halted immediately.",
        ),
        (
            "How much did the Convention cost?",
            "The plan will cost 36 million over five years.",
            "An estimated 1000 million people live with disabilities.",  # millions counted are no money
        ),
        ("How much will the programme cost?", "It will cost 5 million this year.", "It will reach 5 million children."),
        (
            "What minimum alcohol concentration should hand rubs have?",
            "Hand rubs should contain 60–95% alcohol.",
            "Provide one hand wash basin per 10 beds and alcohol-based hand rubs at each point of care.",
        ),
        (
            "On what date was the resolution adopted?",
            "The Assembly adopted it on 27 May 2013.",
            "It welcomes the plan for 2008–2015 of the 66th Assembly.",
        ),
        ("In which month does the board meet?", "The board meets in January.", "The board met in 2013."),
        (
            "Which countries voted against the resolution?",
            "The resolution was opposed by Israel and the United States of America.",
            "The resolution concerns the occupied Palestinian territory and other Arab occupied territories.",
        ),
    ],
)
def test_a_sentence_holds_the_asked_kind(question: str, good: str, bad: str) -> None:
    assert _holds(question, good) == 1.0
    assert _holds(question, bad) == 0.0


_CHAIR = "Who chaired the Guidelines Development Group?"
_DG_NAME = "What is the name of the Director-General asked to report?"
_WHO_DG = "Who is the Director-General of WHO?"
_IAPO_CEO = "What is the name of the CEO of IAPO?"
_INDICATORS = "How many indicators does the framework contain?"
_BESIDES_JAPAN = "Which countries besides Japan funded the guidelines?"
_BESIDES_USA = "Which countries besides the United States of America signed?"


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        # people counted by what they are: a figure about something else is about another subject
        ("How many people worldwide are blind?", "Some 39 million people are blind.", 1.0),
        ("How many people worldwide are blind?", "Globally, 80% of all visual impairment can be prevented.", 0.5),
        # capitalised words that name a body are no person
        (_CHAIR, "The group was chaired by the director of the Department of Service Delivery and Safety.", 0.5),
        (_CHAIR, "A review was commissioned through Infection Prevention research groups.", 0.5),
        (_CHAIR, "The Steering Group drafted the initial scoping document.", 0.5),
        (_CHAIR, "The group was chaired by Lindsay Grayson (Austin Health).", 1.0),
        # another body's person: "the Director-General of WHO" is not IFPMA's
        (_WHO_DG, "Thomas Cueni, IFPMA Director General stressed that trust is key.", 0.5),
        (_WHO_DG, "Dr Tedros Adhanom Ghebreyesus, Director-General of WHO, opened the meeting.", 1.0),
        (_WHO_DG, "Dr Tedros Adhanom Ghebreyesus, Director-General of the World Health Organization, spoke.", 1.0),
        (_WHO_DG, "Anthony Lake, Director-General of UNICEF, spoke at the launch.", 0.5),
        (_WHO_DG, "The Director-General, Dr Tedros Adhanom, opened the meeting on NCDs.", 1.0),  # NCDs is no body
        (_IAPO_CEO, "Thomas Cueni, IFPMA CEO, welcomed the note.", 0.5),
        (_IAPO_CEO, "Kawaldip Sehmi, IAPO Chief Executive, welcomed the note.", 1.0),
        # the name of a person the question names by their role: the role is no name
        (_DG_NAME, "The Director-General, Dr Margaret Chan, was asked to report.", 1.0),
        (_DG_NAME, "REQUESTS the Director-General to report to the Sixty-eighth World Health Assembly in 2015.", 0.5),
        # a footnote mark glued to the counted noun does not hide it
        (_INDICATORS, "The framework includes the set of 25 indicators1 capable of application.", 1.0),
        (_INDICATORS, "The framework has nine voluntary global targets1 and a plan.", 0.5),
        # a country the question names is no answer
        (_BESIDES_JAPAN, "The guidelines were funded by Japan.", 0.0),
        (_BESIDES_JAPAN, "The guidelines were funded by Japan and the United Kingdom.", 1.0),
        ("Which country hosted the meeting?", "The meeting took place in Nigeria.", 1.0),
        (_BESIDES_USA, "The United States of America signed.", 0.0),
        (_BESIDES_USA, "The United States of America and Brazil signed.", 1.0),
    ],
)
def test_what_a_sentence_holds_of_the_asked_subject(question: str, sentence: str, expected: float) -> None:
    assert _holds(question, sentence) == expected


def test_a_footnote_mark_is_not_a_figure() -> None:
    q = "How many people are blind?"
    assert _holds(q, "Having considered the plan on universal eye health; 4 Recalling resolution WHA56.26;") == 0.0
    assert _holds(q, "Recalling the Political Declaration on Non-communicable Diseases,1 which acknowledges it;") == 0.0
    assert _holds(q, "Some 39 million people are blind; 4 in 5 could have been treated.") == 1.0
    assert _holds(q, "The survey counted 1,250 people, 12 of them blind.") == 1.0


def test_a_qualified_count_is_of_its_plural_noun_not_its_qualifier() -> None:
    """ "How many malaria deaths …" counts deaths: a figure near "malaria" alone counts something else (a
    prevalence, participants). A bare plural, or a noun followed by its act, qualifies nothing."""
    question = "In the reactive IRS trial, how many malaria deaths were reported in the standard IRS arm?"
    assert asked(question).counted == "malaria deaths"
    prevalence = "Prevalence of malaria Odds ratio 0.32 (CI 95% 0.15 — 0.8) Based on data from 4,082 participants."
    assert _holds(question, prevalence) == 0.5
    assert _holds(question, "Twelve malaria deaths were reported in the standard IRS arm.") == 1.0
    assert _holds("How many hand wash basins per bed?", "At least one hand wash basin per 10 beds.") == 1.0
    assert asked("How many countries signed it?").counted is None
    assert asked("How many cases reported symptoms at this point?").counted is None  # "reported" is its act
    assert asked("How many people worldwide are blind?").counted is None
    note = describe_missing(asked(question), ["deaths", "arm"], kind_missing=False, uncounted=True)
    assert note == ("No count of “malaria deaths” was found in the closest passages, and they do not mention “arm”.")


def test_an_effect_estimate_counts_nothing() -> None:
    """A rate ratio, its interval's bounds and its confidence level are no count of what the row measures:
    "How many malaria cases have the nets prevented?" is not answered by "Malaria case incidence … 0.9"."""
    question = "How many malaria cases have pyrethroid-pyriproxyfen nets prevented across Africa so far?"
    row = "Malaria case incidence Rate ratio 0.9 (CI 95% 0.73 — 1.13) Based on data from 63,163 participants."
    assert _holds(question, row) == 0.5  # a figure (the participants), of something else
    assert _holds(question, "It reduced malaria cases (rate ratio: 0.74; 95% CI: 0.56–0.98; four studies).") == 0.0
    assert _holds(question, "The nets prevented 12,000 malaria cases in 2020.") == 1.0


def test_an_ordinal_is_not_a_figure() -> None:
    q = "What is the target of the plan?"
    assert _holds(q, "Report to the Seventy-third World Health Assembly in 2020 on progress with the plan.") == 0.0
    assert _holds(q, "Report to its Twenty-first session on progress with the plan.") == 0.0
    assert _holds(q, "The plan aims to cut the burden by a third by 2019.") == 1.0
    assert _holds("How many Member States voted in favour?", "Sixty-five Member States voted in favour.") == 1.0
    assert _holds("How many members abstained?", "Guidance is one of the key functions of the members.") == 0.0
    assert _holds("How many members abstained?", "One member abstained.") == 1.0
    assert _holds("How many abstained?", "Only one of them abstained.") == 1.0  # "one of" that counts


def test_a_counted_unit_asks_a_measure_of_what_it_weighs() -> None:
    q = "How many grams of fruit and vegetables a day does WHO advise eating?"
    a = asked(q)
    assert (a.kind, a.measure, a.subject) == (Kind.QUANTITY, "weight", {stem("fruit")})
    assert _holds(q, "Eat at least 5 portions of fruit and vegetables a day (at least 400 g).") == 1.0
    assert _holds(q, "Eating at least 400 g, or 5 portions, of fruits and vegetables per day reduces risk.") == 1.0
    assert _holds(q, "The daily intake includes 180 g of grains and 160 g of meat.") == 0.5  # weights of other food
    assert _holds(q, "Eat 5 portions of fruit a day.") == 0.0  # no weight
    assert asked("How many litres of water does a patient need?").measure == "volume"
    assert asked("How many pounds does membership cost?").measure != "weight"  # pounds sterling, as often


@pytest.mark.parametrize(
    ("question", "measure"),
    [
        ("What fine does CDC impose on clinics that reuse syringes?", "money"),
        ("What is the fine for reusing syringes?", "money"),
        ("What is the WHO guideline for fine particulate matter?", None),
        ("What level of excise tax does WHO recommend?", None),
    ],
)
def test_a_fine_asks_for_money_but_fine_particles_do_not(question: str, measure: str | None) -> None:
    assert asked(question).measure == measure


def test_an_amount_of_a_thing_is_a_figure_for_that_thing() -> None:
    question = "What is the maximum amount of potassium adults should take per day?"
    assert asked(question).subject == {"potassium"}
    assert _holds(question, "Adults should consume at least 3510 mg of potassium per day.") == 1.0
    assert _holds(question, "Most people consume 9–12 g of salt per day, and not enough potassium.") == 0.5  # salt's
    assert asked("What dose of artesunate is given?").subject == set()  # a dose is its passage's medicine's


def test_teams_units_and_departments_are_no_people() -> None:
    question = "Who was the director who chaired the Steering Group?"
    teams = "Members came from the People-Centred and Integrated Health Services team and the Epidemic Diseases unit."
    assert _holds(question, teams) == 0.5  # names, but of no person
    assert _holds(question, "Support came from the Quality and Safety Division.") == 0.5
    assert asked("Who serves as the secretariat of the Convention?").kind is Kind.NAME  # a body may
    assert _holds(question, "The Steering Group was chaired by Edward Kelley of WHO.") == 1.0


def test_an_event_marks_a_time() -> None:
    question = "When does the amendment to Financial Regulation 6.6 take effect?"
    assert (
        _holds(question, "The change shall take effect from the closure of the Sixty-sixth World Health Assembly.")
        == 1.0
    )
    assert _holds(question, "The change concerns the closure of accounts.") == 0.0
    report = "When should countries report on progress?"
    assert _holds(report, "The Assembly calls upon Member States to report on progress.") == 0.0


def test_a_year_answers_when_but_not_on_what_date() -> None:
    sentence = "The plan covers 2014–2019."
    assert _holds("When was the plan adopted?", sentence) == 1.0
    assert _holds("In what year was the plan adopted?", sentence) == 1.0
    assert _holds("On what date was the plan adopted?", sentence) == 0.0


def _conflicts(a: Asked, window: str, context: str, passage: str = "") -> bool:
    """Whether the last sentence of `window` speaks of another year or country than `a` asks about."""
    return scope_conflict(a, re.split(r"(?<=\.) ", window)[-1], window, context, passage)


def test_a_year_the_question_names_must_be_the_sentences_year() -> None:
    a = asked("How many members joined in 2023?")
    assert _conflicts(a, "In 2024, 40 members joined.", "Annual report 2024")
    assert not _conflicts(a, "In 2023, 40 members joined.", "Annual report 2024")
    assert not _conflicts(a, "Forty members joined.", "Annual report 2023")
    assert _conflicts(a, "Forty members joined.", "Annual report 2024")
    assert not _conflicts(asked("How many members joined?"), "In 2024, 40 members joined.", "")


def test_a_sentence_naming_no_year_takes_its_passages_year_before_its_documents() -> None:
    a = asked("In the 2015 survey, how many members had a programme?")
    survey = "A survey published in 2015 asked every member. It found gaps. Forty members had a programme."
    assert not _conflicts(a, "It found gaps. Forty members had a programme.", "Report 2016", survey)
    later = "A survey published in 2014 asked every member. It found gaps. Forty members had a programme."
    assert _conflicts(a, "It found gaps. Forty members had a programme.", "Report 2016", later)
    assert _conflicts(a, "In 2016, forty members had a programme.", "Report 2016", survey)


def test_a_country_the_question_is_about_must_be_the_sentences_country() -> None:
    a = asked("What is Austria's estimated share of the population infected by 28 March?")
    assert a.places == {"AT"}
    assert _conflicts(a, "In Italy, 9.8% of the population had been infected by 28 March.", "Report")
    assert not _conflicts(a, "In Italy, 9.8% were infected. In Austria, 1.1% were infected.", "Report")
    # the sentence's own countries decide: a neighbour naming Austria does not make Italy's figure Austria's
    assert _conflicts(a, "In Austria, 1.1% were infected. In Italy, 9.8% were infected.", "Report")
    # a sentence naming no country takes its neighbours'; with none named there either it is not judged
    assert not _conflicts(a, "In Austria, testing was limited. The attack rate was 1.1%.", "Report")
    assert _conflicts(a, "In Italy, testing was limited. The attack rate was 1.1%.", "Report")
    assert not _conflicts(asked("What did Austria's report recommend?"), "Testing should be widened.", "Report")
    assert _conflicts(a, "The attack rate was 1.1%.", "Report")  # a figure for no named country is not Austria's
    assert not _conflicts(a, "The attack rate was 1.1%.", "Austria: a report")  # unless its document is Austria's
    # one country under its several names
    usa = asked("When was the first case confirmed in the USA?")
    assert not _conflicts(usa, "On 15 January 2020 the CDC confirmed the first case in the United States.", "")
    assert asked("What did South Korea report?").places == asked("What did Korea report?").places == {"KR"}
    assert asked("What did Nigeria report?").places == {"NG"}  # not Niger
    # countries asked for are the answer, not the scope
    assert asked("Which countries voted against Italy's proposal?").places == set()


def test_a_figure_pooled_over_several_countries_is_not_one_countrys() -> None:
    a = asked("What is Austria's estimated share of the population infected by 28 March?")
    pooled = "Across all 11 countries, between 1.88% and 11.43% of the population had been infected by 28 March."
    assert _conflicts(a, pooled, "Report")
    assert _conflicts(a, "In 11 European countries, 2% to 11% of the population had been infected.", "Report")
    assert _conflicts(a, "In both countries, 3% had been infected.", "Report")
    smokers = asked("What percentage of adults in Austria smoke daily?")
    assert not _conflicts(smokers, "It remains one of the countries where 21% of adults smoke daily.", "Austria")
    # unless the asked country is among those it names, or stands beside it
    assert not _conflicts(a, "Across both countries, Austria and Italy, 1% to 9% had been infected.", "Report")
    assert not _conflicts(a, "In Austria, testing was limited. Across both countries, 1% had been infected.", "")
    # a question about several countries, or none, is not judged by it
    assert not _conflicts(asked("What share of Austria and Italy was infected?"), pooled, "Austria and Italy: a report")
    assert not _conflicts(asked("What share of the population was infected?"), pooled, "Report")
    # a figure asked for a country is not one from a passage and document that never name it
    nigeria = asked("How much does seasonal malaria chemoprevention cost per child in Nigeria?")
    saving = "The net cost saving per child was between US$ 19.12 and US$ 25.71."
    assert scope_conflict(nigeria, saving, saving, "WHO guidelines for malaria", saving)
    assert not scope_conflict(
        nigeria, saving, saving, "WHO guidelines for malaria", f"In Nigeria, a trial ran. {saving}"
    )
    assert not scope_conflict(nigeria, saving, saving, "Malaria in Nigeria: a review", saving)
    beside = "A trial ran in Nigeria in 2019."  # the passage just before it names the country
    assert not scope_conflict(nigeria, saving, saving, "WHO guidelines for malaria", saving, beside)
    assert not scope_conflict(asked("What did Nigeria's trial find?"), saving, saving, "Guidelines", saving)
    assert asked("How many cases of Guinea worm disease were reported in 2022?").places == set()  # a disease
    named = "WHO Nigeria malaria plan 2021"  # the words of a file name that is its country's
    assert not scope_conflict(nigeria, saving, saving, "National malaria plan", saving, named)
    # what all countries should do is asked of each
    assert not _conflicts(asked("What should Austria do to stop the spread?"), "All countries should test widely.", "")
    # likewise a figure asked for one medicine, from a passage and document that never name it
    oxytocin = asked("How many lives could be saved by improving access to oxytocin alone?")
    lives = "The report estimates that six million lives can be saved by improving access to 13 commodities."
    assert scope_conflict(oxytocin, lives, lives, "Life-saving commodities", lives)
    assert not scope_conflict(oxytocin, lives, lives, "Life-saving commodities", f"{lives} Annex: 1 Oxytocin.")


def test_the_level_a_question_asks_about_must_be_the_sentences() -> None:
    """What national programmes are to do, and the evidence for it, is not what is recommended at facility
    level; a sentence naming no level, or both, is not judged by it, nor is a name ("National Institute")."""
    a = asked("How many studies was the recommendation that national IPC programmes coordinate strategies based on?")
    assert a.levels == {"national"}
    facility = "Evidence from 44 studies shows that IPC activities at facility level using these strategies work."
    assert _conflicts(a, facility, "")
    assert not _conflicts(a, "Evidence from 14 studies shows that the national roll-out of strategies works.", "")
    assert not _conflicts(a, "Evidence from 14 studies supports the strategies.", "")
    assert not _conflicts(a, "National programmes support facility-level work, as 14 studies show.", "")
    assert asked("What did the National Institute for Health Research fund?").levels == set()


def test_a_world_region_the_question_names_must_be_the_sentences() -> None:
    a = asked("Which resolution of the Regional Committee for Africa does WHA66.23 recognize?")
    assert a.regions == {"africa"}
    assert asked("What did the WHO African Region report?").regions == asked("What did AFRO report?").regions
    searo = "Recognizing the Dhaka Declaration adopted by the Regional Committee for South-East Asia;"
    assert _conflicts(a, searo, "WHA66.23")
    assert not _conflicts(a, "Recognizing the workforce initiatives in sub-Saharan Africa;", "WHA66.23")
    # a region is not its countries: a sentence naming Nigeria is not judged against Africa
    assert not _conflicts(a, "Nigeria adopted a plan on workforce education.", "WHA66.23")
    assert asked("What did European Union members agree?").regions == set()  # no region: a union of states
    # South-East Asia is in Asia: it answers for Asia, not Asia for it
    assert not _conflicts(asked("What did IAPO call for in Asia?"), "In the South-East Asia Region, IAPO spoke.", "")
    # a follow-up's own region replaces the one carried along from the question before it
    carried = QuestionTerms.of(
        "What did IAPO call for in Africa? and what about in Asia?", {}, "and what about in Asia?"
    )
    assert carried.asked.regions == {"asia"}


def test_a_product_the_question_names_by_its_code_must_be_the_sentences() -> None:
    a = asked("What is the shelf life of the R21/Matrix-M malaria vaccine?")
    assert a.codes == {"R21"}
    assert _conflicts(a, "The shelf life of the RTS,S/AS01 vaccine is three years.", "Malaria guidelines")
    assert not _conflicts(a, "The shelf life of the R21/Matrix-M vaccine is two years.", "Malaria guidelines")
    # a sentence naming no product takes its passage's: a trial table of RTS,S/AS01 is not about R21
    trial = "Efficacy of RTS,S/AS01 in children. Four dose group: 61 deaths in 2976 children."
    assert _conflicts(a, "Four dose group: 61 deaths in 2976 children.", "Malaria guidelines", trial)
    assert asked("What did WHA66.10 adopt in 2013?").codes == set()  # a resolution's symbol is no product code
    assert asked("How many cases of COVID-19 were there?").codes == set()


def test_a_region_no_close_passage_mentions_is_refused_by_name() -> None:
    q = QuestionTerms.of(
        "Which eHealth resolution of the Regional Committee for South-East Asia does WHA66.24 recognize?", {}
    )
    recitals = [
        _hit(1, "Recognizing that the Regional Committee for Africa adopted resolution AFR/RC60/R3 on eHealth;")
    ]
    assert absent_bodies(q, recitals) == ["South-East Asia"]  # not also "Asia", the region it lies in
    assert (
        absent_bodies(q, [_hit(2, "Regional Committee for South-East Asia resolution SEA/RC66/R5 on eHealth.")]) == []
    )
    africa = QuestionTerms.of("How many malaria deaths were there in Africa?", {})
    assert absent_bodies(africa, [_hit(1, "Most deaths were of African children under five.")]) == []
    europe = QuestionTerms.of("How many people die each year in Europe from resistant infections?", {})
    assert absent_bodies(europe, [_hit(1, "In the EU/EEA, 35 000 people die each year.")]) == []


def test_the_askers_own_people_are_no_terms() -> None:
    q = QuestionTerms.of("My uncle has liver disease. Which malaria pills should he avoid?", {})
    assert "uncle" not in q.rare.values() and "liver" in q.rare.values()
    son = QuestionTerms.of("My son was treated for malaria and it came back. Should my daughter be tested?", {})
    assert not {"son", "daughter"} & set(son.rare.values()) and "malaria" in son.rare.values()
    boy = QuestionTerms.of("My little boy is sick and our clinic is far. Can I take my Coartem tablets?", {})
    assert not {"little", "boy", "clinic"} & set(boy.rare.values())
    assert {"sick", "Coartem", "tablets"} <= set(boy.rare.values())  # a name or a thing they ask about stays


def test_the_subject_matter_a_question_asks_for_is_no_term() -> None:
    q = QuestionTerms.of("What subject does the online training resource that IAPO made with WHO cover?", {})
    assert "subject" not in q.rare.values() and "training" in q.rare.values()
    topics = QuestionTerms.of("Which topics did the webinar on waste cover?", {})
    assert "topics" not in topics.rare.values() and "webinar" in topics.rare.values()
    paper = QuestionTerms.of("In which newspaper was the op-ed published?", {})
    assert "newspaper" in paper.rare.values()  # a thing of its own, which a sentence naming the paper writes


def test_the_words_naming_a_document_are_held_by_its_passages() -> None:
    q = QuestionTerms.of("How often can red meat be eaten, according to WHO EMRO's healthy diet fact sheet?", {})
    assert "sheet" not in q.rare.values() and "fact" in q.rare.values()  # the kind of document is no term
    sheet = replace(
        _hit(1, "Red meat can be eaten 1-2 times per week."), source="WHO_EMRO_healthy_diet_factsheet_2019.pdf"
    )
    assert absent_bodies(q, [sheet]) == [] and "EMRO" not in missing_terms(q, [sheet])
    assert absent_bodies(q, [_hit(1, "Red meat can be eaten 1-2 times per week.")]) == ["EMRO"]
    # a text by the Regional Office for the Eastern Mediterranean is EMRO's, whatever its file is called
    office = _hit(2, "Regional Office for the Eastern Mediterranean. Red meat can be eaten 1-2 times per week.")
    assert absent_bodies(q, [office]) == []


def test_a_numbered_instrument_the_question_names_must_be_the_sentences() -> None:
    a = asked("What period does the Thirteenth General Programme of Work cover?")
    assert a.numbered == {13}
    assert _conflicts(a, "APPROVES the Twelfth General Programme of Work, 2014–2019;", "WHA66.1")
    assert not _conflicts(a, "The Thirteenth General Programme of Work covers 2019–2023.", "")
    assert not _conflicts(a, "The 13th General Programme of Work covers 2019–2023.", "")
    assert not _conflicts(a, "The programme covers 2019–2023.", "")
    assert numbered("the Sixty-sixth World Health Assembly; the Seventy-third World Health Assembly") == set()
    assert numbered("the Twenty-first Replenishment; the 2nd Global Forum; North America; the first time") == {21, 2}
    # a date, a war, a person, a trimester name no instrument
    assert numbered("on 31st December; the Second World War; the First Lady; the First Trimester") == set()
    assert asked("What did the Sixty-sixth World Health Assembly adopt?").numbered == set()  # a session: its date


def test_a_numbered_instrument_no_close_passage_names_is_refused_by_name() -> None:
    q = QuestionTerms.of("Where was the Second Global Ministerial Conference on Healthy Lifestyles held?", {})
    first = [
        _hit(1, "Welcoming the Moscow Declaration of the First Global Ministerial Conference on Healthy Lifestyles.")
    ]
    assert absent_bodies(q, first) == ["Second Global Ministerial Conference"]
    assert absent_bodies(q, [_hit(2, "The second global ministerial conference was held in Moscow.")]) == []
    assert absent_bodies(q, [_hit(3, "The 2nd Global Ministerial Conference was held in Moscow.")]) == []
    icd = QuestionTerms.of("When did the Eleventh Revision of the ICD come into effect?", {})
    assert absent_bodies(icd, [_hit(4, "ICD-11 came into effect on 1 January 2022.")]) == []


def test_a_dose_the_question_states_must_be_the_sentences_in_its_unit() -> None:
    """ "The 0.5 mg/kg/day course" is not answered by "1.0 mg/kg/day … is not recommended", another regimen; a
    dose in another unit (an adult's 30 mg) or a range holding it is not judged."""
    a = asked("Who should not be given the seven-day primaquine course (0.5 mg/kg/day) for vivax malaria?")
    assert a.doses == {"0.5 mg/kg"}
    assert _conflicts(a, "Primaquine 1.0 mg/kg/day for seven days is not recommended.", "")
    assert not _conflicts(a, "Primaquine 0.5 mg/kg/day for seven days is recommended, except in pregnancy.", "")
    assert not _conflicts(a, "Give 0.25–0.5 mg/kg bw per day of primaquine, up to 30 mg.", "")
    assert not _conflicts(a, "Adults take primaquine 30 mg a day.", "")
    assert doses("25 mg base/kg, then 200 µg and 1,5 ml") == {"25 mg/kg", "200 µg", "1.5 ml"}


def test_a_medicine_the_question_names_must_be_the_sentences() -> None:
    a = asked("What tafenoquine dose does the guideline recommend for radical cure?")
    assert a.medicines == {"tafenoquine"}
    assert _conflicts(a, "Therapeutic dose: 0.25–0.5 mg/kg bw per day primaquine once a day for 14 days.", "")
    assert not _conflicts(a, "Tafenoquine is given as a single 300 mg dose.", "")
    assert not _conflicts(a, "Primaquine is given for 14 days. Tafenoquine is given as a single dose.", "")
    # naming none, the sentence is judged by its passage and document: a figure for a medicine they never name
    assert not _conflicts(a, "The dose is given once.", "", "Tafenoquine for radical cure. The dose is given once.")
    assert not _conflicts(a, "The dose is given once.", "Tafenoquine: a review")
    assert _conflicts(a, "The dose is given once.", "", "Radical cure. The dose is given once.")
    both = asked("What dose of artemether + lumefantrine should a 20 kg child receive?")
    assert both.medicines == {"artemeter", "lumefantrine"}  # spelled one way: "th" as "t"
    assert _conflicts(both, "Children under 20 kg should receive a higher dose of artesunate.", "")
    assert not _conflicts(both, "Artemether–lumefantrine is given twice a day for 3 days.", "")
    mefloquine = asked("What daily dose of artesunate + mefloquine should a 12 kg child receive?")
    assert _conflicts(mefloquine, "The target doses are 4 mg/kg artesunate and 10 mg/kg amodiaquine a day.", "")
    assert not _conflicts(mefloquine, "Give artesunate 50 mg and mefloquine 110 mg a day.", "")
    assert not _conflicts(mefloquine, "Give artesunate and mefloquine with primaquine.", "")  # a partner added
    assert _conflicts(mefloquine, "Children under 20 kg should receive a higher dose of artesunate.", "")  # alone
    either = asked("What doses of primaquine and tafenoquine are recommended?")  # two medicines, no combination
    assert not either.combination and not _conflicts(either, "Primaquine is given for 14 days.", "")
    choice = asked("Is amoxicillin or azithromycin recommended for pneumonia in children?")
    assert not _conflicts(choice, "Amoxicillin is recommended; gentamicin is added in severe cases.", "")
    mixed = asked("What is the dose of sulfadoxine-pyrimethamine for IPTp, and of amodiaquine?")
    assert mixed.combination == {"sulfadoxine", "pirimetamine"}
    assert not _conflicts(mixed, "Amodiaquine is given at 10 mg/kg a day.", "")  # the other medicine asked
    assert _conflicts(mixed, "Sulfadoxine alone is no longer used.", "")  # half the combination
    assert medicines("Zanamivir, amoxicillin, oxytocin and misoprostol; artemisinin-based therapy") == {
        "zanamivir",
        "amoxicillin",
        "oxitocin",
        "misoprostol",
    }  # a class of medicines is no one medicine
    # one medicine under its spellings and prefixes
    co = asked("Should IPTp-SP be given to women receiving cotrimoxazole?")
    assert not _conflicts(co, "IPTp-SP should not be given to individuals receiving co-trimoxazole.", "")
    assert medicines("sulphadoxine, sulfadoxine, aciclovir, acyclovir, meticillin, methicillin") == {
        "sulfadoxine",
        "aciclovir",
        "meticillin",
    }


def test_a_country_set_aside_or_named_in_passing_is_no_scope() -> None:
    assert asked("How many cases did the first exportation event outside China suggest?").places == set()
    assert asked("How many countries other than Italy reported cases?").places == set()
    assert countries("US$ 5 million; 20 US dollars; Jordan et al. reported; guinea pigs; New Mexico") == set()
    assert countries("the Democratic Republic of the Congo and Brazzaville, Congo") == {"CD", "CG"}
    assert countries("the Democratic Republic of Congo (DRC)") == {"CD"}
    assert countries("Northern Ireland") == countries("the United Kingdom") == {"GB"}


@pytest.mark.parametrize(
    ("question", "kind", "measure"),
    [
        ("What nurse-to-patient ratio does the guideline recommend?", Kind.QUANTITY, "ratio"),
        ("How much does seasonal malaria chemoprevention cost per child?", Kind.QUANTITY, "money"),
        ("When is washing with soap better than hand gel?", Kind.TIME_OR_CONDITION, None),
        ("When is World Patient Safety Day?", Kind.TIME_OR_CONDITION, None),
        ("When was WHA66.10 adopted?", Kind.DATE, None),
    ],
)
def test_ratios_costs_and_when_is_questions_ask_for_their_kind(question: str, kind: Kind, measure: str | None) -> None:
    a = asked(question)
    assert (a.kind, a.measure) == (kind, measure)


def test_a_ratio_is_one_count_against_another_and_reference_numbers_are_no_figures() -> None:
    basins = asked("What ratio of basins to beds does WHO recommend?")
    assert basins.subject == {"basin", "bed"}
    assert holds(basins, "WHO recommends one hand wash basin per every 10 beds.", set()) == 1.0
    ratio = asked("What nurse-to-patient ratio does the guideline recommend?")
    assert ratio.subject == {"nurs", "patient"}
    assert holds(ratio, "The nurse-to-patient ratio should be 1:2 in intensive care.", set()) == 1.0
    assert holds(ratio, "One nurse for every two patients is advised.", set()) == 1.0
    assert holds(ratio, "A higher ratio of one infection preventionist per 100 beds is advised.", set()) == 0.5
    preventionist = "A ratio of one infection preventionist (nurse or doctor) per 250 beds should be available."
    assert holds(ratio, preventionist, set()) == 0.5  # a ratio of nurses, but to beds: both counts are asked
    assert holds(ratio, "Three studies reported that higher nurse-to-patient ratios reduced HAI.", set()) == 0.0
    assert holds(ratio, "Increases in nurse-to-patient ratios reduced HAI (316, 317, 319).", set()) == 0.0
    assert holds(ratio, "Patients were assigned to one of three wards.", set()) == 0.0
    count = asked("How many infections were reported?")
    assert holds(count, "Infections fell after training (316, 317, 319).", set()) == 0.0
    assert holds(count, "Infections fell after training [25–27].", set()) == 0.0
    assert holds(count, "Twelve infections were reported (12).", set()) == 1.0


def test_a_change_asked_for_needs_a_sentence_stating_a_change_not_a_level() -> None:
    target = asked("What percentage reduction in avoidable visual impairment does the action plan set as its target?")
    assert (target.kind, target.measure) == (Kind.PERCENT, "change")
    assert holds(target, "Recognizing that 80% of all visual impairment can be prevented or cured;", set()) == 0.0
    assert holds(target, "The target is to reduce avoidable visual impairment by 25% by 2019.", set()) == 1.0
    fall = asked("By how much did malaria deaths fall between 2000 and 2015?")
    assert (fall.kind, fall.measure) == (Kind.QUANTITY, "change")
    assert holds(fall, "Malaria deaths fell by 60 percent.", set()) == 1.0
    assert holds(fall, "There were 438 000 malaria deaths in 2015.", set()) == 0.0
    assert holds(asked("By what percentage did coverage increase?"), "Coverage went from 38% to 52%.", set()) == 1.0
    outcome = asked("How much does each dose of IPTp-SP reduce low birthweight compared with no IPTp-SP?")
    assert (outcome.kind, outcome.measure) == (Kind.QUANTITY, "change")
    assert holds(outcome, "IPTp-SP reduces low birthweight (risk ratio: 0.75; 95% CI: 0.70–0.81).", set()) == 1.0
    assert holds(outcome, "IPTp-SP reduces placental infection (risk ratio: 0.78; 95% CI: 0.74–0.84).", set()) == 0.5
    smc = asked("By how much does seasonal malaria chemoprevention reduce clinical malaria in children under five?")
    farther = (  # the outcome is named further before the brackets than the figure's own few words
        "SMC given to children <5 years old reduced the risk of clinical malaria by almost three quarters (risk ratio: "
        "0.27; 95% CI: 0.25–0.29) during the transmission season."
    )
    assert holds(smc, farther, set()) == 1.0
    assert (
        holds(
            smc, "SMC reduced the prevalence of anaemia by almost a fifth (risk ratio: 0.82; 95% CI: 0.7–0.9).", set()
        )
        == 0.5
    )
    share = asked("What percentage of facilities reduced their waste?")
    assert share.measure is None  # a share of facilities, not a change
    assert describe_missing(target, [], True) == "No percentage change was found in the closest passages."


@pytest.mark.parametrize(
    ("question", "sentence", "held"),
    [
        # why: a purpose or a result is a reason
        ("Why was the field of virus dynamics developed?", "The field was developed to describe viral load.", 1.0),
        ("Why are serological tests vital?", "Serological studies are vital to understand asymptomatic cases.", 1.0),
        ("Why do low levels of DC-SIGNR enhance transmission?", "HIV-1 binds CCR5, resulting in barrier loss.", 1.0),
        ("Why is the vaccine no longer studied?", "It is no longer studied for several reasons: cost and safety.", 1.0),
        ("Why is the vaccine no longer studied?", "The vaccine was studied in mice.", 0.0),
        ("Why are diets changing?", "Rapid urbanization and changing lifestyles have led to a shift in diets.", 1.0),
        # when: a time told from another event
        ("When did she present with weakness?", "She presented 1 month later with weakness.", 1.0),
        ("When did she present with weakness?", "She presented with weakness and fever.", 0.0),
        # how long: a length as well as a time, and years abbreviated after a figure
        ("How long is the SAIBK gene?", "The genome is 27,534 nucleotides (nt) in length.", 1.0),
        ("How long has the mosquito been established there?", "It has been established for over 300 y.", 1.0),
        ("How long is the SAIBK gene?", "The genome was sequenced by 12 laboratories.", 0.0),
        ("How long should patients be isolated?", "Keep a distance of at least 1 m from other patients.", 0.0),
        ("How long should patients be isolated?", "Patients should be isolated for 14 days.", 1.0),
        # used, required or important "to" is no purpose
        ("Why should health workers perform hand hygiene?", "It is important to note that staff wash hands.", 0.0),
        # a ratio stated as a percentage
        ("What is the infection fatality ratio?", "The population-averaged infection fatality ratio is 1.0%.", 1.0),
    ],
)
def test_reasons_times_lengths_and_ratios_in_the_forms_documents_state_them(
    question: str, sentence: str, held: float
) -> None:
    assert _holds(question, sentence) == held


def test_why_asks_a_reason_and_the_number_of_asks_a_count_only_as_what_is_asked() -> None:
    assert asked("Why is it impossible to say which individual intervention had the greatest effect?").kind is (
        Kind.REASON
    )
    assert asked("What is a well known approach to model the true number of infected individuals?").kind is (Kind.OTHER)
    assert asked("What was the total number of cases in 2019?").kind is Kind.QUANTITY
    assert asked("Number of member organisations in 2024?").kind is Kind.QUANTITY


def test_an_era_is_no_year() -> None:
    assert asked("What does the post-2015 development agenda say about health?").years == set()
    assert asked("What did the 2015 report say?").years == {"2015"}


@pytest.mark.model
def test_a_sentence_about_another_country_is_not_quoted(minilm_answerer: ExtractiveAnswerer) -> None:
    question = "What share of Germany's population had been infected by 28 March?"
    passage = (
        "In Italy, our results suggest that 9.8% of the population had been infected by 28 March. "
        "Germany is estimated to have one of the lowest attack rates, at 0.7% of its population."
    )
    answer = _ask(minilm_answerer, question, _respond(question, [passage]))
    assert answer.answerable, answer.answer
    assert "0.7%" in answer.answer
    assert "Italy" not in answer.answer


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2.3 Infection prevention and control programmes", "heading"),
        ("What is the evidence for hand hygiene?", "question"),
        ("and the facilities were assessed by the team.", "fragment"),
        ("Figure 3. Flow of the systematic review process.", "caption"),
        ("Table 2: Core components and their recommendations.", "caption"),
        (
            "Allegranzi B, Nejad SB, Combescure C, et al. Burden of endemic infection. Lancet. 2011;377:228–41.",
            "reference",
        ),
        ("Thwing J, et al. Seasonal malaria chemoprevention in the Sahel.", "reference"),
        ("Smith et al. (2019). Phage display in vaccine design.", "reference"),
        ("Verity, R. et al. Estimates of the severity of COVID-19 disease.", "reference"),
        ("G, Brozek J, et al. GRADE guidelines: 1.", "reference"),
        ("Wang, D., Hu, B., Hu, C., et al. Clinical characteristics of patients.", "reference"),
        ("Garcia-Rodriguez JF, Alvarez-Diaz H, Lorenzo-Garcia MV, et al. Epidemiology and impact.", "reference"),
        ("T. et al. Report 12: The Global Impact of COVID-19.", "reference"),
        ("Smith J, Jones K. Phage display. Journal of Virology, 12(3), 45–67.", "reference"),
        ("Introduction .......................................... 12", "contents"),
        ("The genome is closest to the strain SC021202 (GenBank accession no.", "fragment"),
        ("1The systematic review considered 210 mg of primaquine over eight weeks as the minimum.", "footnote"),
        ("Please refer to the WHO policy brief for the implementation of IPTp-SP [100].", "pointer"),
        ("See Annex 6 for the financial and administrative implications of this resolution.", "pointer"),
        (
            "Not evaluated using GRADE; based on modelling 5.2.2.2 Parenteral alternatives when artesunate is not "
            "available (2015) If artesunate is not available, artemether should be used.",
            "heading",
        ),
        (
            "Population: Children aged 5 months or older Intervention: Four doses of the vaccine Comparator: No "
            "vaccine.",
            "table",
        ),
        ("See the [toolkit](https://example.org) for the details.", "markup"),
        ("12 34 56 78 90 11 22 33 44 55.", "table"),
        (
            "Dimension no Thematic area 1 Organizational arrangements to implement IPC programmes 2 Targets and "
            "methods of HAI surveillance 3 Methods of educating and training health care workers.",
            "table",
        ),  # a table's rows read as one line
        ("IPC: infection prevention and control; HAI: health care-associated infection;", "table"),  # its key
        ("Regional Office for the Eastern Mediterranean Healthy diet / World Health Organization.", "metadata"),
        ("Key Messages And Recommendations", "heading"),
        ("in health care facilities and", "fragment"),
    ],
)
def test_unquotable_text_is_recognised(text: str, why: str) -> None:
    assert flaw(text) == why


@pytest.mark.parametrize(
    "text",
    [
        "The Guidelines Development Group met on 30 March 2015.",
        "IAPO has 276 member organisations.",
        "“We welcome this guidance,” said Kawaldip Sehmi.",
        "I believe patients must be heard at every level.",
        "The elements of Standard Precautions are as follows:",
        "38% of health care facilities have no water source (WHO/UNICEF, 2015).",
        "Seeing patients early in the second trimester helps.",
        "The dose was raised to 2.4 mg/kg in version 1.2.3 of the protocol.",
        "The analysis used R version 3.6.3 Statistical software as described.",
        "Consult a health worker if the fever lasts more than two days.",
        "See a doctor immediately if the child cannot drink.",
        "The Health Assembly, Having noted the report of the Committee,",
        # in-text citations are part of their sentence
        "The phage is immunogenic without adjuvant in all species tested to date, including mice (Willis et al., 1993).",
        "Eriksson et al. (2007) showed that phage displaying tumour peptides slowed tumour growth.",
        "Additional data confirmed the value of monthly cycles (Thwing et al unpublished evidence).",
        "Ramful et al. theorized that mother-to-child transmission happens shortly before delivery.",
        "Chen et al. [12] reported that the attack rate fell after the lockdown.",
        # a bracket the source never closed, not cut at an abbreviation
        "It reduced incidence (rate ratio: 0.74; 95% CI: 0.56–0.98; four studies; low certainty evidence.",
        "In 2015, 1 in 10 patients had 2 infections and 3 Member States reported outbreaks.",  # no rows counted
        "The WHO: the agency for health; its mandate covers all Member States.",
    ],
)
def test_sentences_are_quotable(text: str) -> None:
    assert flaw(text) is None


def test_a_sentence_giving_a_link_answers_where_to_find_something_and_a_reference_entry_nothing() -> None:
    assert (
        flaw(
            "Additional resources on infection control breaches can be found in CDC’s Steps for Evaluating an Infection "
            "Control Breach (available at: http://www.cdc.gov/hai/outbreaks/steps_for_eval_IC_breach.html)."
        )
        == "link"
    )
    assert asked("Where on the CDC website can I find the steps for evaluating a breach?").link
    assert not asked("What are the sections of the CDC checklist?").link
    assert flaw("World Health Organization; 2009 (http://www.who.int/csr/index.html, accessed 18 October 2016).") == (
        "reference"
    )
    assert flaw("Smith J, Brown K. Hand hygiene in practice. http://www.example.org/hand.pdf.") == "reference"
    assert flaw(
        "To assist with assessments, the reader is referred to the Checklist, which appears as Appendix A."
    ) == ("pointer")


def test_a_reference_says_when_it_was_accessed_and_prose_may_say_accessed() -> None:
    assert flaw("The UHC compass can be accessed as a stand-alone landing page or through the IAPO website.") is None
    assert flaw("Data were retrieved from the national registry for all patients admitted in 2019.") is None
    assert flaw("Global Health Observatory. Geneva: World Health Organization. Accessed 12 May 2020.") == "reference"
    assert flaw("Smith J. Some title of the paper here. Accessed: March 3, 2020.") == "reference"
    assert flaw("WHO. Country profiles of the region. 2019 [cited 2020 Mar 3].") == "reference"
    assert flaw("Smith J. Hand hygiene in the clinic today. Retrieved from the journal site.") == "reference"


def test_an_underscore_or_hash_inside_a_link_is_shown() -> None:
    shown = [s.display for s in candidate_sentences([_hit(0, "See http://www.cdc.gov/steps_for_eval.html#top now.")])]
    assert shown == ["See http://www.cdc.gov/steps_for_eval.html#top now."]
    assert [s.display for s in candidate_sentences([_hit(0, "An **important** and _new_ rule applies here.")])] == [
        "An important and new rule applies here."
    ]


_FACILITIES = (
    "Adequate sanitary facilities should be in place in all health care facilities:\n\n"
    "› a reliable water point with soap close to toilets for patients and staff to wash their hands;\n\n"
    "› dedicated clean storage area for patient care items, and a separate area for the storage of clean linen as "
    "outlined in the WHO manual on decontamination of medical devices (2016);\n\n"
    "› adequate facilities for safe disposal of health care waste."
)


def test_a_footnote_a_page_break_set_between_items_does_not_cut_them_from_their_introduction() -> None:
    text = (
        "2. URGES Member States:\n\n(5) to promote the receipt by informal caregivers of appropriate support;\n\n"
        "3 Document A66/12.\n\n(6) to promote habilitation and rehabilitation through improved provision of "
        "wheelchairs, hearing aids and other assistive technologies;"
    )
    item = next(s for s in candidate_sentences([_hit(0, text)]) if "wheelchairs" in s.display)
    assert item.introduction == "URGES Member States:" and item.flaw is None
    prose = text.replace("3 Document A66/12.", "The Assembly also noted the costs of these programmes.")
    item = next(s for s in candidate_sentences([_hit(0, prose)]) if "wheelchairs" in s.display)
    assert item.introduction is None  # prose between the items: the later one belongs to no introduction seen


def _adjacent(first: str, second: str) -> list[SearchHit]:
    """Two retrieved passages of one document, the second starting where the first ends (after a line break),
    ranked second before first."""
    a = replace(_hit(1, first), doc_id="d", chunk_id="a")
    b = replace(_hit(0, second), doc_id="d", chunk_id="b", char_start=len(first) + 1,
                char_end=len(first) + 1 + len(second))  # fmt: skip
    return [b, a]


def test_a_sentence_opening_its_passage_points_back_into_the_passage_before() -> None:
    hits = _adjacent(
        "The IFPMA and IAPO launched a note for companies. The new note sets out how to protect the independence "
        "of patient organizations.",
        "It advises companies to carefully consider how and when to engage with patients as advisors. Other "
        "news followed.",
    )
    sentences = candidate_sentences(hits)
    opening = next(s for s in sentences if s.display.startswith("It advises"))
    assert opening.previous is None and opening.before is not None
    assert opening.before.display.startswith("The new note sets out")
    alone = candidate_sentences(hits[:1])
    assert next(s for s in alone if s.display.startswith("It advises")).before is None


@pytest.mark.model
def test_an_antecedent_in_the_passage_before_is_quoted_from_its_own_passage(
    minilm_answerer: ExtractiveAnswerer,
) -> None:
    hits = _adjacent(
        "The IFPMA and IAPO launched a note for companies in March. The new advisory note sets out principles of "
        "interaction that protect the independence of patient organizations.",
        "It advises pharmaceutical companies to carefully consider how and when to engage with patients and "
        "caregivers as advisors. The launch was announced in Geneva.",
    )
    question = "What does the advisory note advise pharmaceutical companies to carefully consider?"
    response = _respond(question, [h.text for h in hits])
    answer = _ask(minilm_answerer, question, replace(response, results=hits))
    assert answer.answerable, answer.answer
    assert "The new advisory note sets out principles" in answer.answer and "how and when to engage" in answer.answer
    assert answer.answer.index("The new advisory note") < answer.answer.index("It advises")
    quotes = {c.quote: c.chunk_id for c in answer.citations}
    assert quotes[next(q for q in quotes if q.startswith("The new advisory"))] == "a"
    assert quotes[next(q for q in quotes if q.startswith("It advises"))] == "b"


def test_a_sentence_leading_into_a_list_brings_the_list_for_a_list_question() -> None:
    answerer = ExtractiveAnswerer(HashEmbedder())
    text = (
        "This checklist is a companion to the guide and assists in assessing infection control programs. "
        "The checklist should be used:\n\n1. To ensure that the facility has appropriate policies.\n\n"
        "2. To systematically assess personnel adherence to correct practices.\n\nOther guidance follows here."
    )
    lead = next(s for s in candidate_sentences([_hit(0, text)]) if s.display.startswith("This checklist"))
    group = answerer._complete(lead, Kind.LIST)
    assert group is not None and [s.display[:12] for s in group] == [
        "This checkli", "The checklis", "To ensure th", "To systemati"
    ]  # fmt: skip
    assert _claim(group).text.endswith("should be used: • To ensure that the facility has appropriate policies. "
                                       "• To systematically assess personnel adherence to correct practices.")  # fmt: skip
    assert answerer._complete(lead, Kind.OTHER) is None  # alone it points back to nothing quotable
    pointing = "Despite this, phage remains a useful carrier. This may be especially true of peptides:\n\n- short ones;"
    lead = next(s for s in candidate_sentences([_hit(0, pointing)]) if s.display.startswith("Despite"))
    assert answerer._list_after(lead) is None  # the introduction points back to the lead: no list of its own


def test_a_list_items_neighbouring_items_can_be_left_out_of_its_window() -> None:
    storage = next(s for s in candidate_sentences([_hit(0, _FACILITIES)]) if s.display.startswith("dedicated"))
    assert "wash their hands" in storage.window()
    assert "wash their hands" not in storage.window(items=False)
    assert storage.window(items=False).startswith("Adequate sanitary facilities")  # its introduction stays


@pytest.mark.model
def test_a_sentence_giving_a_link_is_quoted_only_where_a_question_asks_where_to_find_something(
    minilm_answerer: ExtractiveAnswerer,
) -> None:
    passage = (
        "Breaches of infection control require an immediate response by the facility. Guidance on evaluating a "
        "breach can be found in the Steps for Evaluating an Infection Control Breach (available at: "
        "http://www.cdc.gov/hai/outbreaks/steps_for_eval_IC_breach.html)."
    )
    where = "Where can I find the steps for evaluating an infection control breach?"
    assert "steps_for_eval_IC_breach.html" in _ask(minilm_answerer, where, _respond(where, [passage])).answer
    what = "What are the steps for evaluating an infection control breach?"
    assert "http" not in _ask(minilm_answerer, what, _respond(what, [passage])).answer


@pytest.mark.model
@pytest.mark.parametrize(
    ("passage", "question", "quoted", "left_out"),
    [
        (  # a quotation, to its closing mark
            "The note was launched in March 2020. Its director added: “When money is involved, we must avoid the "
            "impression that patient organizations depend on one single company. A wide base of support increases "
            "the independence of all parties.” The note is available in three languages.",
            "Should patient organizations depend on one single company for money?",
            ("we must avoid the impression", "independence of all parties.”"),
            "three languages",
        ),
        (  # a consequence, with the reason before it
            "Space spraying is generally costly and wasteful of resources, and its effect on malaria is unproven. "
            "The GDG therefore felt it necessary to develop a clear recommendation against space spraying for "
            "malaria control. Indoor residual spraying and nets should be prioritized.",
            "Why does WHO advise against space spraying to control malaria?",
            ("Space spraying is generally costly and wasteful", "therefore felt it necessary"),
            "nets should be prioritized",
        ),
    ],
)
def test_a_claim_is_quoted_whole(
    minilm_answerer: ExtractiveAnswerer, passage: str, question: str, quoted: tuple[str, ...], left_out: str
) -> None:
    answer = _ask(minilm_answerer, question, _respond(question, [passage]))
    assert answer.answerable
    assert all(part in answer.citations[0].quote for part in quoted), answer.answer
    assert left_out not in answer.answer


@pytest.mark.model
def test_a_quotation_is_quoted_from_its_start(minilm_answerer: ExtractiveAnswerer) -> None:
    """The sentence naming the speaker closes a quotation its sentence before opens: both are quoted, so no
    closing mark dangles. A closing mark whose opening is not in the passage leaves the sentence alone."""
    passage = (
        'Endorsements from our partners. "As many patient organizations work with industry, it is key to shape '
        "those relationships in a transparent way. The Note will provide a common basis across countries for "
        'companies as well as patient organizations", said Andreas Herdt, Vice Chair of Selbsthilfe Deutschland.'
    )
    question = "Which organisation is Andreas Herdt Vice Chair of?"
    quote = _ask(minilm_answerer, question, _respond(question, [passage])).citations[0].quote
    assert quote.startswith('"As many patient organizations') and quote.endswith("Selbsthilfe Deutschland.")
    cut = 'The Note will provide a common basis for patient organizations", said Andreas Herdt, Vice Chair of Selbsthilfe.'
    quote = _ask(minilm_answerer, question, _respond(question, [f"The board met twice. {cut}"])).citations[0].quote
    assert quote == cut


@pytest.mark.model
def test_an_item_sharing_no_word_with_the_question_borrows_none_from_the_items_beside_it(
    minilm_answerer: ExtractiveAnswerer,
) -> None:
    question = "When should staff wash their hands?"
    answer = _ask(minilm_answerer, question, _respond(question, [_FACILITIES]))
    assert "storage" not in answer.answer and "waste" not in answer.answer


def test_a_recommendations_dated_title_is_left_out_of_its_first_sentence() -> None:
    text = (
        "Treating severe malaria in children (2015) Children weighing < 20 kg should receive a higher dose of "
        "artesunate (3 mg/kg bw per dose) than larger children. In the survey (2019) Italy reported fewer cases."
    )
    assert [s.display for s in candidate_sentences([_hit(0, text)]) if s.flaw is None] == [
        "Children weighing < 20 kg should receive a higher dose of artesunate (3 mg/kg bw per dose) than larger "
        "children.",
        "In the survey (2019) Italy reported fewer cases.",  # a sentence, not a title
    ]
    study = "A study at Imperial College (2020) Imperial modelled the epidemic."
    assert [s.display for s in candidate_sentences([_hit(0, study)])] == [study]
    abbreviated = (
        "Reducing the transmissibility of treated P. falciparum infections (2015) In low-transmission areas, a "
    )
    assert [s.display for s in candidate_sentences([_hit(0, abbreviated + "single dose is given.")])] == [
        "In low-transmission areas, a single dose is given."
    ]


_TABLE = (
    "Country % of total population infected (mean [95% credible interval])\n"
    "Austria 1.1% [0.36%-3.1%]\nBelgium 3.7% [1.3%-9.7%]\nUnited Kingdom 2.7% [1.2%-5.4%]"
)


def test_a_table_laid_out_a_row_per_line_has_named_rows_under_its_headings() -> None:
    table = table_rows(_TABLE)
    assert table is not None
    assert table.header == "Country % of total population infected (mean [95% credible interval])"
    assert [(r.label, _TABLE[r.start : r.end]) for r in table.rows] == [
        ("Austria", "Austria 1.1% [0.36%-3.1%]"),
        ("Belgium", "Belgium 3.7% [1.3%-9.7%]"),
        ("United Kingdom", "United Kingdom 2.7% [1.2%-5.4%]"),
    ]
    budget = table_rows("Year US$\n2013 36 651\n2014 36 651\n2015 36 654\nTotal 109 956")
    assert budget is not None and [r.label for r in budget.rows] == ["2013", "2014", "2015", "Total"]


@pytest.mark.parametrize(
    "text",
    [
        "Austria 1.1%\nBelgium 3.7%\nFrance 3.0%",  # no headings: what the figures are is not said
        "Country Infected\nAustria 1.1%\nBelgium 3.7%",  # two rows are no table to read a row off
        "Country Infected\nAustria 1.1%\nBelgium is estimated at 3.7%.\nFrance 3.0%",  # prose among the rows
        "Country\nInfected\nAustria\nBelgium\n1.1%\n3.7%",  # cells that came out a column at a time
        "Table of contents\nIntroduction 3\nMethods 5\nResults 9",  # pages, not figures
        "A\nB\nC\nD\nE\nAustria 1.1%\nBelgium 3.7%\nFrance 3.0%",  # a row under five lines of cells
    ],
)
def test_text_that_is_no_table_of_named_rows_has_none(text: str) -> None:
    assert table_rows(text) is None


def test_a_table_row_is_a_candidate_under_its_headings_and_stands_alone() -> None:
    hit = _hit(0, "The estimates follow. " + _TABLE)
    rows = [s for s in candidate_sentences([hit]) if s.row]
    assert [(s.row, s.text, s.flaw) for s in rows] == [
        ("Austria", "Austria 1.1% [0.36%-3.1%]", None),
        ("Belgium", "Belgium 3.7% [1.3%-9.7%]", None),
        ("United Kingdom", "United Kingdom 2.7% [1.2%-5.4%]", None),
    ]
    austria = rows[0]
    assert hit.text[austria.start : austria.end] == austria.text  # the quote is the document's own text
    assert austria.claim_text.startswith("Country % of total population infected (mean [95% credible interval]) …")
    # its context is what the table follows and its headings, not Belgium's row beside it
    assert austria.window() == f"The estimates follow. {austria.introduction} {austria.display}"


def test_a_guidelines_recommendation_label_heads_no_quote() -> None:
    text = (
        "Strong recommendation for , Very low certainty evidence Updated Indoor residual spraying (2023) IRS should "
        "be used in areas of ongoing transmission. Practical info Antimalarial medicine Conditional recommendation "
        "for , Low certainty evidence Give SP monthly to pregnant women. Practical info Take primaquine with food."
    )
    assert [s.display for s in candidate_sentences([_hit(0, text)])] == [
        "IRS should be used in areas of ongoing transmission.",
        "Give SP monthly to pregnant women.",
        "Take primaquine with food.",
    ]
    assert strip_section_label("A strong recommendation for action was made.") == 0
    assert strip_section_label("Practical info sessions on hand hygiene were held.") == 0


def test_section_labels_head_no_quote_but_stay_its_context() -> None:
    text = (
        "Abstract: BACKGROUND: Mother-to-child transmission is the main cause of HIV-1 infection in children. "
        "CONCLUSIONS: The study supports the use of the test in the field. WHO recommends: Use soap and water. "
        "Bundle: An implementation tool that improves care. It comprises three to five practices. "
        "Note: Endoscopes should be hung vertically."
    )
    sentences = candidate_sentences([_hit(0, text)])
    assert [s.display for s in sentences] == [
        "Mother-to-child transmission is the main cause of HIV-1 infection in children.",
        "The study supports the use of the test in the field.",
        "WHO recommends: Use soap and water.",  # a clause, not a section's name
        "Bundle: An implementation tool that improves care.",  # a glossary's term is what it defines
        "It comprises three to five practices.",
        "Note: Endoscopes should be hung vertically.",  # a note, quoted with the sentence before it
    ]
    assert [s.label for s in sentences[:3]] == ["Abstract: BACKGROUND:", "CONCLUSIONS:", None]
    assert "CONCLUSIONS:" in sentences[1].window()  # "What was the study's conclusion?" finds its word near
    assert "CONCLUSIONS:" in sentences[2].window()  # … as the sentences beside it do
    assert sentences[0].flaw is None and sentences[1].flaw is None
    assert strip_section_label("URGES Member States: To act now on the plan.") == 0
    assert strip_section_label("RESULTS: Of 11 399 patients, 5606 were positive.") == len("RESULTS: ")


def test_a_record_field_is_metadata_never_a_claim() -> None:
    assert flaw("Authors: Henry, Kevin A.;") == "metadata"
    assert flaw("Keywords: influenza; vaccination; pregnancy.") == "metadata"
    assert strip_section_label("Authors: Henry, Kevin A.; Scott, Jamie K.") == 0
    assert flaw("The authors highlight three applications of the phage.") is None
    contacts = (
        "Department of Nursing Glasgow Caledonian University Glasgow, United Kingdom L.Price@gcu.ac.uk Dr Walter "
        "Zingg University of Geneva Hospitals Geneva, Switzerland walter.zingg@hcuge.ch ANNEX IV."
    )
    assert flaw(contacts) == "metadata"  # a directory of contacts
    assert flaw("Comments on the toolkit can be sent to info@example.org by the end of May.") is None


def test_a_figure_after_a_colon_is_no_footnote_mark() -> None:
    text = "Number of Member States reporting a national plan: 12\n\nURGES Member States:2"
    assert [s.display for s in candidate_sentences([_hit(0, text)])] == [
        "Number of Member States reporting a national plan: 12",
        "URGES Member States:",
    ]


def test_openers_that_need_their_context() -> None:
    assert dangling("It has grown to 276 members.")
    assert dangling("This is the first such guidance.")
    assert not dangling("Italy has 20 member organisations.")
    assert introduces("IAPO delivered statements as follows:")
    assert introduces("The three core themes were:")
    assert not introduces("IAPO delivered three statements.")
    unique = "Advice for infants is similar to that for adults, but the following elements are unique to infants."
    assert introduces(unique) and names_what_follows(unique)  # its items are the sentences after it
    assert not names_what_follows("The following training methods could be included: workshops; focus groups.")
    assert not introduces("Nets may be considered instead (see the following recommendations on other nets).")
    assert not introduces("The first three were hospitalised in 5.7 days, whereas the following six took 2 days.")
    assert not introduces("Please refer to the following section.")
    assert not introduces("The following outlines the constitution of the Guideline Development Group.")


def test_a_resolutions_operative_verb_starts_a_claim_after_its_preamble() -> None:
    text = (
        "The Health Assembly, Having noted the report of the Committee,2 APPROVES the construction of the new "
        "sub-office in Garowe. In 2015, UNICEF reported that 38% of facilities lacked water, as WHO did."
    )
    quoted = [s.display for s in candidate_sentences([_hit(0, text)])]
    assert quoted == [
        "The Health Assembly, Having noted the report of the Committee,",
        "APPROVES the construction of the new sub-office in Garowe.",  # the footnote mark "2" is in neither
        "In 2015, UNICEF reported that 38% of facilities lacked water, as WHO did.",
    ]


@pytest.mark.parametrize(
    ("question", "operative"),
    [
        ("What does WHA66.10 request the Director-General to do?", True),
        ("What did the Health Assembly urge Member States to do in resolution WHA66.12?", True),
        ("Which plan does resolution WHA66.4 endorse?", True),
        ("According to WHA66.9, how many countries had signed the Convention?", False),
        ("What does WHO recommend for hand hygiene?", False),
        # what its preamble does is asked of its recitals, whatever the other resolution did
        ("Which resolution adopted by the Regional Committee for Africa is recognized in WHA66.24?", False),
        ("Which report does WHA66.9 recall?", False),
        ("What does WHA66.10 urge Member States to recognize?", True),
    ],
)
def test_what_a_resolution_does_is_asked_of_its_operative_clauses(question: str, operative: bool) -> None:
    assert asked(question).operative is operative


def test_a_resolutions_preamble_is_recognised() -> None:
    assert recital("Recalling resolution EB130.R7, which requests the Director-General to develop a plan;")
    assert recital("The Sixty-sixth World Health Assembly, Having considered the report;")
    assert not recital("REQUESTS the Director-General to report to the Assembly.")
    assert not recital("During the meeting, members spoke.")


def test_a_footnote_mark_broken_off_onto_the_next_line_is_left_out_of_the_recital() -> None:
    text = (
        "The Health Assembly, Having considered the report on the agreement with the South Centre;\n\n"
        "3 Considering also Article 70 of the Constitution of the World Health Organization, APPROVES the "
        "proposed agreement with the South Centre."
    )
    quoted = [s.display for s in candidate_sentences([_hit(0, text)]) if s.flaw is None]
    assert "Considering also Article 70 of the Constitution of the World Health Organization," in quoted
    assert "APPROVES the proposed agreement with the South Centre." in quoted
    plain = "The survey ended.\n\n3 patients were seen in the clinic that day."
    assert "3 patients were seen in the clinic that day." in [s.display for s in candidate_sentences([_hit(0, plain)])]


def test_a_semicolon_between_citations_in_brackets_does_not_cut_the_sentence() -> None:
    text = "Viruses were found in 30-80% of COPD exacerbations (Kherad et al., 2010; Jafarinejad et al., 2017). Next."
    assert [text[a:b] for a, b in clauses(text, 0, text.index(" Next."))] == [text[: text.index(" Next.")]]
    recitals = "Recalling resolution WHA58.23 (on disability; adopted in 2005); Noting the report;"
    assert [recitals[a:b] for a, b in clauses(recitals, 0, len(recitals))] == [
        "Recalling resolution WHA58.23 (on disability; adopted in 2005);",
        "Noting the report;",
    ]


def test_a_resolutions_recitals_are_quoted_one_by_one() -> None:
    text = (
        "The Health Assembly, Recalling resolution WHA58.23 on disability;3 Noting that 155 countries had signed "
        "the Convention; Recognizing also its mandate; 4 Welcoming the report of the Secretariat on eye health. Members agreed; some abstained."
    )
    quoted = [s.display for s in candidate_sentences([_hit(0, text)]) if s.flaw is None]
    assert quoted == [
        "The Health Assembly, Recalling resolution WHA58.23 on disability;",
        "Noting that 155 countries had signed the Convention;",
        "Recognizing also its mandate;",
        "Welcoming the report of the Secretariat on eye health.",  # the footnote mark "4" is in neither
        "Members agreed; some abstained.",  # a lowercase clause stays in its sentence
    ]


@given(st.lists(st.sampled_from(["Noting", "it", "that;", ";2", "; 3", "Members", "agreed.", " ", "; Also", "x;  Y",
                                 "The", "panel", "(level", "site.org", "Key", "steps", "evidence)", "IRS"]),
                max_size=12))  # fmt: skip
def test_clauses_cover_the_sentence_in_order_leaving_out_only_breaks(pieces: list[str]) -> None:
    text = " ".join(pieces)
    spans = clauses(text, 0, len(text))
    assert spans[0][0] == 0
    assert spans[-1][1] == len(text)
    for (_, end), (start, _) in itertools.pairwise(spans):
        seam = text[end - 1].islower() and text[start:].startswith("The ")
        assert text[end - 1] == ";" or seam or text[:end].endswith((".org", "evidence)"))  # an address; a certainty
        assert re.fullmatch(r"(?:\s?\d{1,2})?\s+", text[end:start])


def test_a_sentence_glued_after_words_that_end_none_is_quoted_from_its_start() -> None:
    text = (
        "One study was conducted in an urban area in 1960 and the other in a forested The systematic review "
        "identified two studies of larval habitat manipulation. Health care facility level The panel recommends "
        "an IPC programme. It was highlighted in The Lancet and in The Gambia."
    )
    quoted = [s.display for s in candidate_sentences([_hit(0, text)]) if s.flaw is None]
    assert quoted == [
        "The systematic review identified two studies of larval habitat manipulation.",
        "The panel recommends an IPC programme.",
        "It was highlighted in The Lancet and in The Gambia.",  # a name, not a seam
    ]


def test_grade_statements_that_run_on_without_a_full_stop_are_quoted_one_by_one() -> None:
    text = (
        "The evidence is very uncertain about the effect of IRS on incidence (Incidence rate ratio: 0.57; 95% CI: "
        "0.53–0.61; one study; very low-certainty evidence) IRS may result in little to no difference in prevalence "
        "(Rate ratio: 1.31; 95% CI: 0.91–1.88; one cRCT; low-certainty evidence)"
    )
    assert [s.display for s in candidate_sentences([_hit(0, text)])] == [
        "The evidence is very uncertain about the effect of IRS on incidence (Incidence rate ratio: 0.57; 95% CI: "
        "0.53–0.61; one study; very low-certainty evidence)",
        "IRS may result in little to no difference in prevalence (Rate ratio: 1.31; 95% CI: 0.91–1.88; one cRCT; "
        "low-certainty evidence)",
    ]


def test_a_heading_glued_after_a_boxs_web_address_introduces_its_list_alone() -> None:
    """A box's last line ends with a web address and no full stop, and the layout ran the heading under it on:
    the heading alone introduces the list, never the pointer to the web site before it."""
    text = (
        "To learn more about safe injection practices, please visit OneandOnlyCampaign.org Key recommendations "
        "for safe injection practices in outpatient settings:\n\n1. Use aseptic technique when preparing "
        "medications.\n\n2. Do not reuse a syringe to enter a medication vial."
    )
    sentences = candidate_sentences([_hit(0, text)])
    assert [s.display for s in sentences][:2] == [
        "To learn more about safe injection practices, please visit OneandOnlyCampaign.org",
        "Key recommendations for safe injection practices in outpatient settings:",
    ]
    item = next(s for s in sentences if s.display.startswith("Use aseptic"))
    assert item.introduction == "Key recommendations for safe injection practices in outpatient settings:"


# --------------------------------------------------------------------------------------------- the answerer


def _hit(n: int, text: str, title: str = "Annual report", date: str = "2024") -> SearchHit:
    return SearchHit(rowid=n, chunk_id=f"c{n}", doc_id=f"d{n}", title=title, source=f"doc{n}.txt", doc_type="report",
                     date=date, organisations=[], language="en", url=None, page=1, page_end=1, char_start=0,
                     char_end=len(text), headings=[], text=text, highlight=text, score=1.0 - n / 10, scores={})  # fmt: skip


_BACKGROUND = [
    "Patients organisations work with health systems in many countries.",
    "The alliance held meetings with members and partners during the year.",
    "Health care workers and patients discussed safety and quality of care.",
]


def _respond(question: str, passages: list[str], **meta: str) -> SearchResponse:
    """Search results over built passages, with idf counted over them and a small background corpus."""
    docs = [content_stems(p) for p in passages + _BACKGROUND * 3]
    idf = {}
    for s in content_stems(question):
        df = sum(1 for d in docs if s in d)
        idf[s] = math.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
    return SearchResponse([_hit(i, p, **meta) for i, p in enumerate(passages)], "g", 1.0, "hybrid", idf)


def _ask(answerer: ExtractiveAnswerer, question: str, response: SearchResponse) -> Answer:
    return next(e.answer for e in answerer.stream(question, response) if isinstance(e, Final))


def _said(answer: Answer) -> str:
    """What the answer quotes, without the caveat a tentative answer opens with."""
    return answer.answer.removeprefix(f"{TENTATIVE}\n\n")


@pytest.fixture(scope="module")
def minilm_answerer() -> ExtractiveAnswerer:
    from policykb.core.settings import Settings
    from policykb.index.embedders import get_embedder

    return ExtractiveAnswerer(get_embedder(Settings(embedder="minilm")))


_REPORT = (
    "IAPO annual report. IAPO has 276 member organisations in 71 countries. The IAPO newsletter reaches "
    "12,000 subscribers every month. The General Assembly met on 12 May 2024 in London. The meeting was "
    "chaired by Professor Helen Smith of the University of Leeds. Membership grew by 8% over the year. "
    "New members must renew their membership every two years."
)


@pytest.mark.model
@pytest.mark.parametrize(
    ("question", "expect"),
    [
        ("How many member organisations does IAPO have?", "276"),
        ("How many newsletter subscribers does IAPO have?", "12,000"),
        ("When did the IAPO General Assembly meet?", "12 May 2024"),
        ("Who chaired the IAPO General Assembly meeting?", "Helen Smith"),
        ("By what percentage did IAPO membership grow?", "8%"),
        ("Where did the IAPO General Assembly meet?", "London"),
        ("How often must IAPO members renew their membership?", "every two years"),
    ],
)
def test_each_answer_kind_is_answered_from_the_sentence_that_holds_it(
    minilm_answerer: ExtractiveAnswerer, question: str, expect: str
) -> None:
    answer = _ask(minilm_answerer, question, _respond(question, [_REPORT]))
    assert answer.answerable
    first = answer.answer.split("[1]")[0]
    assert expect in first


@pytest.mark.model
@pytest.mark.parametrize(
    ("question", "note"),
    [
        ("How many member organisations did IAPO have in 2019?", "2019"),
        ("What is IAPO's annual budget?", "budget"),
        ("What dose of paracetamol does IAPO recommend for children?", "paracetamol"),
        ("When did the IAPO General Assembly elect its president?", "No date for “elect”"),
    ],
)
def test_refusals_say_what_the_passages_do_not_cover(
    minilm_answerer: ExtractiveAnswerer, question: str, note: str
) -> None:
    answer = _ask(minilm_answerer, question, _respond(question, [_REPORT]))
    assert not answer.answerable
    assert answer.answer.startswith(REFUSAL)
    assert note in answer.answer
    assert answer.related and answer.related[0].title == "Annual report"


def test_a_refusal_never_says_the_passages_lack_a_word_one_of_them_holds() -> None:
    question = "How many member organisations did IAPO have in 2019, according to the treasurer?"
    q = QuestionTerms.of(question, {"member": 1.0, "organis": 1.0, "iapo": 1.0, "2019": 5.0, "treasur": 5.0})
    assert set(q.rare.values()) == {"2019", "treasurer"}
    passages = [_hit(0, _REPORT), _hit(1, "The treasurer's report was presented to the Governing Board in Geneva.")]
    assert missing_terms(q, passages) == ["2019"]  # "treasurer" is held, though far from the best sentence


def test_a_body_named_by_acronym_that_no_passage_holds_is_absent() -> None:
    passages = [_hit(0, _REPORT), _hit(1, "Article 70 of the Constitution was considered for the South Centre.")]

    def absent(question: str) -> list[str]:
        return absent_bodies(QuestionTerms.of(question, {stem(w): 5.0 for w in content_words(question)}), passages)

    assert absent("Which article was considered for the agreement with the OECD?") == ["OECD"]
    assert absent("Which article was considered for the agreement with the South Centre?") == []
    assert absent("How many member organisations does IAPO have?") == []
    assert (
        absent("How many member organisations does the International Alliance of Patients' Organizations have?") == []
    )
    assert absent("How many members joined in the USA?") == ["USA"]  # a country no passage names
    assert absent("How many members had COVID19?") == []  # digits: "COVID-19" elsewhere
    assert absent("How many cases were averted in the Phase III trial?") == []  # a number: "Phase 3" elsewhere
    # a country the question is about, named by no passage; any of its names will do
    assert absent("How much does membership cost in Nigeria?") == ["Nigeria"]
    table = [*passages, _hit(2, "Country | infected\nAustria | 1.1%\nUnited States | 2.0%")]
    assert absent_bodies(QuestionTerms.of("What share of Austria was infected?", {}), table) == []
    assert absent_bodies(QuestionTerms.of("How many cases in the USA?", {}), table) == []
    vaccines = [*passages, _hit(3, "The RTS,S/AS01 vaccine is given in four doses. The R21/Matrix-M trial is ongoing.")]
    assert absent("What is the shelf life of the R21/Matrix-M vaccine?") == ["R21"]  # a product by its code
    assert absent_bodies(QuestionTerms.of("What is the shelf life of the R21 vaccine?", {}), vaccines) == []


@pytest.mark.model
def test_a_question_about_a_body_no_passage_names_is_refused(minilm_answerer: ExtractiveAnswerer) -> None:
    question = "How many member organisations does the OECD have?"
    answer = _ask(minilm_answerer, question, _respond(question, [_REPORT]))
    assert not answer.answerable
    assert "“OECD”" in answer.answer


def test_words_about_what_a_document_says_are_not_terms_a_quote_must_hold() -> None:
    """ "as cited in", "what does CDC say": the question's frame, not its content, though rare in the corpus."""
    question = "What are the annual costs of infections to hospitals, as cited in the guideline?"
    q = QuestionTerms.of(question, {"annual": 2.0, "cost": 3.0, "infect": 1.0, "hospit": 1.0, "cite": 6.0})
    assert set(q.rare.values()) == {"costs"}
    q = QuestionTerms.of("What does CDC say about masks?", {"cdc": 1.0, "say": 4.0, "mask": 3.0})
    assert set(q.rare.values()) == {"masks"}
    # no weighted word left (the words naming a resolution were dropped): no rare term at all
    assert QuestionTerms.of("What does resolution WHA66.4 say?", {"say": 3.0}).rare == {}
    # pronouns name nothing a quote must hold; "US" in capitals is a country
    idf = {"auditor": 3.0, "whose": 3.0, "herself": 3.0, "us": 3.0, "hospit": 3.0}
    assert set(QuestionTerms.of("Who was the auditor whose report she herself read?", idf).rare.values()) == {"auditor"}
    assert "US" in QuestionTerms.of("What do US hospitals spend?", idf).rare.values()


def test_a_follow_up_asking_its_own_kind_keeps_the_scopes_and_noun_it_does_not_name() -> None:
    previous = "What dose of artesunate + mefloquine is given to children in Kenya in 2023?"
    idf = {s: 1.0 for s in content_stems(previous + " For how many days?")}
    own = QuestionTerms.of(f"{previous} For how many days?", idf, focus="For how many days?").asked
    assert own.kind is Kind.DURATION  # what the follow-up asks
    assert own.medicines == {"artesunate", "mefloquine"} and own.combination == {"artesunate", "mefloquine"}
    assert own.places == {"KE"} and own.years == {"2023"}  # what it is about, carried along
    counted = "How many people died of malaria in 2020?"
    idf = {s: 1.0 for s in content_stems(counted + " And how many in 2021?")}
    again = QuestionTerms.of(f"{counted} And how many in 2021?", idf, focus="And how many in 2021?").asked
    assert again.subject == asked(counted).subject and again.years == {"2021"}  # its own year, the noun carried
    whole = "How many studies support recommendation 5b, and how strong is that recommendation?"
    idf = {s: 1.0 for s in content_stems(whole)}
    strength = QuestionTerms.of(whole, idf, focus="how strong is that recommendation?", part=True).asked
    assert strength.kind is Kind.OTHER and not strength.subject  # a part asks no count because the other does
    asia = QuestionTerms.of(f"{counted} And what about in Asia?", idf, focus="And what about in Asia?").asked
    assert asia.kind is Kind.QUANTITY  # a follow-up asking nothing of its own asks what was asked before


@pytest.mark.model
def test_a_follow_up_asks_what_its_own_words_ask(minilm_answerer: ExtractiveAnswerer) -> None:
    # the conversation carries the previous question along, but the person asked for is the one who
    # coordinated the writing, not the chair the previous question asked about
    passages = [
        "The Guidelines Development Group was chaired by M. Lindsay Grayson of Austin Health.",
        "The writing of the guidelines was coordinated by Benedetta Allegranzi and Julie Storr.",
    ]
    previous, follow_up = "Who chaired the Guidelines Development Group?", "And who coordinated the writing?"
    query = f"{previous} {follow_up}"
    answer = next(
        e.answer
        for e in minilm_answerer.stream(query, _respond(query, passages), focus=follow_up)
        if isinstance(e, Final)
    )
    assert answer.answerable
    assert "Allegranzi" in answer.answer.split("[1]")[0]


@pytest.mark.model
def test_a_count_of_another_noun_does_not_answer(minilm_answerer: ExtractiveAnswerer) -> None:
    passage = (
        "IAPO annual report. The IAPO newsletter reaches 12,000 subscribers every month. "
        "IAPO works with patient organisations around the world."
    )
    question = "How many member organisations does IAPO have?"
    assert not _ask(minilm_answerer, question, _respond(question, [passage])).answerable


@pytest.mark.model
def test_a_name_is_no_answer_unless_the_asked_act_is_said_of_it(minilm_answerer: ExtractiveAnswerer) -> None:
    question = "Which countries voted against the resolution on health conditions in the occupied territory?"
    about = (
        "Resolution on health conditions in the occupied territory. The Assembly expressed its concern at the "
        "health conditions resulting from the restrictions imposed by Israel in the occupied territory."
    )
    refused = _ask(minilm_answerer, question, _respond(question, [about]))
    assert not refused.answerable
    assert "No country that voted was found" in refused.answer
    said = about + " The resolution was adopted by a vote; Israel and Canada voted against it."
    answered = _ask(minilm_answerer, question, _respond(question, [said]))
    assert answered.answerable
    assert "voted against" in answered.answer


@pytest.mark.model
def test_a_dangling_sentence_brings_its_antecedent(minilm_answerer: ExtractiveAnswerer) -> None:
    passage = (
        "The Patient Safety Network was founded in Geneva in 2010. It has 340 member hospitals in 40 countries. "
        "Hospitals report incidents through a shared register."
    )
    question = "How many member hospitals does the Patient Safety Network have?"
    answer = _ask(minilm_answerer, question, _respond(question, [passage]))
    assert answer.answerable
    assert answer.citations[0].quote.startswith("The Patient Safety Network was founded")
    assert "340 member hospitals" in answer.citations[0].quote


@pytest.mark.model
def test_a_sentence_opening_a_passage_needs_its_antecedent_only_when_it_points_back(
    minilm_answerer: ExtractiveAnswerer,
) -> None:
    question = "How much more likely were smokers to need intensive care?"
    connective = "However, smokers were 1.4 times more likely to need intensive care. Data came from 12 hospitals."
    answered = _ask(minilm_answerer, question, _respond(question, [connective]))
    assert answered.answerable
    assert answered.citations[0].quote.startswith("However, smokers were 1.4 times more likely")
    pointing = "They were 1.4 times more likely to need intensive care. Data came from 12 hospitals."
    refused = _ask(minilm_answerer, question, _respond(question, [pointing]))
    assert "They were" not in refused.answer  # whom "they" are is not in the passage
    assert needs_antecedent("These agents elicit an immune response.")
    assert not needs_antecedent("However, smokers were 1.4 times more likely.") and dangling("However, it rose.")
    assert not dangling("This year’s IEEPO event was held on 15–16 March 2023.")  # a time of its own
    assert dangling("This is the fifth event.") and dangling("These years saw the alliance grow.")


@pytest.mark.parametrize(
    ("sentence", "leans"),
    [
        ("The GDG therefore felt it necessary to develop a clear recommendation against space spraying.", True),
        ("Countries should thus prioritise vector control.", True),
        ("But the increased consumption of processed food has led to a shift in dietary patterns.", True),
        ("Yet few countries reported a programme.", True),
        ("Butter and ghee are high in saturated fats.", False),  # a word, not the connective
        ("Patients who cannot take it by mouth are therefore treated by injection.", False),  # a subordinate clause
    ],
)
def test_a_sentence_drawing_a_consequence_or_a_contrast_reads_after_the_one_before(sentence: str, leans: bool) -> None:
    """A sentence such as "The GDG therefore felt …" was quoted alone for "why does WHO advise against space
    spraying?", without the reason the sentence before gives; such a sentence brings it, but states its own
    content."""
    assert dangling(sentence) is leans
    assert not needs_antecedent(sentence)


@pytest.mark.model
@pytest.mark.parametrize(
    ("passage", "question", "opening", "closing"),
    [
        (
            "Standard Precautions\n\nThe elements of Standard Precautions are as follows:\n"
            "• hand hygiene;\n• safe injection practices;\n• respiratory hygiene and cough etiquette.\n\n"
            "Staff receive training every year.",
            "What are the elements of Standard Precautions?",
            "The elements of Standard Precautions are as follows:",
            "cough etiquette.",
        ),
        (  # "the following elements …" lists nothing itself: the sentences of its passage after it are its items
            "Advice on a healthy diet for infants and children is similar to that for adults, but the following "
            "elements are unique to infants and children. Infants should be breastfed exclusively during the first "
            "6 months of life.\n\nInfants should be breastfed continuously until 2 years of age and beyond.\n\n"
            "Salt and sugars should not be added to complementary foods.",
            "What does the diet advice say is unique to infants and children?",
            "Advice on a healthy diet",
            "added to complementary foods.",
        ),
    ],
)
def test_a_list_introduction_brings_its_items(
    minilm_answerer: ExtractiveAnswerer, passage: str, question: str, opening: str, closing: str
) -> None:
    """An introduction is quoted with its items, never alone."""
    answer = _ask(minilm_answerer, question, _respond(question, [passage]))
    assert answer.answerable
    quote = answer.citations[0].quote
    assert quote.startswith(opening) and quote.endswith(closing)
    assert "Staff receive training" not in quote


@pytest.mark.model
def test_a_list_question_is_answered_by_a_list_of_the_asked_things_not_a_sentence_naming_them(
    minilm_answerer: ExtractiveAnswerer,
) -> None:
    naming = (
        "This summary guide is based primarily upon elements of Standard Precautions and represents the minimum "
        "infection prevention expectations for safe care in outpatient settings."
    )
    other_list = (
        "Key administrative recommendations for outpatient settings:\n\n1. Develop written infection prevention "
        "policies.\n\n2. Assure the supplies needed for adherence to Standard Precautions."
    )
    listing = (
        "Standard Precautions are the minimum infection prevention practices that apply to all patient care. "
        "Standard Precautions include: 1) hand hygiene, 2) use of personal protective equipment, 3) safe "
        "injection practices, and 4) respiratory hygiene/cough etiquette."
    )
    question = "What are the elements of Standard Precautions listed in the guide to outpatient settings?"
    answer = _ask(minilm_answerer, question, _respond(question, [naming, other_list, listing]))
    assert answer.answerable, answer.answer
    assert _said(answer).startswith("Standard Precautions include: 1) hand hygiene"), answer.answer
    assert "based primarily" not in answer.answer and "Develop written" not in answer.answer


@pytest.mark.parametrize(
    ("sentence", "lists"),
    [
        ("Standard Precautions include: 1) hand hygiene, 2) use of gloves, and 3) safe injection practices.", True),
        ("The elements of Standard Precautions are hand hygiene, safe injections and cough etiquette.", True),
        ("Other precautions such as hand hygiene, masks and gowns are standard in every clinic.", False),
        (
            "Mutations in standard precaution genes SPG4, KATNB1 and KATNAL2 are associated with palsy, ataxia and pain.",
            False,
        ),  # it lists genes, then diseases: not what the question asks to be listed
        ("This guide is based upon elements of Standard Precautions and represents the minimum expectations.", False),
        (
            "Standard Precautions are hand hygiene and masks, although further studies are needed to better "
            "understand how infections spread and how they might be stopped.",
            False,
        ),  # two items, then a clause: no enumeration of three
        ("The Standard Precautions were set out in three guides, and then staff reviewed them in a year.", False),
        ("Standard Precautions such as hand hygiene (HH), masks and gowns apply to all patients.", True),
        ("Standard Precautions included: hand hygiene; safe injections; and cough etiquette.", True),
    ],
)
def test_a_sentence_lists_the_asked_things_when_its_enumeration_follows_their_name(sentence: str, lists: bool) -> None:
    (s,) = candidate_sentences([_hit(0, sentence)])
    assert _lists([s], listed_things("What are the elements of Standard Precautions?")) is lists


def test_things_written_with_a_hyphen_lead_into_their_list() -> None:
    (s,) = candidate_sentences([_hit(0, "COVID-19 symptoms include fever, cough and fatigue.")])
    assert _lists([s], listed_things("What are the symptoms of COVID-19?"))


@pytest.mark.parametrize(
    ("question", "things"),
    [
        ("What are the elements of Standard Precautions listed in CDC's guide?", {"standard", "precaution"}),
        ("Which maternal health medicines are on the Commission's list?", {"maternal", "health", "medicine"}),
        ("What are the main risk factors for severe disease?", {"risk", "factor"}),
        ("Which organisations signed the statement?", set()),  # no phrase before a verb that places the list
    ],
)
def test_what_a_list_question_asks_to_be_listed(question: str, things: set[str]) -> None:
    assert listed_things(question) == {stem(w) for w in things}


_SCHEDULE = "Year US$\n2013 36 651\n2014 36 651\n2015 36 651\n2016 36 654\nTotal 146 607"
_LEAD_IN = "Tajikistan shall pay its outstanding arrears over four years from 2013 to 2016, as set out below;"


def test_a_table_rows_context_is_what_the_table_follows_in_its_passage_or_the_one_before() -> None:
    rows = [s for s in candidate_sentences([_hit(0, f"{_LEAD_IN}\n\n{_SCHEDULE}")]) if s.row]
    assert [r.display for r in rows] == ["2013 36 651", "2014 36 651", "2015 36 651", "2016 36 654", "Total 146 607"]
    assert rows[3].window() == f"{_LEAD_IN} Year US$ 2016 36 654"
    lead = replace(_hit(0, _LEAD_IN), doc_id="d", chunk_id="c0")
    table = replace(_hit(1, _SCHEDULE), doc_id="d", chunk_id="c1", char_start=len(_LEAD_IN) + 2,
                    char_end=len(_LEAD_IN) + 2 + len(_SCHEDULE))  # fmt: skip
    rows = [s for s in candidate_sentences([table, lead]) if s.row]
    assert rows[0].lead_in == _LEAD_IN  # the retrieved passage that ends where the table begins
    elsewhere = replace(lead, char_start=5000, char_end=5000 + len(_LEAD_IN))
    assert all(s.lead_in is None for s in candidate_sentences([table, elsewhere]) if s.row)


@pytest.mark.model
def test_a_table_row_answers_for_what_its_lead_in_says_the_table_is_about(minilm_answerer: ExtractiveAnswerer) -> None:
    question = "How much does Tajikistan have to pay towards its arrears in 2016?"
    answer = _ask(minilm_answerer, question, _respond(question, [f"{_LEAD_IN}\n\n{_SCHEDULE}"]))
    assert answer.answerable
    assert _said(answer).startswith("Year US$ … 2016 36 654 [1]")
    later = "How much does Tajikistan have to pay towards its arrears in 2019?"
    assert not _ask(minilm_answerer, later, _respond(later, [f"{_LEAD_IN}\n\n{_SCHEDULE}"])).answerable


@pytest.mark.model
def test_a_list_question_answered_by_one_item_gets_all_the_items_under_its_introduction(
    minilm_answerer: ExtractiveAnswerer,
) -> None:
    passage = (
        "Promoting appropriate infant and young child feeding practices:\n\n"
        "• implement the International Code of Marketing of Breast-milk Substitutes\n\n"
        "• implement policies and practices to promote protection of working mothers\n\n"
        "• promote, protect and support breastfeeding in health services and the community."
    )
    question = "What actions are listed for promoting appropriate infant and young child feeding practices?"
    response = _respond(question, [passage])
    heading = len("Promoting appropriate infant and young child feeding practices:")
    response.results[0] = replace(response.results[0], non_prose=[KindSpan(0, heading, "heading")])
    answer = _ask(minilm_answerer, question, response)
    assert answer.answerable
    assert answer.answer.startswith(
        "Promoting appropriate infant and young child feeding practices: • implement the International Code of "
        "Marketing of Breast-milk Substitutes • implement policies and practices to promote protection of working "
        "mothers • promote, protect and support breastfeeding in health services and the community. [1]"
    )
    quote = answer.citations[0].quote  # the items, not the heading that introduces them
    assert quote.startswith("implement the International Code") and quote.endswith("health services and the community.")


@pytest.mark.model
def test_a_row_answers_only_for_what_its_table_is_about_and_a_row_naming_nothing_for_nothing(
    minilm_answerer: ExtractiveAnswerer,
) -> None:
    schedule = f"{_LEAD_IN}\n\n{_SCHEDULE}"
    other = "How many Member States were in arrears in 2015?"  # the year names a row, the table is Tajikistan's
    assert "36 651" not in _ask(minilm_answerer, other, _respond(other, [schedule])).answer
    survey = "Response % of respondents trained in IPC\nYes 55%\nNo 45%\nNot known 0%"
    question = "What percentage of health workers had received training in IPC?"
    assert "No 45%" not in _ask(minilm_answerer, question, _respond(question, [survey])).answer


def test_a_row_is_named_by_the_initials_of_its_words() -> None:
    table = "Country Cases reported\nDemocratic Republic of the Congo 1200\nUnited States of America 300\nPeru 45"
    rows = [s for s in candidate_sentences([_hit(0, table)]) if s.row]
    from policykb.qa.extractive import _claimable

    terms = QuestionTerms.of("How many cases did the DRC report?", {"case": 1.0, "drc": 2.0, "report": 1.0})
    assert [s.row for s in rows if _claimable(s, terms)] == ["Democratic Republic of the Congo"]
    usa = QuestionTerms.of("How many cases did the USA report?", {"case": 1.0, "usa": 2.0, "report": 1.0})
    assert [s.row for s in rows if _claimable(s, usa)] == ["United States of America"]


_DOSES = (
    "Body weight\n(kg)\nArtesunate + mefloquine dose (mg)\ngiven daily for 3 days\n"
    "5 to < 9 25 + 55\n9 to < 18 50 + 110\n18 to < 30 100 + 220\n≥ 30 200 + 440"
)


def test_a_dosing_table_by_weight_band_has_rows_named_by_their_bands() -> None:
    table = table_rows(_DOSES)
    assert table is not None and table.header.startswith("Body weight (kg) Artesunate + mefloquine dose (mg)")
    assert [r.label for r in table.rows] == ["5 to < 9", "9 to < 18", "18 to < 30", "≥ 30"]
    assert [in_band("9 to < 18", v) for v in (8.9, 9, 12, 18)] == [False, True, True, False]
    assert in_band("≥ 30", 70) and not in_band("≥ 30", 29) and in_band("5–10", 10)
    assert in_band("Austria", 3) is None  # a name is no band


@pytest.mark.model
def test_a_weight_the_question_states_picks_the_dosing_row_of_its_band(minilm_answerer: ExtractiveAnswerer) -> None:
    question = "What daily dose of artesunate + mefloquine should a child weighing 12 kg receive?"
    answer = _ask(minilm_answerer, question, _respond(question, [_DOSES]))
    assert answer.answerable
    assert "9 to < 18 50 + 110 [1]" in answer.answer
    assert [c.quote for c in answer.citations] == ["9 to < 18 50 + 110"]
    years = "What daily dose of artesunate + mefloquine should a child aged 12 years receive?"  # not by age
    assert "50 + 110" not in _ask(minilm_answerer, years, _respond(years, [_DOSES])).answer


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("How many countries took part in the Datacol survey of IPC programmes?", {"datacol"}),
        (
            "At what level did the Assembly set the Working Capital Fund for the biennium?",
            {"assembl", "work", "capit", "fund"},
        ),
        ("Case Fatality Rates for Childhood Pneumonia in low income countries.", set()),  # a title asks nothing
        ("What is the mean respiration rate in HAdV-55 infection?", set()),  # a code, left to the acronym rules
        ("When was the first local transmission reported in the United States?", set()),  # a country's scope
        ("What dose of Tafenoquine is recommended?", set()),  # a medicine's scope
        ("How many cases were reported by the end of January 2020?", set()),  # a month
        ("How does the Canadian system fund its hospitals?", set()),  # a country's adjective
        ("Which French and Kenyan groups signed it?", set()),
    ],
)
def test_the_names_a_question_writes(question: str, names: set[str]) -> None:
    idf = {s: 5.0 for s in content_stems(question)}
    assert QuestionTerms.of(question, idf).names == names


@pytest.mark.model
def test_another_named_things_figure_does_not_answer(minilm_answerer: ExtractiveAnswerer) -> None:
    """A name the question writes ("the Datacol survey") that a sentence's passage lacks makes its figures
    another thing's: the 2015 survey's 133 countries do not answer for the Datacol survey."""
    passages = [
        "In the 2015 survey of national programmes, 133 countries took part and 54 had a programme in place.",
        "The Datacol survey of national programmes was run from 20 January to 13 May 2016.",
    ]
    question = "How many countries took part in the Datacol survey of national programmes?"
    answer = _ask(minilm_answerer, question, _respond(question, passages))
    assert "133" not in answer.answer
    held = "How many countries took part in the 2015 survey of national programmes?"
    assert "133 countries" in _ask(minilm_answerer, held, _respond(held, passages)).answer


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "When did WHO and FAO hold ICN2, and what declaration did it adopt?",
            ["When did WHO and FAO hold ICN2?", "What declaration did it adopt?"],
        ),
        (
            "Where and when was the conference held?",
            ["Where was the conference held?", "When was the conference held?"],
        ),
        (
            "How many recommendations and how many good practice statements are in the guidelines?",
            ["How many recommendations?", "How many good practice statements are in the guidelines?"],
        ),
        (
            "At what level is the Fund kept, and up to what share may the Director-General transfer?",
            ["At what level is the Fund kept?", "Up to what share may the Director-General transfer?"],
        ),
        ("Which countries voted for it and which against?", None),  # the second part names nothing of its own
        ("What is the difference between prevention and control?", None),
        ("Who chaired the meeting and when?", None),
        ("Which and how many countries signed the convention?", None),  # one question word asks the other's
        ("Where and how often should the test be done?", None),
        ("What is the difference between what WHO recommends and what CDC recommends?", None),  # clauses
        (
            "How often must countries reassess whether they still need DDT, and to whom do they report?",
            ["How often must countries reassess whether they still need DDT?", "To whom do they report?"],
        ),
        ("Does the resolution ask for data by whether they are men or women and by how old they are?", None),
    ],
)
def test_the_questions_a_two_part_question_asks(question: str, parts: list[str] | None) -> None:
    assert question_parts(question) == (parts or [question])


@pytest.mark.model
def test_a_claim_that_answers_no_part_of_a_two_part_question_is_not_shown(minilm_answerer: ExtractiveAnswerer) -> None:
    passages = [
        "In 2021 there were an estimated 247 million malaria cases worldwide.",
        "An estimated 625 000 people died of malaria in 2020.",
    ]
    question = "How many people died of malaria in 2020, and how many in 2021?"
    answer = _ask(minilm_answerer, question, _respond(question, passages))
    assert "625 000" in answer.answer
    assert "247 million" not in answer.answer  # cases, not deaths: "how many in 2021?" counts the dead too


@pytest.mark.model
def test_each_part_of_a_two_part_question_is_answered_or_said_not_to_be(minilm_answerer: ExtractiveAnswerer) -> None:
    both = "When did the IAPO General Assembly meet, and who chaired the meeting?"
    answer = _ask(minilm_answerer, both, _respond(both, [_REPORT]))
    assert "12 May 2024" in answer.answer and "Helen Smith" in answer.answer
    assert "do not answer" not in answer.answer
    half = "When did the IAPO General Assembly meet, and what was the meeting's budget?"
    answer = _ask(minilm_answerer, half, _respond(half, [_REPORT]))
    assert answer.answerable and "12 May 2024" in answer.answer
    assert answer.answer.endswith(
        "The closest passages do not answer the rest of the question: “What was the meeting's budget?”"
    )
    # the passages hold the part's words ("membership"), not its answer
    held = "When did the IAPO General Assembly meet, and how much did membership cost?"
    answer = _ask(minilm_answerer, held, _respond(held, [_REPORT]))
    assert answer.answerable and "12 May 2024" in answer.answer
    assert answer.answer.endswith(
        "The closest passages do not answer the rest of the question: “How much did membership cost?”"
    )
    # a count of the asked things is no answer unless it says what they did ("276 members in 71 countries")
    voted = "When did the IAPO General Assembly meet, and how many countries voted?"
    answer = _ask(minilm_answerer, voted, _respond(voted, [_REPORT]))
    assert "71 countries" not in answer.answer
    assert answer.answer.endswith(
        "The closest passages do not answer the rest of the question: “How many countries voted?”"
    )


def test_a_count_asks_what_the_counted_did_unless_they_were_only_counted() -> None:
    voted = asked("How many countries voted against the resolution?")
    assert (voted.relation, voted.relation_phrase) == ("voted", "countries that voted against the resolution")
    assert holds(voted, "IAPO has 276 member organisations in 71 countries.", set()) == 1.0
    assert not says_act(voted, "IAPO has 276 member organisations in 71 countries.")
    assert says_act(voted, "The resolution was adopted after 71 countries voted against it.")
    assert asked("How many cases were reported in 2020?").relation is None  # any count of cases answers
    assert asked("How many studies were included?").relation is None
    killed = asked("How many people were killed by malaria?")
    assert says_act(killed, "There were 627 000 malaria deaths.")
    assert describe_missing(voted, [], True) == (
        "No count of countries that voted against the resolution was found in the closest passages."
    )


@pytest.mark.model
def test_a_list_of_unpunctuated_bullets_is_quoted_whole_or_said_to_run_on(minilm_answerer: ExtractiveAnswerer) -> None:
    """Bullets without end punctuation end where a sentence of its own follows them; where they run to the
    passage's end the answer says more may follow. Each item keeps its bullet, so names do not run together."""
    items = "• artemether-lumefantrine (AL)\n• artesunate-amodiaquine (AS+AQ)\n• artesunate-mefloquine (ASMQ)"
    introduction = "Adults with uncomplicated malaria should be treated with one of the following ACTs:\n"
    question = "Which ACTs should adults with uncomplicated malaria be treated with?"
    closed = _ask(
        minilm_answerer,
        question,
        _respond(question, [f"{introduction}{items}\n\nEach of them is given for three days."]),
    )
    assert closed.answerable
    assert closed.answer.startswith(
        "Adults with uncomplicated malaria should be treated with one of the following ACTs: "
        "• artemether-lumefantrine (AL) • artesunate-amodiaquine (AS+AQ) • artesunate-mefloquine (ASMQ) [1]"
    )
    assert closed.citations[0].quote == f"{introduction}{items}"
    open_ended = _ask(minilm_answerer, question, _respond(question, [f"{introduction}{items}"]))
    assert "• artesunate-mefloquine (ASMQ) … [1]" in open_ended.answer
    unbulleted = f"{introduction}{items.replace('• ', '')}\n\nEach of them is given for three days."
    assert "artesunate-amodiaquine" not in _ask(minilm_answerer, question, _respond(question, [unbulleted])).answer


@pytest.mark.model
def test_a_sentence_pointing_back_to_a_chosen_one_joins_its_quote(minilm_answerer: ExtractiveAnswerer) -> None:
    """ "They have a double-stranded RNA genome" answers, but only with the sentence it points back to, which
    was chosen first: the two are quoted together, once, and not dropped because one is already quoted."""
    passage = (
        "Rotavirus A is widespread worldwide and predominantly infects humans, cattle and other mammals, as well "
        "as birds. They have a double-stranded RNA genome, divided into 11 segments. Vaccines are given to infants "
        "in many countries."
    )
    question = "Is rotavirus A single or double-stranded?"
    answer = _ask(minilm_answerer, question, _respond(question, [passage, "Admissions fell after vaccination."]))
    assert answer.answer.startswith("Rotavirus A is widespread worldwide")
    assert [c.quote for c in answer.citations] == [passage[: passage.index(" Vaccines")]]


_LIST_START = (
    "Members of the alliance met in Delhi in August.\n\nAccording to its founders, the alliance will move forward by:"
    "\n\n•  Actively networking with other patient organizations\n•  Dialoguing with industry and policy makers"
)
_LIST_END = "•  Raising awareness of international days\n•  Running workshops for new organizations"


def _list_across_passages(ending: str = "\n\nThe founders thanked the hosts.") -> tuple[SearchHit, SearchHit]:
    """One document's list cut between two passages, as the chunker cuts a long one."""
    first = replace(_hit(0, _LIST_START), doc_id="d", chunk_id="c0")
    start = len(_LIST_START) + 1
    second = replace(_hit(1, _LIST_END + ending), doc_id="d", chunk_id="c1", char_start=start,
                     char_end=start + len(_LIST_END + ending))  # fmt: skip
    return first, second


@pytest.mark.model
def test_a_list_cut_between_passages_is_quoted_from_both(minilm_answerer: ExtractiveAnswerer) -> None:
    """A list that runs past its passage's end goes on in the document's next passage, retrieved or handed
    over with the results: the answer quotes both parts, each cited from its own passage, the introduction
    once; without the next passage it says that more may follow."""
    question = "How will the alliance move forward, according to its founders?"
    first, second = _list_across_passages()
    whole = (
        "According to its founders, the alliance will move forward by: • Actively networking with other patient "
        "organizations • Dialoguing with industry and policy makers [1] • Raising awareness of international days "
        "• Running workshops for new organizations [2]"
    )
    idf = _respond(question, [_LIST_START, _LIST_END]).term_idf
    retrieved = _ask(minilm_answerer, question, SearchResponse([first, second], "g", 1.0, "hybrid", idf))
    assert retrieved.answer.startswith(whole)
    assert [c.chunk_id for c in retrieved.citations[:2]] == ["c0", "c1"]
    assert retrieved.citations[1].quote == _LIST_END.removeprefix("•  ")
    handed = SearchResponse([first], "g", 1.0, "hybrid", idf, following={"c0": second})
    assert _ask(minilm_answerer, question, handed).answer.startswith(whole)
    alone = _ask(minilm_answerer, question, SearchResponse([first], "g", 1.0, "hybrid", idf))
    assert "• Dialoguing with industry and policy makers … [1]" in alone.answer
    assert "Raising awareness" not in alone.answer


_SURVEILLANCE = "Surveillance should provide information for:"
_SURVEILLANCE_START = (
    f"Facility surveillance is critical. {_SURVEILLANCE}\n\n› describing the status of infections associated with "
    "health care;\n\n› identification of the most relevant AMR patterns;"
)
_SURVEILLANCE_END = (
    "› early detection of clusters and outbreaks;\n\n› evaluation of the impact of interventions.\n\n"
    "Quality laboratory capacity is essential."
)


@pytest.mark.model
def test_a_list_that_began_in_the_passage_before_is_quoted_from_its_start(minilm_answerer: ExtractiveAnswerer) -> None:
    """A passage that opens inside a list carries its introduction; the passage before it in the document,
    handed over with the results, holds the list's first items: the answer quotes them all, each part
    cited from its own passage. Without it, the items of the passage are all the answer has."""
    question = "What kinds of information should surveillance provide?"
    first = replace(_hit(0, _SURVEILLANCE_START), doc_id="d", chunk_id="c0")
    start = len(_SURVEILLANCE_START) + 2
    second = replace(_hit(1, _SURVEILLANCE_END), doc_id="d", chunk_id="c1", char_start=start,
                     char_end=start + len(_SURVEILLANCE_END), headings=[_SURVEILLANCE])  # fmt: skip
    idf = _respond(question, [_SURVEILLANCE_START, _SURVEILLANCE_END]).term_idf
    handed = _ask(minilm_answerer, question, SearchResponse([second], "g", 1.0, "hybrid", idf, preceding={"c1": first}))
    assert handed.answer.startswith(
        f"{_SURVEILLANCE} • describing the status of infections associated with health care; • identification of the "
        "most relevant AMR patterns; [1] • early detection of clusters and outbreaks; • evaluation of the impact of "
        "interventions. [2]"
    )
    assert [c.chunk_id for c in handed.citations[:2]] == ["c0", "c1"]
    alone = _ask(minilm_answerer, question, SearchResponse([second], "g", 1.0, "hybrid", idf))
    assert alone.answer.startswith(
        f"{_SURVEILLANCE} • early detection of clusters and outbreaks; • evaluation of the impact of interventions. [1]"
    )


def test_a_previous_passage_is_read_only_where_a_passage_opens_inside_a_list() -> None:
    """The previous passage's sentences are where a list that a passage opens inside of began, never
    candidates of their own; a passage opening with prose reads none."""
    first, second = _list_across_passages()
    sentences = candidate_sentences([second], preceding={"c1": first})
    assert {s.hit.chunk_id for s in sentences} == {"c1"}
    assert (
        sentences[0].before is not None and sentences[0].before.display == "Dialoguing with industry and policy makers"
    )
    prose = replace(second, text="The founders thanked the hosts.\n\n" + second.text)
    assert candidate_sentences([prose], preceding={"c1": first})[0].before is None


def test_an_item_after_a_sub_list_is_no_item_of_it() -> None:
    """ "•" items after the "›" sub-list of an earlier "•" item are that item's siblings: the sub-list's
    introduction is not theirs, and they do not run on its items."""
    text = (
        "• Surveillance should be based on national recommendations. Surveillance should provide information "
        "for:\n\n› identification of the most relevant AMR patterns;\n\n› evaluation of the impact of "
        "interventions.\n\n• Quality laboratory capacity is essential to enable reliable surveillance."
    )
    by_start = {" ".join(s.display.split()[:2]): s for s in candidate_sentences([_hit(0, text)])}
    assert by_start["evaluation of"].introduction == "Surveillance should provide information for:"
    assert by_start["Quality laboratory"].introduction is None
    assert [s.display.split()[0] for s in _items_beside(by_start["identification of"])] == [
        "identification",
        "evaluation",
    ]


def test_a_next_passage_is_read_only_where_a_list_runs_on() -> None:
    """The next passage's sentences are what a list at a passage's end goes on with, never candidates of
    their own, and read only where the passage ends in a list's item or introduction."""
    first, second = _list_across_passages()
    sentences = candidate_sentences([first], following={"c0": second})
    assert {s.hit.chunk_id for s in sentences} == {"c0"}
    last = sentences[-1]
    assert last.after is not None and last.after.display == "Raising awareness of international days"
    assert last.after.before is last
    prose = replace(first, text=_LIST_START + "\n\nThe founders thanked the hosts.")
    assert candidate_sentences([prose], following={"c0": second})[-1].after is None


@pytest.mark.model
def test_an_item_that_counts_on_inside_itself_keeps_its_first_number(minilm_answerer: ExtractiveAnswerer) -> None:
    """A checklist item "i. Preparation ii. Testing …, and iii. Replacement" set on one line keeps its "i.":
    without it the answer's count would read from "ii.", behind a bullet."""
    passage = (
        "F. For chemicals used in high-level disinfection, manufacturer instructions are followed for:\n"
        "i. Preparation ii. Testing for appropriate concentration, and iii. Replacement (i.e., upon expiration)\n\n"
        "G. Devices are disinfected for the time the manufacturer specifies."
    )
    question = "For chemicals used in high-level disinfection, which steps follow the manufacturer's instructions?"
    answer = _ask(minilm_answerer, question, _respond(question, [passage]))
    assert answer.answerable
    assert answer.answer.startswith(
        "For chemicals used in high-level disinfection, manufacturer instructions are followed for: "
        "i. Preparation ii. Testing for appropriate concentration, and iii. Replacement (i.e., upon expiration)"
    )
    assert "• " not in answer.answer


def test_roman_sub_items_are_introduced_by_the_lettered_item_above_them() -> None:
    text = (
        "1. URGES Member States:\n\n(a) to adopt the following measures:\n\n(i) to train all ward staff in hand "
        "hygiene;\n\n(ii) to audit the practices of every ward;"
    )
    by_text = {s.display: s for s in candidate_sentences([_hit(0, text)])}
    assert by_text["to train all ward staff in hand hygiene;"].introduction == (
        "URGES Member States: … to adopt the following measures:"
    )


@pytest.mark.model
def test_a_long_list_leaves_its_answering_item_alone_and_a_heading_closes_a_list(
    minilm_answerer: ExtractiveAnswerer,
) -> None:
    items = [f"• measure number {n} for wards" for n in range(1, 17)] + ["• screening of visitors for cough"]
    long = "Facilities should consider the following measures:\n" + "\n".join(items)
    question = "Which measures should facilities consider for the screening of visitors?"
    answer = _ask(minilm_answerer, question, _respond(question, [long]))
    assert "screening of visitors for cough" in answer.answer
    short = (
        "Facilities should consider the following measures:\n• screening of visitors\n• masks for patients"
        "\n\nSource: national survey"
    )
    answer = _ask(minilm_answerer, question, _respond(question, [short]))
    assert "• screening of visitors • masks for patients [1]" in answer.answer


_ITEMS = (
    "(7) to strengthen national capacity for monitoring and evaluation of the impact of interventions;\n\n"
    "(8) to devise plans for achieving and maintaining universal access to interventions:\n\n"
    "(a) to provide prompt diagnostic testing of all suspected cases;\n\n"
    "(b) to implement and sustain coverage with preventive chemotherapy of at least 75% of the populations in need;"
)


def test_a_paragraph_numbered_like_an_earlier_one_is_its_sibling_not_its_item() -> None:
    text = (
        "4. RESOLVES that the budget will be financed as follows:\n\n(1) by net assessments on Member States;\n\n"
        "5. DECIDES that the Working Capital Fund shall be maintained at its existing level;\n\n"
        "8. FURTHER AUTHORIZES the Director-General to make budget transfers up to 5% of a category;"
    )
    by_text = {s.display: s for s in candidate_sentences([_hit(0, text)])}
    assert by_text["by net assessments on Member States;"].introduction == (
        "RESOLVES that the budget will be financed as follows:"
    )
    assert (
        by_text["FURTHER AUTHORIZES the Director-General to make budget transfers up to 5% of a category;"].introduction
        is None
    )
    under_heading = replace(
        _hit(0, text[text.index("8.") :]), headings=["4. RESOLVES that the budget will be financed as follows:"]
    )
    assert all(s.introduction is None for s in candidate_sentences([under_heading]))


def test_a_list_items_coverage_counts_its_introduction_as_the_answer_shows_it() -> None:
    """An item is shown after its introduction ("Maternal health commodities … • Oxytocin – …"): the question's
    words there count for the item, as they count for the sentence that merely repeats the question."""
    text = "Which maternal health medicines are on the list of commodities?"
    passage = (
        "Maternal health medicines on the list are as follows:\n• oxytocin for post partum haemorrhage;\n• misoprostol."
    )
    sentences = candidate_sentences([_hit(0, passage)])
    item = next(s for s in sentences if s.display.startswith("oxytocin"))
    terms = QuestionTerms.of(text, _respond(text, [passage]).term_idf)
    rows = features(terms, [item], np.zeros(1), {})
    assert item.introduction == "Maternal health medicines on the list are as follows:"
    assert rows[0][FEATURES.index("cov_sentence")] > 0.5


def test_a_list_item_is_quotable_with_its_introduction() -> None:
    """An item reads on from what introduces it: the nearest earlier line ending in a colon in its passage (and
    that line's own introduction), or the passage's heading; with neither it stays a fragment."""
    hit = replace(_hit(0, _ITEMS), headings=["WHA66.12 Neglected tropical diseases", "1. URGES Member States:2"])
    by_start = {" ".join(s.display.split()[:2]): s for s in candidate_sentences([hit])}
    assert by_start["to strengthen"].flaw is None
    assert by_start["to strengthen"].claim_text.startswith("URGES Member States: … to strengthen national")
    assert by_start["to implement"].claim_text == (
        "URGES Member States: … to devise plans for achieving and maintaining universal access to interventions: … "
        "to implement and sustain coverage with preventive chemotherapy of at least 75% of the populations in need;"
    )
    assert "URGES Member States" in by_start["to implement"].window()
    untitled = {" ".join(s.display.split()[:2]): s for s in candidate_sentences([replace(hit, headings=["WHA66.12"])])}
    assert untitled["to strengthen"].flaw == "fragment"  # nothing in its passage says what it continues
    assert untitled["to implement"].flaw == "fragment"  # its introduction is an item that nothing introduces


def test_an_unfinished_sentence_glued_before_a_label_does_not_introduce_the_items() -> None:
    """Two columns read across a page glue one column's unfinished sentence to the other's label: the items
    are quoted under the label alone."""
    text = (
        "In a systematic review, 14 days of primaquine was compared with placebo in 10 trials. The trials were "
        "conducted Desirable effects:\n\n• 14-day courses of primaquine reduce relapse rates to a greater extent "
        "than chloroquine alone.\n\n• Recommended doses: the guideline development group agreed the following:"
        "\n\n• doses are given daily for 14 days."
    )
    by_start = {" ".join(s.display.split()[:2]): s for s in candidate_sentences([_hit(0, text)])}
    assert by_start["14-day courses"].introduction == "Desirable effects:"
    assert by_start["doses are"].introduction.endswith("the guideline development group agreed the following:")
    titled = "Key recommendations for Respiratory Hygiene/Cough Etiquette in outpatient settings:\n\n• Post signs at entrances."
    (_, item) = candidate_sentences([_hit(0, titled)])
    assert item.introduction == titled.split("\n")[0]  # a title's capitalised words are no cut sentence


def test_a_heading_ending_in_a_colon_inside_the_passage_introduces_its_items() -> None:
    """A resolution's operative paragraph opens its passage ("1. DECIDES:"): the ingest marks it a heading, and
    it still introduces the numbered items below it."""
    decides = "1. DECIDES:"
    text = (
        f"{decides}\n\n(1) to endorse the global action plan for the prevention of noncommunicable diseases;\n\n"
        "(2) to adopt the set of nine voluntary global targets, noting that the target concerns premature "
        "mortality between ages 30 and 70;"
    )
    hit = replace(_hit(0, text), non_prose=[KindSpan(0, len(decides), "heading")])
    by_start = {" ".join(s.display.split()[:2]): s for s in candidate_sentences([hit])}
    assert by_start["DECIDES:"].flaw == "heading"
    assert by_start["to adopt"].flaw is None
    assert by_start["to adopt"].claim_text.startswith("DECIDES: … to adopt the set of nine voluntary global targets")


def test_an_item_of_a_list_numbered_without_marks_is_quoted_under_its_titles() -> None:
    """An annex's list laid out as "1 Oxytocin – …" lines under short titles: each item is quoted without its
    number after the titles over it, and a lone line opening with a number is no item."""
    titles = ["Commodities by life stage", "Maternal health commodities"]
    items = ["1 Oxytocin – post partum haemorrhage (PPH)", "2 Misoprostol – post-partum haemorrhage"]
    text = "\n\n".join([*titles, *items, "Newborn health commodities", "3 Injectable antibiotics – newborn sepsis"])
    spans = [
        KindSpan(text.index(t), text.index(t) + len(t), "heading") for t in [*titles, "Newborn health commodities"]
    ]
    by_text = {s.display: s for s in candidate_sentences([replace(_hit(0, text), non_prose=spans)])}
    oxytocin = by_text["Oxytocin – post partum haemorrhage (PPH)"]
    assert oxytocin.flaw is None and oxytocin.bulleted
    assert oxytocin.claim_text == (
        "Commodities by life stage … Maternal health commodities … Oxytocin – post partum haemorrhage (PPH)"
    )
    assert by_text["Misoprostol – post-partum haemorrhage"].introduction == oxytocin.introduction
    assert by_text["Injectable antibiotics – newborn sepsis"].introduction == "Newborn health commodities"
    lone = {s.display: s for s in candidate_sentences([_hit(1, "Background\n\n3 Injectable antibiotics")])}
    assert lone["3 Injectable antibiotics"].flaw is not None


def test_an_enumeration_the_page_layout_broke_after_a_comma_stays_one_sentence() -> None:
    text = (
        "Standard Precautions include: 1) hand hygiene,\n\n2) use of personal protective equipment, 3) safe "
        "injection practices,\n\n4) safe handling of equipment, and 5) respiratory hygiene.\n\nEach element is "
        "described below."
    )
    sentences = candidate_sentences([_hit(0, text)])
    assert [s.display for s in sentences] == [
        "Standard Precautions include: 1) hand hygiene, 2) use of personal protective equipment, 3) safe injection "
        "practices, 4) safe handling of equipment, and 5) respiratory hygiene.",
        "Each element is described below.",
    ]
    assert [s.flaw for s in sentences] == [None, None]


def test_a_resolutions_numbered_clause_starts_a_sentence_after_the_last_recital() -> None:
    """The last recital ends with a comma and the numbered clauses follow: the recital is a whole claim, the
    clause is quoted without its number or the footnote mark after its semicolon, and a bare number is no
    sentence of its own."""
    text = (
        "Recognizing the linkages between the plan and efforts to address neglected tropical diseases,\n\n"
        "1. ENDORSES the global action plan 2014–2019 on universal eye health; 5\n\n"
        "2.\n\nURGES Member States:\n\n(1) to implement the proposed actions in the plan;"
    )
    sentences = candidate_sentences([_hit(0, text)])
    assert [(s.display, s.flaw) for s in sentences] == [
        ("Recognizing the linkages between the plan and efforts to address neglected tropical diseases,", None),
        ("ENDORSES the global action plan 2014–2019 on universal eye health;", None),
        ("URGES Member States:", "fragment"),  # an introduction, quoted before its items
        ("to implement the proposed actions in the plan;", None),
    ]
    assert sentences[-1].introduction == "URGES Member States:"
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert flaw("Because of the linkages between the plan and efforts to address tropical diseases,") == "fragment"


def test_every_numbered_item_is_quoted_after_its_introduction() -> None:
    """Items that open with a capital belong to their introduction as much as lower-case ones: "Noncommunicable
    diseases US$ 318 million;" says what it is only after "ALLOCATES the budget … to the following categories:",
    and the introduction's words count for each item, not only for the first one beside it."""
    text = (
        "ALLOCATES the budget for the financial period 2014–2015 to the following six categories:\n"
        "(1) Communicable diseases US$ 841 million;\n(2) Noncommunicable diseases US$ 318 million;\n"
        "(3) Promoting health through the life course US$ 388 million;"
    )
    items = [s for s in candidate_sentences([_hit(0, text)]) if s.bulleted]
    assert [s.claim_text for s in items] == [
        "ALLOCATES the budget for the financial period 2014–2015 to the following six categories: … " + item
        for item in (
            "Communicable diseases US$ 841 million;",
            "Noncommunicable diseases US$ 318 million;",
            "Promoting health through the life course US$ 388 million;",
        )
    ]
    assert all(s.flaw is None and "budget" in s.window() for s in items)


def test_a_sentence_that_runs_on_across_blank_lines_is_one_claim_but_glued_blocks_are_not() -> None:
    text = "The chair was M.\n\nLindsay Grayson (University of Melbourne,\n\nAustralia). Hand hygiene is key."
    sentences = candidate_sentences([_hit(0, text)])
    assert [(s.display, s.flaw) for s in sentences] == [
        ("The chair was M. Lindsay Grayson (University of Melbourne, Australia).", None),
        ("Hand hygiene is key.", None),
    ]
    assert flaw("Recommendations\n\nHand hygiene is performed before and after contact.") == "fragment"


@pytest.mark.model
def test_a_note_after_a_sentence_is_quoted_with_it(minilm_answerer: ExtractiveAnswerer) -> None:
    """A checklist item's note completes it; alone it is a caption, never a claim."""
    passage = (
        "Devices are dried thoroughly prior to reuse. After high-level disinfection, devices are stored in a "
        "manner to protect from damage or contamination. Note: Endoscopes should be hung in a vertical position. "
        "Facility maintains a log for each endoscopy procedure."
    )
    question = "How should devices be stored after high-level disinfection?"
    answer = _ask(minilm_answerer, question, _respond(question, [passage]))
    assert answer.answerable
    assert answer.citations[0].quote == (
        "After high-level disinfection, devices are stored in a manner to protect from damage or contamination. "
        "Note: Endoscopes should be hung in a vertical position."
    )


@pytest.mark.model
def test_an_answer_quotes_a_list_item_after_its_introduction(minilm_answerer: ExtractiveAnswerer) -> None:
    question = "What coverage of preventive chemotherapy does the resolution urge Member States to reach?"
    response = _respond(question, [_ITEMS], title="WHA66.12 Neglected tropical diseases")
    response.results[0] = replace(response.results[0], headings=["WHA66.12", "1. URGES Member States:"])
    answer = _ask(minilm_answerer, question, response)
    assert answer.answerable
    assert answer.answer.startswith("URGES Member States: … to devise plans")
    assert "at least 75% of the populations in need; [1]" in answer.answer
    assert answer.citations[0].quote.startswith("to implement and sustain coverage")  # the document's own words


def test_text_the_ingest_marked_as_not_prose_is_never_a_candidate() -> None:
    table = "The alliance has 276 member organisations."
    prose = "The alliance has member organisations in 71 countries."
    question = "How many member organisations does the alliance have?"
    response = _respond(question, [f"{table}\n\n{prose}"])
    hit = response.results[0]
    plain = _hash_answerer.evidence(question, [hit], response.term_idf)
    assert [s.text for s in plain.sentences] == [table, prose]
    marked = replace(hit, non_prose=[KindSpan(0, len(table), "table")])
    evidence = _hash_answerer.evidence(question, [marked], response.term_idf)
    assert [s.text for s in evidence.sentences] == [prose]


# A property: whatever mix of headings, questions, fragments, captions, references and sentences a passage
# holds, every quoted claim is a complete sentence (or a list with its introduction).

_SENTENCES = st.sampled_from(
    [
        "The committee approved 14 recommendations on hand hygiene.",
        "Hand hygiene compliance rose to 64% in the surveyed hospitals.",
        "Each facility should have one focal person per 250 beds.",
        "The guidelines were published in 2016 after a review of the evidence.",
        "It has since been adopted by 40 countries.",
    ]
)
_NOISE_TEXTS = [
    "3.2 Hand hygiene in health care facilities",
    "What are the recommendations on hand hygiene?",
    "and hand hygiene compliance in 14 hospitals",
    "Figure 2. Hand hygiene compliance by facility.",
    "Pittet D, Allegranzi B, Sax H, et al. Hand hygiene. Lancet. 2006;6:641–52.",
    "Hand hygiene ........................ 14",
    "Recommendations | 14 | 64% | 250",
    "HAND HYGIENE RECOMMENDATIONS",
]
_NOISE = st.sampled_from(_NOISE_TEXTS)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(_SENTENCES, _NOISE), min_size=1, max_size=10), st.sampled_from(
    ["How many recommendations on hand hygiene were approved?", "What are the hand hygiene recommendations?",
     "hand hygiene compliance in hospitals", "When were the guidelines published?"]))  # fmt: skip
def test_no_claim_is_a_fragment_heading_or_question(parts: list[str], question: str) -> None:
    text = "\n\n".join(parts)
    answer = _ask(_hash_answerer, question, _respond(question, [text]))
    for citation in answer.citations:
        quote = citation.quote.strip()
        assert re.search(r"[.!:;]$", quote), quote
        assert quote[:1].isupper() or quote[:1].isdigit()
        assert not any(noise in quote for noise in _NOISE_TEXTS), quote


_hash_answerer = ExtractiveAnswerer(HashEmbedder())


def test_a_sentence_that_cannot_be_quoted_sets_no_bar_for_the_others() -> None:
    """The best-scored sentence points back to what its passage does not hold ("They have …"): it is left
    out, and the next one is quoted though it scores well below it."""
    pointing = _hit(0, "They have 340 member hospitals in 40 countries.")
    stated = _hit(1, "The Patient Safety Network counts 300 member hospitals in its 2023 report.")
    ranked = [s for hit in (pointing, stated) for s in candidate_sentences([hit])]
    ranked[0].score, ranked[1].score = 0.99, 0.6
    assert _hash_answerer.model.threshold < 0.6 < _hash_answerer.model.threshold + 0.1  # well below 0.99's floor
    groups = _hash_answerer._select(ranked, Kind.QUANTITY, set())
    assert [[s.display for s in g] for g in groups] == [[stated.text]]


@pytest.mark.parametrize(
    ("question", "sentence", "held"),
    [
        ("Who is the main target audience of the guidelines at national level?",
         "At the national level, the document is targeted primarily at policy-makers.", 1.0),
        ("Whose job is it to make healthy food affordable?", "Governments have a central role in food policy.", 1.0),
        ("Who should receive IPTp?", "All pregnant women in areas of moderate transmission should receive IPTp.", 1.0),
        ("Who should receive IPTp?", "IPTp is given monthly from the second trimester.", 0.0),
        ("Who chaired the Guideline Development Group?", "Governments have a central role.", 0.0),  # a person
        ("Who is the Director-General of WHO?", "Governments and partners elected the leader.", 0.0),
    ],
)  # fmt: skip
def test_who_is_answered_by_a_group_of_people_unless_it_asks_a_persons_role(
    question: str, sentence: str, held: float
) -> None:
    assert holds(asked(question), sentence, content_stems(question)) == held


def test_a_deadline_is_a_date() -> None:
    assert asked("By what deadline must Member States adopt the standards?").kind is Kind.DATE
    assert asked("What is the deadline for the first report?").kind is Kind.DATE


def _with_headings(response: SearchResponse, *headings: str) -> SearchResponse:
    return replace(response, results=[replace(h, headings=list(headings)) for h in response.results])


@pytest.mark.model
def test_declared_interests_answer_only_questions_about_contributors(minilm_answerer: ExtractiveAnswerer) -> None:
    """A trial of tafenoquine declared as an interest says nothing of tafenoquine; the same passage says who
    declared what."""
    passage = (
        "Dr Kevin Baird reported research support for a clinical trial of tafenoquine for radical cure of P. vivax."
    )
    question = "Is tafenoquine recommended for radical cure of P. vivax?"
    response = _with_headings(_respond(question, [passage]), "10. Contributors and interests")
    refused = _ask(minilm_answerer, question, response)
    assert not refused.answerable
    assert "tafenoquine" in refused.answer  # no passage that may answer names it
    asked_of = "Who reported research support for a trial of tafenoquine?"
    response = _with_headings(_respond(asked_of, [passage]), "10. Contributors and interests")
    assert "Kevin Baird" in _ask(minilm_answerer, asked_of, response).answer


@pytest.mark.model
def test_a_medicine_no_passage_names_is_refused(minilm_answerer: ExtractiveAnswerer) -> None:
    question = "Do the guidelines recommend mass drug administration of ivermectin to reduce malaria transmission?"
    passages = ["Mass drug administration with dihydroartemisinin-piperaquine is recommended to reduce transmission."]
    answer = _ask(minilm_answerer, question, _respond(question, passages))
    assert not answer.answerable
    assert "ivermectin" in answer.answer


@pytest.mark.model
def test_a_list_question_answered_inside_one_item_quotes_that_item_alone(minilm_answerer: ExtractiveAnswerer) -> None:
    """The item that lists the articles answers; its sibling under the same introduction is no part of it."""
    passage = (
        "REQUESTS the Director-General:\n\n(1) to provide technical support to Member States in implementing the"
        " recommendations of the report;\n\n(2) to provide support to Member States in the implementation of the"
        " Convention on the Rights of Persons with Disabilities, in particular Articles 16 (Freedom from"
        " exploitation), 19 (Living independently), 20 (Personal mobility) and 25 (Health);"
    )
    question = "Which articles of the Convention on the Rights of Persons with Disabilities does it single out?"
    response = _respond(question, [passage])
    heading = KindSpan(0, len("REQUESTS the Director-General:"), "heading")
    response = replace(response, results=[replace(response.results[0], non_prose=[heading])])
    answer = _ask(minilm_answerer, question, response)
    assert "Articles 16" in answer.answer
    assert "technical support" not in answer.answer


def test_a_documents_identifier_is_a_kind_of_its_own() -> None:
    """ "What is the ISBN …?" is answered by an ISBN or a document code, never by a sentence echoing the title."""
    isbn = asked("What is the ISBN of the WHO Guidelines on core components of IPC programmes?")
    assert isbn.kind is Kind.IDENTIFIER
    assert asked("What is the WHO document reference number of the malaria guidelines?").kind is Kind.IDENTIFIER
    assert holds(isbn, "ISBN 978-92-4-154992-9 © World Health Organization 2016", set()) == 1.0
    assert holds(isbn, "WHO/UCN/GMP/2023.01 Rev. 1", set()) == 1.0
    assert holds(isbn, "Guidelines on core components of IPC programmes at the national level.", set()) == 0.0
    assert asked("What is the number of deaths?").kind is Kind.QUANTITY
    version = asked("What version number is the CDC outpatient guide, and when was it issued?")
    assert version.kind is Kind.IDENTIFIER  # a version is the document's own number, not a year it cites
    assert holds(version, "Division of Healthcare Quality Promotion Version 2.3 - September 2016", set()) == 1.0
    assert (
        holds(version, "The 2007 CDC and HICPAC Guideline for Isolation Precautions was a first attempt.", set()) == 0
    )


@pytest.mark.model
def test_a_body_one_document_alone_names_scopes_the_question_to_it(minilm_answerer: ExtractiveAnswerer) -> None:
    """An acronym only one document's passages hold names that document's body: another body's meeting of the
    asked year does not answer for it. An acronym several documents hold is a topic, which a passage may write
    otherwise ("COVID" in a passage about 2019-nCoV)."""
    event = "When will the IEEPO 2024 event be held?"
    passages = [
        "The IEEPO 2023 event brought patient organisations together in Brussels. It is time to unite and act.",
        "We held our Annual General Meeting in December 2024 in London, where we unveiled our new strategy.",
    ]
    answer = _ask(minilm_answerer, event, _respond(event, passages))
    assert not answer.answerable and "December 2024" not in answer.answer
    topic = "When was the first local transmission of COVID reported in the United States?"
    passages = [
        "COVID-19 spread quickly in many countries during 2020.",
        "On January 30, 2020, the CDC reported the first local transmission in the US between members of a household.",
        "The COVID-19 pandemic changed hospital practice.",
    ]
    answer = _ask(minilm_answerer, topic, _respond(topic, passages))
    assert answer.answerable and "January 30, 2020" in answer.answer


def test_an_amount_per_one_thing_is_not_an_amount_per_another() -> None:
    per_test = asked("What was the cost per test in the Kenya mass testing and treatment study?")
    assert (per_test.measure, per_test.per) == ("money", "test")
    assert holds(per_test, "Costs were estimated at US$ 1.88 per child treated per year.", set()) == 0.5
    assert holds(per_test, "The cost was US$ 4.39 per test performed.", set()) == 1.0
    assert holds(per_test, "The study cost US$ 40 000 in all.", set()) == 1.0  # says per nothing: not judged
    assert holds(asked("How much does SMC cost per child?"), "SMC costs US$ 3.63 per child per year.", set()) == 1.0


def test_a_version_no_passage_names_is_absent() -> None:
    question = "When was version 3.0 of the outpatient guide released?"
    terms = QuestionTerms.of(question, {s: 2.0 for s in content_stems(question)})
    guide = [_hit(0, "Guide to Infection Prevention for Outpatient Settings. Version 2.3, September 2016.")]
    assert absent_bodies(terms, guide) == ["version 3.0"]
    assert absent_bodies(terms, [_hit(0, "Version 3.0 of the guide was released in 2020.")]) == []


@pytest.mark.parametrize(
    ("term", "sentence", "defined"),
    [
        ("CHIKV", "CHIKV is an arthropod-borne virus (arbovirus) transmitted by mosquitoes.", True),
        ("EGR1", "EGR1, also known as Zif268 and NGF1-A, is a zinc finger protein.", True),
        ("Chikungunya virus", "Chikungunya virus (CHIKV), a mosquito-borne pathogen, has spread widely.", True),
        ("IFITM", "The interferon-induced transmembrane (IFITM) proteins restrict viral entry.", True),
        ("incubation period", "The incubation period of the infection was defined as the time to onset.", True),
        ("lockdown", "There are several scenarios that the media refers to as lockdown.", True),
        ("FACE framework", "We introduced our new FACE framework designed to guide our efforts.", True),
        ("FACE framework", "FACE strategic framework:", True),
        ("IFITM", "Different IFITM proteins have different antiviral spectrum.", False),
        ("incubation period", "We assumed that the incubation period (1/ω) was the same as the latent period.", False),
        ("IAPO", "Altogether, our new icon translates IAPO's support to our membership.", False),
    ],
)
def test_a_sentence_defining_a_term_is_told_from_one_that_uses_it(term: str, sentence: str, defined: bool) -> None:
    assert defines(term, sentence) is defined


def test_what_is_asks_to_define_a_thing_not_an_act() -> None:
    incubation = asked("What is an incubation period?")
    assert (incubation.kind, incubation.term, incubation.typed) == (Kind.DEFINITION, "incubation period", True)
    assert holds(incubation, "The incubation period is the time from infection to the onset of symptoms.", set())
    assert not holds(incubation, "The mean incubation period was 5.2 days.", set())
    assert asked("What is summarized?").term is None and not asked("What is summarized?").typed
    assert describe_missing(asked("What is IAPO?"), [], True) == (
        "No definition of “IAPO” was found in the closest passages."
    )


@pytest.mark.model
def test_a_definition_question_is_answered_by_a_definition_or_refused(minilm_answerer: ExtractiveAnswerer) -> None:
    passages = [
        "Different IFITM proteins have different antiviral spectrum. IFITM3 restricts influenza in mice.",
        "The interferon-induced transmembrane (IFITM) proteins are small proteins that restrict viral entry.",
    ]
    question = "What is IFITM?"
    answer = _ask(minilm_answerer, question, _respond(question, passages))
    assert "interferon-induced transmembrane (IFITM)" in answer.answer and "antiviral spectrum" not in answer.answer
    used = "What is KATNAL1?"
    uses = ["Perturbations in KATNAL1 may play a role in learning. KATNAL1 mutant mice show behavioural changes."]
    refused = _ask(minilm_answerer, used, _respond(used, uses))
    assert not refused.answerable and "No definition of “KATNAL1”" in refused.answer


def test_an_amount_of_a_compound_noun_is_a_figure_for_either_word() -> None:
    question = "What level of bed-net coverage in a community was thought to be needed for community-wide protection?"
    assert asked(question).subject == {stem("bed-net"), stem("coverage")}
    assert asked("What is the amount of salt consumed per day?").subject == {stem("salt")}
    sentence = (
        "Trials originally suggested that community coverage (i.e. the proportion of human populations sleeping "
        "under an ITN) of ≥ 50% is expected to result in some level of community-wide protection."
    )
    assert _holds(question, sentence) == 1.0  # the aside in brackets stands between the noun and its figure
    assert _holds(question, "In 2019, 50% of households owned a bed net and 30% were sprayed.") == 0.5


# A summary-of-findings table as MAGICapp's evidence profiles come out of a PDF: a cell per line, the column
# headings, then for each outcome its timeframe, importance, effect, data, risks, certainty and summary.
_PROFILE = """Outcome
Timeframe
Study results and
measurements
Comparator
No vaccination
Intervention
RTS,S/AS01
Certainty of
the Evidence
(Quality of
evidence)
Summary
9 Critical
All-cause hospital
admissions in
implementing
areas 46
Pilot
implementation
study 2019–2021
9 Critical
0.92
(CI 95% 0.83 — 1.03)
Based on data from
27,678 participants in 1
studies.
11
per 1000

Difference:

8.9
per 1000
2.1 fewer per
1000
( CI 95% 4.28
fewer — 0.8 more
)
47
Moderate
Due to serious
imprecision 48
RTS,S/AS01 vaccine
introduction probably
has little or no difference
on all-cause hospital

admissions.

Anaemia
(haemoglobin <80g/L) prevalence
Relative risk 0.61
(CI 95% 0.42 — 0.89)
Based on data from
705 participants in 1
studies.
"""


def _table_hit(text: str, hit: SearchHit | None = None) -> SearchHit:
    """A passage of `text` that the ingest read as a table, as it reads an evidence profile's page."""
    return replace(hit or _hit(0, text), non_prose=[KindSpan(0, len(text), "table")])


def test_an_evidence_profiles_findings_read_as_rows_and_its_summaries_as_sentences() -> None:
    """Each finding of an evidence profile is quotable without the table's headings, the importance rating
    and footnote marks, from its outcome's first line; each plain-language summary without the certainty
    cell before it, which stays its label."""
    hit = _table_hit(_PROFILE)
    quotable = {s.display: s for s in candidate_sentences([hit]) if s.flaw is None}
    assert set(quotable) == {
        "All-cause hospital admissions in implementing areas Pilot implementation study 2019–2021 0.92 (CI 95% "
        "0.83 — 1.03) Based on data from 27,678 participants in 1 studies.",
        "Anaemia (haemoglobin <80g/L) prevalence Relative risk 0.61 (CI 95% 0.42 — 0.89) Based on data from 705 "
        "participants in 1 studies.",
        "RTS,S/AS01 vaccine introduction probably has little or no difference on all-cause hospital admissions.",
    }
    summary = quotable[
        "RTS,S/AS01 vaccine introduction probably has little or no difference on all-cause hospital admissions."
    ]
    assert summary.label is not None and summary.label.endswith("0.8 more ) 47 Moderate Due to serious imprecision 48")
    assert summary.introduction is not None  # the finding above, under what the profile compares
    assert summary.introduction.startswith("RTS,S/AS01 versus No vaccination … All-cause hospital admissions")
    assert _PROFILE[summary.start : summary.end].startswith("RTS,S/AS01 vaccine")
    assert summary.outcome == "All-cause hospital admissions in implementing areas Pilot implementation study 2019–2021"
    anaemia = next(s for d, s in quotable.items() if d.startswith("Anaemia"))
    assert anaemia.outcome == "Anaemia (haemoglobin <80g/L) prevalence"  # without the effect's name
    first = next(s for d, s in quotable.items() if d.startswith("All-cause"))
    assert first.introduction == "RTS,S/AS01 versus No vaccination"  # what the profile compares
    assert _PROFILE[first.start : first.end].startswith("All-cause hospital")  # the headings are not quoted


def test_a_finding_that_runs_on_from_the_row_before_is_not_quoted() -> None:
    """Where a row's summary has no full stop, the next finding's sentence opens with the row before (its
    risks, its certainty, its summary) and no outcome can be told from it: it stays a table's text."""
    assert finding(
        "Anaemia prevalence Relative risk 0.61 (CI 95% 0.42 — 0.89) Based on data from 705 participants in 1 studies."
    )
    run_on = (
        "456 per 1000 395 fewer per 1000 ( CI 95% 509 fewer — 252 fewer ) Moderate Due to serious inconsistency 7 "
        "Courses probably decrease re-admission Re-admission (post-intervention period) 8 Critical Hazard ratio 1.06 "
        "(CI 95% 0.81 — 1.39) Based on data from 1,200 participants in 2 studies."
    )
    assert finding(run_on[finding_start(run_on) :]) is None
    assert finding("Malaria deaths were fewer (CI 95% 0.4 — 0.9) in the trial.") is None  # no data behind it
    assert strip_certainty("High levels of resistance were seen in 2019.") == 0  # prose, not a rating
    assert strip_certainty("Low AL may reduce fetal loss.") == len("Low ")


def test_a_finding_broken_by_the_page_and_a_summary_after_the_risks_are_read_whole() -> None:
    """A blank line the page put inside a finding's data does not end it, its outcome's first line ending in a
    colon opens it, and a summary after the risk cells and the rating is quoted without them."""
    profile = (
        "Clinical malaria:\n\nall\nantimalarials\n9 Critical\nRate ratio 0.7\n(CI 95% 0.62 — 0.8)\n"
        "Based on data from\n10,602 participants in\n\n10 studies.\n\nDifference: 220 fewer per\n1000\n"
        "( CI 95% 280\nfewer — 150\nfewer )\nModerate\nDue to serious\nimprecision 1\nPMC probably reduces\n"
        "incidence of clinical\n\nmalaria.\n"
    )
    hit = _table_hit(profile)
    assert [s.display for s in candidate_sentences([hit]) if s.flaw is None] == [
        "Clinical malaria: all antimalarials Rate ratio 0.7 (CI 95% 0.62 — 0.8) Based on data from 10,602 "
        "participants in 10 studies.",
        "PMC probably reduces incidence of clinical malaria.",
    ]


def test_a_summary_after_its_rating_alone_is_read_under_its_finding() -> None:
    """Where the page sets the certainty rating apart, a blank line before the summary, the summary is the
    sentence after the rating: quoted under its finding, with the rating as its label."""
    profile = (
        "Malaria\nincidence\nRelative risk 1.17\n(CI 95% 0.92 — 1.46)\nBased on data from\n5,249 participants in 2\n"
        "studies. (Randomized\ncontrolled)\n600\nper 1000\n\nDifference:\n\n700\nper 1000\n100 more per\n1000\n"
        "( CI 95% 50\nfewer — 280\nmore )\nModerate\nDue to serious\nimprecision 1\n\nIRS in addition to ITNs "
        "probably has little or no effect on malaria incidence compared to ITNs alone.\n"
    )
    hit = _table_hit(profile)
    summary = next(s for s in candidate_sentences([hit]) if s.display.startswith("IRS in addition"))
    assert summary.flaw is None and summary.introduction is not None
    assert summary.introduction.startswith("Malaria incidence Relative risk 1.17")  # no comparison read above
    assert summary.label is not None and summary.label.endswith("Moderate Due to serious imprecision 1")


def test_a_summary_without_a_full_stop_leaves_the_next_finding_its_own_row() -> None:
    """Row A's summary without a full stop runs into row B's finding ("High Reactive IRS reduces⏎malaria
    prevalence⏎Incidence of⏎clinical malaria …"): B is read from its outcome's first line, the first after the
    summary's first that opens with a capital, and B's summary is put under B's finding, not A's."""
    profile = (
        "Malaria incidence\nRelative risk 0.8\n(CI 95% 0.7 — 0.9)\nBased on data from\n900 participants in 2\n"
        "studies.\n\nDifference: 20 fewer per\n1000\n( CI 95% 30\nfewer — 10\nfewer )\nModerate\nDue to serious\n"
        "imprecision 1\nSMC probably reduces malaria incidence\nSevere anaemia\nRelative risk 0.9\n(CI 95% 0.6 — 1.3)\n"
        "Based on data from\n800 participants in 1\nstudies.\n\nDifference: 5 fewer per\n1000\n( CI 95% 9\nfewer — 4\n"
        "more )\nLow\nDue to serious\nimprecision 2\nSMC may have little or no effect on severe anaemia.\n"
    )
    hit = _table_hit(profile)
    quotable = [s for s in candidate_sentences([hit]) if s.flaw is None]
    assert [s.display for s in quotable] == [
        "Malaria incidence Relative risk 0.8 (CI 95% 0.7 — 0.9) Based on data from 900 participants in 2 studies.",
        "Severe anaemia Relative risk 0.9 (CI 95% 0.6 — 1.3) Based on data from 800 participants in 1 studies.",
        "SMC may have little or no effect on severe anaemia.",
    ]
    anaemia, summary = quotable[1:]
    assert profile[anaemia.start : anaemia.end].startswith("Severe anaemia")  # the run-on summary is not quoted
    assert summary.introduction == anaemia.claim_text and summary.outcome == "Severe anaemia"
    rated = "Moderate\nDue to serious\nimprecision 1\nReactive IRS reduces\nmalaria prevalence\nIncidence of\n"
    row = f"{rated}clinical malaria\n9 Critical\nRelative risk 0.65\n(CI 95% 0.19 — 1.11)\nBased on data from\n2,000 participants in 1\nstudies."
    assert row[finding_start(row) :].startswith("Incidence of")  # "Reactive IRS" opens the summary, a name


def test_an_ordinary_tables_cells_keep_their_words_and_figures() -> None:
    """Outside an evidence profile a table's text opening "High …" keeps it, and a figure a word asks for
    stays in a finding ("Rate ratio 2")."""
    table = "High Burden to High Impact countries\nCountry Cases Deaths\nNigeria 68 194\nKenya 12 30\nUganda 14 41\n"
    hit = _table_hit(table)
    rows = [s for s in candidate_sentences([hit]) if s.row is not None]
    assert rows and all(s.introduction == "High Burden to High Impact countries Country Cases Deaths" for s in rows)
    assert finding(
        "Severe malaria\nRate ratio 2\n(CI 95% 1.1 — 3.6)\nBased on data from\n100 participants in 1\nstudies."
    ) == ("Severe malaria Rate ratio 2 (CI 95% 1.1 — 3.6) Based on data from 100 participants in 1 studies.")


@pytest.mark.model
def test_an_effect_asked_is_answered_from_an_evidence_profile(minilm_answerer: ExtractiveAnswerer) -> None:
    question = "Did introducing the RTS,S/AS01 vaccine reduce all-cause hospital admissions?"
    response = _respond(question, [_PROFILE])
    response.results[0] = _table_hit(_PROFILE, response.results[0])
    answer = _ask(minilm_answerer, question, response)
    assert answer.answerable
    assert "probably has little or no difference on all-cause hospital admissions" in answer.answer
    assert "Difference:" not in answer.answer and "Critical" not in answer.answer
    other = "How does the RTS,S/AS01 vaccine compare with no vaccination on deaths in children?"
    response = _respond(other, [_PROFILE])
    response.results[0] = _table_hit(_PROFILE, response.results[0])
    assert "0.92" not in _ask(minilm_answerer, other, response).answer  # another outcome's finding


@pytest.mark.parametrize(
    ("question", "target"),
    [
        ("What effect does screening houses' windows, doors and eaves have on anaemia?", "anaemia"),
        ("Does adding IRS to pyrethroid nets reduce malaria incidence compared with nets alone?", "malaria incidence"),
        ("What is the impact of SMC on all-cause mortality in children under 5?", "all-cause mortality"),
        ("Do larger networks improve access to government and media?", "access"),
        ("Does the vaccine lower the risk of severe malaria among infants?", "severe malaria"),
        ("How does artemether-lumefantrine compare with quinine on fetal loss?", "fetal loss"),
        ("How did DHA-PPQ compare with AS-MQ for dizziness in patients with malaria?", "dizziness"),
        (
            "What annual budget was set for the proposed United Nations Task Force on NCDs?",
            "proposed United Nations Task Force",
        ),
        ("What total budget did the Assembly approve for the 2014–2015 biennium?", None),  # a period: the year scope
        ("Which outbreak prompted the guidelines for infection prevention?", None),  # no amount of money asked
        ("What does WHO recommend for severe malaria?", None),
        ("Does WHO recommend SMC in the Sahel?", None),
    ],
)
def test_what_an_effect_is_asked_on_or_an_amount_of_money_for(question: str, target: str | None) -> None:
    assert asked(question).target == target


def test_a_refusal_names_the_target_no_passage_names() -> None:
    budget = asked("What annual budget was set for the proposed Task Force?")
    note = describe_missing(budget, ["Task", "Force"], kind_missing=False, target_missing=True)
    assert note == "No amount of money for “proposed Task Force” was found in the closest passages."


@pytest.mark.model
def test_an_effect_on_one_outcome_is_not_answered_by_a_sentence_about_another(
    minilm_answerer: ExtractiveAnswerer,
) -> None:
    question = "What effect does screening houses' windows, doors and eaves have on anaemia?"
    other = (
        "Both studies investigated the impact of house screening (screening of windows, doors and eaves) with "
        "untreated materials against malaria. Screened houses had fewer mosquitoes indoors."
    )
    refused = _ask(minilm_answerer, question, _respond(question, [other]))
    assert not refused.answerable, refused.answer
    assert "No effect on “anaemia” was found in the closest passages." in refused.answer
    stated = other + " Screening of windows, doors and eaves probably reduced anaemia by 39%."
    answer = _ask(minilm_answerer, question, _respond(question, [stated]))
    assert answer.answerable, answer.answer
    assert "39%" in answer.answer
    assert "fewer mosquitoes" not in answer.answer


def test_the_best_passages_section_running_on_into_the_next_passage_is_read_too() -> None:
    """An evidence summary opens with its PICO question and its statements run on into the next passage of the
    same section: those are candidates, after the top passages; a next passage under other headings is not."""
    first = (
        "Population: Adults and children in areas with malaria transmission. Intervention: Screening of windows. "
        "Comparator: No screening. Two trials were included in the meta-analysis."
    )
    second = "Screening probably reduces anaemia (RR 0.61, 95% CI 0.42, 0.89; 705 participants; 1 trial)."
    after, best = _adjacent(first, second)
    best, after = (
        replace(best, headings=["Clinical question/ PICO"]),
        replace(after, headings=["Clinical question/ PICO"]),
    )
    other = _hit(2, "Household surveys measure net use across the region.")
    ranked = candidate_sentences([best, other], following={best.chunk_id: after})
    anaemia = next(s for s in ranked if s.display.startswith("Screening probably reduces anaemia"))
    assert anaemia.flaw is None and anaemia.rank == 2  # after the two top passages
    assert anaemia.before is not None and anaemia.before.display.startswith("Two trials")
    elsewhere = replace(after, headings=["Research needs"])
    assert not any("anaemia" in s.display for s in candidate_sentences([best], following={best.chunk_id: elsewhere}))
    second_best = candidate_sentences([other, best], following={best.chunk_id: after})
    assert not any("anaemia" in s.display for s in second_best)  # only the best passage's section is read on


def test_money_asked_in_so_many_words_asks_an_amount_of_money() -> None:
    grants = asked("What was the total monetary value of the research grants the expert declared?")
    assert (grants.kind, grants.measure) == (Kind.QUANTITY, "money")
    assert holds(grants, "The expert declared four research grants.", set()) == 0.0
    assert holds(grants, "The four grants were worth US$ 1.2 million in all.", set()) == 1.0
    pledged = asked("How much money have donors pledged to the pooled fund?")
    assert pledged.measure == "money"
    note = describe_missing(pledged, ["money", "pledged"], kind_missing=True)
    assert note == "No amount of money was found in the closest passages, and they do not mention “pledged”."


def test_a_finding_compared_against_another_product_than_the_question_names_does_not_answer() -> None:
    a = asked(
        "What was the rate ratio for malaria incidence with pyrethroid-chlorfenapyr nets compared with pyrethroid-only nets?"
    )
    assert a.comparators == {"pyrethroid-only"}
    other = "Pyrethroid-chlorfenapyr nets versus Pyrethroid-PBO nets … Malaria case incidence Rate ratio 0.68 (CI 95% 0.59 — 0.79)"
    asked_for = "Pyrethroid-chlorfenapyr ITNs versus Pyrethroid-only ITNs … Malaria case incidence Rate ratio 0.72 (CI 95% 0.67 — 0.78)"
    assert _conflicts(a, other, "Guidelines for malaria")
    assert not _conflicts(a, asked_for, "Guidelines for malaria")
    assert not _conflicts(a, "Pyrethroid-chlorfenapyr nets reduced malaria incidence (rate ratio 0.72).", "Guidelines")
    alone = asked("Does adding IRS to pyrethroid nets reduce malaria incidence compared with nets alone?")
    assert not alone.comparators and not _conflicts(alone, other, "Guidelines for malaria")


def test_an_answer_under_the_assured_cut_says_it_may_not_answer_directly() -> None:
    """Between the threshold and the assured cut the same claims are shown, after a caveat; a refusal and an
    answer at or over the cut carry none."""
    question = "How many member hospitals does the Patient Safety Network count?"
    response = _respond(question, ["The Patient Safety Network counts 300 member hospitals in its 2023 report."])
    answerer = ExtractiveAnswerer(HashEmbedder())
    answerer.model = replace(answerer.model, assured=answerer.model.threshold)
    stated = _ask(answerer, question, response)
    assert stated.answerable and not stated.tentative and TENTATIVE not in stated.answer
    answerer.model = replace(answerer.model, assured=stated.confidence + 0.01)
    tentative = _ask(answerer, question, response)
    assert tentative.tentative and tentative.answer == f"{TENTATIVE}\n\n{stated.answer}"
    assert tentative.citations == stated.citations and "".join(tentative.claims()) == tentative.answer
    refused = _ask(answerer, "Who chairs the board of the Network?", response)
    assert not refused.answerable and not refused.tentative
