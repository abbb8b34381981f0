"""Every decision with its claim, order, supplier, reviewer and the recommendation it answered.

Feeds ``assurance export decisions`` and the queue's download: streamed in keyset-paginated
chunks by decision id, so memory stays bounded however many decisions there are.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select

from data_access.claim_facts import DEFAULT_CHUNK_SIZE, Executor
from data_access.models import Claim, Decision, Order, Recommendation, Supplier, User

__all__ = ["DecisionExportRow", "decision_export_chunks"]


class DecisionExportRow(NamedTuple):
    decision_id: int
    claim_external_id: str
    order_external_id: str
    supplier_external_id: str
    supplier_name: str
    claim_kind: str
    claim_status: str
    seq: int
    decision_kind: str
    verdict: str
    amount_cents: int
    cap_cents: int
    currency: str
    recommendation_action: str | None
    recommendation_amount_cents: int | None
    recommendation_cap_cents: int | None
    policy_version: str | None
    reviewer_email: str
    reviewer_name: str
    decided_at: datetime
    note: str


def decision_export_chunks(
    executor: Executor, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> Iterator[list[DecisionExportRow]]:
    """All decisions ordered by id, in chunks of at most ``chunk_size``."""
    if chunk_size <= 0:
        raise ValueError(f"chunk_size must be positive, got {chunk_size}")
    base = (
        select(
            Decision.id,
            Claim.external_id,
            Order.external_id,
            Supplier.external_id,
            Supplier.name,
            Claim.kind,
            Claim.status,
            Decision.seq,
            Decision.kind,
            Decision.verdict,
            Decision.amount_cents,
            Decision.cap_cents,
            Order.currency,
            Recommendation.action,
            Recommendation.amount_cents,
            Recommendation.cap_cents,
            Recommendation.policy_version,
            User.email,
            User.display_name,
            Decision.decided_at,
            Decision.note,
        )
        .join(Claim, Claim.id == Decision.claim_id)
        .join(Order, Order.id == Claim.order_id)
        .join(Supplier, Supplier.id == Order.supplier_id)
        .join(User, User.id == Decision.reviewer_id)
        .outerjoin(Recommendation, Recommendation.id == Decision.recommendation_id)
    )
    after = 0
    while True:
        query = base.where(Decision.id > after).order_by(Decision.id).limit(chunk_size)
        rows = [DecisionExportRow._make(row) for row in executor.execute(query).all()]
        if not rows:
            return
        yield rows
        if len(rows) < chunk_size:
            return
        after = rows[-1].decision_id
