"""Exposure (DESIGN.md §5): the covered amounts of live orders, as of an instant.

**Live at T** (``as_of_end``, the end of the as-of day): placed before T, not cancelled before T,
and not yet delivered, or delivered on or after the first day a claim could still be filed
(``delivered_since`` = the start of as-of day − claim window), or with a claim open at T. This
predicate is the only one; every exposure, utilisation, headroom and stress figure uses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Literal

import pandas as pd
from sqlalchemy import BigInteger, ColumnElement, and_, case, cast, func, or_, select

from data_access.claim_facts import Executor
from data_access.models import Order, Supplier, SupplierLimitChange
from data_access.queries.claims import open_claim_order_ids
from data_access.queries.refunds import approved_refunds, refunded_by_order
from data_access.sql import among, grouping_key, local_day, period_start

__all__ = [
    "ExposureKey",
    "exposure_by",
    "exposure_total",
    "join_refunds",
    "limit_in_force",
    "live_order",
    "loss_ratio_by_cohort",
    "order_cap",
    "smaller",
    "with_refunds",
]

ExposureKey = Literal["supplier", "supplier_country", "category"]


def live_order(as_of_end: datetime, delivered_since: datetime) -> ColumnElement[bool]:
    """The orders live at ``as_of_end`` (see the module docstring)."""
    # An IN list of the (few) orders with an open claim, built once (by parts, through the
    # claims' indexes): far cheaper on SQLite than a correlated EXISTS for every delivered order.
    open_claim = Order.id.in_(open_claim_order_ids(as_of_end))
    return and_(
        Order.placed_at < as_of_end,
        or_(Order.cancelled_at.is_(None), Order.cancelled_at >= as_of_end),
        or_(Order.delivered_at.is_(None), Order.delivered_at >= delivered_since, open_claim),
    )


def limit_in_force(as_of_end: datetime) -> tuple[Any, ColumnElement[int]]:
    """Each supplier's Trade Assurance limit at ``as_of_end``: ``(later, limit)``, to be joined
    as ``.outerjoin(later, later.c.supplier_id == Supplier.id)`` and read as ``limit``.

    The limit a supplier holds now, unless it changed after ``as_of_end``: then the limit its
    first later change replaced (the history is append-only and each change names the limit
    it replaced). An exposure as of a past day is measured against the limits of that day.
    """
    c = SupplierLimitChange
    ranked = (
        select(
            c.supplier_id,
            c.old_limit_cents,
            func.row_number()
            .over(partition_by=c.supplier_id, order_by=(c.changed_at, c.id))
            .label("nth"),
        )
        .where(c.changed_at > as_of_end)
        .subquery("changed_later")
    )
    later = (
        select(ranked.c.supplier_id, ranked.c.old_limit_cents)
        .where(ranked.c.nth == 1)
        .subquery("limit_before_change")
    )
    return later, func.coalesce(later.c.old_limit_cents, Supplier.limit_cents)


def _money_sum(column: Any) -> Any:
    # SUM(bigint) is NUMERIC on PostgreSQL; cast back so the driver returns an int.
    return cast(func.coalesce(func.sum(column), 0), BigInteger)


def exposure_total(
    executor: Executor, as_of_end: datetime, delivered_since: datetime
) -> tuple[int, int]:
    """``(live orders, exposure cents)`` for the whole programme."""
    query = select(func.count(), _money_sum(Order.covered_amount_cents)).where(
        live_order(as_of_end, delivered_since)
    )
    orders, cents = executor.execute(query).one()
    return int(orders), int(cents)


def exposure_by(
    executor: Executor,
    as_of_end: datetime,
    delivered_since: datetime,
    key: ExposureKey,
    supplier_external_ids: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Live orders and exposure per ``key``; per supplier also its name, country and limit
    (the one in force at ``as_of_end``), and what its live orders could still pay out
    (``refundable_cents``: the stress tests').

    Suppliers with no live order are included (exposure 0), so utilisation covers them all.
    """
    live = live_order(as_of_end, delivered_since)
    if key == "supplier":
        supplier_id = grouping_key(Order.supplier_id, "supplier_id")
        refunded = refunded_by_order(as_of_end, every_order=True)
        per_supplier = (
            select(
                supplier_id,
                func.count().label("live_orders"),
                _money_sum(Order.covered_amount_cents).label("exposure_cents"),
                _money_sum(_still_refundable(refunded)).label("refundable_cents"),
            )
            .select_from(Order)
            .outerjoin(refunded, refunded.c.order_id == Order.id)
            .where(live)
            .group_by(supplier_id)
            .subquery("supplier_exposure")
        )
        later, limit = limit_in_force(as_of_end)
        query = (
            select(
                Supplier.external_id.label("supplier"),
                Supplier.name.label("supplier_name"),
                Supplier.country.label("supplier_country"),
                limit.label("limit_cents"),
                func.coalesce(per_supplier.c.live_orders, 0).label("live_orders"),
                func.coalesce(per_supplier.c.exposure_cents, 0).label("exposure_cents"),
                func.coalesce(per_supplier.c.refundable_cents, 0).label("refundable_cents"),
            )
            .outerjoin(per_supplier, per_supplier.c.supplier_id == Supplier.id)
            .outerjoin(later, later.c.supplier_id == Supplier.id)
        )
        if supplier_external_ids is not None:
            query = query.where(Supplier.external_id.in_(list(supplier_external_ids)))
        columns = ["supplier", "supplier_name", "supplier_country", "limit_cents"]
        sums = ["live_orders", "exposure_cents", "refundable_cents"]
        query = query.order_by(Supplier.external_id)
    else:
        group = Supplier.country if key == "supplier_country" else Order.category
        query = (
            select(
                group.label(key),
                func.count().label("live_orders"),
                _money_sum(Order.covered_amount_cents).label("exposure_cents"),
            )
            .select_from(Order)
            .where(live)
            .group_by(group)
            .order_by(group)
        )
        if key == "supplier_country":
            query = query.join(Supplier, Supplier.id == Order.supplier_id)
        columns, sums = [key], ["live_orders", "exposure_cents"]
    frame = pd.DataFrame(executor.execute(query).all(), columns=[*columns, *sums])
    return frame.astype(
        dict.fromkeys(sums, "int64") | ({"limit_cents": "int64"} if key == "supplier" else {})
    )


