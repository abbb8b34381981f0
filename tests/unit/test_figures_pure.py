"""Pure parts of the figures: periods and presets, chart builders, CSV cells, definitions."""

from __future__ import annotations

import itertools
import math
from datetime import date, timedelta
from fractions import Fraction
from random import Random

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules import bundled_policy
from services.figures.definitions import definitions
from services.figures.exposure import _above_90, _shares, hhi, top_share
from services.figures.periods import Period, bucket_label, buckets, period_for, shift_months
from ui import charts, exposure_charts
from ui.figure_widgets import csv_bytes

TODAY = date(2025, 3, 15)
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


@given(first=DAYS, length=st.integers(1, 800))
def test_the_previous_period_has_the_same_length_and_touches(first: date, length: int) -> None:
    period = Period(first, first + timedelta(days=length - 1))
    before = period.previous()
    assert before.days == period.days == length
    assert before.last + timedelta(days=1) == period.first


@given(first=DAYS, length=st.integers(1, 500), grain=st.sampled_from(["week", "month"]), today=DAYS)
def test_buckets_cover_the_period_without_gaps(
    first: date, length: int, grain: str, today: date
) -> None:
    period = Period(first, first + timedelta(days=length - 1))
    spine = buckets(period, grain, today)  # type: ignore[arg-type]
    assert spine[0].start <= period.first and spine[-1].end >= period.last
    for before, after in itertools.pairwise(spine):
        assert before.end + timedelta(days=1) == after.start
    for b in spine:
        assert b.start.weekday() == 0 if grain == "week" else b.start.day == 1
        cut = b.start < period.first or b.end > period.last
        assert b.partial == (cut or b.end >= today)


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        ("last_30d", Period(date(2025, 2, 14), TODAY)),
        ("last_90d", Period(date(2024, 12, 16), TODAY)),
        ("last_12m", Period(date(2024, 4, 1), TODAY)),
        ("year_to_date", Period(date(2025, 1, 1), TODAY)),
    ],
)
def test_presets(preset: str, expected: Period) -> None:
    assert period_for(preset, TODAY, None) == expected  # type: ignore[arg-type]


def test_the_default_finds_old_history() -> None:
    # An import of 2018 orders: the latest twelve months holding data, not an empty year.
    history = (date(2016, 9, 4), date(2018, 8, 29))
    assert period_for("data_12m", TODAY, history) == Period(date(2017, 9, 1), date(2018, 8, 31))
    current = (date(2023, 1, 1), date(2025, 4, 30))  # ship-by days ahead of today
    assert period_for("data_12m", TODAY, current) == Period(date(2024, 4, 1), TODAY)
    assert period_for("all", TODAY, history) == Period(date(2016, 9, 4), TODAY)
    assert period_for("data_12m", TODAY, None) == Period(date(2024, 4, 1), TODAY)
    assert period_for("custom", TODAY, None, (date(2025, 2, 1), date(2025, 1, 1))) == Period(
        date(2025, 1, 1), date(2025, 2, 1)
    )


def test_shift_months_and_labels() -> None:
    assert shift_months(date(2025, 1, 31), -1) == date(2024, 12, 1)
    assert shift_months(date(2025, 12, 5), 1) == date(2026, 1, 1)
    assert bucket_label(date(2025, 3, 1), "month") == "Mar 2025"
    assert bucket_label(date(2025, 3, 3), "week") == "3 Mar 2025"


@given(peak=st.floats(min_value=1e-6, max_value=1e12))
def test_axes_are_round_with_headroom(peak: float) -> None:
    upper, step = charts.nice_axis(peak)
    assert upper >= peak * 1.1 - 1e-9
    assert upper / step <= 6.000001  # about five ticks, never a crowd
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m) for m in (1, 2, 2.5, 5))
    assert math.isclose(upper / step, round(upper / step))


