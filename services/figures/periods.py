"""Periods the figures are counted over: calendar days in the programme's time zone.

A :class:`Period` is a run of whole days, both ends included. Its previous period is the run of
the same number of days just before it, so "against the previous period" always compares like
with like. Weeks start on Monday (ISO); a week or month that the period cuts, or that is still
running, is *partial* and is shown as such rather than left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from data_access.queries.rates import DayWindow
from data_access.sql import Grain, day_start
from rules import format_day

__all__ = [
    "PRESETS",
    "Bucket",
    "Grain",
    "Period",
    "Preset",
    "bucket_label",
    "buckets",
    "month_start",
    "period_for",
    "shift_months",
    "trailing",
]

ONE_DAY = timedelta(days=1)

Preset = Literal["data_12m", "last_30d", "last_90d", "last_12m", "year_to_date", "all", "custom"]
#: Range presets in the order the overview offers them, with their labels.
PRESETS: dict[Preset, str] = {
    "data_12m": "12 months of data",
    "last_30d": "30 days",
    "last_90d": "90 days",
    "last_12m": "12 months",
    "year_to_date": "Year to date",
    "all": "All history",
    "custom": "Custom",
}


@dataclass(frozen=True, slots=True)
class Period:
    """Calendar days ``first`` to ``last``, both included."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"a period cannot end ({self.last}) before it starts ({self.first})")

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def window(self) -> DayWindow:
        return DayWindow(self.first, self.last)

    def previous(self) -> Period:
        """The same number of days, ending the day before this period starts."""
        return Period(self.first - timedelta(days=self.days), self.first - ONE_DAY)

    def comparable(self, extent: tuple[date, date] | None) -> bool:
        """Whether data (first and last day holding any: ``extent``) lies before this period,
        so a change against the previous period compares with something. "All history"
        starts with the data: against the empty days before it, every change is the whole."""
        return extent is not None and self.first > extent[0]

    def start(self, zone: str) -> datetime:
        """The instant the first day begins in ``zone``."""
        return day_start(self.first, zone)

    def end(self, zone: str) -> datetime:
        """The instant the last day ends in ``zone`` (exclusive bound)."""
        return day_start(self.last + ONE_DAY, zone)

    def label(self) -> str:
        return f"{format_day(self.first)} – {format_day(self.last)}"


def month_start(day: date) -> date:
    return day.replace(day=1)


def shift_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s month (negative: before)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def trailing(today: date, days: int) -> Period:
    """The ``days`` whole days before ``today`` (today itself is still running)."""
    if days < 1:
        raise ValueError("a trailing window needs at least one day")
    return Period(today - timedelta(days=days), today - ONE_DAY)


def period_for(
    preset: Preset,
    today: date,
    extent: tuple[date, date] | None,
    custom: tuple[date, date] | None = None,
) -> Period:
    """The days a preset stands for on ``today``; ``extent`` is the first and last day holding
    data, so "latest 12 months of data" finds imported history however old it is."""
    if preset == "custom":
        if custom is None:
            raise ValueError("a custom range needs its first and last day")
        first, last = sorted(custom)
        return Period(first, last)
    if preset == "last_30d":
        return Period(today - timedelta(days=29), today)
    if preset == "last_90d":
        return Period(today - timedelta(days=89), today)
    if preset == "last_12m":
        return Period(shift_months(today, -11), today)
    if preset == "year_to_date":
        return Period(date(today.year, 1, 1), today)
    if extent is None:
        return Period(shift_months(today, -11), today)
    if preset == "all":
        return Period(min(extent[0], today), today)
    # data_12m: the twelve calendar months up to the latest month holding data (not after today).
    last = min(today, shift_months(extent[1], 1) - ONE_DAY)
    return Period(shift_months(last, -11), last)


@dataclass(frozen=True, slots=True)
class Bucket:
    """One week or month of a trend: ``start`` is its first day."""

    start: date
    end: date  # its last day
    #: Cut by the period, or not over yet on ``today``: its figures cover only part of it.
    partial: bool


def buckets(period: Period, grain: Grain, today: date) -> list[Bucket]:
    """Every week or month the period touches, in order, none missing."""
    result = []
    start = _bucket_start(period.first, grain)
    while start <= period.last:
        following = _next_start(start, grain)
        end = following - ONE_DAY
        partial = start < period.first or end > period.last or end >= today
        result.append(Bucket(start, end, partial))
        start = following
    return result


def _bucket_start(day: date, grain: Grain) -> date:
    return month_start(day) if grain == "month" else day - timedelta(days=day.weekday())


def _next_start(start: date, grain: Grain) -> date:
    return shift_months(start, 1) if grain == "month" else start + timedelta(days=7)


def bucket_label(start: date, grain: Grain) -> str:
    """``Mar 2025``, or a week as ``3 Mar 2025`` (its Monday)."""
    return f"{start:%b %Y}" if grain == "month" else f"{start.day} {start:%b %Y}"
