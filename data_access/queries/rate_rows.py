"""The orders and claims behind a late-shipment or dispute figure: drill-down rows, paged in SQL.

The rows are selected with the same predicates as the counts (``data_access.queries.rates``), so
a page's total always equals the count it drills into.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, and_, case, literal_column, not_, select

from data_access.claim_facts import Executor
from data_access.models import Claim, Order, Supplier
from data_access.queries.rates import (
    DayWindow,
    Scope,
    claims_filed_counts,
    due_order,
    filed_in,
    late_order,
    late_shipment_counts,
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
    """A page of the orders due (late ones first, then by ship-by day) and how many there are.

    The late and the on-time orders are read apart, each in ship-by order with its own LIMIT,
    so a page walks the ship-by index from the window's first day and stops once the page is
    full, instead of sorting every order due; the counts that place the page come from
    ``late_shipment_counts`` (the daily summaries where they are kept), the figure it opens.
    """
    counts = late_shipment_counts(executor, window, today, zone, (), scope)
    total, late_total = int(counts["due"].sum()), int(counts["late"].sum())
    late = late_order(zone)
    on_time = and_(Order.shipped_at.is_not(None), not_(late))
    rows = _due_page(executor, window, today, zone, scope, late, limit, offset)
    if len(rows) < limit:  # the late ones run out on this page: on-time ones follow
        start = max(0, offset - late_total)
        rows += _due_page(executor, window, today, zone, scope, on_time, limit - len(rows), start)
    frame = pd.DataFrame(rows, columns=DUE_ORDER_COLUMNS)
    frame["late"] = frame["late"].astype(bool)
    frame["days_late"] = frame["days_late"].astype("Int64")
    return frame, total


def _due_page(
    executor: Executor,
    window: DayWindow,
    today: date,
    zone: str,
    scope: Scope,
    which: ColumnElement[bool],
    limit: int,
    offset: int,
) -> list[Any]:
    """The due orders that are late (or on time, per ``which``), by ship-by day and id."""
    late = late_order(zone)
    shipped_day = local_day(Order.shipped_at, zone)
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
        .where(due_order(window, today, zone), which, *_in_ship_by_order(scope))
        .order_by(Order.ship_by, Order.external_id)
        .limit(limit)
        .offset(offset)
    )
    return list(executor.execute(query).all())


def _in_ship_by_order(scope: Scope) -> list[ColumnElement[bool]]:
    """The scope as conditions that keep the orders' ship-by index the way in: a supplier
    country or tier becomes a list of supplier ids that no index is used for (``+ 0``), else
    SQLite starts from the suppliers and sorts every order of theirs to return one page. One
    supplier's orders are few: its own index serves them."""
    if scope.supplier_external_id is not None:
        return scope_filters(scope, claims=False)
    filters: list[ColumnElement[bool]] = []
    if scope.category is not None:
        filters.append(Order.category == scope.category)
    on_supplier = scope_filters(replace(scope, category=None), claims=False)
    if on_supplier:
        ids = select(Supplier.id).where(*on_supplier)
        filters.append((Order.supplier_id + literal_column("0")).in_(ids))
    return filters


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
    # The count is the figure's own (the daily summaries where they are kept), not a second
    # pass over the claims.
    counts = claims_filed_counts(executor, window, zone, (), scope)
    return frame, int(counts["claims"].sum())