def _trend() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": ["Jan 2025", "Feb 2025", "Mar 2025"],
            "partial": [False, False, True],
            "due": [10, 4, 0],
            "late": [1, 2, 0],
            "late_rate": [0.1, 0.5, float("nan")],
        }
    )


def test_rate_chart_keeps_counts_and_marks_the_partial_period() -> None:
    figure = charts.late_shipment_chart(_trend())
    whole, cut, line, key = figure.data
    assert list(whole.x) == ["Jan 2025", "Feb 2025", "Mar 2025"]  # the running month is there
    heights = [None if pd.isna(y) else y for y in whole.y]
    assert heights[2] is None and cut.y[2] is not None and pd.isna(cut.y[0])
    # One legend entry, its swatch plain: the hatched bars are the other, unlisted trace.
    assert (whole.showlegend, whole.marker.pattern.shape) == (True, "")
    assert (cut.showlegend, cut.marker.pattern.shape, cut.legendgroup) == (False, "/", whole.name)
    assert figure.layout.barmode == "overlay"
    # The line's legend entry is a trace of its own, a whole period's filled point.
    assert line.showlegend is False and key.showlegend is not False and key.legendgroup == line.name
    assert key.marker.symbol == "circle" and list(key.y) == [None]
    assert list(line.marker.symbol) == ["circle", "circle", "circle-open"]
    assert line.customdata.tolist() == [[1, 10], [2, 4], [0, 0]]
    assert "of" in line.hovertemplate and line.yaxis == "y2"
    axis = figure.layout.yaxis2
    assert axis.range[0] == 0 and axis.range[1] >= 0.55 and axis.tickformat.endswith("%")
    assert list(figure.layout.xaxis.ticktext) == ["Jan<br>2025", "Feb", "Mar"]
    assert figure.layout.xaxis.tickangle == 0
    assert figure.layout.title.text == "Late-shipment rate"


def test_many_periods_are_thinned_not_rotated() -> None:
    labels = [bucket_label(date(2024, 1, 1) + timedelta(weeks=n), "week") for n in range(60)]
    frame = pd.DataFrame(
        {"label": labels, "partial": False, "orders": 1, "claims": 0, "dispute_rate": 0.0}
    )
    figure = charts.dispute_rate_chart(frame)
    assert 6 <= len(figure.layout.xaxis.tickvals) <= 8
    assert len(figure.data[0].x) == 60  # every week still drawn


def test_exposure_charts_carry_the_as_of_date_and_units() -> None:
    trend = pd.DataFrame(
        {
            "label": ["Feb 2025", "Mar 2025"],
            "partial": [False, True],
            "exposure_cents": [123_456_78, 98_765_43],
            "pending_cents": [1_00, 2_00],
            "refunds_cents": [5_00, 0],
        }
    )
    figure = exposure_charts.exposure_trend_chart(trend, TODAY)
    assert "as of 15 Mar 2025" in figure.layout.title.text and "USD" in figure.layout.title.text
    assert list(figure.data[0].customdata) == ["USD 123,456.78", "USD 98,765.43"]
    shares = pd.DataFrame(
        {"key": list("ABCDEFGHIJKL"), "share": [1 / 12] * 12, "exposure_cents": [100] * 12}
    )
    bars = exposure_charts.share_chart(shares, "Share", TODAY).data[0]
    assert len(bars.y) == 11 and bars.y[0].startswith("All others (2)")


def test_csv_cells_are_safe_and_money_exact() -> None:
    frame = pd.DataFrame(
        {
            "supplier_name": ["=HYPERLINK(1)", "Plain"],
            "limit_cents": [123_45, -5],
            "late_rate": [0.5, float("nan")],
        }
    )
    text = csv_bytes(
        frame, {"supplier_name": "supplier", "limit_cents": "limit_usd", "late_rate": "late_rate"}
    ).decode()
    assert text.splitlines() == [
        "supplier,limit_usd,late_rate",
        "'=HYPERLINK(1),123.45,0.5",
        "Plain,-0.05,",
    ]


