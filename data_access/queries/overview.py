"""Monthly late-shipment and dispute rates, as defined in DESIGN.md §5."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine, and_, case, func, or_, select

from data_access.models import Claim, Order
from data_access.sql import utc_day, year_month_of_date, year_month_of_timestamp

LATE_COLUMNS = ["month", "due", "late", "late_rate"]
DISPUTE_COLUMNS = ["month", "orders", "claims", "dispute_rate"]


def monthly_late_shipment(engine: Engine, start: date, today: date) -> pd.DataFrame:
    """Per ship-by month from ``start``: orders due, orders late, and their ratio.

    Due: the ship-by day is in the month and already past (before ``today``), and the order was
    not cancelled before its ship-by day. Late: shipped on a later UTC calendar day than the
    ship-by day, or not shipped at all.
    """
    month = year_month_of_date(Order.ship_by).label("month")
    is_late = or_(Order.shipped_at.is_(None), utc_day(Order.shipped_at) > Order.ship_by)
    query = (
        select(
            month,
            func.count().label("due"),
            func.sum(case((is_late, 1), else_=0)).label("late"),
        )
        .where(
            and_(
                Order.ship_by >= start,
                Order.ship_by < today,
                or_(Order.cancelled_at.is_(None), utc_day(Order.cancelled_at) >= Order.ship_by),
            )
        )
        .group_by(month)
        .order_by(month)
    )
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(), columns=["month", "due", "late"])
    frame = frame.astype({"month": "string", "due": "int64", "late": "int64"})
    frame["late_rate"] = _ratio(frame["late"], frame["due"])
    return frame[LATE_COLUMNS]


def monthly_dispute_rate(engine: Engine, start: date, today: date) -> pd.DataFrame:
    """Per month from ``start``: orders placed, claims filed, and claims ÷ orders.

    Months are calendar months in UTC; the current month is included as far as it has gone.
    """
    placed_month = year_month_of_timestamp(Order.placed_at).label("month")
    filed_month = year_month_of_timestamp(Claim.filed_at).label("month")
    start_of = pd.Timestamp(start, tz="UTC").to_pydatetime()
    orders_q = (
        select(placed_month, func.count().label("orders"))
        .where(Order.placed_at >= start_of)
        .group_by(placed_month)
    )
    claims_q = (
        select(filed_month, func.count().label("claims"))
        .where(Claim.filed_at >= start_of)
        .group_by(filed_month)
    )
    with engine.connect() as conn:
        orders = pd.DataFrame(conn.execute(orders_q).all(), columns=["month", "orders"])
        claims = pd.DataFrame(conn.execute(claims_q).all(), columns=["month", "claims"])
    frame = orders.merge(claims, on="month", how="outer").fillna(0)
    frame = frame.astype({"month": "string", "orders": "int64", "claims": "int64"})
    frame = frame.sort_values("month", ignore_index=True)
    frame["dispute_rate"] = _ratio(frame["claims"], frame["orders"])
    return frame[DISPUTE_COLUMNS]


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """A rate that is missing (not zero, not infinite) where nothing was counted."""
    return numerator.where(denominator > 0).astype("float64") / denominator.where(denominator > 0)
