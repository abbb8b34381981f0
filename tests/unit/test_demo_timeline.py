"""The demo generator's arithmetic of time and ids, against plain-Python definitions."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from services.demo.columns import datetimes, external_ids
from services.demo.timeline import (
    _LUNAR_NEW_YEAR,
    NAT,
    day_text,
    days_from_lunar_new_year,
    epoch_day,
    months_before,
    to_datetime,
    to_us,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Instants the demo can hold: year 1 to 9999, in microseconds since the epoch.
instants = st.integers(min_value=-62_135_596_800_000_000, max_value=253_402_300_799_999_999)


@given(instants)
def test_instants_round_trip_through_datetime(us: int) -> None:
    moment = to_datetime(us)
    assert moment == EPOCH + timedelta(microseconds=us)
    assert moment.tzinfo is UTC
    assert to_us(moment) == us


@given(st.datetimes().map(lambda d: d.replace(tzinfo=UTC)))
def test_to_us_counts_microseconds_since_the_epoch(moment: datetime) -> None:
    delta = moment - EPOCH
    assert to_us(moment) == delta.days * 86_400_000_000 + delta.seconds * 1_000_000 + (
        delta.microseconds
    )


@given(st.dates(min_value=date(1, 3, 1)), st.integers(min_value=0, max_value=120))
def test_months_before_is_the_same_day_or_the_months_last(day: date, months: int) -> None:
    index = day.year * 12 + day.month - 1 - months
    year, month = index // 12, index % 12 + 1
    assume(year >= 1)
    last = calendar.monthrange(year, month)[1]
    assert months_before(day, months) == date(year, month, min(day.day, last))


@given(st.lists(st.dates(min_value=date(2017, 1, 1), max_value=date(2039, 12, 31)), min_size=1))
def test_days_from_lunar_new_year_is_the_nearest_holiday(days: list[date]) -> None:
    holidays = sorted(_LUNAR_NEW_YEAR.values())
    result = days_from_lunar_new_year(np.array([epoch_day(d) for d in days], dtype=np.int64))
    for day, offset in zip(days, result.tolist(), strict=True):
        nearest = min(abs((day - h).days) for h in holidays)
        assert day - timedelta(days=offset) in holidays
        assert abs(offset) == nearest


def test_days_from_lunar_new_year_known_days() -> None:
    days = [date(2026, 2, 17), date(2026, 2, 7), date(2026, 3, 1), date(2025, 8, 1)]
    result = days_from_lunar_new_year(np.array([epoch_day(d) for d in days], dtype=np.int64))
    # 2025-08-01 is 184 days after 2025-01-29 and 200 before 2026-02-17.
    assert result.tolist() == [0, -10, 12, 184]


@given(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=4),
    st.integers(min_value=0, max_value=3_000),
    st.integers(min_value=1, max_value=9),
)
def test_external_ids_are_zero_padded_and_never_cut(prefix: str, count: int, width: int) -> None:
    ids = external_ids(prefix, count, width)
    assert ids == [f"{prefix}-{str(i).rjust(width, '0')}" for i in range(1, count + 1)]
    assert all(type(x) is str for x in ids)


def test_instant_columns_keep_nat_and_microseconds() -> None:
    us = np.array([0, 1_781_481_600_123_456, NAT], dtype=np.int64)
    column = datetimes(us)
    assert column.dtype == np.dtype("datetime64[us]")
    assert column[1].item() == datetime(2026, 6, 15, 0, 0, 0, 123_456)
    assert np.isnat(column[2])
    assert day_text(int(us[1])) == "2026-06-15"
    assert day_text(NAT) == ""
