"""Which calendar months lie wholly inside a span of days: every start and end day across
a leap February, a year end and the ends of the calendar."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from data_access.queries.supplier_summary import whole_months

DAYS = [date(2023, 12, 1) + timedelta(days=n) for n in range(130)]  # Dec 2023 .. Apr 2024


def _months_inside(first: date, last: date) -> list[date]:
    """The naive answer: every month all of whose days are in the span."""
    found = []
    day = first
    while day <= last:
        start = day.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        if start >= first and following - timedelta(days=1) <= last:
            found.append(start)
        day = following
    return found


@pytest.mark.parametrize("first", DAYS[::3])
def test_whole_months_are_exactly_the_months_inside_the_span(first: date) -> None:
    for last in DAYS:
        expected = _months_inside(first, last)
        got = whole_months(first, last)
        if not expected:
            assert got is None, (first, last)
        else:
            assert got == (expected[0], expected[-1]), (first, last)


def test_an_open_start_reaches_back_to_the_beginning() -> None:
    assert whole_months(None, date(2024, 2, 29)) == (date.min, date(2024, 2, 1))
    assert whole_months(None, date(2024, 2, 28)) == (date.min, date(2024, 1, 1))


def test_the_last_month_a_date_can_hold() -> None:
    assert whole_months(date(2026, 12, 3), date.max) == (date(2027, 1, 1), date(9999, 12, 1))
    assert whole_months(date(9999, 12, 2), date.max) is None
