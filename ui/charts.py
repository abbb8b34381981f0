"""Pure plotly chart builders: DataFrame in, Figure out; no Streamlit, no database."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

RATE_COLOUR = "#c2410c"
VOLUME_COLOUR = "#cbd5e1"


def _rate_chart(
    frame: pd.DataFrame,
    *,
    rate: str,
    count: str,
    base: str,
    count_label: str,
    base_label: str,
    title: str,
) -> go.Figure:
    figure = go.Figure()
    figure.add_bar(
        x=frame["month"],
        y=frame[base],
        name=base_label,
        marker_color=VOLUME_COLOUR,
        hovertemplate=f"%{{x}}<br>{base_label}: %{{y:,}}<extra></extra>",
    )
    figure.add_scatter(
        x=frame["month"],
        y=frame[rate],
        name=title,
        mode="lines+markers",
        line={"color": RATE_COLOUR, "width": 3},
        # Plotly draws the overlaying axis's traces on top: the rate rides above the bars.
        yaxis="y2",
        customdata=frame[[count, base]].to_numpy(),
        hovertemplate=(
            f"%{{x}}<br>{title}: %{{y:.2%}}<br>{count_label}: %{{customdata[0]:,}} "
            f"of %{{customdata[1]:,}}<extra></extra>"
        ),
    )
    figure.update_layout(
        xaxis={"title": None, "type": "category"},
        yaxis={
            "title": base_label,
            "side": "right",
            "showgrid": False,
            "rangemode": "tozero",
            "tickformat": ",d",
        },
        yaxis2={
            "title": title,
            "overlaying": "y",
            "side": "left",
            "tickformat": ".1%",
            "rangemode": "tozero",
        },
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 10, "r": 10, "t": 20, "b": 10},
        hovermode="x unified",
    )
    return figure


def late_shipment_chart(frame: pd.DataFrame) -> go.Figure:
    """Monthly late-shipment rate over the orders due, from ``month, due, late, late_rate``."""
    return _rate_chart(
        frame,
        rate="late_rate",
        count="late",
        base="due",
        count_label="Late",
        base_label="Orders due",
        title="Late-shipment rate",
    )


def dispute_rate_chart(frame: pd.DataFrame) -> go.Figure:
    """Monthly dispute rate over the orders placed, from ``month, orders, claims, dispute_rate``."""
    return _rate_chart(
        frame,
        rate="dispute_rate",
        count="claims",
        base="orders",
        count_label="Claims",
        base_label="Orders placed",
        title="Dispute rate",
    )
