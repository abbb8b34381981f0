"""The claim queue as rows of page elements that wrap, rather than a grid that clips.

Each row is a horizontal container of cells of fixed widths: side by side on a wide screen, so
the cells line up under their headings like a table, and wrapped onto a second or third line on
a narrow one, so a cell is never cut and never needs a sideways scroll. Every text wraps at word
breaks inside its cell. A row is the claim's deadline, reference (a link to the claim), kind and
status, supplier, claimed amount and recommendation; in bulk mode a tick box leads it, enabled
only for a claim a bulk decision may decide, and the row says why the others are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

import streamlit as st

from services.claims.queue import QueueItem
from ui import claim_widgets as w
from ui import format
from ui.text import plain

#: Cell widths in pixels. With the gaps and a row's border they add up to the main column's
#: width on a 1,400-pixel screen beside the sidebar, so a row is one line there; narrower,
#: cells wrap onto more lines. Cells name what they hold ("claimed", "recommended"), so a
#: wrapped row reads without column headings.
WIDTHS = {
    "deadline": 140,
    "kind": 165,
    "supplier": 190,
    "claimed": 105,
    "recommended": 150,
}
_TICK_WIDTH = 28
#: In bulk mode the tick box takes its room from the supplier's cell.
_BULK_SUPPLIER_WIDTH = 154
#: A supplier name longer than this is cut in the row; the whole name is a hover away (and on
#: the claim page).
_SUPPLIER_CHARS = 48
#: Calm highlights: a tinted badge, never a shouting colour.
_BADGES = {"overdue": "red", "today": "orange"}


def _cell(text: str, width: int, *, help: str | None = None, right: bool = False) -> None:
    st.markdown(text, width=width, help=help, text_alignment="right" if right else "left")


def _two_lines(first: str, second: str) -> str:
    """A cell's main line and a quieter second one (both already markdown-safe)."""
    return f"{first}  \n:gray[{second}]" if second else first


def row(item: QueueItem, now: datetime, zone: tzinfo, *, bulk: bool) -> bool:
    """One claim's row; in bulk mode, whether its tick box is ticked."""
    ticked = False
    ref = item.claim_external_id
    with st.container(
        horizontal=True,
        gap="xsmall",
        vertical_alignment="center",
        border=True,
        key=f"queue_row_{ref}",
    ):
        if bulk:
            ticked = st.checkbox(
                f"Select {plain(ref)}",
                key=f"bulk_{item.claim_id}",
                label_visibility="collapsed",
                disabled=item.bulk_refusal is not None,
                width=_TICK_WIDTH,
            )
        when, what, level = w.deadline_text(item, now, zone)
        badge = _BADGES.get(level)
        _cell(_two_lines(f":{badge}-badge[{when}]" if badge else when, what), WIDTHS["deadline"])
        w.claim_link(ref)
        status, behind = w.status_text(item)
        kind = w.KIND_LABELS.get(item.kind, item.kind)
        _cell(
            _two_lines(kind, f"{status}{' · ' + plain(behind) if behind else ''}"), WIDTHS["kind"]
        )
        name = item.supplier_name
        short = name if len(name) <= _SUPPLIER_CHARS else name[: _SUPPLIER_CHARS - 1] + "…"
        _cell(
            f"{plain(short)} ({plain(item.supplier_country)})",
            _BULK_SUPPLIER_WIDTH if bulk else WIDTHS["supplier"],
            help=None if short == name else plain(name),
        )
        _cell(
            _two_lines(format.money(item.claimed_amount_cents), "claimed"),
            WIDTHS["claimed"],
            right=True,
        )
        advice, how = w.recommendation_text(item)
        if bulk and item.bulk_refusal is not None:
            how = f"not in bulk: {item.bulk_refusal}"
        _cell(_two_lines(advice, how), WIDTHS["recommended"])
    return ticked


def rows(items: Sequence[QueueItem], now: datetime, zone: tzinfo, *, bulk: bool) -> list[int]:
    """The rows of one page; in bulk mode, the ids of the claims ticked."""
    return [item.claim_id for item in items if row(item, now, zone, bulk=bulk)]
