"""Late-shipment and dispute counts (DESIGN.md §5): each predicate written once, here.

Every reader of these rates — the overview, its breakdowns and drill-downs, the suppliers table,
the supplier page and the claim page's supplier record — counts through the functions below, so
"due", "late" and "in the period" mean the same thing everywhere. Days are calendar days in the
programme's time zone (``zone``, an IANA name).

* **Due**: the ship-by day lies in the window and is already past (before ``today``), and the
  order was not cancelled before its ship-by day.
* **Late**: shipped on a later calendar day than the ship-by day, or not shipped at all.
* **Dispute rate**: claims filed in the window ÷ orders placed in the window.

Aggregates return DataFrames: the chosen key columns, then the counts (int64). Where the daily
summary tables are kept for ``zone`` and the question fits them (``rates_summarised``), the
counts are read from them; otherwise, and for the rows behind a figure, from the orders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

import pandas as pd
from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.sql import Select

from data_access import summaries
from data_access.claim_facts import Executor
from data_access.models import Claim, Order, Supplier
from data_access.queries import rates_summarised as summarised
from data_access.sql import Grain, day_start, local_day, period_start

__all__ = [
    "ALL",
    "KEYS",
    "DayWindow",
    "Key",
    "Scope",
    "activity_extent",
    "claims_filed_counts",
    "dispute_counts",
    "due_order",
    "filed_in",
    "key_names",
    "late_order",
    "late_shipment_counts",
    "orders_placed_counts",
    "placed_in",
    "scope_filters",
    "supplier_rate_counts",
]

#: What counts can be grouped by. ``period`` is the week or month (its first day); ``supplier``
#: gives two columns, the supplier's external id and its name.
_ONE_DAY = timedelta(days=1)

Key = Literal["period", "supplier_country", "category", "supplier_tier", "claim_kind", "supplier"]
KEYS: tuple[Key, ...] = (
    "period",
    "supplier_country",
    "category",
    "supplier_tier",
    "claim_kind",
    "supplier",
)


@dataclass(frozen=True, slots=True)
class DayWindow:
    """Calendar days ``first`` to ``last``, both included, in the programme's time zone."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"window ends ({self.last}) before it starts ({self.first})")


@dataclass(frozen=True, slots=True)
class Scope:
    """Which orders (and the claims on them) count; None means any."""

    supplier_external_id: str | None = None
    supplier_country: str | None = None
    category: str | None = None
    supplier_tier: str | None = None
    #: Narrows claims only: orders have no kind, so a kind's rate is over all orders placed.
    claim_kind: str | None = None


#: No narrowing: every order and claim.
ALL = Scope()


def due_order(window: DayWindow, today: date, zone: str) -> ColumnElement[bool]:
    """The orders a late-shipment rate is counted over (see the module docstring)."""
    return and_(
        Order.ship_by >= window.first,
        Order.ship_by <= window.last,
        Order.ship_by < today,
        or_(Order.cancelled_at.is_(None), local_day(Order.cancelled_at, zone) >= Order.ship_by),
    )


def late_order(zone: str) -> ColumnElement[bool]:
    """Of the due orders, the late ones."""
    return or_(Order.shipped_at.is_(None), local_day(Order.shipped_at, zone) > Order.ship_by)


def placed_in(window: DayWindow, zone: str) -> ColumnElement[bool]:
    """Orders placed in the window (the dispute rate's denominator)."""
    return and_(
        Order.placed_at >= day_start(window.first, zone),
        Order.placed_at < day_start(window.last + _ONE_DAY, zone),
    )


def filed_in(window: DayWindow, zone: str) -> ColumnElement[bool]:
    """Claims filed in the window (the dispute rate's numerator)."""
    return and_(
        Claim.filed_at >= day_start(window.first, zone),
        Claim.filed_at < day_start(window.last + _ONE_DAY, zone),
    )


def scope_filters(scope: Scope, *, claims: bool) -> list[ColumnElement[bool]]:
    """The scope as WHERE conditions; the query must join ``Supplier`` (and ``Claim``)."""
    filters: list[ColumnElement[bool]] = []
    if scope.supplier_external_id is not None:
        filters.append(Supplier.external_id == scope.supplier_external_id)
    if scope.supplier_country is not None:
        filters.append(Supplier.country == scope.supplier_country)
    if scope.category is not None:
        filters.append(Order.category == scope.category)
    if scope.supplier_tier is not None:
        filters.append(Supplier.tier == scope.supplier_tier)
    if claims and scope.claim_kind is not None:
        filters.append(Claim.kind == scope.claim_kind)
    return filters


