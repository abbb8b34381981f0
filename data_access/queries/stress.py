"""Inputs of the stress figures (issue 13) that only SQL can count cheaply.

The "N largest exposures fail" figure reads the ``refundable_cents`` of
``exposure.exposure_by(…, "supplier")``; the "late shipments double" figure needs how late the
late orders of a baseline window were.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import func, select

from data_access.claim_facts import Executor
from data_access.models import Order, SummaryLateDay
from data_access.queries.rates import DayWindow, due_order, late_order
from data_access.sql import days_between, local_day
from data_access.summary_tables import UNSHIPPED

__all__ = ["late_days_distribution", "late_days_summarised"]


def late_days_distribution(
    executor: Executor, window: DayWindow, today: date, zone: str
) -> pd.DataFrame:
    """The late orders of ``window`` by days late: ``days_late`` (<NA> = never shipped),
    ``orders``. Same predicates as the late-shipment rate."""
    days = days_between(local_day(Order.shipped_at, zone), Order.ship_by).label("days_late")
    query = (
        select(days, func.count().label("orders"))
        .where(due_order(window, today, zone), late_order(zone))
        .group_by(days)
        .order_by(days.nulls_last())  # the never-shipped last on both databases
    )
    frame = pd.DataFrame(executor.execute(query).all(), columns=["days_late", "orders"])
    return frame.astype({"days_late": "Int64", "orders": "int64"})


def late_days_summarised(
    executor: Executor, window: DayWindow, today: date, zone: str
) -> pd.DataFrame:
    """``late_days_distribution`` from the daily summary of late orders (kept for ``zone``):
    the ship-by days of the window before ``today``, a few rows each, not every order. The
    never-shipped orders (<NA>) come last, as there."""
    t = SummaryLateDay
    last = min(window.last, today - timedelta(days=1))
    query = (
        select(t.days_late, func.sum(t.orders))
        .where(t.zone == zone, t.day >= window.first, t.day <= last)
        .group_by(t.days_late)
    )
    found = {int(days): int(orders) for days, orders in executor.execute(query) if orders}
    rows: list[tuple[int | None, int]] = [
        (days, found[days]) for days in sorted(found) if days != UNSHIPPED
    ]
    if UNSHIPPED in found:
        rows.append((None, found[UNSHIPPED]))
    frame = pd.DataFrame(rows, columns=["days_late", "orders"])
    return frame.astype({"days_late": "Int64", "orders": "int64"})
