"""The overview's sections: tiles, trends, breakdowns, the drill-down behind a figure, and the
reviewers' service figures. Layout only; every number comes from ``services.figures``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd
import streamlit as st

from rules import Policy
from services.figures.headline import Headline
from services.figures.periods import Grain, Period
from services.figures.rates import DIMENSIONS, Dimension
from ui import charts, format, wiring
from ui import definitions as defs
from ui import figure_data as fd
from ui import figure_widgets as w
from ui.chart_cache import built

DRILL_PERIOD = "drill_period"
DRILL_VALUE = "drill_value"
ALL_VALUES = "All"
KIND_LABELS = {
    "late_shipment": "Late shipment",
    "quality": "Quality",
    "non_delivery": "Non-delivery",
}


def tiles(head: Headline, zone: str, policy: Policy, *, compare: bool = True) -> None:
    """The headline tiles; with ``compare`` each with its change against the previous period
    (not when the period starts with the data: before it there is nothing to compare with)."""
    now, before = head.current, (head.previous if compare else None)
    row = w.tile_row()
    w.rate_tile(
        row,
        "Late-shipment rate",
        now.late_shipment,
        None if before is None else before.late_shipment,
        ("late", "late"),
        ("order due", "orders due"),
        defs.text("late_shipment", zone, policy),
    )
    w.rate_tile(
        row,
        "Dispute rate",
        now.dispute,
        None if before is None else before.dispute,
        ("claim", "claims"),
        ("order placed", "orders placed"),
        defs.text("dispute", zone, policy),
    )
    w.count_tile(
        row,
        "Open claims",
        now.claims.open,
        None if before is None else before.claims.open,
        "Undecided at the end of the period",
        defs.text("open_claims", zone, policy),
    )
    w.count_tile(
        row,
        "Overdue claims",
        now.claims.overdue,
        None if before is None else before.claims.overdue,
        f"{now.claims.overdue:,} of {format.count(now.claims.open, 'open claim')}",
        defs.text("overdue_claims", zone, policy),
    )
    w.money_tile(
        row,
        "Refunds approved",
        now.refunds_approved.cents,
        None if before is None else before.refunds_approved.cents,
        format.count(now.refunds_approved.claims, "claim"),
        defs.text("refunds_approved", zone, policy),
    )
    w.money_tile(
        row,
        "Pending liability",
        now.pending_liability.cents,
        None if before is None else before.pending_liability.cents,
        format.count(now.pending_liability.claims, "undecided claim"),
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
        built(charts.late_shipment_chart, late, f"Late-shipment rate by {unit} of ship-by day"),
        "late_trend",
        _pick_period,
    )
    _chart(
        built(
            charts.dispute_rate_chart,
            disputes,
            f"Dispute rate by {unit} (claims filed ÷ orders placed)",
        ),
        "dispute_trend",
        _pick_period,
    )
    _chart(
        built(
            charts.money_trend_chart,
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
                "Late-shipment rate": w.rate_text(table["late"], table["due"]),
                "Dispute rate": w.rate_text(table["claims"], table["orders"]),
                "Refunds approved": w.money_column(table, "refunded_cents"),
                "Refunded claims": w.counts_text(table["refunded_claims"]),
            }
        )
        w.table(shown)
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


def number_config(frame: pd.DataFrame) -> dict[str, Any]:
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
        frame = frame.assign(key=frame["key"].map(lambda k: KIND_LABELS.get(k, k)))
    name = DIMENSIONS[dimension].lower()
    if dimension != "claim_kind":
        _chart(
            built(
                charts.breakdown_chart,
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
        built(
            charts.breakdown_chart,
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
    w.download(
        f"By {name} (CSV)",
        frame,
        {
            "key": dimension,
            "due": "orders_due",
            "late": "late",
            "late_rate": "late_shipment_rate",
            "orders": "orders_placed",
            "claims": "claims_filed",
            "dispute_rate": "dispute_rate",
        },
        f"breakdown-{dimension}-{period.first}-{period.last}.csv",
    )
    return dimension


def today_and_now() -> tuple[date, datetime]:
    """Today in the programme's zone, and now to the minute (so a minute's reruns share cache)."""
    return wiring.today(), wiring.now().replace(second=0, microsecond=0)
