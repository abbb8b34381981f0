"""Bulk reads of what the rules module needs about claims, and of their latest recommendations.

Rows are plain tuples of primitives (aware UTC datetimes, dates, ints, strings): this package
never imports ``rules``, so the services turn them into ``ClaimFacts``/``OrderFacts``.

*Refunds approved* on an order are the amounts of the final decisions (kind ``sole`` or
``confirmation``, one per decided claim) of its claims whose status is ``approved``; *already
refunded*, for one claim, counts the order's **other** claims. An approved claim without
decision rows (e.g. imported as history) counts 0, because its amount is unknown.

*Latest recommendation* of a claim is the one with the greatest ``id``: ids come from the
database in insertion order, whereas ``created_at`` is a client's clock, and a server whose
clock runs behind must not make an older row look newer. Every reader of "the current
recommendation" uses :func:`latest_recommendations` (or orders by id) so the queue, the claim
page, the export and recomputation agree.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, ColumnElement, Connection, cast, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from data_access.models import (
    UNDECIDED_CLAIM_STATUSES,
    Claim,
    Decision,
    Order,
    Recommendation,
)
from data_access.queries.refunds import approved_refunds, refunded_by_order
from data_access.sql import ids_in

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "STORED_RECOMMENDATION_COLUMNS",
    "ClaimFactsRow",
    "DecisionChainRow",
    "Executor",
    "StoredRecommendation",
    "already_refunded_cents",
    "approved_refunds_by_order",
    "claim_facts_for",
    "connection_of",
    "decision_chain",
    "decision_chains",
    "latest_recommendations",
    "stored_recommendation",
    "undecided_claim_facts",
    "undecided_claim_ids",
]

#: Claims per query: large enough to amortise round trips, small enough for bounded memory and
#: statements of modest size (ids are inlined, see ``sql.ids_in``).
DEFAULT_CHUNK_SIZE = 5_000

Executor = Session | Connection


def connection_of(executor: Executor) -> Connection:
    """The connection ``executor`` runs on (a session's, in its transaction)."""
    return executor.connection() if isinstance(executor, Session) else executor


class ClaimFactsRow(NamedTuple):
    claim_id: int
    kind: str
    filed_at: datetime
    claimed_amount_cents: int
    supplier_response: str
    inspection_report: bool
    defect_rate_bp: int | None
    conforming: bool | None
    inspection_fee_cents: int
    covered_amount_cents: int
    paid_amount_cents: int
    already_refunded_cents: int
    ship_by: date
    shipped_at: datetime | None
    delivered_at: datetime | None
    cancelled_at: datetime | None


class DecisionChainRow(NamedTuple):
    """One decision as the life cycle (rules.lifecycle.PastDecision) needs it."""

    claim_id: int
    seq: int
    reviewer_id: int
    verdict: str
    amount_cents: int
    kind: str
    recommendation_id: int | None


class StoredRecommendation(NamedTuple):
    id: int
    claim_id: int
    policy_version: str
    action: str
    amount_cents: int
    cap_cents: int
    reasons: list[dict[str, str]]
    four_eyes_required: bool
    created_at: datetime


#: The columns of a :class:`StoredRecommendation`, in its field order, for every reader of one.
STORED_RECOMMENDATION_COLUMNS = tuple(
    getattr(Recommendation, name) for name in StoredRecommendation._fields
)


def stored_recommendation(
    executor: Executor, recommendation_id: int
) -> StoredRecommendation | None:
    query = select(*STORED_RECOMMENDATION_COLUMNS).where(Recommendation.id == recommendation_id)
    row = executor.execute(query).one_or_none()
    return None if row is None else StoredRecommendation._make(row)


def already_refunded_cents() -> Any:
    """A scalar subquery correlated to ``Claim``: refunds approved on the order's other claims
    (``data_access.queries.refunds``, the one definition of a refund)."""
    refunds = approved_refunds()
    return (
        # SUM(bigint) is NUMERIC on PostgreSQL; cast back so the driver returns an int.
        select(cast(func.coalesce(func.sum(refunds.c.amount_cents), 0), BigInteger))
        .where(refunds.c.order_id == Claim.order_id, refunds.c.claim_id != Claim.id)
        .correlate(Claim)
        .scalar_subquery()
    )


def approved_refunds_by_order(executor: Executor, order_ids: Sequence[int]) -> dict[int, int]:
    """Refunds approved on each given order (see the module docstring); orders without any are
    absent. One query per chunk of ids."""
    ids = sorted({int(i) for i in order_ids})
    totals: dict[int, int] = {}
    by_order = refunded_by_order()
    for start in range(0, len(ids), DEFAULT_CHUNK_SIZE):
        chunk = ids[start : start + DEFAULT_CHUNK_SIZE]
        query = select(by_order.c.order_id, by_order.c.refunded_cents).where(
            ids_in(by_order.c.order_id, chunk)
        )
        totals.update({int(o): int(t) for o, t in executor.execute(query).all()})
    return totals


def decision_chains(
    executor: Executor, claim_ids: Sequence[int]
) -> dict[int, list[DecisionChainRow]]:
    """Each given claim's decisions in ``seq`` order; claims without any are absent."""
    ids = sorted({int(i) for i in claim_ids})
    chains: dict[int, list[DecisionChainRow]] = {}
    for start in range(0, len(ids), DEFAULT_CHUNK_SIZE):
        query = (
            select(
                Decision.claim_id,
                Decision.seq,
                Decision.reviewer_id,
                Decision.verdict,
                Decision.amount_cents,
                Decision.kind,
                Decision.recommendation_id,
            )
            .where(ids_in(Decision.claim_id, ids[start : start + DEFAULT_CHUNK_SIZE]))
            .order_by(Decision.claim_id, Decision.seq)
        )
        for row in executor.execute(query).all():
            chains.setdefault(row.claim_id, []).append(DecisionChainRow._make(row))
    return chains


def decision_chain(executor: Executor, claim_id: int) -> list[DecisionChainRow]:
    """The claim's decisions in ``seq`` order."""
    return decision_chains(executor, [claim_id]).get(claim_id, [])


def fact_columns(already_refunded: ColumnElement[Any]) -> tuple[Any, ...]:
    """The columns of a ``ClaimFactsRow``, in its order; ``already_refunded`` is how the caller
    counts the refunds on the order's other claims (a correlated subquery here, a second
    linear query in the policy simulator). Needs the claim joined to its order."""
    return (
        Claim.id,
        Claim.kind,
        Claim.filed_at,
        Claim.claimed_amount_cents,
        Claim.supplier_response,
        Claim.inspection_report,
        Claim.defect_rate_bp,
        Claim.conforming,
        Claim.inspection_fee_cents,
        Order.covered_amount_cents,
        Order.paid_amount_cents,
        already_refunded,
        Order.ship_by,
        Order.shipped_at,
        Order.delivered_at,
        Order.cancelled_at,
    )


def _facts_query() -> Select[Any]:
    return select(*fact_columns(already_refunded_cents())).join(Order, Order.id == Claim.order_id)


def undecided_claim_ids(executor: Executor) -> list[int]:
    """Ids of every undecided claim, ascending.

    Fetched once, then the facts are read by id chunks: paginating the facts query itself
    (``status IN (...) AND id > ? ORDER BY id LIMIT n``) makes SQLite walk the status index and
    sort every remaining undecided claim for each chunk — quadratic in the number of claims.
    """
    query = select(Claim.id).where(Claim.status.in_(UNDECIDED_CLAIM_STATUSES)).order_by(Claim.id)
    return list(executor.execute(query).scalars())


def claim_facts_for(
    executor: Executor,
    claim_ids: Sequence[int],
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    *,
    undecided_only: bool = False,
) -> list[ClaimFactsRow]:
    """The facts of the given claims, ordered by claim id; unknown ids are skipped, and so are
    decided claims when ``undecided_only`` (one decided since its id was read, for instance)."""
    ids = sorted(set(claim_ids))
    rows: list[ClaimFactsRow] = []
    for start in range(0, len(ids), chunk_size):
        query = _facts_query().where(ids_in(Claim.id, ids[start : start + chunk_size]))
        if undecided_only:
            query = query.where(Claim.status.in_(UNDECIDED_CLAIM_STATUSES))
        rows.extend(
            ClaimFactsRow._make(row) for row in executor.execute(query.order_by(Claim.id)).all()
        )
    return rows


def undecided_claim_facts(
    executor: Executor, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> Iterator[list[ClaimFactsRow]]:
    """The facts of every undecided claim, in chunks of at most ``chunk_size``, by claim id."""
    if chunk_size <= 0:
        raise ValueError(f"chunk_size must be positive, got {chunk_size}")
    ids = undecided_claim_ids(executor)
    for start in range(0, len(ids), chunk_size):
        rows = claim_facts_for(executor, ids[start : start + chunk_size], undecided_only=True)
        if rows:
            yield rows


def latest_recommendations(
    executor: Executor, claim_ids: Sequence[int], chunk_size: int = DEFAULT_CHUNK_SIZE
) -> dict[int, StoredRecommendation]:
    """Each given claim's latest recommendation (see the module docstring), by claim id.

    One query per ``chunk_size`` ids. Claims without a recommendation are absent.
    """
    rank = (
        func.row_number()
        .over(
            partition_by=Recommendation.claim_id,
            order_by=Recommendation.id.desc(),
        )
        .label("rank")
    )
    latest: dict[int, StoredRecommendation] = {}
    ids = list(claim_ids)
    for start in range(0, len(ids), chunk_size):
        ranked = (
            select(*STORED_RECOMMENDATION_COLUMNS, rank)
            .where(ids_in(Recommendation.claim_id, ids[start : start + chunk_size]))
            .subquery()
        )
        columns = [ranked.c[name] for name in StoredRecommendation._fields]
        for row in executor.execute(select(*columns).where(ranked.c.rank == 1)).all():
            stored = StoredRecommendation._make(row)
            latest[stored.claim_id] = stored
    return latest
