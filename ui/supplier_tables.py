"""Display frames for the supplier screens: numbers formatted for reading, over-limit rows
tinted, and the CSV columns that go with each table."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from rules import format_day
from ui import figure_widgets as w
from ui import format
from ui.claim_widgets import local_time
from ui.labels import KIND_LABELS, SHORT_STATUS_LABELS, TIER_LABELS, label

OVER_LIMIT_STYLE = "background-color: #fef2f2; color: #991b1b; font-weight: 600"
TIER_STYLE = {
    "excessive": "background-color: #fee2e2; color: #991b1b; font-weight: 600",
    "warning": "background-color: #ffedd5; color: #9a3412; font-weight: 600",
    "watch": "background-color: #fef9c3; color: #854d0e",
}
TIER_ORDER = ("excessive", "warning", "watch")
SUPPLIER_PAGE = "pages/supplier.py"
SUPPLIERS_PAGE = "pages/suppliers.py"
#: Suppliers a page of the Suppliers screen lists.
PAGE_SIZE = 50

#: The suppliers table's CSV: every figure, money in USD decimal text.
SUPPLIERS_CSV = {
    "supplier": "supplier_id",
    "supplier_name": "supplier",
    "supplier_country": "country",
    "main_category": "main_category",
    "supplier_tier": "supplier_tier",
    "monitoring_tier": "monitoring_tier",
    "due": "orders_due",
    "late": "late",
    "late_rate": "late_shipment_rate",
    "orders": "orders_placed",
    "claims": "claims_filed",
    "dispute_rate": "dispute_rate",
    "open_claims": "open_claims",
    "limit_cents": "limit_usd",
    "live_orders": "live_orders",
    "exposure_cents": "exposure_usd",
    "utilisation": "utilisation",
    "headroom_cents": "headroom_usd",
}


def utilisation_text(value: float) -> str:
    if pd.isna(value):
        return "–"
    if value == float("inf"):
        return "no limit"
    return f"{value:.1%}"


def suppliers_table(frame: pd.DataFrame) -> tuple[pd.DataFrame, Styler]:
    """The ranked suppliers for st.dataframe: text where it must read exactly (money)."""
    # The columns a ranking is read by first; the grid scrolls sideways for the rest.
    shown = pd.DataFrame(
        {
            "Supplier": frame["supplier_name"],
            "Tier": [label(TIER_LABELS, t) for t in frame["monitoring_tier"]],
            "Headroom": w.money_column(frame, "headroom_cents"),
            "Utilisation": [utilisation_text(u) for u in frame["utilisation"]],
            "Late-shipment rate": _rates(frame["late"], frame["due"]),
            "Dispute rate": _rates(frame["claims"], frame["orders"]),
            "Open claims": frame["open_claims"],
            "Exposure": w.money_column(frame, "exposure_cents"),
            "Limit": w.money_column(frame, "limit_cents"),
            "Country": frame["supplier_country"],
            "Id": frame["supplier"],
        }
    )
    over = list(frame["over_limit"])
    tiers = list(frame["monitoring_tier"])

    def tint_money(column: pd.Series) -> list[str]:
        return [OVER_LIMIT_STYLE if o else "" for o in over]

    def tint_tier(column: pd.Series) -> list[str]:
        return [TIER_STYLE.get(t, "") for t in tiers]

    styled = shown.style.apply(tint_money, subset=["Utilisation", "Headroom"]).apply(
        tint_tier, subset=["Tier"]
    )
    return shown, styled


def _rates(counts: pd.Series, totals: pd.Series) -> list[str]:
    """``12.50% · 5 of 40``: the rate with its counts, in one cell."""
    return [
        f"{format.rate(int(c), int(t))} · {int(c):,} of {int(t):,}"
        for c, t in zip(counts, totals, strict=True)
    ]


def table_height(rows: int) -> int:
    """Tall enough for every row of a page (no scrolling inside the page's own table)."""
    return 38 + 35 * max(rows, 1)


SUPPLIERS_COLUMNS: dict[str, Any] = {
    "Supplier": st.column_config.TextColumn(width="medium", pinned=True),
    "Late-shipment rate": st.column_config.TextColumn(alignment="right"),
    "Dispute rate": st.column_config.TextColumn(alignment="right"),
    "Open claims": st.column_config.NumberColumn(format="localized"),
    "Limit": st.column_config.TextColumn(alignment="right"),
    "Exposure": st.column_config.TextColumn(alignment="right"),
    "Utilisation": st.column_config.TextColumn(alignment="right"),
    "Headroom": st.column_config.TextColumn(alignment="right"),
}


def history_table(history: pd.DataFrame, zone: tzinfo) -> pd.DataFrame:
    """The limit history, its times in the reader's ``zone`` (the CSV keeps UTC)."""
    return pd.DataFrame(
        {
            "When": [local_time(t, zone) for t in history["changed_at"]],
            "From": w.money_column(history, "old_limit_cents"),
            "To": w.money_column(history, "new_limit_cents"),
            "Reason": history["reason"],
            "By": [
                b if isinstance(b, str) and b else "import or CLI" for b in history["changed_by"]
            ],
        }
    )


HISTORY_CSV = {
    "changed_at": "changed_at_utc",
    "old_limit_cents": "old_limit_usd",
    "new_limit_cents": "new_limit_usd",
    "reason": "reason",
    "changed_by": "changed_by",
}


def claims_table(claims: pd.DataFrame, *, link: bool, zone: tzinfo) -> pd.DataFrame:
    """The supplier's claims; with ``link`` the claim id opens the claim page (reviewers).
    Filing days are the reader's (``zone``), as on the claim page."""
    return pd.DataFrame(
        {
            "Claim": [f"/claim?claim={c}" for c in claims["claim"]] if link else claims["claim"],
            "Order": claims["order"],
            "Kind": [label(KIND_LABELS, k) for k in claims["kind"]],
            "Status": [label(SHORT_STATUS_LABELS, s) for s in claims["status"]],
            "Filed": [format_day(t.astimezone(zone).date()) for t in claims["filed_at"]],
            "Claimed": w.money_column(claims, "claimed_cents"),
            "Refund approved": w.money_column(claims, "refunded_cents"),
        }
    )


def claims_columns(*, link: bool) -> dict[str, Any]:
    columns: dict[str, Any] = {
        "Claimed": st.column_config.TextColumn(alignment="right"),
        "Refund approved": st.column_config.TextColumn(alignment="right"),
    }
    if link:
        columns["Claim"] = st.column_config.LinkColumn(
            display_text=r"claim=(.*)$", help="Opens the claim page"
        )
    return columns


def money_or_dash(cents: int | None) -> str:
    return "–" if cents is None else format.money(cents)
