"""``whole_days``: the days of a zone wholly inside a period, and its ragged ends (the
reviewer figures read the first from the summaries and count the second row by row)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from data_access.sql import day_start
from services.figures.reviewer_days import whole_days


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_whole_days_and_their_ragged_ends(zone: str) -> None:
    midnight = day_start(date(2025, 3, 8), zone)  # New York's clocks go forward on the 9th
    assert whole_days(midnight, midnight + timedelta(hours=20), zone) is None
    assert whole_days(midnight, day_start(date(2025, 3, 10), zone), zone) == (
        date(2025, 3, 8),
        date(2025, 3, 10),
        [],
    )
    later, end = (
        midnight + timedelta(hours=5),
        day_start(date(2025, 3, 11), zone) + timedelta(minutes=1),
    )
    assert whole_days(later, end, zone) == (
        date(2025, 3, 9),
        date(2025, 3, 11),
        [(later, day_start(date(2025, 3, 9), zone)), (day_start(date(2025, 3, 11), zone), end)],
    )
