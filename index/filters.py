"""The index encodings of the filter semantics in `policykb.core.filters`: a tantivy query for the lexical
half, a numpy row mask (turned into a FAISS id selector) for the dense half and for browsing.

Both must select exactly the rows `document_matches_filter` accepts; tests/test_filters_conformance.py
holds them to it.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import tantivy

from policykb.core.filters import Filters


class FilterColumns(Protocol):
    """Per-row filter columns of a generation (codes into `vocab`; org membership as (row, org) pairs)."""

    vocab: dict[str, list[str]]
    doc_type: np.ndarray
    language: np.ndarray
    source: np.ndarray
    org_idx: np.ndarray
    org_row: np.ndarray
    date_lo: np.ndarray
    date_hi: np.ndarray

    @property
    def size(self) -> int: ...


def tantivy_filter_queries(schema: tantivy.Schema, filters: Filters) -> list[tantivy.Query]:
    """One MUST clause per constrained field (none for empty filters)."""
    out: list[tantivy.Query] = []

    def any_of(field_name: str, values: list[str]) -> None:
        if values:
            out.append(
                tantivy.Query.boolean_query(
                    [(tantivy.Occur.Should, tantivy.Query.term_query(schema, field_name, v)) for v in values]
                )
            )

    any_of("doc_type", filters.doc_type)
    any_of("organisations", filters.organisation)
    any_of("language", filters.language)
    prefix = filters.source_prefix()
    if prefix is not None:
        out.append(tantivy.Query.term_query(schema, "source_prefix", prefix))  # every folder of a path is indexed
    lo, hi = filters.bounds()
    if lo is not None or hi is not None:
        # date_lo >= 1 excludes undated rows (stored as 0); the period overlaps [lo, hi].
        out.append(tantivy.Query.range_query(schema, "date_lo", tantivy.FieldType.Integer, 1, hi))
        if lo is not None:
            out.append(tantivy.Query.range_query(schema, "date_hi", tantivy.FieldType.Integer, lo, None))
    return out


def row_mask(columns: FilterColumns, filters: Filters) -> np.ndarray | None:
    """Boolean mask over the generation's rows; None when the filters constrain nothing."""
    if filters.is_empty():
        return None
    mask = np.ones(columns.size, dtype=bool)

    def codes(kind: str, values: list[str]) -> list[int]:
        vocab = columns.vocab[kind]
        return [vocab.index(v) for v in values if v in vocab]

    if filters.doc_type:
        mask &= np.isin(columns.doc_type, codes("doc_type", filters.doc_type))
    if filters.language:
        mask &= np.isin(columns.language, codes("language", filters.language))
    if filters.organisation:
        member = np.zeros(columns.size, dtype=bool)
        member[columns.org_row[np.isin(columns.org_idx, codes("organisations", filters.organisation))]] = True
        mask &= member
    prefix = filters.source_prefix()
    if prefix is not None:
        sources = [i for i, s in enumerate(columns.vocab["source"]) if s == prefix or s.startswith(prefix + "/")]
        mask &= np.isin(columns.source, sources)
    lo, hi = filters.bounds()
    if lo is not None or hi is not None:
        mask &= columns.date_lo > 0
        if lo is not None:
            mask &= columns.date_hi >= lo
        if hi is not None:
            mask &= columns.date_lo <= hi
    return mask
