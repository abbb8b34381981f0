"""What refunds change in the daily summaries, counted from the base tables: what they take
from live orders' caps (the supplier days' ``live_taken_cents``) and what the order cohorts
lose to refunds and cancellations (``summary_refund_days``). Part of
``data_access.summary_rows``' one definition of the rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, literal_column, or_, select, union_all
from sqlalchemy.sql import Select

from data_access.models import Claim, Order, Supplier
from data_access.queries.exposure import order_cap, smaller
from data_access.queries.refunds import approved_refunds
from data_access.sql import local_day, period_start
from data_access.summary_tables import TABLES
from data_access.summary_terms import ONE, ZERO, Ids, among, constant, end_day, facts, nonzero

__all__ = ["refund_days", "taken_events"]


def taken_events(
    zone: str,
    claim_window_days: int,
    orders: Ids | None,
    claims: Ids | None,
    suppliers: Ids | None,
) -> Any:
    """What the refunds approved on orders (these, those of these claims, or these suppliers')
    take from their caps while the orders are live: ``supplier_id, day, live_taken_cents``.

    An order's refunds of a day take ``min(cap, through) − min(cap, through − that day's)``,
    ``through`` being all its refunds up to that day: so its refunds never take more than its
    cap. They take from the later of that day and its placed day until its end day (the
    ``-`` and ``+`` rows, as its live covered amount), and nothing if that is not before its
    end. A change to one claim changes what the order's later refunds take: so a claim's
    count is its whole order's."""
    refunds = approved_refunds()
    of_orders: Any = None
    if orders is not None:
        of_orders = select(Order.id).where(among(Order.external_id, orders))
    elif claims is not None:
        of_orders = select(Claim.order_id).where(among(Claim.external_id, claims))
    elif suppliers is not None:
        of_orders = (
            select(Order.id)
            .join(Supplier, Supplier.id == Order.supplier_id)
            .where(among(Supplier.external_id, suppliers))
        )
    decided = local_day(refunds.c.decided_at, zone)
    per_day = select(
        refunds.c.order_id.label("order_id"),
        decided.label("day"),
        func.sum(refunds.c.amount_cents).label("amount"),
    ).group_by(refunds.c.order_id, decided)
    if of_orders is not None:
        per_day = per_day.where(refunds.c.order_id.in_(of_orders))
    d = per_day.subquery("refund_per_day").c
    through = func.sum(d.amount).over(partition_by=d.order_id, order_by=d.day)
    running = select(d.order_id, d.day, d.amount, through.label("through")).subquery("refund_run")
    r = running.c
    placed = local_day(Order.placed_at, zone)
    fact = (
        select(
            Order.supplier_id.label("supplier_id"),
            case((r.day >= placed, r.day), else_=placed).label("from_day"),
            end_day(zone, claim_window_days).label("end_day"),
            (smaller(order_cap(), r.through) - smaller(order_cap(), r.through - r.amount)).label(
                "taken"
            ),
        )
        .select_from(running)
        .join(Order, Order.id == r.order_id)
    )
    t = facts(fact, "taken_fact", orders, claims, suppliers).c
    spans = and_(t.from_day < t.end_day, t.taken != 0)
    return union_all(
        select(t.supplier_id, t.from_day.label("day"), (-t.taken).label("taken")).where(spans),
        select(t.supplier_id, t.end_day, t.taken).where(spans),
    ).subquery("taken_event")


def refund_days(zone: str, orders: Ids | None, claims: Ids | None) -> Select[Any]:
    """What the order cohorts lose (through these orders, or these claims) per cohort and per
    day it changes, as ``queries.exposure``'s loss ratio counts it as of a day's end: the
    refunds decided and placed by then, on an order not cancelled by then; the orders placed
    and cancelled by then, which the cohort leaves out. So a refund is added on the later of
    its decided day and its order's placed day, and taken away again on the day its order was
    cancelled, if later (an order cancelled by then never counts it at all); a cancelled order
    is added on the later of its cancelled and placed days."""
    refunds = approved_refunds()
    placed = local_day(Order.placed_at, zone)
    decided = local_day(refunds.c.decided_at, zone)
    cohort = period_start(placed, "month").label("cohort")
    fact = (
        select(
            case((decided >= placed, decided), else_=placed).label("counts_from"),
            cohort,
            local_day(Order.cancelled_at, zone).label("cancelled"),
            refunds.c.amount_cents.label("amount"),
        )
        .select_from(refunds)
        .join(Order, Order.id == refunds.c.order_id)
    )
    if orders is not None:
        fact = fact.where(among(Order.external_id, orders))
    if claims is not None:
        fact = fact.join(Claim, Claim.id == refunds.c.claim_id).where(
            among(Claim.external_id, claims)
        )
    r = facts(fact, "refund_fact", orders, claims).c
    cancelled_later = r.cancelled > r.counts_from
    none = (ZERO, ZERO)
    counted = select(
        r.counts_from.label("day"),
        r.cohort,
        ONE.label("refunds"),
        r.amount.label("refunded_cents"),
        ZERO.label("cancelled_orders"),
        ZERO.label("cancelled_covered_cents"),
    ).where(or_(r.cancelled.is_(None), cancelled_later))
    taken_back = select(r.cancelled, r.cohort, literal_column("-1"), -r.amount, *none).where(
        cancelled_later
    )
    branches = [counted, taken_back]
    if claims is None:  # a claim cancels no order
        cancelled = local_day(Order.cancelled_at, zone)
        counts_from = case((cancelled >= placed, cancelled), else_=placed)
        left_out = select(counts_from, cohort, *none, ONE, Order.covered_amount_cents)
        if orders is None:
            left_out = left_out.where(Order.cancelled_at.is_not(None))
        else:
            # Some orders (a delta): found by their ids, and cancelled if their day of it is
            # known. Asked ``cancelled_at IS NOT NULL`` itself, PostgreSQL walked the partial
            # index of every cancelled order instead, at ten million orders 284,000 of them
            # for 100,000 imported (0.7–1.6 s of heap pages; their ids' index took 0.14 s).
            left_out = left_out.where(among(Order.external_id, orders), cancelled.is_not(None))
        branches.append(left_out)
    e = union_all(*branches).subquery("refund_event").c
    sums = [func.sum(e[name]).label(name) for name in TABLES["summary_refund_days"][2]]
    return (
        select(constant(zone).label("zone"), e.day, e.cohort, *sums)
        .group_by(e.day, e.cohort)
        .having(nonzero(sums))
    )
