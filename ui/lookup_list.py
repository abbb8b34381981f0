"""Claims found by the lookup, as wrapping rows like the queue's (``ui.queue_list``): the
claim's link, its kind and status, order and supplier, buyer, claimed amount, and when it was
filed with what the search text was found in."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

import streamlit as st

from services.claims.lookup import FoundClaim
from ui import claim_widgets as w
from ui import format
from ui.text import plain

#: Cell widths in pixels, as in ``ui.queue_list``: one line per claim on a wide screen, a few
#: wrapped ones on a narrow screen; each cell names what it holds.
WIDTHS = {"kind": 140, "order": 170, "buyer": 200, "claimed": 108, "filed": 150}
#: The supplier under the order is cut to this many characters; the claim page has it whole.
_SUPPLIER_CHARS = 40


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cell(text: str, width: int, *, right: bool = False) -> None:
    st.markdown(text, width=width, text_alignment="right" if right else "left")


def _two_lines(first: str, second: str) -> str:
    return f"{first}  \n:gray[{second}]" if second else first


def row(found: FoundClaim, zone: tzinfo) -> None:
    ref = found.claim_external_id
    with st.container(
        horizontal=True,
        gap="xsmall",
        vertical_alignment="center",
        border=True,
        key=f"lookup_row_{ref}",
    ):
        w.claim_link(ref)
        kind = w.KIND_LABELS.get(found.kind, found.kind)
        _cell(_two_lines(kind, w.STATUS_LABELS.get(found.status, found.status)), WIDTHS["kind"])
        _cell(
            _two_lines(
                plain(found.order_external_id), plain(_short(found.supplier_name, _SUPPLIER_CHARS))
            ),
            WIDTHS["order"],
        )
        _cell(
            _two_lines(
                plain(found.buyer_name),
                f"{plain(found.buyer_external_id)} · {plain(found.buyer_country)}",
            ),
            WIDTHS["buyer"],
        )
        claimed = format.money(found.claimed_amount_cents)
        _cell(_two_lines(claimed, "claimed"), WIDTHS["claimed"], right=True)
        filed = w.local_time(found.filed_at, zone)
        _cell(_two_lines(f"filed {filed}", f"found by {found.matched}"), WIDTHS["filed"])


def rows(found: Sequence[FoundClaim], zone: tzinfo) -> None:
    for item in found:
        row(item, zone)