def test_csv_instants_read_as_the_exports_write_them() -> None:
    """Limit history wrote "2026-12-06 22:04:05.349333+00:00" where the decisions export
    writes "2025-01-15T21:18:57Z". The data layer hands instants over aware (a column of
    them, or Python datetimes among missing values); days stay days."""
    from datetime import datetime, timezone

    berlin = timezone(timedelta(hours=1))
    frame = pd.DataFrame(
        {
            "aware": pd.Series(
                [datetime(2026, 12, 6, 23, 4, 5, 349333, tzinfo=berlin), None], dtype=object
            ),
            "stamped": pd.Series([pd.Timestamp("2025-01-15T21:18:57Z"), pd.NaT]),
            "day": [date(2025, 1, 15), None],
        }
    )
    text = csv_bytes(frame, {"aware": "a", "stamped": "s", "day": "d"}).decode()
    assert text.splitlines() == [
        "a,s,d",
        "2026-12-06T22:04:05Z,2025-01-15T21:18:57Z,2025-01-15",
        ",,",
    ]


def test_concentration_helpers() -> None:
    assert hhi([100]) == 10_000
    assert hhi([1, 1, 1, 1]) == pytest.approx(2_500)
    assert hhi([]) == 0
    assert top_share([5, 1, 9, 3], 2) == (14, 18)


@given(st.lists(st.integers(0, 10**12), min_size=1, max_size=40))
def test_hhi_is_the_sum_of_the_squared_percent_shares(amounts: list[int]) -> None:
    total = sum(amounts)
    shares = [Fraction(100 * a, total) ** 2 for a in amounts] if total else [Fraction(0)]
    assert hhi(amounts) == float(sum(shares))


KEYS = st.text("abc", min_size=1, max_size=3)


@given(st.dictionaries(KEYS, st.integers(0, 3), min_size=1, max_size=12), st.randoms())
def test_shares_rank_by_exposure_then_key_whatever_the_order_given(
    exposure: dict[str, int], random: Random
) -> None:
    """The queries hand the rows over in key order, which the ranking leans on for ties; rows in
    any other order are ranked the same."""
    keys = list(exposure)
    random.shuffle(keys)
    frame = pd.DataFrame({"k": keys, "exposure_cents": [exposure[k] for k in keys]})
    ranked = _shares(frame, "k", sum(exposure.values()))
    assert list(ranked["key"]) == sorted(exposure, key=lambda k: (-exposure[k], k))


UTILISATIONS = st.one_of(st.none(), st.sampled_from([0.5, 0.9, 0.95, 1.0, 2.0, math.inf]))


@given(st.lists(st.tuples(UTILISATIONS, st.integers(0, 3)), max_size=12))
def test_above_90_ranks_by_utilisation_then_exposure(rows: list[tuple[float | None, int]]) -> None:
    frame = pd.DataFrame(
        {
            "supplier": [f"S{i:02d}" for i in range(len(rows))],
            "utilisation": pd.Series([u for u, _ in rows], dtype="float64"),
            "exposure_cents": pd.Series([e for _, e in rows], dtype="int64"),
        }
    )
    kept = [(f"S{i:02d}", u, e) for i, (u, e) in enumerate(rows) if u is not None and u > 0.9]
    # sorted() is stable, as the ranking is: equal rows keep the order they came in.
    expected = [s for s, _, _ in sorted(kept, key=lambda r: (-(r[1] or 0.0), -r[2]))]
    assert list(_above_90(frame)["supplier"]) == expected


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai"])
def test_definitions_name_the_time_zone_and_the_policy(zone: str) -> None:
    policy = bundled_policy("v1")
    items = definitions(zone, policy)
    for key in ("late_shipment", "dispute", "exposure"):
        assert f"({zone})" in items[key].text
    assert "30-day claim window" in items["exposure"].text
    assert "watch from 5% and 3 late orders" in items["monitoring_tier"].text
    assert "1% of the cap per day late, at most 20%" in items["stress_late"].text


