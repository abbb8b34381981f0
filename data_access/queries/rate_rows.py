"""The orders and claims behind a late-shipment or dispute figure: drill-down rows, paged in SQL.

The rows are selected with the same predicates as the counts (``data_access.queries.rates``), so
a page's total always equals the count it drills into.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import case, func, select

from data_access.claim_facts import Executor
from data_access.models import Claim, Order, Supplier
from data_access.queries.rates import (
    DayWindow,
    Scope,
    due_order,
    filed_in,
    late_order,
    scope_filters,
)
from data_access.sql import days_between, local_day

__all__ = ["DUE_ORDER_COLUMNS", "FILED_CLAIM_COLUMNS", "due_orders", "filed_claims"]

DUE_ORDER_COLUMNS = [
    "order",
    "supplier",
    "supplier_name",
    "supplier_country",
    "category",
    "ship_by",
    "shipped_day",
    "late",
    "days_late",
]
FILED_CLAIM_COLUMNS = [
    "claim",
    "kind",
    "filed_day",
    "status",
    "order",
    "supplier",
    "supplier_name",
    "supplier_country",
    "category",
]


def due_orders(
    executor: Executor,
    window: DayWindow,
    today: date,
    zone: str,
    scope: Scope,
    *,
    limit: int,
    offset: int = 0,
) -> tuple[pd.DataFrame, int]:
    """A page of the orders due (late ones first, then by ship-by day) and how many there are."""
    late = late_order(zone)
    shipped_day = local_day(Order.shipped_at, zone)
    conditions = [due_order(window, today, zone), *scope_filters(scope, claims=False)]
    query = (
        select(
            Order.external_id,
            Supplier.external_id,
            Supplier.name,
            Supplier.country,
            Order.category,
            Order.ship_by,
            shipped_day,
            case((late, True), else_=False),
            days_between(shipped_day, Order.ship_by),
        )
        .join(Supplier, Supplier.id == Order.supplier_id)
        .where(*conditions)
        .order_by(case((late, 0), else_=1), Order.ship_by, Order.external_id)
        .limit(limit)
        .offset(offset)
    )
    frame = pd.DataFrame(executor.execute(query).all(), columns=DUE_ORDER_COLUMNS)
    frame["late"] = frame["late"].astype(bool)
    frame["days_late"] = frame["days_late"].astype("Int64")
    total = executor.execute(
        select(func.count())
        .select_from(Order)
        .join(Supplier, Supplier.id == Order.supplier_id)
        .where(*conditions)
    ).scalar_one()
    return frame, int(total)


def filed_claims(
    executor: Executor,
    window: DayWindow,
    zone: str,
    scope: Scope,
    *,
    limit: int,
    offset: int = 0,
) -> tuple[pd.DataFrame, int]:
    """A page of the claims filed (newest first) and how many there are."""
    conditions = [filed_in(window, zone), *scope_filters(scope, claims=True)]
    query = (
        select(
            Claim.external_id,
            Claim.kind,
            local_day(Claim.filed_at, zone),
            Claim.status,
            Order.external_id,
            Supplier.external_id,
            Supplier.name,
            Supplier.country,
            Order.category,
        )
        .join(Order, Order.id == Claim.order_id)
        .join(Supplier, Supplier.id == Order.supplier_id)
        .where(*conditions)
        .order_by(Claim.filed_at.desc(), Claim.external_id)
        .limit(limit)
        .offset(offset)
    )
    frame = pd.DataFrame(executor.execute(query).all(), columns=FILED_CLAIM_COLUMNS)
    total = executor.execute(
        select(func.count())
        .select_from(Claim)
        .join(Order, Order.id == Claim.order_id)
        .join(Supplier, Supplier.id == Order.supplier_id)
        .where(*conditions)
    ).scalar_one()
    return frame, int(total)
