"""The demo's arithmetic of time: instants as int64 microseconds, days as int64 epoch days.

Every stage computes on integers — microseconds since 1970-01-01 00:00 UTC for instants, days
since then for calendar days (the demo's calendar is UTC) — because NumPy columns of a million
orders cannot afford ``datetime`` objects, and integers never round. Only the claim walk, which
talks to :mod:`rules` one claim at a time, converts to and from aware ``datetime`` here. Also the
Lunar New Year, which drives the order lull and the late shipments around it, and the few words
("3 days", an ISO day) claim descriptions quote.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np

from services.demo.columns import IntArray

__all__ = [
    "NAT",
    "US_PER_DAY",
    "US_PER_HOUR",
    "US_PER_SECOND",
    "day_text",
    "days_from_lunar_new_year",
    "days_text",
    "epoch_day",
    "months_before",
    "to_datetime",
    "to_us",
]

US_PER_SECOND = 1_000_000
US_PER_HOUR = 3_600 * US_PER_SECOND
US_PER_DAY = 24 * US_PER_HOUR
NAT = np.iinfo(np.int64).min  # NumPy's NaT is the smallest int64

# Lunar New Year's day; factories close for about two weeks around it.
_LUNAR_NEW_YEAR = {
    2016: date(2016, 2, 8), 2017: date(2017, 1, 28), 2018: date(2018, 2, 16),
    2019: date(2019, 2, 5), 2020: date(2020, 1, 25), 2021: date(2021, 2, 12),
    2022: date(2022, 2, 1), 2023: date(2023, 1, 22), 2024: date(2024, 2, 10),
    2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6),
    2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3),
    2031: date(2031, 1, 23), 2032: date(2032, 2, 11), 2033: date(2033, 1, 31),
    2034: date(2034, 2, 19), 2035: date(2035, 2, 8), 2036: date(2036, 1, 28),
    2037: date(2037, 2, 15), 2038: date(2038, 2, 4), 2039: date(2039, 1, 24),
    2040: date(2040, 2, 12),
}  # fmt: skip


def epoch_day(day: date) -> int:
    return (day - date(1970, 1, 1)).days


# The claim walk converts a few hundred thousand instants: constants and positional
# ``timedelta`` arguments halve the cost of each conversion.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)


def to_datetime(us: int) -> datetime:
    return _EPOCH + timedelta(0, 0, us)


def to_us(moment: datetime) -> int:
    return (moment - _EPOCH) // _ONE_US


def months_before(day: date, months: int) -> date:
    """The same day of the month ``months`` earlier, or the month's last day if it is shorter."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _lunar_new_year(year: int) -> date:
    return _LUNAR_NEW_YEAR.get(year, date(year, 2, 5))


def days_from_lunar_new_year(days: IntArray) -> IntArray:
    """Signed days from each epoch day to the nearest Lunar New Year."""
    # Years grow with days, so the first and last day give the span (no million-row casts).
    ends = np.array([days.min(), days.max()]).astype("datetime64[D]").astype("datetime64[Y]")
    years = ends.astype(np.int64) + 1970
    first, last = int(years[0]) - 1, int(years[1]) + 1
    holidays = np.array([epoch_day(_lunar_new_year(y)) for y in range(first, last + 1)])
    position = np.searchsorted(holidays, days)
    before = holidays[np.clip(position - 1, 0, len(holidays) - 1)]
    after = holidays[np.clip(position, 0, len(holidays) - 1)]
    to_before, to_after = days - before, days - after
    nearest: IntArray = np.where(np.abs(to_before) <= np.abs(to_after), to_before, to_after)
    return nearest


def day_text(us: int) -> str:
    """The ISO day of an instant, or "" for NaT."""
    return "" if us == NAT else (date(1970, 1, 1) + timedelta(days=us // US_PER_DAY)).isoformat()


def days_text(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"
