"""The overview's sections: tiles, trends, breakdowns, the drill-down behind a figure, and the
reviewers' service figures. Layout only; every number comes from ``services.figures``."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

import pandas as pd
import streamlit as st

from rules import Policy
from services.figures.headline import Headline
from services.figures.periods import Grain, Period, bucket_label, buckets
from services.figures.rates import DIMENSIONS, Dimension, Scope
from ui import charts, format, wiring
from ui import definitions as defs
from ui import figure_data as fd
from ui import figure_widgets as w

DRILL_PERIOD = "drill_period"
DRILL_VALUE = "drill_value"
_ALL = "All"
_KIND_LABELS = {
    "late_shipment": "Late shipment",
    "quality": "Quality",
    "non_delivery": "Non-delivery",
}


def tiles(head: Headline, zone: str, policy: Policy) -> None:
    now, before = head.current, head.previous
    row = w.tile_row()
    w.rate_tile(
        row,
        "Late-shipment rate",
        now.late_shipment,
        before.late_shipment,
        "late",
        "orders due",
        defs.text("late_shipment", zone, policy),
    )
    w.rate_tile(
        row,
        "Dispute rate",
        now.dispute,
        before.dispute,
        "claims",
        "orders placed",
        defs.text("dispute", zone, policy),
    )
    w.count_tile(
        row,
        "Open claims",
        now.claims.open,
        before.claims.open,
        "Undecided at the end of the period",
        defs.text("open_claims", zone, policy),
    )
    w.count_tile(
        row,
        "Overdue claims",
        now.claims.overdue,
        before.claims.overdue,
        f"{now.claims.overdue:,} of {now.claims.open:,} open claims",
        defs.text("overdue_claims", zone, policy),
    )
    w.money_tile(
        row,
        "Refunds approved",
        now.refunds_approved.cents,
        before.refunds_approved.cents,
        f"{now.refunds_approved.claims:,} claims",
        defs.text("refunds_approved", zone, policy),
    )
    w.money_tile(
        row,
        "Pending liability",
        now.pending_liability.cents,
        before.pending_liability.cents,
        f"{now.pending_liability.claims:,} undecided claims",
        defs.text("pending_liability", zone, policy),
    )


def _pick_period(chart_key: str) -> None:
    """A click on a trend chart's period drills into it (the select box below follows)."""
    state = st.session_state.get(chart_key)
    chosen = state.selection.points if state is not None else []
    if chosen:
        st.session_state[DRILL_PERIOD] = str(chosen[0]["x"])


def _pick_value(chart_key: str) -> None:
    state = st.session_state.get(chart_key)
    chosen = state.selection.points if state is not None else []
    if chosen:
        st.session_state[DRILL_VALUE] = str(chosen[0]["y"])


