"""Pure plotly chart builders: DataFrame in, Figure out; no Streamlit, no database.

Shared conventions: round y-axis ticks with headroom above the peak (:func:`nice_axis`), every
period of the range on the x axis (a partial one hatched and hollow, never dropped), a title
with its units, and names — never database ids — on every label.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from ui import format

RATE_COLOUR = "#c2410c"
PROGRAMME_COLOUR = "#64748b"
VOLUME_COLOUR = "#cbd5e1"
MONEY_COLOUR = "#1d4ed8"
PENDING_COLOUR = "#f59e0b"
REFUND_COLOUR = "#059669"
FONT = {"family": "sans-serif", "size": 13}
PARTIAL_NOTE = (
    "Hatched bars and hollow points: a partial period (cut by the range or still running)."
)


def as_text(value: object) -> str:
    """Text from data as Plotly should show it: literally. Plotly reads ``<b>``, ``<br>``,
    ``<a href>`` and entities in every label, legend entry and hover box, so a supplier
    named "<b>Bold</b> Lighting" was drawn in bold; ``<``, ``>`` and ``&`` go as entities."""
    return html.escape(str(value), quote=False)


def category_labels(figure: go.Figure, keys: Sequence[str]) -> None:
    """Bars placed at their keys from data (what a click hands back, unescaped), labelled
    with those keys as text, also in the hover box (``customdata``)."""
    figure.update_yaxes(tickmode="array", tickvals=list(keys), ticktext=[as_text(k) for k in keys])
    figure.update_traces(customdata=[as_text(k) for k in keys])


def nice_axis(peak: float, ticks: int = 5, *, whole: bool = False) -> tuple[float, float]:
    """``(upper, step)`` for an axis from 0: a round step (1, 2, 2.5 or 5 × 10^k; no 2.5 and
    never below 1 when ``whole``, for counts) and at least 10% headroom above ``peak``."""
    if not math.isfinite(peak) or peak <= 0:
        return (5.0, 1.0) if whole else (1.0, 0.2)
    target = peak * 1.1
    magnitude = 10 ** math.floor(math.log10(target / ticks))
    if whole:
        magnitude = max(magnitude, 1)
    step = magnitude
    for multiple in (1, 2, 5, 10) if whole else (1, 2, 2.5, 5, 10):
        step = multiple * magnitude
        if step * ticks >= target:
            break
    return math.ceil(target / step - 1e-9) * step, step


def _percent_format(step: float) -> str:
    for decimals in range(4):
        scaled = step * 100 * 10**decimals
        if abs(scaled - round(scaled)) < 1e-9:
            return f".{decimals}%"
    return ".2%"


def rate_axis(peak: float) -> dict[str, object]:
    """A y axis for a rate: 0 to a round value above the peak (at least 1%), round ticks."""
    upper, step = nice_axis(max(peak, 0.008) if math.isfinite(peak) else 0.008)
    return {"range": [0, upper], "dtick": step, "tickformat": _percent_format(step)}


def count_axis(peak: float) -> dict[str, object]:
    upper, step = nice_axis(max(peak, 4), whole=True)
    return {"range": [0, upper], "dtick": step, "tickformat": ",d"}


def money_axis(peak_dollars: float) -> dict[str, object]:
    """A y axis of dollars: plain grouped numbers under the axis title "USD", as amounts are
    written everywhere else ("USD 1,234.50"), never "$1,234"."""
    upper, step = nice_axis(max(peak_dollars, 1))
    return {"range": [0, upper], "dtick": step, "tickformat": ",.0f" if step >= 1 else ",.2f"}


def _peak(series: pd.Series) -> float:
    values = pd.to_numeric(series, errors="coerce").dropna()
    return float(values.max()) if len(values) else 0.0


def period_ticks(figure: go.Figure, labels: pd.Series, most: int | None = None) -> go.Figure:
    """Short, level period labels (``Mar``, or ``3 Mar`` for a week) with the year under the
    first label of each year; every label up to ``most`` periods and every n-th beyond, so no
    label is ever rotated, overlapped or cut."""
    values = [str(v) for v in labels]
    # Eight labels fit a chart 330 px wide (a 900 px window with the sidebar open), where
    # twelve months' labels ran together ("JanFebMar…"); the hover names every period.
    most = most or 8
    every = max(1, math.ceil(len(values) / most))
    shown = values[::every]
    texts, year = [], ""
    for value in shown:
        head, _, this_year = value.rpartition(" ")
        texts.append(head if this_year == year else f"{head}<br>{this_year}")
        year = this_year
    figure.update_xaxes(tickmode="array", tickvals=shown, ticktext=texts, tickangle=0)
    return figure


def layout(figure: go.Figure, title: str, *, legend: bool = True, height: int = 360) -> go.Figure:
    figure.update_layout(
        title={
            "text": title,
            "x": 0,
            "xanchor": "left",
            "y": 0.98,
            "yanchor": "top",
            "font": {"size": 15},
        },
        font=FONT,
        height=height,
        margin={"l": 10, "r": 10, "t": 84 if legend else 52, "b": 10},
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"}
        if legend
        else None,
        showlegend=legend,
        hovermode="x unified",
        plot_bgcolor="white",
        bargap=0.25,
    )
    figure.update_xaxes(showgrid=False, type="category", automargin=True)
    figure.update_yaxes(gridcolor="#e2e8f0", zeroline=True, zerolinecolor="#94a3b8")
    return figure


def partial_patterns(partial: pd.Series) -> list[str]:
    """Each period's bar pattern: hatched where the period is partial."""
    return ["/" if bool(p) else "" for p in partial]


