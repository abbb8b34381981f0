"""Pure plotly builders for the exposure page: DataFrame in, Figure out. Every title carries the
as-of date, every axis its unit, so a screenshot stands on its own in a board pack."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from rules import format_day
from ui import format
from ui.charts import (
    MONEY_COLOUR,
    PENDING_COLOUR,
    RATE_COLOUR,
    REFUND_COLOUR,
    category_labels,
    count_axis,
    layout,
    money_axis,
    partial_patterns,
    period_ticks,
    rate_axis,
)

OTHER = "All others"


def _as_of(title: str, day: date) -> str:
    return f"{title} — as of {format_day(day)}"


def _peak(values: pd.Series) -> float:
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    return float(numbers.max()) if len(numbers) else 0.0


def _money_text(cents: pd.Series) -> list[str]:
    return [format.money(int(c)) for c in cents]


def exposure_trend_chart(trend: pd.DataFrame, day: date) -> go.Figure:
    """Exposure at each month's end (the running month at the as-of day), in USD."""
    dollars = trend["exposure_cents"] / 100
    figure = go.Figure()
    figure.add_bar(
        x=trend["label"],
        y=dollars,
        name="Exposure",
        marker={"color": MONEY_COLOUR, "pattern": {"shape": partial_patterns(trend["partial"])}},
        customdata=_money_text(trend["exposure_cents"]),
        hovertemplate="Exposure: %{customdata}<extra></extra>",
    )
    layout(figure, _as_of("Exposure at each month's end (USD)", day), legend=False)
    period_ticks(figure, trend["label"])
    figure.update_layout(yaxis={"title": "USD", **money_axis(_peak(dollars))})
    return figure


def liability_trend_chart(trend: pd.DataFrame, day: date) -> go.Figure:
    """Pending liability at each month's end beside the refunds approved in the month."""
    figure = go.Figure()
    for column, name, colour in (
        ("pending_cents", "Pending liability at month end", PENDING_COLOUR),
        ("refunds_cents", "Refunds approved in the month", REFUND_COLOUR),
    ):
        figure.add_bar(
            x=trend["label"],
            y=trend[column] / 100,
            name=name,
            marker={"color": colour, "pattern": {"shape": partial_patterns(trend["partial"])}},
            customdata=_money_text(trend[column]),
            hovertemplate=f"{name}: %{{customdata}}<extra></extra>",
        )
    peak = max(_peak(trend["pending_cents"] / 100), _peak(trend["refunds_cents"] / 100))
    layout(figure, _as_of("Pending liability and refunds approved (USD)", day))
    period_ticks(figure, trend["label"])
    figure.update_layout(barmode="group", yaxis={"title": "USD", **money_axis(peak)})
    return figure


def utilisation_chart(bands: pd.DataFrame, day: date) -> go.Figure:
    """How many suppliers sit in each band of limit utilisation."""
    colours = ["#94a3b8", "#94a3b8", "#f59e0b", "#ea580c", "#b91c1c"]
    figure = go.Figure()
    figure.add_bar(
        x=bands["band"],
        y=bands["suppliers"],
        marker={"color": colours[: len(bands)]},
        text=[f"{int(n):,}" for n in bands["suppliers"]],
        textposition="outside",
        cliponaxis=False,
        customdata=_money_text(bands["exposure_cents"]),
        hovertemplate="%{x}: %{y:,} suppliers, exposure %{customdata}<extra></extra>",
    )
    layout(figure, _as_of("Suppliers by limit utilisation", day), legend=False)
    figure.update_layout(
        xaxis={"title": "Exposure ÷ limit"},
        yaxis={"title": "Suppliers", **count_axis(_peak(bands["suppliers"]) * 1.15)},
    )
    return figure


def share_chart(shares: pd.DataFrame, title: str, day: date, most: int = 10) -> go.Figure:
    """Horizontal bars of each key's share of exposure; beyond ``most`` keys, one "others" bar."""
    top = shares.head(most)
    rest = shares.iloc[most:]
    labels = [str(k) for k in top["key"]]
    values = list(top["share"])
    money = list(top["exposure_cents"])
    if len(rest):
        labels.append(f"{OTHER} ({len(rest):,})")
        values.append(float(rest["share"].sum()))
        money.append(int(rest["exposure_cents"].sum()))
    labels, values, money = labels[::-1], values[::-1], money[::-1]
    figure = go.Figure()
    figure.add_bar(
        x=values,
        y=labels,
        orientation="h",
        marker={"color": RATE_COLOUR},
        text=[f"{v:.1%} · {format.money(int(m))}" for v, m in zip(values, money, strict=True)],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{customdata}: %{text}<extra></extra>",
    )
    category_labels(figure, labels)
    layout(figure, _as_of(title, day), legend=False, height=max(240, 70 + 30 * len(labels)))
    axis = rate_axis(max(values, default=0) * 1.9)
    figure.update_layout(
        xaxis={"type": "linear", "title": "Share of exposure", **axis},
        yaxis={"type": "category", "automargin": True},
        hovermode="closest",
    )
    return figure


def loss_ratio_chart(cohorts: pd.DataFrame, day: date) -> go.Figure:
    """Refunds approved ÷ covered amount per monthly order cohort."""
    figure = go.Figure()
    figure.add_bar(
        x=cohorts["label"],
        y=cohorts["loss_ratio"],
        marker={"color": RATE_COLOUR, "pattern": {"shape": partial_patterns(cohorts["partial"])}},
        customdata=[
            [format.money(int(r)), format.money(int(c))]
            for r, c in zip(cohorts["refunded_cents"], cohorts["covered_cents"], strict=True)
        ],
        hovertemplate=(
            "%{x}: %{y:.2%} (%{customdata[0]} refunded of %{customdata[1]} covered)<extra></extra>"
        ),
    )
    layout(figure, _as_of("Loss ratio by month the orders were placed", day), legend=False)
    period_ticks(figure, cohorts["label"])
    figure.update_layout(
        yaxis={"title": "Refunds ÷ covered", **rate_axis(_peak(cohorts["loss_ratio"]))}
    )
    return figure
