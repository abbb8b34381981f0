"""The overview's drill-down: the suppliers, orders and claims behind a figure, narrowed to a
period (a click on a trend) and a breakdown value (a click on a bar). Their counts add up to
the figure they open, because they are the same rows grouped once more."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st

from rules import format_day
from services.figures.periods import Grain, Period, bucket_label, buckets
from services.figures.rates import DIMENSIONS, PAGE_ROWS, Dimension, Scope
from ui import figure_data as fd
from ui import figure_widgets as w
from ui import format, labels, paging, prefetch
from ui.overview_sections import ALL_VALUES, DRILL_PERIOD, DRILL_VALUE, KIND_LABELS, number_config


def _kind_value(dimension: Dimension, label: str) -> str:
    if dimension != "claim_kind":
        return label
    return next((k for k, v in KIND_LABELS.items() if v == label), label)


def read_ahead(url: str, period: Period, today: date, zone: str) -> None:
    """Start reading the suppliers behind the whole period's figures, what the drill-down
    shows until a period or a value is picked (``ui.prefetch``), while the page draws the
    figures above it. Once one is picked, the page reads what it picked."""
    picked = (st.session_state.get(DRILL_PERIOD), st.session_state.get(DRILL_VALUE))
    if all(choice in (None, ALL_VALUES) for choice in picked):
        prefetch.ahead(fd.suppliers_behind, url, period, today, zone, Scope())


def drill_down(
    url: str, period: Period, grain: Grain, today: date, zone: str, dimension: Dimension
) -> None:
    st.subheader("Behind the figures")
    bucket_list = buckets(period, grain, today)
    labels = {bucket_label(b.start, grain): b for b in bucket_list}
    breakdown = fd.breakdown(url, period, today, zone, dimension)
    values = [str(v) for v in breakdown["key"]]
    if dimension == "claim_kind":
        values = [KIND_LABELS.get(v, v) for v in values]
    if st.session_state.get(DRILL_PERIOD) not in (None, ALL_VALUES, *labels):
        st.session_state[DRILL_PERIOD] = ALL_VALUES
    if st.session_state.get(DRILL_VALUE) not in (None, ALL_VALUES, *values):
        st.session_state[DRILL_VALUE] = ALL_VALUES
    cols = st.columns(2)
    picked_period = cols[0].selectbox(
        "Period",
        [ALL_VALUES, *labels],
        key=DRILL_PERIOD,
        help="Or click a period on a trend chart.",
    )
    picked_value = cols[1].selectbox(
        DIMENSIONS[dimension],
        [ALL_VALUES, *values],
        key=DRILL_VALUE,
        help="Or click a bar of a breakdown chart.",
    )
    narrowed = period
    if picked_period != ALL_VALUES:
        bucket = labels[picked_period]
        narrowed = Period(max(bucket.start, period.first), min(bucket.end, period.last))
    scope = Scope()
    if picked_value != ALL_VALUES:
        scope = replace(scope, **{dimension: _kind_value(dimension, picked_value)})
    suppliers = fd.suppliers_behind(url, narrowed, today, zone, scope)
    due, late = int(suppliers["due"].sum()), int(suppliers["late"].sum())
    orders, claims = int(suppliers["orders"].sum()), int(suppliers["claims"].sum())
    what = " · ".join(
        x for x in (narrowed.label(), picked_value if picked_value != ALL_VALUES else "") if x
    )
    late_text = (
        "late-shipment rate not applicable to a claim kind"
        if scope.claim_kind
        else f"late-shipment rate {format.rate_with_counts(late, due, 'orders due')}"
    )
    st.markdown(
        f"**{what}** — {late_text}; dispute rate "
        f"{format.rate_with_counts(claims, orders, 'orders placed')}. The suppliers below, all "
        "pages together, add up to these counts."
    )
    tabs = st.tabs([f"Suppliers ({len(suppliers):,})", "Orders due", "Claims filed"])
    with tabs[0]:
        # A page at a time, like the orders and claims: at ten million demo orders all fifty
        # thousand suppliers are behind the year's figures, a grid of megabytes for the browser
        # and most of the 0.1 s a cold run spent on its grids. All pages together add up to the
        # figure, and so does the CSV.
        page = _page("drill_suppliers_page", (narrowed, scope), len(suppliers), SUPPLIER_ROWS)
        first = (page - 1) * SUPPLIER_ROWS
        rows = suppliers.iloc[first : first + SUPPLIER_ROWS]
        st.caption(
            f"{format.count(len(suppliers), 'supplier')}, most late orders (then claims) first; "
            + _shown(page, SUPPLIER_ROWS, len(rows))
            if len(suppliers)
            else "No supplier has an order due or placed, or a claim filed, here."
        )
        shown = pd.DataFrame(
            {
                "Supplier": rows["supplier_name"],
                "Supplier id": rows["supplier"],
                "Orders due": rows["due"],
                "Late": rows["late"],
                "Late-shipment rate": w.percent(rows["late_rate"]),
                "Orders placed": rows["orders"],
                "Claims": rows["claims"],
                "Dispute rate": w.percent(rows["dispute_rate"]),
            }
        )
        st.dataframe(shown, hide_index=True, column_config=number_config(shown), height=320)
        w.download(
            "Suppliers (CSV)",
            suppliers,
            {
                "supplier": "supplier_id",
                "supplier_name": "supplier",
                "due": "orders_due",
                "late": "late",
                "late_rate": "late_shipment_rate",
                "orders": "orders_placed",
                "claims": "claims_filed",
                "dispute_rate": "dispute_rate",
            },
            f"suppliers-behind-{narrowed.first}-{narrowed.last}.csv",
        )
    with tabs[1]:
        _orders(url, narrowed, today, zone, scope)
    with tabs[2]:
        _claims(url, narrowed, zone, scope)


#: Suppliers a page of the drill-down shows (its orders and claims: 50 a page too).
SUPPLIER_ROWS = 50


#: A calendar day as the screens write it ("7 Sep 2026"), still sorted as a date.
_DAY = st.column_config.DateColumn(format="D MMM YYYY")


def _shown(page: int, size: int, count: int) -> str:
    """``51–100 shown.`` for the rows on a page, as every list of the drill-down says it."""
    first = (page - 1) * size + 1
    return f"{first:,}–{first + count - 1:,} shown." if count else "none shown."


def _page(name: str, listing: tuple[Period, Scope], total: int, size: int = PAGE_ROWS) -> int:
    """The page buttons of one of the three lists, and the page to show: page 1 again once
    another period or value is picked."""
    return paging.kept_pager(name, listing, paging.page_count(total, size))


def _orders(url: str, period: Period, today: date, zone: str, scope: Scope) -> None:
    if scope.claim_kind:
        st.caption("A claim kind narrows claims, not orders: see the claims filed.")
        return
    first = fd.orders_behind(url, period, today, zone, scope, 1)
    page = _page("drill_orders_page", (period, scope), first.total)
    rows = first if page == 1 else fd.orders_behind(url, period, today, zone, scope, page)
    frame = rows.frame
    shipped = [None if pd.isna(d) else d for d in frame["shipped_day"]]
    st.caption(
        f"{format.count(rows.total, 'order due', 'orders due')}, late ones first; "
        + _shown(page, PAGE_ROWS, len(frame))
    )
    st.dataframe(
        pd.DataFrame(
            {
                "Order": frame["order"],
                "Supplier": frame["supplier_name"],
                "Category": frame["category"],
                "Ship-by": pd.to_datetime(frame["ship_by"]),
                # Words where there is no day or count: the grid writes a missing value "None".
                "Shipped": [format_day(d) if d is not None else "Not shipped" for d in shipped],
                "Late": frame["late"].map({True: "Late", False: "On time"}),
                "Days late": ["–" if pd.isna(n) else f"{int(n):,}" for n in frame["days_late"]],
            }
        ),
        hide_index=True,
        column_config={
            "Ship-by": _DAY,
            "Days late": st.column_config.TextColumn(alignment="right"),
        },
    )
    w.download(
        "Orders on this page (CSV)",
        frame,
        {
            "order": "order",
            "supplier": "supplier_id",
            "supplier_name": "supplier",
            "category": "category",
            "ship_by": "ship_by",
            "shipped_day": "shipped_day",
            "late": "late",
            "days_late": "days_late",
        },
        f"orders-due-{period.first}-{period.last}-page-{page}.csv",
    )


def _claims(url: str, period: Period, zone: str, scope: Scope) -> None:
    first = fd.claims_behind(url, period, zone, scope, 1)
    page = _page("drill_claims_page", (period, scope), first.total)
    rows = first if page == 1 else fd.claims_behind(url, period, zone, scope, page)
    frame = rows.frame
    st.caption(
        f"{format.count(rows.total, 'claim filed', 'claims filed')}, newest first; "
        + _shown(page, PAGE_ROWS, len(frame))
    )
    st.dataframe(
        pd.DataFrame(
            {
                "Claim": frame["claim"],
                "Kind": [labels.label(KIND_LABELS, k) for k in frame["kind"]],
                "Filed": pd.to_datetime(frame["filed_day"]),
                "Status": [labels.label(labels.STATUS_LABELS, s) for s in frame["status"]],
                "Order": frame["order"],
                "Supplier": frame["supplier_name"],
            }
        ),
        hide_index=True,
        column_config={"Filed": _DAY},
    )
    w.download(
        "Claims on this page (CSV)",
        frame,
        {c: c for c in frame.columns},
        f"claims-filed-{period.first}-{period.last}-page-{page}.csv",
    )
