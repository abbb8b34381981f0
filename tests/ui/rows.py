"""Reading the queue's and the lookup's rows (``ui.queue_list``, ``ui.lookup_list``) in AppTest.

A row is a keyed horizontal container (``queue_row_<ref>``, ``lookup_row_<ref>``) of markdown
cells around a page link; these helpers turn it into the text a reader sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from streamlit.testing.v1 import AppTest

from tests.ui.conftest import unescape

_DIRECTIVE = re.compile(r":[a-z]+(?:-[a-z]+)?\[(.*?)\]")


def readable(markdown: str) -> str:
    """A cell's text as shown: colour and badge directives dropped, escapes resolved, lines
    joined with " / "."""
    text = _DIRECTIVE.sub(r"\1", markdown)
    return " / ".join(unescape(line.rstrip()) for line in text.split("  \n"))


@dataclass
class Row:
    ref: str
    cells: list[str]
    #: The bulk tick box, when the row has one.
    tick: Any


def _walk(node: Any) -> list[Any]:
    found = [node]
    for child in getattr(node, "children", {}).values():
        found += _walk(child)
    return found


def page_links(at: AppTest) -> list[Any]:
    """Every ``st.page_link`` of the main area, in order (``.proto``: page, label, query)."""
    return [e for e in _walk(at.main) if getattr(e, "type", None) == "page_link"]


def link_text(label: str) -> str:
    """A claim link's text: its label, coloured as links are (``:blue[…]``), unescaped."""
    assert label.startswith(":blue[") and label.endswith("]"), label
    return unescape(label.removeprefix(":blue[").removesuffix("]"))


def rows(at: AppTest, prefix: str = "queue_row_") -> list[Row]:
    shown = []
    for block in _walk(at.main):
        key = getattr(block, "key", None)
        if getattr(block, "type", None) != "flex_container" or not key:
            continue
        if not str(key).startswith(prefix):
            continue
        children = list(block.children.values())
        ref = next(link_text(c.value) for c in children if c.type == "page_link")
        cells = [readable(c.value) for c in children if c.type == "markdown"]
        tick = next((c for c in children if c.type == "checkbox"), None)
        shown.append(Row(ref, cells, tick))
    return shown


def refs(at: AppTest, prefix: str = "queue_row_") -> list[str]:
    return [row.ref for row in rows(at, prefix)]
