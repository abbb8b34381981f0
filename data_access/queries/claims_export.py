"""Every claim with its order, parties, decisions and latest recommendation, in id order chunks.

Feeds ``assurance export claims``: streamed in keyset-paginated chunks so memory stays bounded
however many claims there are. Values are primitives; formatting is the service's business.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from data_access.claim_facts import (
    DEFAULT_CHUNK_SIZE,
    Executor,
    StoredRecommendation,
    latest_recommendations,
)
from data_access.models import Buyer, Claim, Decision, Order, Supplier, User

__all__ = ["ClaimExportRow", "claim_export_chunks"]


class ClaimExportRow(NamedTuple):
    claim_id: int
    claim_external_id: str
    order_external_id: str
    supplier_external_id: str
    supplier_name: str
    buyer_name: str
    kind: str
    status: str
    filed_at: datetime
    claimed_amount_cents: int
    supplier_response: str
    escalated_at: datetime | None
    picked_up_at: datetime | None
    currency: str
    order_amount_cents: int
    covered_amount_cents: int
    paid_amount_cents: int
    ship_by: date
    shipped_at: datetime | None
    delivered_at: datetime | None
    cancelled_at: datetime | None
    #: The claim's latest decision: the final one, or a proposal (pending or lapsed).
    decision_kind: str | None
    decision_verdict: str | None
    decision_amount_cents: int | None
    decision_reviewer_email: str | None
    decided_at: datetime | None
    #: For a confirmation: who made the proposal it confirmed, and when.
    proposer_email: str | None
    proposed_at: datetime | None
    decision_count: int


def claim_export_chunks(
    executor: Executor, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> Iterator[list[tuple[ClaimExportRow, StoredRecommendation | None]]]:
    """All claims ordered by id, each with its latest recommendation (None if it has none)."""
    if chunk_size <= 0:
        raise ValueError(f"chunk_size must be positive, got {chunk_size}")
    last, proposal = aliased(Decision), aliased(Decision)
    reviewer, proposer = aliased(User), aliased(User)
    last_seq = (
        select(func.max(Decision.seq))
        .where(Decision.claim_id == Claim.id)
        .correlate(Claim)
        .scalar_subquery()
    )
    count = (
        select(func.count())
        .select_from(Decision)
        .where(Decision.claim_id == Claim.id)
        .correlate(Claim)
        .scalar_subquery()
    )
    base = (
        select(
            Claim.id,
            Claim.external_id,
            Order.external_id,
            Supplier.external_id,
            Supplier.name,
            Buyer.name,
            Claim.kind,
            Claim.status,
            Claim.filed_at,
            Claim.claimed_amount_cents,
            Claim.supplier_response,
            Claim.escalated_at,
            Claim.picked_up_at,
            Order.currency,
            Order.order_amount_cents,
            Order.covered_amount_cents,
            Order.paid_amount_cents,
            Order.ship_by,
            Order.shipped_at,
            Order.delivered_at,
            Order.cancelled_at,
            last.kind,
            last.verdict,
            last.amount_cents,
            reviewer.email,
            last.decided_at,
            proposer.email,
            proposal.decided_at,
            count,
        )
        .join(Order, Order.id == Claim.order_id)
        .join(Supplier, Supplier.id == Order.supplier_id)
        .join(Buyer, Buyer.id == Order.buyer_id)
        # (claim_id, seq) is unique, so each outer join adds at most one row.
        .outerjoin(last, and_(last.claim_id == Claim.id, last.seq == last_seq))
        .outerjoin(reviewer, reviewer.id == last.reviewer_id)
        .outerjoin(
            proposal,
            and_(
                proposal.claim_id == Claim.id,
                proposal.seq == last.seq - 1,
                last.kind == "confirmation",
            ),
        )
        .outerjoin(proposer, proposer.id == proposal.reviewer_id)
    )
    after = 0
    while True:
        query = base.where(Claim.id > after).order_by(Claim.id).limit(chunk_size)
        rows = [ClaimExportRow._make(row) for row in executor.execute(query).all()]
        if not rows:
            return
        latest = latest_recommendations(executor, [row.claim_id for row in rows])
        yield [(row, latest.get(row.claim_id)) for row in rows]
        if len(rows) < chunk_size:
            return
        after = rows[-1].claim_id
