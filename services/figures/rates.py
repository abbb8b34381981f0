"""Late-shipment and dispute rates (DESIGN.md §5): totals, trends, breakdowns, drill-downs.

All of them count through ``data_access.queries.rates`` (the predicates) and ``rate_rows`` (the
rows behind a count), so a drill-down's suppliers and orders add up to the figure it opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import pandas as pd
from sqlalchemy import Engine

from data_access.queries import rate_rows
from data_access.queries import rates as q
from data_access.queries.rates import ALL, Scope
from services.figures.periods import Grain, Period, bucket_label, buckets

__all__ = [
    "DIMENSIONS",
    "PAGE_ROWS",
    "Dimension",
    "Rate",
    "RowsPage",
    "Scope",
    "activity_extent",
    "breakdown",
    "claims_behind",
    "dispute_rate",
    "dispute_trend",
    "late_shipment_rate",
    "late_shipment_trend",
    "orders_behind",
    "ratio",
    "suppliers_behind",
]

Dimension = Literal["supplier_country", "category", "supplier_tier", "claim_kind"]
DIMENSIONS: dict[Dimension, str] = {
    "supplier_country": "Supplier country",
    "category": "Category",
    "supplier_tier": "Supplier tier",
    "claim_kind": "Claim kind",
}


@dataclass(frozen=True, slots=True)
class Rate:
    """A rate with the counts it is made of (never a bare percentage)."""

    count: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.count / self.total if self.total else None

    def change(self, previous: Rate) -> float | None:
        """Difference of the two rates (0.012 = 1.2 percentage points), None if either is."""
        if self.rate is None or previous.rate is None:
            return None
        return self.rate - previous.rate


#: Orders or claims a page of a drill-down holds.
PAGE_ROWS = 50


@dataclass(frozen=True, slots=True)
class RowsPage:
    frame: pd.DataFrame
    total: int


def ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """A rate that is missing (not zero, not infinite) where nothing was counted."""
    counted = denominator > 0
    return numerator.where(counted).astype("float64") / denominator.where(counted)


def activity_extent(engine: Engine, zone: str) -> tuple[date, date] | None:
    """The first and last calendar day holding an order (placed or due), or None if none."""
    with engine.connect() as conn:
        return q.activity_extent(conn, zone)


def late_shipment_rate(
    engine: Engine, period: Period, today: date, zone: str, scope: Scope = ALL
) -> Rate:
    with engine.connect() as conn:
        frame = q.late_shipment_counts(conn, period.window, today, zone, (), scope)
    return Rate(int(frame["late"].sum()), int(frame["due"].sum()))


def dispute_rate(engine: Engine, period: Period, zone: str, scope: Scope = ALL) -> Rate:
    with engine.connect() as conn:
        frame = q.dispute_counts(conn, period.window, zone, (), scope)
    return Rate(int(frame["claims"].sum()), int(frame["orders"].sum()))


def _every_bucket(
    frame: pd.DataFrame, period: Period, grain: Grain, today: date, counts: list[str]
) -> pd.DataFrame:
    spine = pd.DataFrame(
        [
            {"period": b.start, "label": bucket_label(b.start, grain), "partial": b.partial}
            for b in buckets(period, grain, today)
        ],
        columns=["period", "label", "partial"],
    )
    merged = spine.merge(frame, on="period", how="left")
    for name in counts:
        merged[name] = merged[name].astype("Int64").fillna(0).astype("int64")
    return merged


def late_shipment_trend(
    engine: Engine, period: Period, grain: Grain, today: date, zone: str, scope: Scope = ALL
) -> pd.DataFrame:
    """Per week or month of ship-by day: ``period, label, partial, due, late, late_rate``."""
    with engine.connect() as conn:
        counts = q.late_shipment_counts(conn, period.window, today, zone, ["period"], scope, grain)
    frame = _every_bucket(counts, period, grain, today, ["due", "late"])
    frame["late_rate"] = ratio(frame["late"], frame["due"])
    return frame


def dispute_trend(
    engine: Engine, period: Period, grain: Grain, today: date, zone: str, scope: Scope = ALL
) -> pd.DataFrame:
    """Per week or month: ``period, label, partial, orders, claims, dispute_rate``."""
    with engine.connect() as conn:
        counts = q.dispute_counts(conn, period.window, zone, ["period"], scope, grain)
    frame = _every_bucket(counts, period, grain, today, ["orders", "claims"])
    frame["dispute_rate"] = ratio(frame["claims"], frame["orders"])
    return frame


def breakdown(
    engine: Engine,
    period: Period,
    today: date,
    zone: str,
    dimension: Dimension,
    scope: Scope = ALL,
) -> pd.DataFrame:
    """Both rates per value of ``dimension``: ``key, due, late, late_rate, orders, claims,
    dispute_rate``. By claim kind only the dispute rate applies (due and late are <NA>)."""
    with engine.connect() as conn:
        disputes = q.dispute_counts(conn, period.window, zone, [dimension], scope)
        if dimension == "claim_kind":
            late = pd.DataFrame({dimension: disputes[dimension], "due": pd.NA, "late": pd.NA})
        else:
            late = q.late_shipment_counts(conn, period.window, today, zone, [dimension], scope)
    frame = late.merge(disputes, on=dimension, how="outer").rename(columns={dimension: "key"})
    if dimension != "claim_kind":
        for name in ("due", "late", "orders", "claims"):
            frame[name] = frame[name].astype("Int64").fillna(0).astype("int64")
    else:
        frame[["due", "late"]] = frame[["due", "late"]].astype("Int64")
    frame["late_rate"] = ratio(frame["late"].astype("float64"), frame["due"].astype("float64"))
    frame["dispute_rate"] = ratio(frame["claims"], frame["orders"])
    columns = ["key", "due", "late", "late_rate", "orders", "claims", "dispute_rate"]
    return frame[columns].sort_values("key", ignore_index=True)


def suppliers_behind(
    engine: Engine, period: Period, today: date, zone: str, scope: Scope = ALL
) -> pd.DataFrame:
    """The suppliers behind a figure, most late orders (then claims) first: ``supplier,
    supplier_name, due, late, late_rate, orders, claims, dispute_rate``. Their counts add up to
    the figure's, because they are the same rows grouped once more."""
    with engine.connect() as conn:
        frame = q.supplier_rate_counts(conn, period.window, today, zone, scope)
    if scope.claim_kind is not None:
        # A claim kind narrows claims only: no late-shipment counts (the dispute rate's
        # suppliers: those with orders placed or claims of the kind).
        placed_or_filed = (frame["orders"] > 0) | (frame["claims"] > 0)
        frame = frame[placed_or_filed].assign(due=0, late=0)
    frame["late_rate"] = ratio(frame["late"], frame["due"])
    frame["dispute_rate"] = ratio(frame["claims"], frame["orders"])
    frame = frame.sort_values(
        ["late", "claims", "supplier"], ascending=[False, False, True], ignore_index=True
    )
    columns = ["supplier", "supplier_name", "due", "late", "late_rate", "orders", "claims"]
    return frame[[*columns, "dispute_rate"]]


def orders_behind(
    engine: Engine,
    period: Period,
    today: date,
    zone: str,
    scope: Scope = ALL,
    *,
    page: int = 1,
    page_size: int = PAGE_ROWS,
) -> RowsPage:
    """A page of the orders due in the period (late ones first)."""
    with engine.connect() as conn:
        frame, total = rate_rows.due_orders(
            conn,
            period.window,
            today,
            zone,
            scope,
            limit=page_size,
            offset=(max(page, 1) - 1) * page_size,
        )
    return RowsPage(frame, total)


def claims_behind(
    engine: Engine,
    period: Period,
    zone: str,
    scope: Scope = ALL,
    *,
    page: int = 1,
    page_size: int = PAGE_ROWS,
) -> RowsPage:
    """A page of the claims filed in the period, newest first."""
    with engine.connect() as conn:
        frame, total = rate_rows.filed_claims(
            conn, period.window, zone, scope, limit=page_size, offset=(max(page, 1) - 1) * page_size
        )
    return RowsPage(frame, total)
