"""The ops overview: monthly late-shipment and dispute rates with their totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from data_access.queries import overview as queries


@dataclass(frozen=True, slots=True)
class RateTotal:
    """A rate over the whole window, with the counts it is made of (never a bare percentage)."""

    numerator: int
    denominator: int

    @property
    def rate(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True, slots=True)
class OpsOverview:
    start: date
    today: date
    late_shipment: pd.DataFrame  # month, due, late, late_rate
    disputes: pd.DataFrame  # month, orders, claims, dispute_rate
    late_total: RateTotal
    dispute_total: RateTotal


def window_start(today: date, months: int) -> date:
    """First day of the month ``months - 1`` months before ``today``'s month."""
    index = today.year * 12 + (today.month - 1) - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def ops_overview(engine: Engine, today: date, months: int = 24) -> OpsOverview:
    if months < 1:
        raise ValueError("months must be at least 1")
    start = window_start(today, months)
    late = queries.monthly_late_shipment(engine, start, today)
    disputes = queries.monthly_dispute_rate(engine, start, today)
    return OpsOverview(
        start=start,
        today=today,
        late_shipment=late,
        disputes=disputes,
        late_total=RateTotal(int(late["late"].sum()), int(late["due"].sum())),
        dispute_total=RateTotal(int(disputes["claims"].sum()), int(disputes["orders"].sum())),
    )
