"""What the policy simulator reads: the facts of the claims filed in a period, and its cohort.

Linear queries instead of ``claim_facts_for``'s id lists and correlated subquery (which would
read 100,000 claims several times slower): the claims with their orders, the suppliers' tiers,
then the refunds approved on those orders, from which *already refunded* (refunds on the
order's **other** claims, ``data_access.claim_facts``) is computed here. A test holds the two
readings equal. The claims are read unsorted (SQLite would sort them in a temporary B-tree)
and sorted here by id.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    cast,
    func,
    literal,
    or_,
    select,
    type_coerce,
)

from data_access.claim_facts import ClaimFactsRow, Executor, fact_columns
from data_access.models import Claim, Order, Supplier
from data_access.queries.refunds import approved_refunds
from data_access.types import UTCDateTime

__all__ = ["ClaimLabel", "claims_filed_between", "cohort_covered"]


class ClaimLabel(NamedTuple):
    claim_id: int
    external_id: str
    supplier_tier: str
    status: str


def claims_filed_between(
    executor: Executor,
    start: datetime,
    end: datetime,
    *,
    share: tuple[int, int] = (0, 1),
) -> list[tuple[ClaimLabel, ClaimFactsRow]]:
    """Claims filed in ``[start, end)``, by id: their label and the rules module's facts.

    ``share=(index, shares)`` keeps the claims whose id % shares is index (one worker's share).
    """
    filed = _filed(start, end)
    index, shares = share
    if shares > 1:
        filed = (*filed, Claim.id % shares == index)
    columns = [_unprocessed(column) for column in fact_columns(literal(0, BigInteger))]
    query = (
        select(Claim.external_id, Order.supplier_id, Claim.status, *columns, Claim.order_id)
        .join(Order, Order.id == Claim.order_id)
        .where(*filed)
    )
    tiers: dict[int, str] = dict(
        executor.execute(select(Supplier.id, Supplier.tier)).tuples().all()
    )
    own, by_order = _refunds_on_orders_of(executor, filed)
    result = []
    for row in executor.execute(query).tuples().all():
        (external_id, supplier_id, status, claim_id, kind, filed_at, claimed, response, report,
         rate, conforming, fee, covered, paid, _, ship_by, shipped, delivered, cancelled,
         order_id) = row  # fmt: skip
        if filed_at.tzinfo is None:  # SQLite keeps UTC naive (data_access.types.UTCDateTime)
            filed_at = filed_at.replace(tzinfo=UTC)
            shipped = shipped and shipped.replace(tzinfo=UTC)
            delivered = delivered and delivered.replace(tzinfo=UTC)
            cancelled = cancelled and cancelled.replace(tzinfo=UTC)
        order_total = by_order.get(order_id)
        refunded = order_total - own.get(claim_id, 0) if order_total else 0
        label = ClaimLabel(claim_id, external_id, tiers[supplier_id], status)
        facts = ClaimFactsRow(
            claim_id, kind, filed_at, claimed, response, report, rate, conforming, fee,
            covered, paid, refunded, ship_by, shipped, delivered, cancelled,
        )  # fmt: skip
        result.append((label, facts))
    result.sort(key=_claim_id)
    return result


def _refunds_on_orders_of(
    executor: Executor, filed: tuple[ColumnElement[bool], ...]
) -> tuple[dict[int, int], dict[int, int]]:
    """The approved refunds on the orders of the period's claims: by claim, and by order."""
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
    return own, by_order


def _unprocessed(column: Any) -> Any:
    """A timestamp column read as the driver's plain timestamp (made aware in the loop).

    ``UTCDateTime`` does the same per value through two Python calls of SQLAlchemy's
    TypeDecorator machinery; over the 400,000 timestamps of 100,000 claims that layer alone
    costs about a second, a good part of the simulator's two-second budget.
    """
    if isinstance(getattr(column, "type", None), UTCDateTime):
        return type_coerce(column, DateTime(timezone=True))
    return column


def _claim_id(pair: tuple[ClaimLabel, ClaimFactsRow]) -> int:
    return pair[0].claim_id


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
