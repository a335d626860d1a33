"""The assured cut of `make calibrate`: the lowest score from which answers were right nine times in ten."""

from __future__ import annotations

import numpy as np

from bench.calibrate import ASSURED_PRECISION, Case, Scored, choose_assured, precision


def _best(source: str, answerable: bool, p: float, right: bool) -> tuple[Scored, float, bool]:
    case = Case(f"{source}{p}", source, "q", answerable, "doc" if answerable else None, [], [], {})
    empty = np.zeros(0)
    return Scored(case, empty, empty, empty, empty), p, right


def test_the_assured_cut_is_the_lowest_score_from_which_answers_were_right_often_enough() -> None:
    assert ASSURED_PRECISION == 0.9
    best = [_best("policy", True, p, right) for p, right in
            ((0.95, True), (0.9, True), (0.85, True), (0.8, False), (0.7, True), (0.6, False), (0.4, True))]  # fmt: skip
    assert choose_assured(best, 0.5) == 0.85  # 3 of 3 from 0.85; 3 of 4 from 0.8
    assert precision(best, 0.5, 0.85) == (3, 1 / 3)  # 0.4 is under the threshold: refused, not tentative
    # an unanswerable question answered counts as a wrong answer; COVID-QA's strict labels are not read
    unanswered = [*best, _best("sample", False, 0.92, False), _best("covidqa", True, 0.99, False)]
    assert choose_assured(unanswered, 0.5) == 0.95
    assert choose_assured([_best("policy", True, 0.9, False)], 0.5) == 1.0  # never right enough: all tentative
