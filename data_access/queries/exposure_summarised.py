"""Exposure (``data_access.queries.exposure``) read from the daily summary tables.

The summaries hold, per day, what the orders live without a claim add on their end day and take
away on their placed day (``models.SummaryOrderDay``), so the exposure at the end of day D is
the sum of the rows after D — the last weeks' rows, not all history. Orders live only because a
claim is open at the instant (delivered before the claim window, not cancelled) are few and
added from the claims here (``claim_kept``), with the same predicate as ``live_order``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import BigInteger, and_, cast, func, literal_column, or_, select, union_all

from data_access.claim_facts import Executor
from data_access.models import Order, SummaryOrderDay, SummaryRefundDay, Supplier
from data_access.queries import exposure
from data_access.queries.claims import (
    open_claim_order_ids,
)
from data_access.queries.exposure import ExposureKey, order_cap, smaller
from data_access.queries.refunds import refunded_by_order
from data_access.queries.supplier_summary import LIVE_SUMS, supplier_rows_after
from data_access.sql import ids_in, period_start
from data_access.summary_tables import ALL_DIMENSION

__all__ = [
    "exposure_by",
    "exposure_total",
    "kept_order_ids",
    "loss_ratio_by_cohort",
    "open_claim_orders",
    "supplier_live",
]


def _money(column: Any) -> Any:
    return cast(func.coalesce(func.sum(column), 0), BigInteger)


def open_claim_orders(executor: Executor, as_of_end: datetime) -> list[int]:
    """The ids of the orders with a claim open at ``as_of_end``: a few hundred. Read first and
    handed to ``claim_kept`` as a list, because PostgreSQL, which cannot tell how few claims
    the open-at predicate keeps, otherwise scans every order placed before the instant."""
    found = executor.execute(open_claim_order_ids(as_of_end)).scalars()
    return sorted(int(order_id) for order_id in found)


def kept_order_ids(
    executor: Executor, as_of_end: datetime, delivered_since: datetime, open_orders: Sequence[int]
) -> list[int]:
    """Of ``open_orders`` (``open_claim_orders`` at ``as_of_end``) the few that only their
    claim keeps live (``claim_kept``), sorted. Every sum at the instant may be handed these
    instead: each would otherwise look up every open claim's order again (at ten million
    orders 4,500 of them, in a table too large to stay in memory, to keep 430)."""
    query = select(Order.id).where(claim_kept(as_of_end, delivered_since, open_orders))
    return sorted(int(order_id) for order_id in executor.execute(query).scalars())


def claim_kept(
    as_of_end: datetime, delivered_since: datetime, open_orders: Sequence[int] | None = None
) -> Any:
    """The orders live at ``as_of_end`` only through a claim open then: delivered before
    ``delivered_since``, placed before and not cancelled before ``as_of_end``. ``open_orders``
    is ``open_claim_orders`` at ``as_of_end`` (or ``kept_order_ids`` of it) when the caller has
    read it."""
    with_open_claim = (
        Order.id.in_(open_claim_order_ids(as_of_end))
        if open_orders is None
        else ids_in(Order.id, open_orders)
    )
    return and_(
        with_open_claim,
        Order.placed_at < as_of_end,
        or_(Order.cancelled_at.is_(None), Order.cancelled_at >= as_of_end),
        Order.delivered_at < delivered_since,
    )


def supplier_live(
    zone: str,
    day: date,
    as_of_end: datetime,
    delivered_since: datetime,
    only: int | None = None,
    open_orders: Sequence[int] | None = None,
) -> Any:
    """Per supplier with live orders (or just supplier ``only``): ``supplier_id, live_orders,
    exposure_cents, cap_cents, taken_cents`` (the refunds approved by ``as_of_end`` as far as
    they take from the orders' caps)."""
    s = supplier_rows_after(zone, day, supplier=only, sums=LIVE_SUMS).c
    one: Any = literal_column("1")
    summed = select(
        s.supplier_id.label("supplier_id"),
        s.live_orders.label("orders"),
        s.live_covered_cents.label("covered"),
        s.live_cap_cents.label("cap"),
        s.live_taken_cents.label("taken"),
    )
    refunded = refunded_by_order(
        as_of_end,
        orders=open_claim_order_ids(as_of_end) if open_orders is None else open_orders,
    )
    taken = func.coalesce(refunded.c.refunded_cents, 0)
    kept = (
        select(
            Order.supplier_id,
            one,
            Order.covered_amount_cents,
            order_cap(),
            smaller(taken, order_cap()),
        )
        .outerjoin(refunded, refunded.c.order_id == Order.id)
        .where(claim_kept(as_of_end, delivered_since, open_orders))
    )
    if only is not None:
        kept = kept.where(Order.supplier_id == only)
    parts = union_all(summed, kept).subquery("supplier_live_part")
    p = parts.c
    return (
        select(
            p.supplier_id,
            cast(func.sum(p.orders), BigInteger).label("live_orders"),
            _money(p.covered).label("exposure_cents"),
            _money(p.cap).label("cap_cents"),
            _money(p.taken).label("taken_cents"),
        )
        .group_by(p.supplier_id)
        .subquery("supplier_live")
    )


def _dimension_live(
    zone: str,
    day: date,
    as_of_end: datetime,
    delivered_since: datetime,
    dimension: str,
    open_orders: Sequence[int] | None = None,
) -> Any:
    t = SummaryOrderDay
    one: Any = literal_column("1")
    if dimension == "supplier_country":
        value: Any = Supplier.country
    elif dimension == "category":
        value = Order.category
    else:
        value = literal_column("''")
    kept = select(value.label("value"), one, Order.covered_amount_cents).where(
        claim_kept(as_of_end, delivered_since, open_orders)
    )
    if dimension == "supplier_country":
        kept = kept.join(Supplier, Supplier.id == Order.supplier_id)
    parts = union_all(
        select(
            t.value.label("value"), t.live_orders.label("orders"), t.live_covered_cents.label("c")
        ).where(t.zone == zone, t.dimension == dimension, t.day > day),
        kept,
    ).subquery("live_part")
    p = parts.c
    return (
        select(
            p.value,
            cast(func.sum(p.orders), BigInteger).label("live_orders"),
            _money(p.c).label("exposure_cents"),
        )
        .group_by(p.value)
        .having(func.sum(p.orders) != 0)
        .order_by(p.value)
    )


def exposure_total(
    executor: Executor,
    zone: str,
    day: date,
    as_of_end: datetime,
    delivered_since: datetime,
    open_orders: Sequence[int] | None = None,
) -> tuple[int, int]:
    """``open_orders``: ``open_claim_orders`` at ``as_of_end`` (or ``kept_order_ids`` of it)
    when the caller has read it."""
    if open_orders is None:
        open_orders = open_claim_orders(executor, as_of_end)
    query = _dimension_live(zone, day, as_of_end, delivered_since, ALL_DIMENSION, open_orders)
    rows = executor.execute(query).all()
    return (int(rows[0][1]), int(rows[0][2])) if rows else (0, 0)


def exposure_by(
    executor: Executor,
    zone: str,
    day: date,
    as_of_end: datetime,
    delivered_since: datetime,
    key: ExposureKey,
    supplier_external_ids: Sequence[str] | None = None,
    open_orders: Sequence[int] | None = None,
) -> pd.DataFrame:
    """As ``exposure.exposure_by``, from the summaries (what live orders could still pay out:
    their caps less what refunds took from them, ``live_taken_cents``). ``open_orders``:
    ``open_claim_orders`` at ``as_of_end`` (or ``kept_order_ids`` of it) when the caller has
    read it."""
    if open_orders is None:
        open_orders = open_claim_orders(executor, as_of_end)
    if key == "supplier":
        live = supplier_live(zone, day, as_of_end, delivered_since, None, open_orders)
        later, limit = exposure.limit_in_force(as_of_end)
        query = (
            select(
                Supplier.external_id,
                Supplier.name,
                Supplier.country,
                limit,
                func.coalesce(live.c.live_orders, 0),
                func.coalesce(live.c.exposure_cents, 0),
                # Per live order max(0, cap − refunded) is its cap less min(cap, refunded).
                func.coalesce(live.c.cap_cents - live.c.taken_cents, 0),
            )
            .outerjoin(live, live.c.supplier_id == Supplier.id)
            .outerjoin(later, later.c.supplier_id == Supplier.id)
            .order_by(Supplier.external_id)
        )
        if supplier_external_ids is not None:
            query = query.where(Supplier.external_id.in_(list(supplier_external_ids)))
        columns = ["supplier", "supplier_name", "supplier_country", "limit_cents"]
        sums = ["live_orders", "exposure_cents", "refundable_cents"]
        types = {"limit_cents": "int64"}
    else:
        query = _dimension_live(zone, day, as_of_end, delivered_since, key, open_orders)
        columns, sums, types = [key], ["live_orders", "exposure_cents"], {}
    frame = pd.DataFrame(executor.execute(query).all(), columns=[*columns, *sums])
    return frame.astype(dict.fromkeys(sums, "int64") | types)


def loss_ratio_by_cohort(executor: Executor, zone: str, first: date, last: date) -> pd.DataFrame:
    """As ``exposure.loss_ratio_by_cohort`` over the orders placed on days ``first`` (a
    month's first day) to ``last``, as of the end of ``last``: the orders placed and their
    covered amount per month from the daily summary; what the cohorts lose, the refunds and
    the cancelled orders they leave out, from the cohorts' summary, whose rows up to ``last``
    are exactly those counted as of its end."""
    t = SummaryOrderDay
    cohort = period_start(t.day, "month").label("cohort")
    placed = (
        select(
            cohort,
            cast(func.sum(t.placed), BigInteger).label("orders"),
            _money(t.placed_covered_cents).label("covered_cents"),
        )
        .where(t.zone == zone, t.dimension == ALL_DIMENSION, t.day >= first, t.day <= last)
        .group_by(cohort)
        .having(func.sum(t.placed) > 0)
    )
    frame = pd.DataFrame(
        executor.execute(placed).all(), columns=["cohort", "orders", "covered_cents"]
    )
    r = SummaryRefundDay
    losses = (
        select(
            r.cohort,
            cast(func.sum(r.refunds), BigInteger).label("refunds"),
            _money(r.refunded_cents).label("refunded_cents"),
            cast(func.sum(r.cancelled_orders), BigInteger).label("orders_out"),
            _money(r.cancelled_covered_cents).label("covered_cents_out"),
        )
        .where(r.zone == zone, r.cohort >= first, r.day <= last)
        .group_by(r.cohort)
    )
    lost = pd.DataFrame(
        executor.execute(losses).all(),
        columns=["cohort", "refunds", "refunded_cents", "orders_out", "covered_cents_out"],
    )
    for table in (frame, lost):
        table["cohort"] = [_day(value) for value in table["cohort"]]
    # Aligned by cohort, a cohort without cancellations losing 0 (integers throughout: money
    # never passes through a float).
    out = lost.set_index("cohort").reindex(frame["cohort"], fill_value=0)
    for column in ("orders", "covered_cents"):
        kept = frame[column].to_numpy(dtype="int64") - out[f"{column}_out"].to_numpy(dtype="int64")
        frame[column] = kept
    # A cohort whose every order was cancelled is absent, as when counted from the orders.
    frame = frame.loc[frame["orders"] > 0, ["cohort", "orders", "covered_cents"]]
    return exposure.join_refunds(frame, lost[["cohort", "refunds", "refunded_cents"]])


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
