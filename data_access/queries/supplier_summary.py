"""The per-supplier summary rows of a span of days: whole years from the yearly table, whole
months from the monthly one, the ragged ends from the daily one.

``summary_supplier_days`` holds a row per supplier and day with any event, which at ten million
orders is millions of rows a year; ``summary_supplier_months`` holds the same sums per month and
``summary_supplier_years`` per year (``data_access.summary_tables.ROLLUPS``). A figure over a span
reads the months wholly inside it and the days of its partial months at either end: the same
sums, a twentieth of the rows; a figure summed over the whole span (not by month) reads the
years wholly inside it, and a year it covers most of as its row less the months outside.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, case, literal, select, union_all

from data_access.models import SummarySupplierDay, SummarySupplierMonth, SummarySupplierYear
from data_access.sql import count_total

__all__ = [
    "LIVE_SUMS",
    "RATE_SUMS",
    "SUMS",
    "rate_counts",
    "supplier_rows_after",
    "supplier_summary",
    "whole_months",
]

#: The summed columns, named alike in both tables.
SUMS = (
    "due",
    "late",
    "placed",
    "claims",
    "live_orders",
    "live_covered_cents",
    "live_cap_cents",
    "live_taken_cents",
)
#: The sums the rates count (``rate_counts``) and those exposure sums: a query reads only what it
#: sums. SQLite carries every column of a compound subquery into its grouping (PostgreSQL drops
#: the unread ones): over the ten million orders' rows of a year the suppliers' rates took
#: 0.39 s with all eight columns and 0.36 s with their four.
RATE_SUMS = ("due", "late", "placed", "claims")
LIVE_SUMS = ("live_orders", "live_covered_cents", "live_cap_cents", "live_taken_cents")


def _month_after(day: date) -> date:
    """The first day of the next month (date.max past the last month a date can hold)."""
    if (day.year, day.month) == (date.max.year, date.max.month):
        return date.max
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def whole_months(first: date | None, last: date) -> tuple[date, date] | None:
    """The first days of the first and the last calendar month lying wholly within
    ``first``..``last`` (from the beginning when ``first`` is None), or None if none does."""
    start = None if first is None else (first if first.day == 1 else _month_after(first))
    ends_month = last == date.max or (last + timedelta(days=1)).day == 1
    end_month = last.replace(day=1)
    if not ends_month:
        end_month = (end_month - timedelta(days=1)).replace(day=1)
    if start is not None and start > end_month:
        return None
    return (start or date.min, end_month)


def supplier_summary(
    zone: str,
    first: date | None,
    last: date | None,
    *,
    months_before: date | None = None,
    months: bool = True,
    years: bool = False,
    supplier: Any | None = None,
    sums: tuple[str, ...] = SUMS,
) -> Any:
    """A subquery of ``supplier_id, day`` and the ``sums`` (of :data:`SUMS`) whose rows add up to
    the per-supplier daily summary's rows of ``zone`` from ``first`` to ``last`` (either may be
    None: unbounded). A whole month inside the span is one row dated its first day, so a test
    on ``day`` keeps it as it would all its days only when that holds for every day of the
    month: ``months_before`` keeps the months that end before that day (a test
    ``day < months_before`` then holds for all their days). The rows add up so for exactly
    two uses: sums over all of them, or over those with ``day < months_before``, whole or by
    calendar month (the month a span ends in may come as its row less some of its days, all
    dated its first day); any other test on ``day`` needs ``months=False``: days only (a weekly
    grouping too). ``years``: most of a year's whole months as its year row less the others
    (all dated the year's first day), for the first use only: sums over all the rows, or over
    those with ``day < months_before`` (never by calendar month). ``supplier``: a supplier id,
    or a query selecting ids, to keep."""
    d, m, y = SummarySupplierDay, SummarySupplierMonth, SummarySupplierYear

    def days_between(
        low: date | None, high: date | None, sign: int = 1, dated: date | None = None
    ) -> Any:
        signed = [(c if sign > 0 else -c).label(c.name) for c in (d.__table__.c[s] for s in sums)]
        day = d.day if dated is None else literal(dated, Date).label("day")
        query = select(d.supplier_id, day, *signed).where(d.zone == zone)
        if low is not None:
            query = query.where(d.day >= low)
        if high is not None:
            query = query.where(d.day <= high)
        return _of_supplier(query, d.supplier_id, supplier)

    limits = [last, None if months_before is None else months_before - timedelta(days=1)]
    limit = min((day for day in limits if day is not None), default=None)
    # With no end (the exposure's days after today), the months reach as far as the days do,
    # to OPEN_ENDED's month (9999-12); with no start, from the first.
    span = whole_months(first, limit if limit is not None else date(9999, 12, 31))
    if not months or span is None:
        return days_between(first, last).subquery("supplier_summary")
    start, end = span
    if first is not None and first < start and first.day - 1 < (start - first).days:
        # The span starts late in a month that ends inside it: that month's row less its days
        # before ``first`` (a few), not its days from ``first`` on (most of them). The month
        # lies wholly before ``limit``, so its row passes every test its days would.
        lead = first.replace(day=1)
        parts = [days_between(lead, first - timedelta(days=1), sign=-1)]
        start = lead
    elif first is not None and first < start:
        parts = [days_between(first, start - timedelta(days=1))]
    else:
        parts = []

    def months_between(low: date, high: date, sign: int = 1, dated: date | None = None) -> Any:
        signed = [(c if sign > 0 else -c).label(c.name) for c in (m.__table__.c[s] for s in sums)]
        day = m.month if dated is None else literal(dated, Date)
        query = select(m.supplier_id, day.label("day"), *signed).where(
            m.zone == zone, m.month >= low, m.month <= high
        )
        return _of_supplier(query, m.supplier_id, supplier)

    def years_between(low: int, high: int) -> Any:
        summed = [y.__table__.c[s] for s in sums]
        query = select(y.supplier_id, y.year.label("day"), *summed).where(
            y.zone == zone, y.year >= date(low, 1, 1), y.year <= date(high, 1, 1)
        )
        return _of_supplier(query, y.supplier_id, supplier)

    def part_of_year(low: date, high: date) -> list[Any]:
        """The months ``low``..``high`` of one year: their rows or, when they are most of it,
        its row less the months outside them (dated its first day, like the year row, so a
        test on ``day`` keeps or drops them together)."""
        january, december = date(low.year, 1, 1), date(low.year, 12, 1)
        inside = high.month - low.month + 1
        if 1 + (12 - inside) >= inside:  # the year row and the months outside: no fewer rows
            return [months_between(low, high)]
        rows = [years_between(low.year, low.year)]
        if low > january:
            rows.append(months_between(january, _month_before(low), -1, january))
        if high < december:
            rows.append(months_between(_month_after(high), december, -1, january))
        return rows

    if years:
        parts += _by_years(start, end, part_of_year, years_between)
    else:
        parts.append(months_between(start, end))
    after = _month_after(end)
    if after != date.max and (last is None or last >= after):
        month_last = _month_after(after) - timedelta(days=1)
        in_span = month_last if last is None else min(last, month_last)
        cut = _trailing_cut(after, month_last, in_span, months_before)
        if cut is not None:
            # The month after the whole ones is partly counted (the span ends in it, or a test
            # on ``day < months_before`` keeps only its first days): its month row, less its
            # days from ``cut`` on dated its first day (so that they go whole, whatever the
            # test), plus those of them in the span on their own days (where the test keeps
            # only what counts without it). A span ending yesterday or today reads a day or
            # two of rows, not the month's.
            parts.append(months_between(after, after))
            if cut <= month_last:
                parts.append(days_between(cut, month_last, sign=-1, dated=after))
            if cut <= in_span:
                parts.append(days_between(cut, in_span))
            after = _month_after(after)
        if after != date.max and (last is None or last >= after):
            parts.append(days_between(after, last))
    return union_all(*parts).subquery("supplier_summary")


def rate_counts(rows: Any, today: date) -> list[Any]:
    """``due, late, orders, claims`` summed over ``rows`` (the columns of
    :func:`supplier_summary`'s subquery, read with ``months_before=today``): the orders due and
    late by a ship-by day before ``today``, the orders placed, the claims filed."""
    due_day = rows.day < today
    return [
        count_total(case((due_day, rows.due), else_=0)).label("due"),
        count_total(case((due_day, rows.late), else_=0)).label("late"),
        count_total(rows.placed).label("orders"),
        count_total(rows.claims).label("claims"),
    ]


def _month_before(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def _by_years(
    start: date,
    end: date,
    part_of_year: Callable[[date, date], list[Any]],
    years_between: Callable[[int, int], Any],
) -> list[Any]:
    """The rows of the whole months ``start``..``end`` (their first days): the years lying
    wholly inside as one read of the yearly rows, a ragged year at either end by
    ``part_of_year``."""
    whole_from = start.year if start.month == 1 else start.year + 1
    whole_to = end.year if end.month == 12 else end.year - 1
    if whole_from > whole_to:  # no whole year: one ragged year, or the ends of two
        if start.year == end.year:
            return part_of_year(start, end)
        return [
            *part_of_year(start, date(start.year, 12, 1)),
            *part_of_year(date(end.year, 1, 1), end),
        ]
    parts = []
    if start.month != 1:
        parts += part_of_year(start, date(start.year, 12, 1))
    parts.append(years_between(whole_from, whole_to))
    if end.month != 12:
        parts += part_of_year(date(end.year, 1, 1), end)
    return parts


def _trailing_cut(
    month: date, month_last: date, in_span: date, months_before: date | None
) -> date | None:
    """The first day of ``month`` (its first to ``month_last``, the span holding it up to
    ``in_span``) that its month row must not count as its own: the day after ``in_span``, or
    ``months_before`` if earlier; None when reading the month's days in the span costs no more
    than its row and the days from the cut on."""
    cut = in_span + timedelta(days=1)
    if months_before is not None:
        cut = max(month, min(cut, months_before))
    subtracted = (month_last - cut).days + 1
    added_back = max(0, (in_span - cut).days + 1)
    read_as_days = (in_span - month).days + 1
    return cut if subtracted + added_back < read_as_days else None


def supplier_rows_after(
    zone: str, day: date, *, supplier: Any | None = None, sums: tuple[str, ...] = SUMS
) -> Any:
    """A subquery of ``supplier_id`` and the ``sums`` (of :data:`SUMS`) whose rows add up, per
    supplier, to the daily rows after ``day`` (what the exposure at the end of ``day`` sums;
    the rows carry no day). Of ``day``'s month either its days after ``day`` or, when fewer,
    its month row less its days up to ``day``: the exposure reads a few days of rows, where
    the rest of a month after its first days is most of the ten million orders' ends of the
    next month. Of the rest of its year the months after it or, when fewer, the year's row
    less its months up to ``day``'s; the years after it as their rows. At ten million orders
    the exposure as of 31 March read 504,420 rows as the months after it (nine a supplier),
    266,966 as the year less its first three months: PostgreSQL's read per supplier 652 →
    483 ms."""
    d, m, y = SummarySupplierDay, SummarySupplierMonth, SummarySupplierYear
    month, following = day.replace(day=1), _month_after(day)

    def rows(table: Any, *conditions: Any, sign: int = 1) -> Any:
        signed = [(table.c[s] if sign > 0 else -table.c[s]).label(s) for s in sums]
        query = select(table.c.supplier_id, *signed).where(table.c.zone == zone, *conditions)
        return _of_supplier(query, table.c.supplier_id, supplier)

    days, months, years = d.__table__, m.__table__, y.__table__
    parts = []
    days_after = (following - day).days - 1
    if following == date.max or days_after <= day.day:
        parts.append(rows(days, days.c.day > day, days.c.day < following))
    else:
        parts.append(rows(months, months.c.month == month))
        parts.append(rows(days, days.c.day >= month, days.c.day <= day, sign=-1))
    if following != date.max and following.year == day.year:
        january, december = date(day.year, 1, 1), date(day.year, 12, 1)
        year_rows, month_rows = following.month, 13 - following.month  # a supplier's, at most
        if year_rows < month_rows:
            parts.append(rows(years, years.c.year == january))
            parts.append(
                rows(months, months.c.month >= january, months.c.month < following, sign=-1)
            )
        else:
            parts.append(rows(months, months.c.month >= following, months.c.month <= december))
    if day.year < date.max.year:
        parts.append(rows(years, years.c.year > date(day.year, 1, 1)))
    return union_all(*parts).subquery("supplier_rows_after")


def _of_supplier(query: Any, column: Any, supplier: Any) -> Any:
    if supplier is None:
        return query
    if hasattr(supplier, "selected_columns"):
        return query.where(column.in_(supplier))
    return query.where(column == supplier)
