"""The rates of ``data_access.queries.rates`` read from the daily summary tables.

Same arguments, same DataFrames, same numbers (the property tests hold them together); the
summaries count per day and per value of one dimension, so a question about at most one of
supplier country, supplier tier and category (and any claim kind) is answered here, by reading
a few dozen rows per day instead of every order; a question per supplier (or about one) reads
the per-supplier daily summary. A supplier's orders of one category, or its claims of one
kind, are counted from the base tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import ColumnElement, func, or_, select

from data_access.claim_facts import Executor
from data_access.models import SummaryClaimDay, SummaryOrderDay, Supplier
from data_access.queries.supplier_summary import RATE_SUMS, rate_counts, supplier_summary
from data_access.sql import Grain, count_total, period_start
from data_access.summary_tables import ALL_DIMENSION, DIMENSIONS

if TYPE_CHECKING:
    from data_access.queries.rates import DayWindow, Scope

__all__ = [
    "by_supplier",
    "claims_filed",
    "dimension_for",
    "extent",
    "late_shipment",
    "orders_placed",
    "supplier_counts",
    "supplier_rates",
]


def dimension_for(keys: Sequence[str], scope: Scope) -> str | None:
    """The one dimension the question needs ("all" for none), or None when the summaries
    cannot answer it (a supplier, or two dimensions at once)."""
    if "supplier" in keys or scope.supplier_external_id is not None:
        return None
    narrowed = {name for name in DIMENSIONS if name in keys or getattr(scope, name) is not None}
    if len(narrowed) > 1:
        return None
    return narrowed.pop() if narrowed else ALL_DIMENSION


def _frame(executor: Executor, query: Any, names: list[str], counts: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(executor.execute(query).all(), columns=[*names, *counts])
    for name in counts:
        frame[name] = frame[name].astype("Int64").fillna(0).astype("int64")
    if "period" in frame.columns:
        frame["period"] = pd.to_datetime(frame["period"]).dt.date
    return frame


def _query(
    table: Any,
    zone: str,
    dimension: str,
    window: DayWindow,
    keys: Sequence[str],
    scope: Scope,
    grain: Grain,
    sums: list[ColumnElement[Any]],
) -> tuple[Any, list[str]]:
    columns: list[ColumnElement[Any]] = []
    for key in keys:
        if key == "period":
            columns.append(period_start(table.day, grain).label("period"))
        elif key == "claim_kind":
            columns.append(table.kind.label("claim_kind"))
        else:
            columns.append(table.value.label(key))
    conditions = [
        table.zone == zone,
        table.dimension == dimension,
        table.day >= window.first,
        table.day <= window.last,
    ]
    if dimension != ALL_DIMENSION and getattr(scope, dimension) is not None:
        conditions.append(table.value == getattr(scope, dimension))
    query = select(*columns, *sums).where(*conditions)
    if columns:
        query = query.group_by(*columns).order_by(*columns)
    return query, [str(c.key) for c in columns]


def late_shipment(
    executor: Executor,
    dimension: str,
    window: DayWindow,
    today: date,
    zone: str,
    keys: Sequence[str],
    scope: Scope,
    grain: Grain,
) -> pd.DataFrame:
    t = SummaryOrderDay
    due, late = func.sum(t.due), func.sum(t.late)
    query, names = _query(
        t, zone, dimension, window, keys, scope, grain, [due.label("due"), late.label("late")]
    )
    query = query.where(t.day < today)
    if names:  # a group only where an order was due, as when counted from the orders
        query = query.having(due > 0)
    return _frame(executor, query, names, ["due", "late"])


def orders_placed(
    executor: Executor,
    dimension: str,
    window: DayWindow,
    zone: str,
    keys: Sequence[str],
    scope: Scope,
    grain: Grain,
) -> pd.DataFrame:
    t = SummaryOrderDay
    placed = func.sum(t.placed)
    query, names = _query(t, zone, dimension, window, keys, scope, grain, [placed.label("orders")])
    if names:
        query = query.having(placed > 0)
    return _frame(executor, query, names, ["orders"])


def claims_filed(
    executor: Executor,
    dimension: str,
    window: DayWindow,
    zone: str,
    keys: Sequence[str],
    scope: Scope,
    grain: Grain,
) -> pd.DataFrame:
    t = SummaryClaimDay
    query, names = _query(
        t, zone, dimension, window, keys, scope, grain, [func.sum(t.claims).label("claims")]
    )
    if scope.claim_kind is not None:
        query = query.where(t.kind == scope.claim_kind)
    return _frame(executor, query, names, ["claims"])


def extent(executor: Executor, zone: str) -> tuple[Any, Any]:
    """The first and last day holding an order (placed or due); None, None without any."""
    t = SummaryOrderDay
    row = executor.execute(
        select(func.min(t.day), func.max(t.day)).where(
            t.zone == zone,
            t.dimension == ALL_DIMENSION,
            or_(t.shipping > 0, t.placed > 0),  # not a day holding only exposure inputs
        )
    ).one()
    return row[0], row[1]


def by_supplier(keys: Sequence[str], scope: Scope, *, claims: bool) -> bool:
    """Whether the per-supplier summary answers the question: a supplier key or scope, with
    only what a supplier has (its country and tier; not an order's category, nor a claim kind)."""
    if "supplier" not in keys and scope.supplier_external_id is None:
        return False
    if "category" in keys or scope.category is not None:
        return False
    return not (claims and ("claim_kind" in keys or scope.claim_kind is not None))


def supplier_counts(
    executor: Executor,
    measure: str,
    window: DayWindow,
    zone: str,
    keys: Sequence[str],
    scope: Scope,
    grain: Grain,
    today: date | None = None,
) -> pd.DataFrame:
    """``measure`` ("late" for due and late, "orders" placed, "claims" filed) per ``keys`` from
    the per-supplier daily summary, with the same groups as counted from the base tables."""
    names_summed = {"late": ["due", "late"], "orders": ["placed"], "claims": ["claims"]}[measure]
    # One supplier: its own rows only (the zone-supplier indexes), not every supplier's rows
    # of the window summed before the join keeps one.
    one = None
    if scope.supplier_external_id is not None:
        one = select(Supplier.id).where(Supplier.external_id == scope.supplier_external_id)
    s = supplier_summary(
        zone,
        window.first,
        window.last,
        months_before=today,
        months="period" not in keys or grain == "month",
        years="period" not in keys,
        supplier=one,
        sums=tuple(names_summed),
    ).c
    # Summed per supplier (and period) first: a few thousand groups to join to the suppliers,
    # instead of a join per day row.
    inner_keys: list[ColumnElement[Any]] = [s.supplier_id.label("supplier_id")]
    if "period" in keys:
        inner_keys.append(period_start(s.day, grain).label("period"))
    inner = select(*inner_keys, *[count_total(s[n]).label(n) for n in names_summed])
    if today is not None:
        inner = inner.where(s.day < today)
    per = inner.group_by(*inner_keys).subquery("per_supplier")
    columns: list[ColumnElement[Any]] = []
    for key in keys:
        if key == "period":
            columns.append(per.c.period)
        elif key == "supplier":
            columns += [
                Supplier.external_id.label("supplier"),
                Supplier.name.label("supplier_name"),
            ]
        elif key == "supplier_country":
            columns.append(Supplier.country.label("supplier_country"))
        elif key == "supplier_tier":
            columns.append(Supplier.tier.label("supplier_tier"))
    labels = {"late": ["due", "late"], "orders": ["orders"], "claims": ["claims"]}[measure]
    sums = [func.sum(per.c[n]).label(label) for n, label in zip(names_summed, labels, strict=True)]
    query = (
        select(*columns, *sums).select_from(per).join(Supplier, Supplier.id == per.c.supplier_id)
    )
    if scope.supplier_external_id is not None:
        query = query.where(Supplier.external_id == scope.supplier_external_id)
    if scope.supplier_country is not None:
        query = query.where(Supplier.country == scope.supplier_country)
    if scope.supplier_tier is not None:
        query = query.where(Supplier.tier == scope.supplier_tier)
    names = [str(c.key) for c in columns]
    if columns:
        query = query.group_by(*columns).order_by(*columns).having(sums[0] > 0)
    counts = ["due", "late"] if measure == "late" else [measure]
    return _frame(executor, query, names, counts)


def supplier_rates(
    executor: Executor, window: DayWindow, today: date, zone: str, scope: Scope
) -> pd.DataFrame:
    """Per supplier, in no order: ``supplier, supplier_name, due, late, orders, claims`` in one
    pass over the per-supplier daily summary (the same numbers as ``supplier_counts`` asked
    three times: orders due and late before ``today``, placed, and claims filed), suppliers
    with any."""
    one = None
    if scope.supplier_external_id is not None:
        one = select(Supplier.id).where(Supplier.external_id == scope.supplier_external_id)
    s = supplier_summary(
        zone,
        window.first,
        window.last,
        months_before=today,
        years=True,
        supplier=one,
        sums=RATE_SUMS,
    ).c
    inner = select(s.supplier_id.label("supplier_id"), *rate_counts(s, today)).where(
        # A fifth of the days only move exposure: they add nothing to these sums, and a
        # supplier with no other row is left out below anyway.
        or_(s.due != 0, s.late != 0, s.placed != 0, s.claims != 0),
    )
    per = inner.group_by(s.supplier_id).subquery("per_supplier")
    query = (
        select(
            Supplier.external_id.label("supplier"),
            Supplier.name.label("supplier_name"),
            per.c.due,
            per.c.late,
            per.c.orders,
            per.c.claims,
        )
        .select_from(per)
        .join(Supplier, Supplier.id == per.c.supplier_id)
        .where(or_(per.c.due > 0, per.c.orders > 0, per.c.claims > 0))
        # No ORDER BY: the caller ranks them (services.figures.rates.suppliers_behind), and
        # fifty thousand suppliers sorted by id spilled to disk on PostgreSQL (4.5 MB over its
        # 4 MB work_mem) for an order nobody kept.
    )
    if scope.supplier_country is not None:
        query = query.where(Supplier.country == scope.supplier_country)
    if scope.supplier_tier is not None:
        query = query.where(Supplier.tier == scope.supplier_tier)
    counts = ["due", "late", "orders", "claims"]
    return _frame(executor, query, ["supplier", "supplier_name"], counts)