def order_cap() -> Any:
    """What the policy lets an order's refunds reach: ``min(covered, paid)``."""
    return smaller(Order.covered_amount_cents, Order.paid_amount_cents)


def smaller(a: Any, b: Any) -> Any:
    """The smaller of two SQL values (one spelling for both databases)."""
    return case((a <= b, a), else_=b)


def _still_refundable(refunded: Any) -> Any:
    """What a live order could still pay out, as the policy caps a refund: ``max(0,
    min(covered, paid) − its refunds approved before the instant)`` (``refunded``:
    ``refunded_by_order``, outer-joined)."""
    remaining = order_cap() - func.coalesce(refunded.c.refunded_cents, 0)
    return case((remaining > 0, remaining), else_=0)


def loss_ratio_by_cohort(
    executor: Executor, start: datetime, end: datetime, as_of_end: datetime, zone: str
) -> pd.DataFrame:
    """Per month an order was placed in ``[start, end)`` (its cohort): orders not cancelled
    before ``as_of_end``, their covered amount, and the refunds approved on them before
    ``as_of_end``. Columns ``cohort, orders, covered_cents, refunds, refunded_cents``."""
    cohort = period_start(local_day(Order.placed_at, zone), "month").label("cohort")
    covered = (
        select(
            cohort,
            func.count().label("orders"),
            _money_sum(Order.covered_amount_cents).label("covered_cents"),
        )
        .where(_cohort_kept(start, end, as_of_end))
        .group_by(cohort)
    )
    left = pd.DataFrame(
        executor.execute(covered).all(), columns=["cohort", "orders", "covered_cents"]
    )
    return with_refunds(executor, left, start, end, as_of_end, zone)


def _cohort_kept(start: datetime, end: datetime, as_of_end: datetime) -> ColumnElement[bool]:
    """The orders a cohort counts: placed in ``[start, end)``, not cancelled before as-of."""
    return and_(
        Order.placed_at >= start,
        Order.placed_at < end,
        or_(Order.cancelled_at.is_(None), Order.cancelled_at >= as_of_end),
    )


def with_refunds(
    executor: Executor,
    covered: pd.DataFrame,
    start: datetime,
    end: datetime,
    as_of_end: datetime,
    zone: str,
) -> pd.DataFrame:
    """``covered`` (``cohort, orders, covered_cents``) with the refunds approved before
    ``as_of_end`` on the cohorts' orders: ``refunds, refunded_cents`` (read from the refunds,
    a few per thousand orders)."""
    cohort = period_start(local_day(Order.placed_at, zone), "month").label("cohort")
    refunds = approved_refunds(as_of_end)
    refunded = (
        select(
            cohort,
            func.count().label("refunds"),
            _money_sum(refunds.c.amount_cents).label("refunded_cents"),
        )
        .select_from(refunds)
        .join(Order, Order.id == refunds.c.order_id)
        .where(among(Order.id, select(refunds.c.order_id)), _cohort_kept(start, end, as_of_end))
        .group_by(cohort)
    )
    right = pd.DataFrame(
        executor.execute(refunded).all(), columns=["cohort", "refunds", "refunded_cents"]
    )
    return join_refunds(covered, right)


def join_refunds(covered: pd.DataFrame, refunds: pd.DataFrame) -> pd.DataFrame:
    """``covered`` (``cohort, orders, covered_cents``) with ``refunds`` (``cohort, refunds,
    refunded_cents``) of its cohorts; a cohort without refunds has none, and refunds of a cohort
    not in ``covered`` are not counted."""
    left, right = covered.copy(), refunds.copy()
    for frame in (left, right):
        # Dates as objects on both sides, even where there are none (pandas guesses floats).
        frame["cohort"] = pd.Series(
            [_day(v) for v in frame["cohort"]], index=frame.index, dtype="object"
        )
    merged = left.merge(right, on="cohort", how="left")
    # Fill the count columns only, as objects (money never passes through a float).
    counts = ["orders", "covered_cents", "refunds", "refunded_cents"]
    merged[counts] = merged[counts].astype("object").where(merged[counts].notna(), 0)
    merged = merged.astype(dict.fromkeys(counts, "int64"))
    return merged.sort_values("cohort", ignore_index=True)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
