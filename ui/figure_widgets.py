"""Widgets the dashboards share: the range and grain controls (in the URL), headline tiles with
their change against the previous period, tables with a CSV download, and page styling."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
import streamlit as st

from services.csv_export import instant_cell, money_cell, spreadsheet_safe
from services.figures.periods import PRESETS, Grain, Period, Preset, period_for
from services.figures.rates import Rate
from ui import format
from ui.text import plain

# Metric values wrap between words instead of being cut with an ellipsis, a little smaller so
# long amounts fit a third of a 900 px window; table headers wrap too. Print: no sidebar.
_STYLE = """
<style>
[data-testid="stMetricValue"] { font-size: 1.45rem; }
[data-testid="stMetricValue"] p { white-space: normal !important; overflow: visible !important;
  text-overflow: clip !important; word-break: normal !important; line-height: 1.25; }
[data-testid="stMetricLabel"] p { white-space: normal !important; overflow: visible !important;
  text-overflow: clip !important; word-break: normal !important; }
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stDownloadButton"], [data-testid="stExpander"] { display: none !important; }
  .main .block-container { max-width: 100% !important; padding: 0 !important; }
}
</style>
"""


def page_style() -> None:
    st.html(_STYLE)


def range_controls(today: date, extent: tuple[date, date] | None) -> tuple[Period, Grain]:
    """The overview's range (a preset or custom days) and grain, both kept in the URL."""
    default = period_for("data_12m", today, extent)
    cols = st.columns([1.3, 1], vertical_alignment="bottom")
    preset: Preset = cols[0].selectbox(
        "Range",
        list(PRESETS),
        format_func=PRESETS.__getitem__,
        key="range",
        bind="query-params",
        help="The default shows the latest twelve calendar months that hold orders, so "
        "imported history appears however old it is.",
    )
    period = default
    if preset == "custom":
        chosen = st.date_input(
            "From – to",
            value=(default.first, default.last),
            key="dates",
            bind="query-params",
            format="YYYY-MM-DD",
        )
        days = [d for d in (chosen if isinstance(chosen, Sequence) else [chosen]) if d]
        if len(days) == 2:
            period = period_for("custom", today, extent, (days[0], days[1]))
        else:
            st.caption("Pick the last day of the range too.")
    else:
        period = period_for(preset, today, extent)
    grain: Grain = (
        cols[1].segmented_control(
            "Grain",
            ["week", "month"],
            default="month",
            format_func=str.capitalize,
            key="grain",
            bind="query-params",
            required=True,
        )
        or "month"
    )
    return period, grain


#: Streamlit reads any delta not starting with "-" as a rise: "+0" showed a red arrow up.
NO_CHANGE = "no change"


def delta_args(text: str | None, up_is_bad: bool = True) -> dict[str, Any]:
    """``st.metric``'s delta arguments for a change shown as ``text`` (``+2``, ``-0.13 pp``;
    None: nothing to compare with): a rise red where up is bad, and a change that shows as
    nothing, grey without an arrow."""
    if text is None:
        return {"delta": None}
    if not any(c in "123456789" for c in text):
        return {"delta": NO_CHANGE, "delta_color": "off", "delta_arrow": "off"}
    return {"delta": text, "delta_color": "inverse" if up_is_bad else "normal"}


def points(change: float | None) -> str | None:
    """A change of rate in percentage points: ``+0.42 pp``."""
    if change is None:
        return None
    return f"{change * 100:+.2f} pp"


def count_change(current: int, previous: int) -> str:
    return f"{current - previous:+,}"


def money_change(current: int, previous: int) -> str:
    difference = current - previous
    return ("+" if difference >= 0 else "-") + format.money(abs(difference))


#: Wide enough for a money figure in the millions on one line ("USD 58,405,270.63" wrapped at
#: 200), narrow enough for three a row beside the sidebar in a window 1,280 pixels wide.
TILE_WIDTH = 240


def tile_row() -> Any:
    """A row of tiles that wraps onto more rows when the window is narrow (never squeezes)."""
    return st.container(horizontal=True, gap="small")


def tile(row: Any) -> Any:
    """A bordered tile in ``row``, as tall as the row's tallest: the tiles of a row line up
    whatever the length of their captions."""
    return row.container(border=True, width=TILE_WIDTH, height="stretch")


def rate_tile(
    row: Any,
    label: str,
    current: Rate,
    previous: Rate | None,
    noun: tuple[str, str],
    base: tuple[str, str],
    help: str,
) -> None:
    """A rate with its counts and its change against the previous period (up is bad; None: no
    earlier period to compare with); ``noun`` and ``base`` name what is counted and what it is
    counted of, singular and plural."""
    box = tile(row)
    value = format.rate(current.count, current.total)
    change = {} if previous is None else delta_args(points(current.change(previous)))
    box.metric(label, value, help=help, **change)
    counts = f"{format.count(current.count, *noun)} of {format.count(current.total, *base)}."
    if previous is not None:
        counts += f" Previous period: {format.rate_with_counts(previous.count, previous.total)}"
    box.caption(counts)