def rate_trend_chart(
    frame: pd.DataFrame,
    *,
    rate: str,
    count: str,
    base: str,
    title: str,
    count_label: str,
    base_label: str,
    rate_label: str,
) -> go.Figure:
    """A rate per period (line, left axis) over its volume (bars, right axis).

    ``frame`` has ``label`` and ``partial`` and the ``rate``, ``count`` and ``base`` columns.
    """
    figure = go.Figure()
    partial = frame["partial"].astype(bool)
    # Whole and partial periods as two traces of one legend entry: a legend draws its swatch
    # from a trace's first bar, which was hatched whenever the range began mid-period.
    for cut in (False, True):
        figure.add_bar(
            x=frame["label"],
            y=frame[base].where(partial == cut),
            name=base_label,
            legendgroup=base_label,
            showlegend=not cut,
            marker={"color": VOLUME_COLOUR, "pattern": {"shape": "/" if cut else ""}},
            hovertemplate=f"{base_label}: %{{y:,}}<extra></extra>",
        )
    line_style = {"color": RATE_COLOUR, "width": 3}
    point_style = {"size": 8, "line": {"width": 2, "color": RATE_COLOUR}}
    figure.add_scatter(
        x=frame["label"],
        y=frame[rate],
        name=rate_label,
        legendgroup=rate_label,
        showlegend=False,
        mode="lines+markers",
        line=line_style,
        marker={**point_style, "symbol": ["circle-open" if p else "circle" for p in partial]},
        yaxis="y2",
        customdata=frame[[count, base]].to_numpy(),
        hovertemplate=(
            f"{rate_label}: %{{y:.2%}} (%{{customdata[0]:,}} {count_label} of "
            f"%{{customdata[1]:,}})<extra></extra>"
        ),
    )
    # Its legend entry apart, with a whole period's point: the line's own would show its first
    # point, hollow when the range begins mid-period. It draws nothing (no value).
    figure.add_scatter(
        x=frame["label"][:1],
        y=[None],
        name=rate_label,
        legendgroup=rate_label,
        mode="lines+markers",
        line=line_style,
        marker={**point_style, "symbol": "circle"},
        yaxis="y2",
        hoverinfo="skip",
    )
    layout(figure, title)
    period_ticks(figure, frame["label"])
    figure.update_layout(
        barmode="overlay",  # one bar a period: the other trace has none there
        yaxis={
            "title": base_label,
            "side": "right",
            "showgrid": False,
            **count_axis(_peak(frame[base])),
        },
        yaxis2={
            "title": rate_label,
            "overlaying": "y",
            "side": "left",
            "gridcolor": "#e2e8f0",
            **rate_axis(_peak(frame[rate])),
        },
    )
    return figure


