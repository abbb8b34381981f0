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
from ui import format, navigation, paging
from ui import supplier_tables as t
from ui.claim_widgets import CLAIM_PAGE, reader_zone
from ui.supplier_record import tier_label
from ui.text import plain

#: Suppliers the picker lists for what was typed; more than these asks for more letters.
PICKER_MATCHES = 10


def may_change_limit(actor: Actor) -> bool:
    """Whether to offer the limit form; the service checks again, on the server."""
    return may(actor, Permission.CHANGE_LIMIT)


def may_open_claims(actor: Actor) -> bool:
    return actor.role in navigation.screen(CLAIM_PAGE).roles


def may_open_suppliers(actor: Actor) -> bool:
    return actor.role in navigation.screen(t.SUPPLIERS_PAGE).roles


_SEARCH = "supplier_search"


def forget_search() -> None:
    """Empty the picker's box: a supplier was opened, from its list or from a link."""
    st.session_state[_SEARCH] = ""


def picker(url: str, ref: str) -> None:
    """A search box that lists, as buttons, the suppliers whose name, id or country holds what
    was typed, an exact id first. Not a list of every supplier: at ten million demo orders a
    select box of all fifty thousand sent 2.7 MB of labels to the browser at every click on the
    page."""
    search = st.text_input(
        "Open another supplier" if ref else "Supplier",
        placeholder="Name, id or country",
        key=_SEARCH,
    ).strip()
    if not search:
        return
    found = fd.supplier_matches(url, search, PICKER_MATCHES + 1)
    if not found:
        st.caption(f"No supplier's name, id or country holds “{plain(search)}”.")
        return
    listed = st.container(gap=None)
    for external_id, label in found[:PICKER_MATCHES]:
        # A button that switches page, not a page link: a link to the page it is on leaves the
        # address bar at the supplier before, so a reload or a shared address would open that.
        if listed.button(
            plain(label),
            icon=":material/storefront:",
            type="tertiary",
            key=f"open_supplier_{external_id}",
        ):
            st.switch_page(t.SUPPLIER_PAGE, query_params={"supplier": external_id})
    if len(found) > PICKER_MATCHES:
        st.caption(
            f"The first {PICKER_MATCHES} matches, an exact id first and then by name: type more "
            "to narrow them, or search on the Suppliers page."
        )


def ledger(standing: SupplierStanding, zone: str, policy: Policy) -> None:
    row = w.tile_row()
    box = w.tile(row)
    box.metric("Trade Assurance limit", format.money(standing.limit_cents))
    box = w.tile(row)
    box.metric(
        "Exposure", format.money(standing.exposure_cents), help=defs.text("exposure", zone, policy)
    )
    box.caption(format.count(standing.live_orders, "live order"))
    box = w.tile(row)
    box.metric(
        "Headroom", format.money(standing.headroom_cents), help=defs.text("headroom", zone, policy)
    )
    if standing.headroom_cents < 0:
        box.badge("Over the limit", icon=":material/warning:", color="red")
    box = w.tile(row)
    box.metric(
        "Utilisation",
        t.utilisation_text(standing.utilisation or float("nan")),
        help=defs.text("utilisation", zone, policy),
    )
    days = standing.window_days
    box = w.tile(row)
    box.metric(
        "Late-shipment rate",
        format.rate(standing.orders_late, standing.orders_due),
        help=defs.text("late_shipment", zone, policy),
    )
    box.caption(
        f"{standing.orders_late:,} late of "
        f"{format.count(standing.orders_due, 'order due', 'orders due')}, last {days} days"
    )
    box = w.tile(row)
    box.metric(
        "Dispute rate",
        format.rate(standing.claims_filed, standing.orders_placed),
        help=defs.text("dispute", zone, policy),
    )
    box.caption(
        f"{format.count(standing.claims_filed, 'claim')} of "
        f"{format.count(standing.orders_placed, 'order placed', 'orders placed')}, last {days} days"
    )
    box = w.tile(row)
    box.metric(
        "Monitoring tier",
        tier_label(standing.tier),
        help=defs.text("monitoring_tier", zone, policy),
    )
    box = w.tile(row)
    box.metric("Open claims", f"{standing.open_claims:,}")


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
    pages = paging.page_count(first.total, fd.SUPPLIER_CLAIMS_PAGE)
    slot = st.container()
    # Kept per supplier: another supplier's claims start at page 1, never past their end.
    number = paging.kept_pager("supplier_claims_page", external_id, pages)
    rows = first if number == 1 else fd.supplier_claims(url, external_id, number)
    with slot:
        st.caption(
            f"{format.count(first.total, 'claim')}, newest first"
            + ("; select a claim id to open it." if link else ".")
        )
        st.dataframe(
            t.claims_table(rows.frame, link=link, zone=reader_zone()),
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