def _chart(figure: Any, key: str, on_pick: Any) -> None:
    st.plotly_chart(
        figure,
        key=key,
        on_select=lambda: on_pick(key),
        selection_mode="points",
        config={"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]},
    )


def trends(url: str, period: Period, grain: Grain, today: date, zone: str) -> None:
    late, disputes, refunds = fd.trends(url, period, grain, today, zone)
    unit = "week" if grain == "week" else "month"
    _chart(
        charts.late_shipment_chart(late, f"Late-shipment rate by {unit} of ship-by day"),
        "late_trend",
        _pick_period,
    )
    _chart(
        charts.dispute_rate_chart(disputes, f"Dispute rate by {unit} of filing"),
        "dispute_trend",
        _pick_period,
    )
    _chart(
        charts.money_trend_chart(
            refunds,
            cents="refunded_cents",
            count="claims",
            title=f"Refunds approved by {unit} (USD)",
            name="Refunds approved",
        ),
        "refunds_trend",
        _pick_period,
    )
    st.caption(f"{charts.PARTIAL_NOTE} Click a {unit} to see the suppliers and orders behind it.")
    table = late.merge(disputes.drop(columns=["label", "partial"]), on="period").merge(
        refunds.drop(columns=["label", "partial"]).rename(columns={"claims": "refunded_claims"}),
        on="period",
    )
    with st.expander(f"Figures by {unit}"):
        shown = pd.DataFrame(
            {
                unit.capitalize(): table["label"]
                + table["partial"].map({True: " (partial)", False: ""}),
                "Orders due": table["due"],
                "Late": table["late"],
                "Late-shipment rate": w.percent(table["late_rate"]),
                "Orders placed": table["orders"],
                "Claims filed": table["claims"],
                "Dispute rate": w.percent(table["dispute_rate"]),
                "Refunds approved": w.money_column(table, "refunded_cents"),
                "Refunded claims": table["refunded_claims"],
            }
        )
        st.dataframe(shown, hide_index=True, column_config=_number_config(shown))
        w.download(
            "Figures (CSV)",
            table,
            {
                "period": unit,
                "due": "orders_due",
                "late": "late",
                "late_rate": "late_shipment_rate",
                "orders": "orders_placed",
                "claims": "claims_filed",
                "dispute_rate": "dispute_rate",
                "refunded_cents": "refunds_approved_usd",
                "refunded_claims": "refunded_claims",
            },
            f"overview-{period.first}-{period.last}-{grain}.csv",
        )


def _number_config(frame: pd.DataFrame) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for column in frame.columns:
        if "rate" in column.lower() or column in ("Share", "Utilisation"):
            config[column] = st.column_config.NumberColumn(column, format="%.2f%%")
        elif pd.api.types.is_integer_dtype(frame[column]):
            config[column] = st.column_config.NumberColumn(column, format="localized")
    return config


def breakdowns(url: str, period: Period, today: date, zone: str) -> Dimension:
    dimension: Dimension = (
        st.segmented_control(
            "Break down by",
            list(DIMENSIONS),
            default="supplier_country",
            format_func=DIMENSIONS.__getitem__,
            key="by",
            bind="query-params",
            required=True,
        )
        or "supplier_country"
    )
    frame = fd.breakdown(url, period, today, zone, dimension)
    if dimension == "claim_kind":
        frame = frame.assign(key=frame["key"].map(lambda k: _KIND_LABELS.get(k, k)))
    name = DIMENSIONS[dimension].lower()
    if dimension != "claim_kind":
        _chart(
            charts.breakdown_chart(
                frame,
                rate="late_rate",
                count="late",
                base="due",
                title=f"Late-shipment rate by {name}",
                noun="orders due",
            ),
            "late_by",
            _pick_value,
        )
    _chart(
        charts.breakdown_chart(
            frame,
            rate="dispute_rate",
            count="claims",
            base="orders",
            title=f"Dispute rate by {name}",
            noun="orders placed",
        ),
        "dispute_by",
        _pick_value,
    )
    return dimension


def _kind_value(dimension: Dimension, label: str) -> str:
    if dimension != "claim_kind":
        return label
    return next((k for k, v in _KIND_LABELS.items() if v == label), label)


def drill_down(
    url: str, period: Period, grain: Grain, today: date, zone: str, dimension: Dimension
) -> None:
    st.subheader("Behind the figures")
    bucket_list = buckets(period, grain, today)
    labels = {bucket_label(b.start, grain): b for b in bucket_list}
    breakdown = fd.breakdown(url, period, today, zone, dimension)
    values = [str(v) for v in breakdown["key"]]
    if dimension == "claim_kind":
        values = [_KIND_LABELS.get(v, v) for v in values]
    if st.session_state.get(DRILL_PERIOD) not in (None, _ALL, *labels):
        st.session_state[DRILL_PERIOD] = _ALL
    if st.session_state.get(DRILL_VALUE) not in (None, _ALL, *values):
        st.session_state[DRILL_VALUE] = _ALL
    cols = st.columns(2)
    picked_period = cols[0].selectbox(
        "Period", [_ALL, *labels], key=DRILL_PERIOD, help="Or click a period on a trend chart."
    )
    picked_value = cols[1].selectbox(
        DIMENSIONS[dimension],
        [_ALL, *values],
        key=DRILL_VALUE,
        help="Or click a bar of a breakdown chart.",
    )
    narrowed = period
    if picked_period != _ALL:
        bucket = labels[picked_period]
        narrowed = Period(max(bucket.start, period.first), min(bucket.end, period.last))
    scope = Scope()
    if picked_value != _ALL:
        scope = replace(scope, **{dimension: _kind_value(dimension, picked_value)})
    suppliers = fd.suppliers_behind(url, narrowed, today, zone, scope)
    due, late = int(suppliers["due"].sum()), int(suppliers["late"].sum())
    orders, claims = int(suppliers["orders"].sum()), int(suppliers["claims"].sum())
    what = " · ".join(
        x for x in (narrowed.label(), picked_value if picked_value != _ALL else "") if x
    )
    late_text = (
        "late-shipment rate not applicable to a claim kind"
        if scope.claim_kind
        else f"late-shipment rate {format.rate_with_counts(late, due, 'orders due')}"
    )
    st.markdown(
        f"**{what}** — {late_text}; dispute rate "
        f"{format.rate_with_counts(claims, orders, 'orders placed')}. The suppliers below add "
        "up to these counts."
    )
    shown = pd.DataFrame(
        {
            "Supplier": suppliers["supplier_name"],
            "Supplier id": suppliers["supplier"],
            "Orders due": suppliers["due"],
            "Late": suppliers["late"],
            "Late-shipment rate": w.percent(suppliers["late_rate"]),
            "Orders placed": suppliers["orders"],
            "Claims": suppliers["claims"],
            "Dispute rate": w.percent(suppliers["dispute_rate"]),
        }
    )
    tabs = st.tabs([f"Suppliers ({len(suppliers):,})", "Orders due", "Claims filed"])
    with tabs[0]:
        st.dataframe(shown, hide_index=True, column_config=_number_config(shown), height=320)
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


def _pages(total: int, key: str) -> int:
    pages = max(1, -(-total // 50))
    if st.session_state.get(key, 1) > pages:
        st.session_state[key] = 1
    return st.pagination(pages, key=key) if pages > 1 else 1


def _orders(url: str, period: Period, today: date, zone: str, scope: Scope) -> None:
    if scope.claim_kind:
        st.caption("A claim kind narrows claims, not orders: see the claims filed.")
        return
    first = fd.orders_behind(url, period, today, zone, scope, 1)
    page = _pages(first.total, "drill_orders_page")
    rows = first if page == 1 else fd.orders_behind(url, period, today, zone, scope, page)
    frame = rows.frame
    st.caption(f"{rows.total:,} orders due, late ones first; page {page} shown.")
    st.dataframe(
        pd.DataFrame(
            {
                "Order": frame["order"],
                "Supplier": frame["supplier_name"],
                "Category": frame["category"],
                "Ship-by": frame["ship_by"],
                "Shipped": frame["shipped_day"],
                "Late": frame["late"].map({True: "late", False: "on time"}),
                "Days late": frame["days_late"],
            }
        ),
        hide_index=True,
    )


def _claims(url: str, period: Period, zone: str, scope: Scope) -> None:
    first = fd.claims_behind(url, period, zone, scope, 1)
    page = _pages(first.total, "drill_claims_page")
    rows = first if page == 1 else fd.claims_behind(url, period, zone, scope, page)
    frame = rows.frame
    st.caption(f"{rows.total:,} claims filed, newest first; page {page} shown.")
    st.dataframe(
        pd.DataFrame(
            {
                "Claim": frame["claim"],
                "Kind": frame["kind"].map(lambda k: _KIND_LABELS.get(k, k)),
                "Filed": frame["filed_day"],
                "Status": frame["status"].str.replace("_", " "),
                "Order": frame["order"],
                "Supplier": frame["supplier_name"],
            }
        ),
        hide_index=True,
    )


def reviewers(url: str, period: Period, zone: str, policy: Policy, now: datetime) -> None:
    st.subheader("Reviewer service")
    end = min(period.end(zone), now)
    if end <= period.start(zone):
        st.caption("The period has not started yet.")
        return
    figures = fd.reviewer_figures(url, period.start(zone), end, policy.version)
    cols = st.columns(4)
    cols[0].metric("Claims decided", f"{figures.claims_decided:,}", border=True)
    median = figures.median_time_to_decision
    cols[1].metric(
        "Median time to decision",
        "–" if median is None else f"{median.total_seconds() / 86_400:.1f} days",
        border=True,
    )
    cols[2].metric(
        "Decided after deadline",
        format.rate_with_counts(figures.decided_after_deadline, figures.claims_decided),
        border=True,
    )
    cols[3].metric(
        "Override rate",
        format.rate_with_counts(figures.overridden, figures.answered),
        border=True,
        help="Verdicts departing from the recommendation ÷ verdicts that answered one.",
    )
    by_reviewer, by_reason = st.tabs(["By reviewer", "By reason code"])
    with by_reviewer:
        by = figures.by_reviewer
        st.dataframe(
            pd.DataFrame(
                {
                    "Reviewer": by["reviewer"],
                    "Verdicts": by["verdicts"],
                    "Overrides": by["overridden"],
                    "Answered": by["answered"],
                    "Override rate": w.percent(by["override_rate"]),
                    "Approved": by["approved"],
                    "Rejected": by["rejected"],
                }
            ),
            hide_index=True,
            column_config={"Override rate": st.column_config.NumberColumn(format="%.2f%%")},
        )
        w.download(
            "By reviewer (CSV)",
            by,
            {c: c for c in by.columns},
            f"reviewers-{period.first}-{period.last}.csv",
        )
    with by_reason:
        by = figures.by_reason
        st.dataframe(
            pd.DataFrame(
                {
                    "Reason code": by["reason_code"],
                    "Answered": by["answered"],
                    "Overrides": by["overridden"],
                    "Override rate": w.percent(by["override_rate"]),
                }
            ),
            hide_index=True,
            column_config={"Override rate": st.column_config.NumberColumn(format="%.2f%%")},
        )
        w.download(
            "By reason code (CSV)",
            by,
            {c: c for c in by.columns},
            f"reason-codes-{period.first}-{period.last}.csv",
        )
    st.caption(defs.markdown("reviewers", zone, policy))


def today_and_now() -> tuple[date, datetime]:
    """Today in the programme's zone, and now to the minute (so a minute's reruns share cache)."""
    return wiring.today(), wiring.now().replace(second=0, microsecond=0)
