"""What the policy simulator reads: the facts of the claims filed in a period, and its cohort.

Two linear queries instead of ``claim_facts_for``'s id lists and correlated subquery (which
would read 100,000 claims several times slower): the claims with their orders, then the refunds
approved on those orders, from which *already refunded* (refunds on the order's **other**
claims, ``data_access.claim_facts``) is computed here. A test holds the two readings equal.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import BigInteger, ColumnElement, cast, func, literal, or_, select

from data_access.claim_facts import ClaimFactsRow, Executor, fact_columns
from data_access.models import Claim, Order, Supplier
from data_access.queries.refunds import approved_refunds

__all__ = ["ClaimLabel", "claims_filed_between", "cohort_covered"]


class ClaimLabel(NamedTuple):
    claim_id: int
    external_id: str
    supplier_tier: str
    status: str


def claims_filed_between(
    executor: Executor, start: datetime, end: datetime
) -> list[tuple[ClaimLabel, ClaimFactsRow]]:
    """Claims filed in ``[start, end)``, by id: their label and the rules module's facts."""
    filed = _filed(start, end)
    query = (
        select(
            Claim.id,
            Claim.external_id,
            Supplier.tier,
            Claim.status,
            *fact_columns(literal(0, BigInteger)),
            Claim.order_id,
        )
        .join(Order, Order.id == Claim.order_id)
        .join(Supplier, Supplier.id == Order.supplier_id)
        .where(*filed)
        .order_by(Claim.id)
    )
    refunds = approved_refunds()
    orders_of_period = select(Claim.order_id).where(*filed).scalar_subquery()
    refund_rows = executor.execute(
        select(refunds.c.claim_id, refunds.c.order_id, refunds.c.amount_cents).where(
            refunds.c.order_id.in_(orders_of_period)
        )
    ).all()
    own: dict[int, int] = {}
    by_order: dict[int, int] = {}
    for claim_id, order_id, amount in refund_rows:
        own[claim_id] = int(amount)
        by_order[order_id] = by_order.get(order_id, 0) + int(amount)
    result = []
    for row in executor.execute(query).all():
        facts = list(row[4:20])
        order_total = by_order.get(row[20])
        if order_total:
            facts[11] = order_total - own.get(row[0], 0)
        result.append((ClaimLabel._make(row[:4]), ClaimFactsRow._make(facts)))
    return result


def _filed(start: datetime, end: datetime) -> tuple[ColumnElement[bool], ...]:
    return (Claim.filed_at >= start, Claim.filed_at < end)


def cohort_covered(executor: Executor, start: datetime, end: datetime) -> tuple[int, int]:
    """Orders placed in ``[start, end)`` and not cancelled by ``end``: (count, covered cents)."""
    query = select(
        func.count(),
        cast(func.coalesce(func.sum(Order.covered_amount_cents), 0), BigInteger),
    ).where(
        Order.placed_at >= start,
        Order.placed_at < end,
        or_(Order.cancelled_at.is_(None), Order.cancelled_at >= end),
    )
    orders, covered = executor.execute(query).one()
    return int(orders), int(covered)
