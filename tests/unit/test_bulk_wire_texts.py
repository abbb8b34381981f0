"""The texts a bulk write hands each driver for a datetime64 column: those Python's own
formatting gives, whatever the year, the microseconds or the gaps (NaT)."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from data_access.bulk_wire import copy_values, sqlite_values

moments = st.lists(
    st.none() | st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
    max_size=40,
)
days = st.lists(st.none() | st.dates(min_value=date(1, 1, 1)), max_size=40)


def _array(values: list[datetime | None] | list[date | None], unit: str) -> np.ndarray:
    return np.array(["NaT" if v is None else v.isoformat() for v in values], f"datetime64[{unit}]")


@given(moments)
def test_timestamps_read_as_sqlalchemy_stores_them_and_as_copy_takes_them(
    values: list[datetime | None],
) -> None:
    column = _array(values, "us")
    expected = [None if v is None else v.isoformat(" ", "microseconds") for v in values]

    assert sqlite_values(column, "datetime") == expected
    copied = copy_values(column, "datetime").to_pylist()
    assert copied == [None if e is None else e + "+00" for e in expected]


@given(days)
def test_days_read_as_iso_dates(values: list[date | None]) -> None:
    column = _array(values, "D")
    expected = [None if v is None else v.isoformat() for v in values]

    assert sqlite_values(column, "date") == expected
    assert copy_values(column, "date").to_pylist() == expected


def test_a_timestamp_in_seconds_still_gets_its_microseconds() -> None:
    column = np.array(["2026-03-29T01:30:05"], dtype="datetime64[s]")

    assert sqlite_values(column, "datetime") == ["2026-03-29 01:30:05.000000"]


def test_a_column_of_another_type_is_refused() -> None:
    with pytest.raises(TypeError, match="datetime64"):
        sqlite_values(np.array([1.5]), "datetime")
