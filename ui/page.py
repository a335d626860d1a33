"""What a tab asks of the page it is built into."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gradio.components import Component


@dataclass
class OnLoad:
    """A handler to run whenever the page is (re)loaded, e.g. to refresh choices or a table."""

    fn: Callable[[], object]
    outputs: Sequence[Component]
