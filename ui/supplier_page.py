"""The supplier page's parts: who may do what there, the limit ledger, tables."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rules import Policy
from services.auth import Actor, Permission, may
from services.figures.suppliers import SupplierStanding
from ui import definitions as defs
from ui import figure_data as fd
from ui import figure_widgets as w
from ui import format, navigation
from ui import supplier_tables as t
from ui.claim_widgets import CLAIM_PAGE

CLAIMS_PAGE_SIZE = 25


def may_change_limit(actor: Actor) -> bool:
    """Whether to offer the limit form; the service checks again, on the server."""
    return may(actor, Permission.CHANGE_LIMIT)


def may_open_claims(actor: Actor) -> bool:
    return actor.role in navigation.screen(CLAIM_PAGE).roles


def may_open_suppliers(actor: Actor) -> bool:
    return actor.role in navigation.screen("pages/suppliers.py").roles


def ledger(standing: SupplierStanding, zone: str, policy: Policy) -> None:
    row = w.tile_row()
    box = row.container(border=True, width=w.TILE_WIDTH)
    box.metric("Trade Assurance limit", format.money(standing.limit_cents))
    box = row.container(border=True, width=w.TILE_WIDTH)
    box.metric(
        "Exposure", format.money(standing.exposure_cents), help=defs.text("exposure", zone, policy)
    )
    box.caption(f"{standing.live_orders:,} live orders")
    box = row.container(border=True, width=w.TILE_WIDTH)
    box.metric(
        "Headroom", format.money(standing.headroom_cents), help=defs.text("headroom", zone, policy)
    )
    if standing.headroom_cents < 0:
        box.badge("Over the limit", icon=":material/warning:", color="red")
    box = row.container(border=True, width=w.TILE_WIDTH)
    box.metric(
        "Utilisation",
        t.utilisation_text(standing.utilisation or float("nan")),
        help=defs.text("utilisation", zone, policy),
    )
    days = standing.window_days
    box = row.container(border=True, width=w.TILE_WIDTH)
    box.metric(
        "Late-shipment rate",
        _rate(standing.orders_late, standing.orders_due),
        help=defs.text("late_shipment", zone, policy),
    )
    box.caption(
        f"{standing.orders_late:,} late of {standing.orders_due:,} orders due, last {days} days"
    )
    box = row.container(border=True, width=w.TILE_WIDTH)
    box.metric(
        "Dispute rate",
        _rate(standing.claims_filed, standing.orders_placed),
        help=defs.text("dispute", zone, policy),
    )
    box.caption(
        f"{standing.claims_filed:,} claims of {standing.orders_placed:,} orders placed, last "
        f"{days} days"
    )
    box = row.container(border=True, width=w.TILE_WIDTH)
    box.metric(
        "Monitoring tier",
        standing.tier.value if standing.tier else "none",
        help=defs.text("monitoring_tier", zone, policy),
    )
    box = row.container(border=True, width=w.TILE_WIDTH)
    box.metric("Open claims", f"{standing.open_claims:,}")


def _rate(count: int, total: int) -> str:
    return "–" if total == 0 else f"{count / total:.2%}"


def trend_table(trend: pd.DataFrame, external_id: str) -> None:
    with st.expander("Monthly figures"):
        shown = pd.DataFrame(
            {
                "Month": trend["label"] + trend["partial"].map({True: " (partial)", False: ""}),
                "Late-shipment rate": [
                    f"{r} ({int(n):,} of {int(d):,})"
                    for r, n, d in zip(
                        w.percent_text(trend["late_rate"]), trend["late"], trend["due"], strict=True
                    )
                ],
                "Programme late-shipment rate": w.percent_text(trend["programme_late_rate"]),
                "Dispute rate": [
                    f"{r} ({int(n):,} of {int(d):,})"
                    for r, n, d in zip(
                        w.percent_text(trend["dispute_rate"]),
                        trend["claims"],
                        trend["orders"],
                        strict=True,
                    )
                ],
                "Programme dispute rate": w.percent_text(trend["programme_dispute_rate"]),
            }
        )
        w.table(shown)
        w.download(
            "Monthly figures (CSV)",
            trend,
            {
                "period": "month",
                "due": "orders_due",
                "late": "late",
                "late_rate": "late_rate",
                "programme_late_rate": "programme_late_rate",
                "orders": "orders_placed",
                "claims": "claims_filed",
                "dispute_rate": "dispute_rate",
                "programme_dispute_rate": "programme_dispute_rate",
            },
            f"supplier-{external_id}-monthly.csv",
        )


def claims(url: str, external_id: str, *, link: bool) -> None:
    first = fd.supplier_claims(url, external_id, 1)
    if first.total == 0:
        st.caption("No claims on this supplier's orders.")
        return
    pages = max(1, -(-first.total // CLAIMS_PAGE_SIZE))
    slot = st.container()
    number = st.pagination(pages, key="claims_page") if pages > 1 else 1
    rows = first if number == 1 else fd.supplier_claims(url, external_id, number)
    with slot:
        st.caption(
            f"{first.total:,} claims, newest first"
            + ("; select a claim id to open it." if link else ".")
        )
        st.dataframe(
            t.claims_table(rows.frame, link=link),
            hide_index=True,
            column_config=t.claims_columns(link=link),
        )
        w.download(
            "Claims on this page (CSV)",
            rows.frame,
            {
                "claim": "claim",
                "order": "order",
                "kind": "kind",
                "status": "status",
                "filed_at": "filed_at",
                "claimed_cents": "claimed_usd",
                "refunded_cents": "refund_approved_usd",
            },
            f"supplier-{external_id}-claims-{number}.csv",
        )
