"""Everything the claim page shows about one claim, read with a handful of indexed queries.

Values are primitives; formatting and rules (deadlines, tiers) are the service's business.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import aliased

from data_access.claim_facts import STORED_RECOMMENDATION_COLUMNS, Executor, StoredRecommendation
from data_access.models import (
    AuditEvent,
    Buyer,
    Claim,
    Decision,
    Order,
    Recommendation,
    Supplier,
    User,
)

__all__ = [
    "AuditRow",
    "ClaimDetailRow",
    "DecisionRow",
    "claim_audit_events",
    "claim_detail",
    "claim_id_for",
    "decision_history",
    "recommendation_history",
]


class ClaimDetailRow(NamedTuple):
    claim_id: int
    claim_external_id: str
    kind: str
    status: str
    filed_at: datetime
    claimed_amount_cents: int
    description: str
    inspection_report: bool
    defect_rate_bp: int | None
    conforming: bool | None
    inspection_fee_cents: int
    supplier_response: str
    supplier_responded_at: datetime | None
    escalated_at: datetime | None
    picked_up_at: datetime | None
    decided_at: datetime | None
    withdrawn_at: datetime | None
    assignee_id: int | None
    assignee_name: str | None
    order_id: int
    order_external_id: str
    category: str
    payment_method: str
    currency: str
    order_amount_cents: int
    covered_amount_cents: int
    paid_amount_cents: int
    placed_at: datetime
    ship_by: date
    shipped_at: datetime | None
    delivered_at: datetime | None
    cancelled_at: datetime | None
    order_status: str
    supplier_id: int
    supplier_external_id: str
    supplier_name: str
    supplier_country: str
    supplier_tier: str
    supplier_limit_cents: int
    buyer_external_id: str
    buyer_name: str
    buyer_country: str


class DecisionRow(NamedTuple):
    id: int
    seq: int
    kind: str
    reviewer_id: int
    reviewer_name: str
    reviewer_email: str
    verdict: str
    amount_cents: int
    cap_cents: int
    note: str
    decided_at: datetime
    recommendation_id: int | None


class AuditRow(NamedTuple):
    at: datetime
    actor_label: str
    actor_name: str | None
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def claim_id_for(executor: Executor, external_id: str) -> int | None:
    """The database id of the claim with this external id (what people call it), or None."""
    found = executor.execute(select(Claim.id).where(Claim.external_id == external_id)).scalar()
    return None if found is None else int(found)


def claim_detail(executor: Executor, claim_id: int) -> ClaimDetailRow | None:
    assignee = aliased(User)
    query = (
        select(
            Claim.id,
            Claim.external_id,
            Claim.kind,
            Claim.status,
            Claim.filed_at,
            Claim.claimed_amount_cents,
            Claim.description,
            Claim.inspection_report,
            Claim.defect_rate_bp,
            Claim.conforming,
            Claim.inspection_fee_cents,
            Claim.supplier_response,
            Claim.supplier_responded_at,
            Claim.escalated_at,
            Claim.picked_up_at,
            Claim.decided_at,
            Claim.withdrawn_at,
            Claim.assignee_id,
            assignee.display_name,
            Order.id,
            Order.external_id,
            Order.category,
            Order.payment_method,
            Order.currency,
            Order.order_amount_cents,
            Order.covered_amount_cents,
            Order.paid_amount_cents,
            Order.placed_at,
            Order.ship_by,
            Order.shipped_at,
            Order.delivered_at,
            Order.cancelled_at,
            Order.status,
            Supplier.id,
            Supplier.external_id,
            Supplier.name,
            Supplier.country,
            Supplier.tier,
            Supplier.limit_cents,
            Buyer.external_id,
            Buyer.name,
            Buyer.country,
        )
        .join(Order, Order.id == Claim.order_id)
        .join(Supplier, Supplier.id == Order.supplier_id)
        .join(Buyer, Buyer.id == Order.buyer_id)
        .outerjoin(assignee, assignee.id == Claim.assignee_id)
        .where(Claim.id == claim_id)
    )
    row = executor.execute(query).one_or_none()
    return None if row is None else ClaimDetailRow._make(row)


def recommendation_history(executor: Executor, claim_id: int) -> list[StoredRecommendation]:
    """Every stored recommendation of the claim, latest first (same order as claim_facts)."""
    query = (
        select(*STORED_RECOMMENDATION_COLUMNS)
        .where(Recommendation.claim_id == claim_id)
        .order_by(Recommendation.id.desc())
    )
    return [StoredRecommendation._make(row) for row in executor.execute(query).all()]


def decision_history(executor: Executor, claim_id: int) -> list[DecisionRow]:
    """The claim's decisions in the order they were made (``seq``)."""
    query = (
        select(
            Decision.id,
            Decision.seq,
            Decision.kind,
            Decision.reviewer_id,
            User.display_name,
            User.email,
            Decision.verdict,
            Decision.amount_cents,
            Decision.cap_cents,
            Decision.note,
            Decision.decided_at,
            Decision.recommendation_id,
        )
        .join(User, User.id == Decision.reviewer_id)
        .where(Decision.claim_id == claim_id)
        .order_by(Decision.seq)
    )
    return [DecisionRow._make(row) for row in executor.execute(query).all()]


def claim_audit_events(executor: Executor, claim_id: int) -> list[AuditRow]:
    """Audit events about the claim, oldest first."""
    query = (
        select(
            AuditEvent.at,
            AuditEvent.actor_label,
            User.display_name,
            AuditEvent.action,
            AuditEvent.before,
            AuditEvent.after,
        )
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.entity_type == "claim", AuditEvent.entity_id == str(claim_id))
        .order_by(AuditEvent.id)
    )
    return [AuditRow._make(row) for row in executor.execute(query).all()]
