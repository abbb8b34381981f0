"""Claims found by the lookup, as wrapping rows like the queue's (``ui.queue_list``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

import streamlit as st

from services.claims.lookup import FoundClaim
from ui import claim_widgets as w
from ui import format
from ui.text import plain

WIDTHS = {"claim": 112, "kind": 140, "order": 170, "buyer": 200, "claimed": 108, "filed": 140}
#: The supplier under the order is cut to this many characters; the claim page has it whole.
_SUPPLIER_CHARS = 40


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cell(text: str, width: int, *, right: bool = False) -> None:
    st.markdown(text, width=width, text_alignment="right" if right else "left")


def _two_lines(first: str, second: str) -> str:
    return f"{first}  \n:gray[{second}]" if second else first


def header() -> None:
    with st.container(horizontal=True, gap="xsmall", key="lookup_header"):
        for name, title in (
            ("claim", "Claim"),
            ("kind", "Kind · status"),
            ("order", "Order"),
            ("buyer", "Buyer"),
            ("claimed", "Claimed"),
            ("filed", "Filed"),
        ):
            _cell(f"**{title}**", WIDTHS[name], right=name == "claimed")


def row(found: FoundClaim, zone: tzinfo) -> None:
    ref = found.claim_external_id
    with st.container(
        horizontal=True, gap="xsmall", vertical_alignment="center", key=f"lookup_row_{ref}"
    ):
        st.page_link(
            w.CLAIM_PAGE, label=plain(ref), query_params={"claim": ref}, width=WIDTHS["claim"]
        )
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
        _cell(format.money(found.claimed_amount_cents), WIDTHS["claimed"], right=True)
        filed = w.local_time(found.filed_at, zone)
        _cell(_two_lines(filed, f"found by {found.matched}"), WIDTHS["filed"])


def rows(found: Sequence[FoundClaim], zone: tzinfo) -> None:
    header()
    for item in found:
        row(item, zone)