def _needs_supplier(keys: Sequence[Key], scope: Scope) -> bool:
    return bool(
        {"supplier_country", "supplier_tier", "supplier"} & set(keys)
        or scope.supplier_external_id
        or scope.supplier_country
        or scope.supplier_tier
    )


def _key_columns(keys: Sequence[Key], period_of: ColumnElement[date]) -> list[ColumnElement[Any]]:
    columns: list[ColumnElement[Any]] = []
    for key in keys:
        if key == "period":
            columns.append(period_of.label("period"))
        elif key == "supplier_country":
            columns.append(Supplier.country.label("supplier_country"))
        elif key == "category":
            columns.append(Order.category.label("category"))
        elif key == "supplier_tier":
            columns.append(Supplier.tier.label("supplier_tier"))
        elif key == "claim_kind":
            columns.append(Claim.kind.label("claim_kind"))
        elif key == "supplier":
            columns += [
                Supplier.external_id.label("supplier"),
                Supplier.name.label("supplier_name"),
            ]
        else:  # pragma: no cover - Key is a closed set
            raise ValueError(f"unknown key {key!r}")
    return columns


def key_names(keys: Sequence[Key]) -> list[str]:
    """The DataFrame columns ``keys`` produce, in order."""
    names: list[str] = []
    for key in keys:
        names += ["supplier", "supplier_name"] if key == "supplier" else [key]
    return names


def _grouped(
    executor: Executor, query: Select[Any], keys: list[ColumnElement[Any]], counts: list[str]
) -> pd.DataFrame:
    if keys:
        query = query.group_by(*keys).order_by(*keys)
    rows = executor.execute(query).all()
    names = [column.key for column in keys] + counts
    frame = pd.DataFrame(rows, columns=names)
    for name in counts:
        frame[name] = frame[name].astype("Int64").fillna(0).astype("int64")
    if "period" in frame.columns:
        frame["period"] = pd.to_datetime(frame["period"]).dt.date
    return frame


def late_shipment_counts(
    executor: Executor,
    window: DayWindow,
    today: date,
    zone: str,
    keys: Sequence[Key] = (),
    scope: Scope = ALL,
    grain: Grain = "month",
) -> pd.DataFrame:
    """Orders due and late, grouped by ``keys`` (``period`` = the ship-by day's week or month)."""
    if "claim_kind" in keys:
        raise ValueError("the late-shipment rate has no claim kind: it counts orders")
    dimension = summarised.dimension_for(keys, scope)
    per_supplier = summarised.by_supplier(keys, scope, claims=False)
    if (dimension is not None or per_supplier) and summaries.is_ready(executor, zone):
        if dimension is not None:
            return summarised.late_shipment(
                executor, dimension, window, today, zone, keys, scope, grain
            )
        return summarised.supplier_counts(executor, "late", window, zone, keys, scope, grain, today)
    columns = _key_columns(keys, period_start(Order.ship_by, grain))
    query = select(
        *columns,
        func.count().label("due"),
        func.coalesce(func.sum(case((late_order(zone), 1), else_=0)), 0).label("late"),
    ).select_from(Order)
    if _needs_supplier(keys, scope):
        query = query.join(Supplier, Supplier.id == Order.supplier_id)
    query = query.where(due_order(window, today, zone), *scope_filters(scope, claims=False))
    return _grouped(executor, query, columns, ["due", "late"])


def orders_placed_counts(
    executor: Executor,
    window: DayWindow,
    zone: str,
    keys: Sequence[Key] = (),
    scope: Scope = ALL,
    grain: Grain = "month",
) -> pd.DataFrame:
    """Orders placed in the window (the dispute rate's denominator), grouped by ``keys``."""
    if "claim_kind" in keys:
        raise ValueError("orders have no claim kind")
    dimension = summarised.dimension_for(keys, scope)
    per_supplier = summarised.by_supplier(keys, scope, claims=False)
    if (dimension is not None or per_supplier) and summaries.is_ready(executor, zone):
        if dimension is not None:
            return summarised.orders_placed(executor, dimension, window, zone, keys, scope, grain)
        return summarised.supplier_counts(executor, "orders", window, zone, keys, scope, grain)
    columns = _key_columns(keys, period_start(local_day(Order.placed_at, zone), grain))
    query = select(*columns, func.count().label("orders")).select_from(Order)
    if _needs_supplier(keys, scope):
        query = query.join(Supplier, Supplier.id == Order.supplier_id)
    query = query.where(placed_in(window, zone), *scope_filters(scope, claims=False))
    return _grouped(executor, query, columns, ["orders"])


