"""Everything a reviewer needs to decide one claim, as frozen values for the claim page.

The order's timeline (with the dispute clock's deadlines), the evidence, the supplier's record,
the latest recommendation with its reasons and cap, the decisions and audit events, and what the
viewer may do now (decide the first or the second stage, or why not).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any, Literal

from sqlalchemy import Engine

from data_access.models import UNDECIDED_CLAIM_STATUSES
from data_access.queries import claim_detail as q
from rules import MonitoringTier, Policy, claim_deadlines, format_money
from services.figures.suppliers import standing_at

__all__ = [
    "AuditItem",
    "ClaimView",
    "DecisionItem",
    "RecommendationView",
    "SupplierRecord",
    "TimelineEntry",
    "load_claim",
]

Stage = Literal["first", "second"]


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    event: str
    detail: str = ""
    #: A calendar day rather than an instant (the ship-by date): show the date only.
    day_only: bool = False
    #: A deadline of the dispute clock rather than something that happened.
    deadline: bool = False
    #: The deadline governing the claim's current stage.
    is_next: bool = False


@dataclass(frozen=True, slots=True)
class RecommendationView:
    id: int
    action: str
    amount_cents: int
    cap_cents: int
    reasons: tuple[tuple[str, str], ...]
    four_eyes_required: bool
    policy_version: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DecisionItem:
    stage: str
    reviewer_id: int
    reviewer_name: str
    verdict: str
    amount_cents: int
    cap_cents: int
    note: str
    decided_at: datetime


@dataclass(frozen=True, slots=True)
class AuditItem:
    at: datetime
    who: str
    action: str
    summary: str


@dataclass(frozen=True, slots=True)
class SupplierRecord:
    window_days: int
    orders_due: int
    orders_late: int
    orders_placed: int
    claims_filed: int
    limit_cents: int
    exposure_cents: int
    tier: MonitoringTier | None

    @property
    def headroom_cents(self) -> int:
        return self.limit_cents - self.exposure_cents


@dataclass(frozen=True, slots=True)
class ClaimView:
    claim_id: int
    claim_external_id: str
    kind: str
    status: str
    filed_at: datetime
    claimed_amount_cents: int
    currency: str
    description: str
    inspection_report: bool
    defect_rate_bp: int | None
    conforming: bool | None
    inspection_fee_cents: int
    supplier_response: str
    assignee_id: int | None
    assignee_name: str | None
    order_external_id: str
    category: str
    payment_method: str
    order_amount_cents: int
    covered_amount_cents: int
    paid_amount_cents: int
    supplier_external_id: str
    supplier_name: str
    supplier_country: str
    supplier_tier: str
    buyer_name: str
    buyer_country: str
    timeline: tuple[TimelineEntry, ...]
    supplier_record: SupplierRecord
    recommendation: RecommendationView | None
    recommendation_count: int
    decisions: tuple[DecisionItem, ...]
    audit: tuple[AuditItem, ...]
    #: The stage the viewer may decide now, or None (then ``decide_blocked`` says why).
    decide_stage: Stage | None
    decide_blocked: str

    @property
    def undecided(self) -> bool:
        return self.status in UNDECIDED_CLAIM_STATUSES

    @property
    def first_decision(self) -> DecisionItem | None:
        return next((d for d in self.decisions if d.stage == "first"), None)


_DEADLINE_EVENTS = {
    "supplier_response_due": "Supplier response due",
    "auto_escalation_at": "Automatic escalation",
    "pickup_due": "Pick-up due",
    "decision_due": "Decision due",
}


def _money(cents: int, currency: str) -> str:
    return format_money(cents, currency)


def _timeline(
    row: q.ClaimDetailRow,
    decisions: list[q.DecisionRow],
    policy: Policy,
    now: datetime,
) -> tuple[TimelineEntry, ...]:
    cur = row.currency
    entries = [
        TimelineEntry(row.placed_at, "Order placed", f"{_money(row.order_amount_cents, cur)}"),
        TimelineEntry(
            datetime.combine(row.ship_by, time(23, 59, 59), tzinfo=UTC),
            "Ship-by date",
            "",
            day_only=True,
        ),
    ]
    if row.shipped_at is not None:
        late = (row.shipped_at.date() - row.ship_by).days
        detail = f"{late} day{'s' if late != 1 else ''} after the ship-by date" if late > 0 else ""
        entries.append(TimelineEntry(row.shipped_at, "Shipped", detail))
    if row.delivered_at is not None:
        entries.append(TimelineEntry(row.delivered_at, "Delivered"))
    if row.cancelled_at is not None:
        entries.append(TimelineEntry(row.cancelled_at, "Order cancelled"))
    entries.append(
        TimelineEntry(
            row.filed_at,
            "Claim filed",
            f"{row.kind.replace('_', ' ')}, {_money(row.claimed_amount_cents, cur)} claimed",
        )
    )
    if row.supplier_responded_at is not None:
        entries.append(
            TimelineEntry(row.supplier_responded_at, f"Supplier {row.supplier_response}")
        )
    if row.escalated_at is not None:
        entries.append(TimelineEntry(row.escalated_at, "Escalated to the dispute team"))
    if row.picked_up_at is not None:
        entries.append(TimelineEntry(row.picked_up_at, "Picked up for review"))
    for d in decisions:
        verdict = (
            f"approved {_money(d.amount_cents, cur)}" if d.verdict == "approve" else "rejected"
        )
        stage = "First decision" if d.stage == "first" else "Second decision"
        entries.append(TimelineEntry(d.decided_at, stage, f"{verdict} by {d.reviewer_name}"))
    if row.withdrawn_at is not None:
        entries.append(TimelineEntry(row.withdrawn_at, "Withdrawn by the buyer"))
    if row.status in UNDECIDED_CLAIM_STATUSES:
        clock = claim_deadlines(row.filed_at, row.escalated_at, row.picked_up_at, policy)
        responded = row.supplier_response != "none"
        next_label, _ = clock.next_deadline(now, supplier_responded=responded)
        shown = ["decision_due"]
        if row.picked_up_at is None:
            shown.insert(0, "pickup_due")
        if row.escalated_at is None and row.picked_up_at is None:
            shown.insert(0, "auto_escalation_at")
            if not responded:
                shown.insert(0, "supplier_response_due")
        for label in shown:
            entries.append(
                TimelineEntry(
                    getattr(clock, label),
                    _DEADLINE_EVENTS[label],
                    deadline=True,
                    is_next=label == next_label,
                )
            )
    entries.sort(key=lambda e: (e.at, e.deadline))
    return tuple(entries)


def _audit_summary(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    before, after = before or {}, after or {}
    parts = []
    if before.get("status") != after.get("status") and "status" in after:
        parts.append(f"status {before.get('status', '–')} → {after['status']}")
    if "verdict" in after:
        verdict = after["verdict"]
        if verdict == "approve" and "amount_cents" in after:
            parts.append(f"approve {_money(int(after['amount_cents']), 'USD')}")
        else:
            parts.append(str(verdict))
    if "stage" in after:
        parts.append(f"{after['stage']} stage")
    if "assignee_id" in after and before.get("assignee_id") != after.get("assignee_id"):
        parts.append("assigned")
    return ", ".join(parts)


def _decide_state(
    row: q.ClaimDetailRow, decisions: list[q.DecisionRow], viewer_id: int | None
) -> tuple[Stage | None, str]:
    if row.status in ("approved", "rejected"):
        return None, f"This claim is {row.status}; a decided claim is not decided again."
    if row.status == "withdrawn":
        return None, "The buyer withdrew this claim; there is nothing to decide."
    if row.status == "awaiting_second_approval":
        first = next((d for d in decisions if d.stage == "first"), None)
        if first is not None and first.reviewer_id == viewer_id:
            return None, (
                "You recorded the first decision; a second, different reviewer must confirm "
                "or override it."
            )
        return "second", ""
    return "first", ""


def load_claim(
    engine: Engine,
    claim_external_id: str,
    viewer_id: int | None,
    *,
    policy: Policy,
    now: datetime,
) -> ClaimView | None:
    """The claim people call ``claim_external_id`` (e.g. CLM-000123), or None if unknown."""
    with engine.connect() as conn:
        claim_id = q.claim_id_for(conn, claim_external_id)
        if claim_id is None:
            return None
        row = q.claim_detail(conn, claim_id)
        if row is None:  # deleted between the two reads
            return None
        recs = q.recommendation_history(conn, claim_id)
        decisions = q.decision_history(conn, claim_id)
        audit_rows = q.claim_audit_events(conn, claim_id)
        # The supplier's figures come from the one definition the dashboards use.
        record = standing_at(conn, row.supplier_id, now, policy)
    if record is None:  # supplier deleted between the reads
        return None
    latest = recs[0] if recs else None
    stage, blocked = _decide_state(row, decisions, viewer_id)
    return ClaimView(
        claim_id=row.claim_id,
        claim_external_id=row.claim_external_id,
        kind=row.kind,
        status=row.status,
        filed_at=row.filed_at,
        claimed_amount_cents=row.claimed_amount_cents,
        currency=row.currency,
        description=row.description,
        inspection_report=row.inspection_report,
        defect_rate_bp=row.defect_rate_bp,
        conforming=row.conforming,
        inspection_fee_cents=row.inspection_fee_cents,
        supplier_response=row.supplier_response,
        assignee_id=row.assignee_id,
        assignee_name=row.assignee_name,
        order_external_id=row.order_external_id,
        category=row.category,
        payment_method=row.payment_method,
        order_amount_cents=row.order_amount_cents,
        covered_amount_cents=row.covered_amount_cents,
        paid_amount_cents=row.paid_amount_cents,
        supplier_external_id=row.supplier_external_id,
        supplier_name=row.supplier_name,
        supplier_country=row.supplier_country,
        supplier_tier=row.supplier_tier,
        buyer_name=row.buyer_name,
        buyer_country=row.buyer_country,
        timeline=_timeline(row, decisions, policy, now),
        supplier_record=SupplierRecord(
            window_days=policy.monitoring_window_days,
            orders_due=record.orders_due,
            orders_late=record.orders_late,
            orders_placed=record.orders_placed,
            claims_filed=record.claims_filed,
            limit_cents=record.limit_cents,
            exposure_cents=record.exposure_cents,
            tier=record.tier,
        ),
        recommendation=None
        if latest is None
        else RecommendationView(
            id=latest.id,
            action=latest.action,
            amount_cents=latest.amount_cents,
            cap_cents=latest.cap_cents,
            reasons=tuple((r["code"], r["message"]) for r in latest.reasons),
            four_eyes_required=bool(latest.four_eyes_required),
            policy_version=latest.policy_version,
            created_at=latest.created_at,
        ),
        recommendation_count=len(recs),
        decisions=tuple(
            DecisionItem(
                d.stage,
                d.reviewer_id,
                d.reviewer_name,
                d.verdict,
                d.amount_cents,
                d.cap_cents,
                d.note,
                d.decided_at,
            )
            for d in decisions
        ),
        audit=tuple(
            AuditItem(
                a.at, a.actor_name or a.actor_label, a.action, _audit_summary(a.before, a.after)
            )
            for a in audit_rows
        ),
        decide_stage=stage,
        decide_blocked=blocked,
    )
