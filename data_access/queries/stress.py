"""Inputs of the stress figures (issue 13) that only SQL can count cheaply.

The "N largest exposures fail" figure reads ``exposure.refundable_by_supplier``; the "late
shipments double" figure needs how late the late orders of a baseline window were.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import func, select

from data_access.claim_facts import Executor
from data_access.models import Order
from data_access.queries.rates import DayWindow, due_order, late_order
from data_access.sql import days_between, local_day

__all__ = ["late_days_distribution"]


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
        .order_by(days)
    )
    frame = pd.DataFrame(executor.execute(query).all(), columns=["days_late", "orders"])
    return frame.astype({"days_late": "Int64", "orders": "int64"})
