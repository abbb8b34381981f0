"""Claims as of an instant: open claims, their dispute clocks, pending liability, refunds.

* **Open at T**: filed before T and neither decided nor withdrawn before T (an undecided claim
  is open from its filing on). A claim recorded as decided without a decision time (history
  imported as approved or rejected) was never open as far as the figures know.
* **Pending liability at T**: the recommended amounts of the claims open at T, each claim's
  latest recommendation made before T (the greatest ``recommendations.id``).
* **Refunds approved**: see ``data_access.queries.refunds``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    CompoundSelect,
    and_,
    case,
    cast,
    func,
    or_,
    select,
    union,
)
from sqlalchemy.orm import aliased

from data_access.claim_facts import Executor
from data_access.models import UNDECIDED_CLAIM_STATUSES, Claim, Recommendation
from data_access.queries.refunds import approved_refunds
from data_access.sql import Grain, local_day, period_start, span_holds

__all__ = [
    "Moment",
    "OpenAt",
    "claim_open_at",
    "open_at",
    "open_claim_clocks",
    "open_claim_ids",
    "open_claim_order_ids",
    "open_claims_and_orders",
    "pending_liability",
    "refunds_approved",
    "refunds_by_period",
]


#: An instant, or a column of instants.
Moment = datetime | ColumnElement[datetime]


def claim_open_at(moment: Moment) -> ColumnElement[bool]:
    """The claims open at ``moment`` (see the module docstring)."""
    return and_(
        Claim.filed_at < moment,
        or_(
            Claim.status.in_(UNDECIDED_CLAIM_STATUSES),
            Claim.decided_at >= moment,
            Claim.withdrawn_at >= moment,
        ),
    )


def _open_by_parts(moment: datetime, *columns: Any) -> CompoundSelect[Any]:
    """``columns`` of the claims ``claim_open_at(moment)`` keeps (each row once), found by
    parts: the undecided claims through their status index, those decided or withdrawn at or
    after ``moment`` (and filed before it) through the indexes on those spans
    (``sql.span_holds``). Tested row by row the predicate reads every claim filed before
    ``moment``; by parts, the few thousand it keeps."""
    return union(
        select(*columns).where(Claim.status.in_(UNDECIDED_CLAIM_STATUSES), Claim.filed_at < moment),
        select(*columns).where(span_holds(Claim.filed_at, Claim.decided_at, moment)),
        select(*columns).where(span_holds(Claim.filed_at, Claim.withdrawn_at, moment)),
    )


def open_claim_order_ids(moment: datetime) -> CompoundSelect[tuple[int]]:
    """The order ids (each once) of the claims open at ``moment``, found by parts."""
    return _open_by_parts(moment, Claim.order_id)


def open_claim_ids(moment: datetime) -> CompoundSelect[tuple[int]]:
    """The ids of the claims open at ``moment`` (each once), found by parts where
    ``claim_open_at`` would test every claim filed before it."""
    return _open_by_parts(moment, Claim.id)


def open_claims_and_orders(moment: datetime) -> CompoundSelect[tuple[int, int]]:
    """``id, order_id`` of each claim open at ``moment``, found by parts. Join what else a
    figure needs to these rows, not to ``Claim.id IN (open_claim_ids(...))``: PostgreSQL read
    every claim to find the few thousand ids again (at ten million orders 90 of 125 ms)."""
    return _open_by_parts(moment, Claim.id, Claim.order_id)


def open_claim_clocks(executor: Executor, moment: datetime) -> pd.DataFrame:
    """The claims open at ``moment`` with what their dispute clock knew then.

    Columns ``filed_at, escalated_at, picked_up_at``; an escalation or pick-up that happened
    only after ``moment`` is None, so a deadline is the one in force at ``moment``.
    """

    def known(column: Any) -> Any:
        return case((column < moment, column), else_=None)

    # The clocks read in the parts themselves (with the id, so each claim is one row): kept as
    # ``Claim.id IN (the parts)``, PostgreSQL hashed the few thousand ids and read all the
    # claims to find them again (at ten million orders 102 ms against 12 ms so).
    parts = _open_by_parts(
        moment,
        Claim.id,
        Claim.filed_at.label("filed_at"),
        known(Claim.escalated_at).label("escalated_at"),
        known(Claim.picked_up_at).label("picked_up_at"),
    ).subquery("open_claim")
    rows = executor.execute(
        select(parts.c.filed_at, parts.c.escalated_at, parts.c.picked_up_at)
    ).all()
    return pd.DataFrame(rows, columns=["filed_at", "escalated_at", "picked_up_at"])


def _latest_amount(open_claim: Any, moment: datetime) -> Any:
    """The amount of the latest recommendation made before ``moment`` for each row of
    ``open_claim`` (a subquery with the claims' ``id``), NULL where none was made yet.

    Driven by the open claims' ids, each looking up its latest recommendation through the
    (claim_id, id) index: joined the other way round, PostgreSQL hashed every claim and every
    recommendation for the few thousand open ones."""
    earlier = aliased(Recommendation)
    latest = (
        select(func.max(earlier.id))
        .where(earlier.claim_id == open_claim.c.id, earlier.created_at < moment)
        .correlate(open_claim)
        .scalar_subquery()
    )
    return (
        select(Recommendation.amount_cents)
        .where(Recommendation.id == latest)
        .correlate(open_claim)
        .scalar_subquery()
    )


def pending_liability(executor: Executor, moment: datetime) -> tuple[int, int]:
    """``(claims, cents)``: the open claims at ``moment`` with a recommendation, and the sum of
    their latest recommended amounts."""
    open_claim = open_claim_ids(moment).subquery("open_claim")
    amount = _latest_amount(open_claim, moment)
    amounts = select(amount.label("amount")).select_from(open_claim).subquery()
    query = select(
        func.count(amounts.c.amount),  # the claims without a recommendation then: NULL, left out
        cast(func.coalesce(func.sum(amounts.c.amount), 0), BigInteger),
    )
    claims, cents = executor.execute(query).one()
    return int(claims), int(cents)


@dataclass(frozen=True, slots=True)
class OpenAt:
    """The claims open at an instant, for the exposure: the ids of their orders (sorted, each
    once: the orders they keep live) and the pending liability (``pending_liability``)."""

    order_ids: list[int]
    pending: tuple[int, int]


def open_at(executor: Executor, moment: datetime) -> OpenAt:
    """The claims open at ``moment`` read once for both what the exposure needs of them: its
    page asks at thirteen instants (now and the trend's month ends), and found by parts each
    costs as much as the rest of the query (ten million orders, SQLite: 25 ms)."""
    open_claim = open_claims_and_orders(moment).subquery("open_claim")
    rows = executor.execute(select(open_claim.c.order_id, _latest_amount(open_claim, moment))).all()
    amounts = [int(amount) for _, amount in rows if amount is not None]
    return OpenAt(sorted({int(order_id) for order_id, _ in rows}), (len(amounts), sum(amounts)))


def refunds_approved(executor: Executor, start: datetime, end: datetime) -> tuple[int, int]:
    """``(claims, cents)`` of the refunds approved in ``[start, end)``."""
    refunds = approved_refunds()
    query = select(
        func.count(), cast(func.coalesce(func.sum(refunds.c.amount_cents), 0), BigInteger)
    ).where(refunds.c.decided_at >= start, refunds.c.decided_at < end)
    claims, cents = executor.execute(query).one()
    return int(claims), int(cents)


def refunds_by_period(
    executor: Executor, start: datetime, end: datetime, zone: str, grain: Grain
) -> pd.DataFrame:
    """Refunds approved in ``[start, end)`` per week or month of approval: ``period, claims,
    refunded_cents``."""
    refunds = approved_refunds()
    period = period_start(local_day(refunds.c.decided_at, zone), grain).label("period")
    query = (
        select(
            period,
            func.count().label("claims"),
            cast(func.sum(refunds.c.amount_cents), BigInteger).label("refunded_cents"),
        )
        .where(refunds.c.decided_at >= start, refunds.c.decided_at < end)
        .group_by(period)
        .order_by(period)
    )
    frame = pd.DataFrame(
        executor.execute(query).all(), columns=["period", "claims", "refunded_cents"]
    )
    frame["period"] = [_day(value) for value in frame["period"]]
    return frame.astype({"claims": "int64", "refunded_cents": "int64"})


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
