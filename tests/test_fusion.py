"""Rank fusion as a pure function: weighted min-max scores and reciprocal rank."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policykb.index.fusion import fuse


def rounded(fused: list[tuple[str, float, dict[str, float]]]) -> list[tuple[str, float]]:
    return [(key, round(score, 9)) for key, score, _ in fused]


def test_score_fusion_sums_weighted_min_max_normalised_halves() -> None:
    lexical = [("a", 12.0), ("b", 8.0), ("c", 4.0)]
    dense = [("c", 0.9), ("d", 0.5)]
    fused = fuse(lexical, dense, "score", dense_weight=0.4)
    assert rounded(fused) == [("a", 1.0), ("b", 0.5), ("c", 0.4), ("d", 0.0)]
    assert {key: halves for key, _, halves in fused} == {
        "a": {"lexical": 12.0},
        "b": {"lexical": 8.0},
        "c": {"lexical": 4.0, "dense": 0.9},
        "d": {"dense": 0.5},
    }


def test_rrf_adds_weight_over_k_plus_rank() -> None:
    fused = fuse([("a", 3.0), ("b", 2.0)], [("b", 0.9), ("c", 0.1)], "rrf", dense_weight=0.5, rrf_k=10)
    assert rounded(fused) == [
        ("b", round(1 / 12 + 0.5 / 11, 9)),
        ("a", round(1 / 11, 9)),
        ("c", round(0.5 / 12, 9)),
    ]


@pytest.mark.parametrize("method", ["score", "rrf"])
def test_one_half_empty_keeps_the_other_halfs_order(method: str) -> None:
    half = [("x", 5.0), ("y", 3.0), ("z", 1.0)]
    assert [k for k, _, _ in fuse(half, [], method)] == ["x", "y", "z"]  # type: ignore[arg-type]
    assert [k for k, _, _ in fuse([], half, method)] == ["x", "y", "z"]  # type: ignore[arg-type]
    assert all(set(h) == {"dense"} for _, _, h in fuse([], half, method))  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["score", "rrf"])
def test_both_halves_empty(method: str) -> None:
    assert fuse([], [], method) == []  # type: ignore[arg-type]


def test_a_single_candidate_scores_its_full_weight() -> None:
    """min == max: the lone candidate (or a half whose candidates tie) gets weight * 1, not a division by zero."""
    assert rounded(fuse([("a", 7.0)], [], "score")) == [("a", 1.0)]
    assert rounded(fuse([], [("a", 0.3)], "score", dense_weight=0.4)) == [("a", 0.4)]
    assert rounded(fuse([("a", 2.0), ("b", 2.0)], [("b", 0.5)], "score", dense_weight=0.4)) == [("b", 1.4), ("a", 1.0)]


def test_ties_keep_first_met_order_lexical_before_dense_only() -> None:
    fused = fuse([("a", 2.0), ("b", 1.0)], [("c", 0.8), ("d", 0.2)], "score", dense_weight=1.0)
    assert rounded(fused) == [("a", 1.0), ("c", 1.0), ("b", 0.0), ("d", 0.0)]


halves = st.lists(
    st.tuples(st.integers(0, 30), st.floats(-10, 10, allow_nan=False)), max_size=20, unique_by=lambda t: t[0]
)


@given(lexical=halves, dense=halves, method=st.sampled_from(["score", "rrf"]), weight=st.floats(0, 2))
def test_every_candidate_once_best_first(lexical, dense, method, weight) -> None:  # type: ignore[no-untyped-def]
    fused = fuse(lexical, dense, method, dense_weight=weight)
    assert sorted(k for k, _, _ in fused) == sorted({k for k, _ in lexical} | {k for k, _ in dense})
    scores = [s for _, s, _ in fused]
    assert scores == sorted(scores, reverse=True)
    if method == "score":
        assert all(-1e-9 <= s <= 1 + weight + 1e-9 for s in scores)