def test_a_period_compares_only_when_data_lies_before_it() -> None:
    extent = (date(2024, 3, 10), date(2025, 6, 1))
    assert Period(date(2024, 3, 11), date(2025, 6, 1)).comparable(extent)
    assert not Period(date(2024, 3, 10), date(2025, 6, 1)).comparable(extent)  # all history
    assert not Period(date(2024, 1, 1), date(2024, 12, 31)).comparable(extent)
    assert not Period(date(2025, 1, 1), date(2025, 6, 1)).comparable(None)  # no data at all


def test_text_from_data_is_drawn_as_text_in_charts() -> None:
    """Plotly reads <b>, <br> and entities in labels, legends and hover boxes: a name from
    data reaches them escaped, while a bar's position (what a click hands back) stays the key."""

    odd = "<b>Bold</b> & Co"
    drawn = "&lt;b&gt;Bold&lt;/b&gt; &amp; Co"
    bars = charts.breakdown_chart(
        pd.DataFrame({"key": [odd, "DE"], "rate": [0.5, 0.25], "n": [1, 1], "of": [2, 4]}),
        rate="rate", count="n", base="of", title="t", noun="orders",
    )  # fmt: skip
    assert list(bars.data[0].y) == ["DE", odd]
    assert list(bars.layout.yaxis.ticktext) == ["DE", drawn]
    assert list(bars.data[0].customdata) == ["DE", drawn]
    assert "%{y}" not in bars.data[0].hovertemplate

    trend = pd.DataFrame(
        {"label": ["Jan 2026"], "own": [0.1], "programme": [0.2], "partial": [False]}
    )
    lines = charts.comparison_chart(
        trend, rate="own", programme_rate="programme", title="t", own=odd
    )
    assert [trace.name for trace in lines.data] == [drawn, "Programme"]
    assert all(odd not in trace.hovertemplate for trace in lines.data)

    shares = pd.DataFrame({"key": [odd], "share": [1.0], "exposure_cents": [100]})
    share = exposure_charts.share_chart(shares, "Share", date(2026, 1, 1))
    assert list(share.layout.yaxis.ticktext) == [drawn]
    assert list(share.data[0].customdata) == [drawn]


@pytest.mark.parametrize("peak", [0.5, 80.0, 800_000.0, 80_000_000.0])
def test_money_axes_write_grouped_numbers_under_usd_never_dollar_signs(peak: float) -> None:
    axis = charts.money_axis(peak)
    assert str(axis["tickformat"]).startswith(",.") and "$" not in str(axis["tickformat"])


def test_a_table_keeps_each_amount_on_one_line() -> None:
    """At 900 px the exposure ledger wrapped "-USD" above "6,731.53"."""
    from ui.figure_widgets import money_column

    cells = money_column(pd.DataFrame({"c": [-673_153, None]}), "c")
    assert cells == ["-USD\u00a06,731.53", "–"]


@pytest.mark.parametrize(("months", "labelled"), [(6, 6), (8, 8), (12, 6), (13, 7), (24, 8)])
def test_a_year_of_months_is_labelled_every_other_month(months: int, labelled: int) -> None:
    """Twelve month labels ran together in a chart 330 px wide (a 900 px window)."""
    labels = [bucket_label(shift_months(date(2025, 1, 1), n), "month") for n in range(months)]
    frame = pd.DataFrame(
        {"label": labels, "partial": False, "orders": 1, "claims": 0, "dispute_rate": 0.0}
    )
    axis = charts.dispute_rate_chart(frame).layout.xaxis
    assert len(axis.tickvals) == labelled and axis.tickvals[0] == labels[0]
    assert str(axis.ticktext[0]).endswith("<br>2025")  # the year under the first label