def count_tile(
    row: Any, label: str, current: int, previous: int | None, detail: str, help: str
) -> None:
    """A count and its change against the previous period (None: none to compare with)."""
    box = tile(row)
    change = {} if previous is None else delta_args(count_change(current, previous))
    box.metric(label, f"{current:,}", help=help, **change)
    box.caption(f"{detail}." + ("" if previous is None else f" Previous period: {previous:,}"))


def plain_tile(row: Any, label: str, value: str, detail: str, help: str | None = None) -> None:
    """A figure without a previous period to compare with: its value, what it counts beneath."""
    box = tile(row)
    box.metric(label, value, help=help)
    box.caption(detail)


def money_tile(
    row: Any,
    label: str,
    cents: int,
    previous_cents: int | None,
    detail: str,
    help: str,
    *,
    up_is_bad: bool = True,
) -> None:
    """An amount and its change against the previous period (None: none to compare with)."""
    box = tile(row)
    change = (
        {} if previous_cents is None else delta_args(money_change(cents, previous_cents), up_is_bad)
    )
    box.metric(label, format.money(cents), help=help, **change)
    before = "" if previous_cents is None else f" Previous period: {format.money(previous_cents)}"
    box.caption(f"{detail}.{before}")


def csv_bytes(frame: pd.DataFrame, headers: dict[str, str]) -> bytes:
    """``frame``'s ``headers`` columns as CSV: money (``*_cents``) as decimal text in USD,
    rates as fractions, text made inert for spreadsheets (services.csv_export)."""
    out = pd.DataFrame()
    for column, header in headers.items():
        values = frame[column]
        if column.endswith("_cents"):
            out[header] = [money_cell(None if pd.isna(v) else int(v)) for v in values]
        elif isinstance(values.dtype, pd.DatetimeTZDtype) or _holds_instants(values):
            # "2025-01-15T21:18:57Z", as the claims and decisions exports write an instant
            # (read from the database as aware times; days are dates, written as before).
            out[header] = [instant_cell(_instant(v)) for v in values]
        elif values.dtype == object or str(values.dtype) in ("string", "category"):
            out[header] = [spreadsheet_safe(None if _missing(v) else str(v)) for v in values]
        else:
            out[header] = values
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def _holds_instants(values: pd.Series) -> bool:
    first = values.dropna()
    return values.dtype == object and len(first) > 0 and isinstance(first.iloc[0], datetime)


def _instant(value: object) -> datetime | None:
    """An aware UTC instant; a naive one is UTC already (times are stored in UTC)."""
    if _missing(value) or value is pd.NaT:
        return None
    moment = value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
    assert isinstance(moment, datetime)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NA


def download(label: str, frame: pd.DataFrame, headers: dict[str, str], file_name: str) -> None:
    st.download_button(
        label,
        # Made when clicked, not on every run of the page: a page offers several tables.
        data=lambda: csv_bytes(frame, headers),
        file_name=file_name,
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        key=f"download_{file_name}",
    )


#: Up to this many rows a table is drawn static: it wraps long text instead of cutting it and
#: prints whole. Longer tables scroll in an interactive grid.
STATIC_ROWS = 30


def table(frame: pd.DataFrame, *, column_config: dict[str, Any] | None = None) -> None:
    """A table of text and numbers that reads (and prints) in full.

    ``st.table`` renders Markdown in cells, so text is escaped first: data shows as data.
    """
    if len(frame) > STATIC_ROWS:
        st.dataframe(frame, hide_index=True, column_config=column_config)
        return
    shown = frame.copy()
    for column in shown.columns:
        if shown[column].dtype == object:
            shown[column] = [
                "" if _missing(v) else plain(v if isinstance(v, str) else str(v))
                for v in shown[column]
            ]
    st.table(shown, hide_index=True)


def money_column(frame: pd.DataFrame, column: str) -> list[str]:
    """Cents as ``USD 1,234.50`` text for a table cell (a dash where there is none), kept on
    one line: a static table in a narrow window wraps its other columns, never an amount
    into "-USD" above "6,731.53"."""
    return [
        "–" if _missing(v) else format.money(int(v)).replace(" ", "\u00a0") for v in frame[column]
    ]


def percent_text(values: pd.Series) -> list[str]:
    """Fractions as ``12.34%`` text (a dash where nothing was counted)."""
    return ["–" if _missing(v) else f"{float(v):.2%}" for v in values]


def rate_text(counts: pd.Series, totals: pd.Series) -> list[str]:
    """``12.50% (5 of 40)``: a rate with its counts, as one cell."""
    return [format.rate_with_counts(int(c), int(t)) for c, t in zip(counts, totals, strict=True)]


def counts_text(values: pd.Series) -> list[str]:
    return [f"{int(v):,}" for v in values]


def percent(values: pd.Series) -> pd.Series:
    """Fractions as percent numbers for a ``%.2f%%`` column (infinite utilisation stays)."""
    return values.astype("float64") * 100
