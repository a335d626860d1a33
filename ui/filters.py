"""The filter widgets that the Ask and Search tabs share: type, organisation and a year range."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from policykb.core.filters import Filters
from policykb.core.types import DOC_TYPES
from policykb.service import KnowledgeBase
from policykb.service.knowledge_base import Facets


@dataclass
class FilterWidgets:
    types: gr.Dropdown
    organisations: gr.Dropdown
    year_from: gr.Dropdown
    year_to: gr.Dropdown

    @property
    def inputs(self) -> list[gr.Dropdown]:
        return [self.types, self.organisations, self.year_from, self.year_to]

    @property
    def choice_outputs(self) -> list[gr.Dropdown]:
        return [self.organisations, self.year_from, self.year_to]


def filter_widgets(kb: KnowledgeBase, prefix: str) -> FilterWidgets:
    """Four dropdowns in the current layout context, with ids `<prefix>-type` etc.; choices are refreshed on
    each page load and after an ingest (`choices`). With reads protected the page carries no choices: they
    arrive after a key is given."""
    facets = Facets([], []) if kb.settings.require_key_for_read else kb.facets()
    return FilterWidgets(
        gr.Dropdown(list(DOC_TYPES), multiselect=True, label="Type", elem_id=f"{prefix}-type"),
        gr.Dropdown(facets.organisations, multiselect=True, label="Organisation", elem_id=f"{prefix}-organisation"),
        gr.Dropdown(facets.years, value=None, label="From year", allow_custom_value=True, elem_id=f"{prefix}-from"),
        gr.Dropdown(facets.years, value=None, label="To year", allow_custom_value=True, elem_id=f"{prefix}-to"),
    )


def choices(kb: KnowledgeBase) -> tuple[dict, dict, dict]:
    """Organisations and years as they are now: uploads since the server started appear too."""
    facets = kb.facets()
    years = gr.update(choices=facets.years)
    return gr.update(choices=facets.organisations), years, years


def to_filters(types: list[str] | None, orgs: list[str] | None, year_from: str | None, year_to: str | None) -> Filters:
    return Filters(
        doc_type=list(types or []),
        organisation=list(orgs or []),
        date_from=str(year_from) if year_from else None,
        date_to=str(year_to) if year_to else None,
    )