def late_shipment_chart(frame: pd.DataFrame, title: str = "Late-shipment rate") -> go.Figure:
    """From ``label, partial, due, late, late_rate``."""
    return rate_trend_chart(
        frame,
        rate="late_rate",
        count="late",
        base="due",
        title=title,
        count_label="late",
        base_label="Orders due",
        rate_label="Late-shipment rate",
    )


def dispute_rate_chart(frame: pd.DataFrame, title: str = "Dispute rate") -> go.Figure:
    """From ``label, partial, orders, claims, dispute_rate``."""
    return rate_trend_chart(
        frame,
        rate="dispute_rate",
        count="claims",
        base="orders",
        title=title,
        count_label="claims",
        base_label="Orders placed",
        rate_label="Dispute rate",
    )


def money_trend_chart(
    frame: pd.DataFrame, *, cents: str, count: str, title: str, name: str
) -> go.Figure:
    """Money per period (bars, USD) with the number of claims it is made of in the hover."""
    dollars = frame[cents] / 100
    figure = go.Figure()
    figure.add_bar(
        x=frame["label"],
        y=dollars,
        name=name,
        marker={"color": REFUND_COLOUR, "pattern": {"shape": partial_patterns(frame["partial"])}},
        customdata=[
            [format.money(int(c)), int(n)] for c, n in zip(frame[cents], frame[count], strict=True)
        ],
        hovertemplate=f"{name}: %{{customdata[0]}} (%{{customdata[1]:,}} claims)<extra></extra>",
    )
    layout(figure, title, legend=False)
    period_ticks(figure, frame["label"])
    figure.update_layout(yaxis={"title": "USD", **money_axis(_peak(dollars))})
    return figure


def breakdown_chart(
    frame: pd.DataFrame, *, rate: str, count: str, base: str, title: str, noun: str
) -> go.Figure:
    """Horizontal bars of a rate per key (``key`` column), its counts written beside each bar."""
    rows = frame.dropna(subset=[rate]).sort_values(rate, ascending=True)
    labels = [
        f"{r:.2%} ({int(c):,} of {int(b):,})"
        for r, c, b in zip(rows[rate], rows[count], rows[base], strict=True)
    ]
    keys = [str(k) for k in rows["key"]]
    figure = go.Figure()
    figure.add_bar(
        x=rows[rate],
        y=keys,
        orientation="h",
        marker={"color": RATE_COLOUR},
        text=labels,
        textposition="outside",
        cliponaxis=False,
        hovertemplate=f"%{{customdata}}: %{{text}} {noun}<extra></extra>",
    )
    category_labels(figure, keys)
    layout(figure, title, legend=False, height=max(220, 60 + 30 * len(rows)))
    axis = rate_axis(_peak(rows[rate]) * 1.45)  # room for the counts written beside the bars
    figure.update_layout(
        xaxis={"type": "linear", "title": None, "showgrid": True, **axis},
        yaxis={"type": "category", "automargin": True},
        hovermode="closest",
    )
    return figure


def comparison_chart(
    frame: pd.DataFrame, *, rate: str, programme_rate: str, title: str, own: str
) -> go.Figure:
    """A supplier's rate per period beside the programme's (both lines, same axis)."""
    figure = go.Figure()
    for column, name, colour, dash in (
        (rate, own, RATE_COLOUR, "solid"),
        (programme_rate, "Programme", PROGRAMME_COLOUR, "dot"),
    ):
        figure.add_scatter(
            x=frame["label"],
            y=frame[column],
            name=as_text(name),  # the supplier's name, from data
            mode="lines+markers",
            line={"color": colour, "width": 3, "dash": dash},
            marker={"symbol": ["circle-open" if p else "circle" for p in frame["partial"]]},
            # The name by reference: a "%{…}" in it is not read as a template.
            hovertemplate="%{fullData.name}: %{y:.2%}<extra></extra>",
        )
    peak = max(_peak(frame[rate]), _peak(frame[programme_rate]))
    layout(figure, title)
    period_ticks(figure, frame["label"])
    figure.update_layout(yaxis={"title": None, **rate_axis(peak)})
    return figure