def claims_filed_counts(
    executor: Executor,
    window: DayWindow,
    zone: str,
    keys: Sequence[Key] = (),
    scope: Scope = ALL,
    grain: Grain = "month",
) -> pd.DataFrame:
    """Claims filed in the window (the dispute rate's numerator), grouped by ``keys``."""
    dimension = summarised.dimension_for(keys, scope)
    per_supplier = summarised.by_supplier(keys, scope, claims=True)
    if (dimension is not None or per_supplier) and summaries.is_ready(executor, zone):
        if dimension is not None:
            return summarised.claims_filed(executor, dimension, window, zone, keys, scope, grain)
        return summarised.supplier_counts(executor, "claims", window, zone, keys, scope, grain)
    columns = _key_columns(keys, period_start(local_day(Claim.filed_at, zone), grain))
    query = select(*columns, func.count().label("claims")).select_from(Claim)
    query = query.join(Order, Order.id == Claim.order_id)
    if _needs_supplier(keys, scope):
        query = query.join(Supplier, Supplier.id == Order.supplier_id)
    query = query.where(filed_in(window, zone), *scope_filters(scope, claims=True))
    return _grouped(executor, query, columns, ["claims"])


def dispute_counts(
    executor: Executor,
    window: DayWindow,
    zone: str,
    keys: Sequence[Key] = (),
    scope: Scope = ALL,
    grain: Grain = "month",
) -> pd.DataFrame:
    """Orders placed and claims filed, grouped by ``keys``; a group with only one of them gets 0
    for the other. Grouped by ``claim_kind``, each kind is set against all the orders placed
    (orders have no kind), and only kinds with claims appear."""
    order_keys = [k for k in keys if k != "claim_kind"]
    orders = orders_placed_counts(executor, window, zone, order_keys, scope, grain)
    claims = claims_filed_counts(executor, window, zone, keys, scope, grain)
    on = key_names(order_keys)
    if "claim_kind" in keys:
        if on:
            frame = claims.merge(orders, on=on, how="left")
        else:
            frame = claims.assign(orders=int(orders["orders"].sum()))
    elif on:
        frame = orders.merge(claims, on=on, how="outer")
    else:
        frame = pd.DataFrame(
            {"orders": [int(orders["orders"].sum())], "claims": [int(claims["claims"].sum())]}
        )
    for name in ("orders", "claims"):
        frame[name] = frame[name].astype("Int64").fillna(0).astype("int64")
    columns = key_names(keys)
    frame = frame[[*columns, "orders", "claims"]]
    return frame.sort_values(columns, ignore_index=True) if columns else frame


def supplier_rate_counts(
    executor: Executor, window: DayWindow, today: date, zone: str, scope: Scope = ALL
) -> pd.DataFrame:
    """Per supplier with any, in no promised order: ``supplier, supplier_name, due, late,
    orders, claims`` — the late-shipment and dispute counts of ``late_shipment_counts`` and
    ``dispute_counts`` grouped by supplier, read in one pass where the per-supplier summary
    answers both."""
    keys: list[Key] = ["supplier"]
    if summarised.by_supplier(keys, scope, claims=True) and summaries.is_ready(executor, zone):
        return summarised.supplier_rates(executor, window, today, zone, scope)
    late = late_shipment_counts(executor, window, today, zone, keys, scope)
    disputes = dispute_counts(executor, window, zone, keys, scope)
    frame = late.merge(disputes, on=["supplier", "supplier_name"], how="outer")
    for name in ("due", "late", "orders", "claims"):
        frame[name] = frame[name].astype("Int64").fillna(0).astype("int64")
    columns = ["supplier", "supplier_name", "due", "late", "orders", "claims"]
    return frame[columns].sort_values("supplier", ignore_index=True)


def activity_extent(executor: Executor, zone: str) -> tuple[date, date] | None:
    """The first and the last calendar day holding an order (placed or due), or None."""
    if summaries.is_ready(executor, zone):
        first, last = summarised.extent(executor, zone)
        return None if first is None else (_as_date(first), _as_date(last))
    query = select(
        func.min(local_day(Order.placed_at, zone)),
        func.max(local_day(Order.placed_at, zone)),
        func.min(Order.ship_by),
        func.max(Order.ship_by),
    )
    row = executor.execute(query).one()
    days = [_as_date(value) for value in row if value is not None]
    return (min(days), max(days)) if days else None


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
