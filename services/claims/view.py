"""Everything a reviewer needs to decide one claim, as frozen values for the claim page.

The order's timeline (with the dispute clock's deadlines), the evidence, the supplier's record,
the latest recommendation with its reasons and cap, the decisions and audit events, and what the
viewer may do now (``rules.lifecycle.standing``: decide, confirm or propose, or why not) —
with :func:`preview_verdict` saying what a verdict would do before it is recorded, by the same
rule ``decide_claim`` applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import Engine

from data_access.claim_facts import StoredRecommendation
from data_access.queries import claim_detail as q
from rules import (
    UNDECIDED,
    DecisionKind,
    MonitoringTier,
    PastDecision,
    Policy,
    Refusal,
    Standing,
    Turn,
    rule,
    standing,
)
from services import clock
from services.claims.stored import as_recommendation
from services.claims.timeline import TimelineEntry, claim_timeline
from services.figures.suppliers import standing_at

__all__ = [
    "AuditItem",
    "ClaimView",
    "DecisionItem",
    "RecommendationView",
    "SupplierRecord",
    "TimelineEntry",
    "Turn",
    "VerdictPreview",
    "load_claim",
    "preview_verdict",
]


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
    seq: int
    kind: DecisionKind
    #: A proposal that lapsed because the recommendation it answered changed.
    lapsed: bool
    reviewer_id: int
    reviewer_name: str
    verdict: str
    amount_cents: int
    cap_cents: int
    note: str
    decided_at: datetime


@dataclass(frozen=True, slots=True)
class AuditItem:
    """An audit event about the claim, as stored words and numbers for the page to label."""

    at: datetime
    who: str
    action: str
    status_before: str | None = None
    status_after: str | None = None
    #: For a decision: its verdict, amount and kind (sole, proposal, confirmation).
    verdict: str | None = None
    amount_cents: int | None = None
    decision_kind: str | None = None
    #: The claim was assigned to someone new.
    assigned: bool = False


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
    #: What the viewer may do now, and the pending or lapsed proposal (rules.lifecycle).
    standing: Standing
    #: The programme's time zone: the ship-by date and other calendar days are its days.
    programme_zone: tzinfo

    @property
    def undecided(self) -> bool:
        return self.status in UNDECIDED

    @property
    def turn(self) -> Turn | None:
        return self.standing.turn

    @property
    def pending_proposal(self) -> DecisionItem | None:
        """The proposal waiting for a second reviewer, if any."""
        pending = self.standing.pending
        return None if pending is None else self._item(pending.seq)

    @property
    def lapsed_proposal(self) -> DecisionItem | None:
        """A proposal that lapsed, if the claim is back in review because of one."""
        lapsed = self.standing.lapsed
        return None if lapsed is None else self._item(lapsed.seq)

    def _item(self, seq: int) -> DecisionItem | None:
        return next((d for d in self.decisions if d.seq == seq), None)


def _audit_item(row: q.AuditRow) -> AuditItem:
    before, after = row.before or {}, row.after or {}
    # A status change is shown as before → after; an unchanged status not at all.
    changed = "status" in after and before.get("status") != after["status"]
    amount = after.get("amount_cents")
    return AuditItem(
        at=row.at,
        who=row.actor_name or row.actor_label,
        action=row.action,
        status_before=str(before["status"]) if changed and "status" in before else None,
        status_after=str(after["status"]) if changed else None,
        verdict=None if "verdict" not in after else str(after["verdict"]),
        amount_cents=int(amount) if isinstance(amount, int) else None,
        # "kind" is the decision's kind on a decision event (other events may use the word).
        decision_kind=str(after["kind"])
        if row.action == "claim_decided" and "kind" in after
        else None,
        assigned="assignee_id" in after and before.get("assignee_id") != after.get("assignee_id"),
    )


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
    zone = clock.zone()
    here = standing(row.status, _past(decisions), viewer_id)
    lapsed_seq = None if here.lapsed is None else here.lapsed.seq
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
        timeline=claim_timeline(row, decisions, lapsed_seq, policy, now, zone, recs),
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
                d.seq,
                DecisionKind(d.kind),
                d.seq == lapsed_seq,
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
        audit=tuple(_audit_item(a) for a in audit_rows),
        standing=here,
        programme_zone=zone,
    )


def _past(decisions: list[q.DecisionRow]) -> list[PastDecision]:
    return [
        PastDecision(
            d.seq,
            d.reviewer_id,
            d.verdict == "approve",
            d.amount_cents,
            DecisionKind(d.kind),
            d.recommendation_id,
        )
        for d in decisions
    ]


@dataclass(frozen=True, slots=True)
class VerdictPreview:
    """What a verdict would do, for the page to say before the reviewer commits."""

    #: A verdict the service would refuse (above the cap, the viewer's own proposal, …).
    problem: str | None
    note_required: bool
    note_reason: str
    #: The claim would wait for a second, different reviewer (a proposal).
    waits_for_second: bool
    #: A confirmation: two reviewers then agree and the claim is final.
    confirms: bool


def preview_verdict(
    view: ClaimView, viewer_id: int, approve: bool, amount_cents: int, policy: Policy
) -> VerdictPreview:
    """What ``decide_claim`` would do with this verdict now: ``rules.lifecycle.rule`` on the
    recommendation and decisions the page shows (the service re-checks on fresh facts)."""
    if view.recommendation is None:
        return VerdictPreview(None, False, "", False, False)
    rec = as_recommendation(_stored(view.recommendation))
    past = [
        PastDecision(d.seq, d.reviewer_id, d.verdict == "approve", d.amount_cents, d.kind, None)
        for d in view.decisions
    ]
    ruling = rule(
        view.status, past, viewer_id, approve, amount_cents if approve else 0, rec, policy
    )
    if isinstance(ruling, Refusal):
        return VerdictPreview(ruling.message, False, "", False, False)
    return VerdictPreview(
        None,
        ruling.note_required,
        ruling.note_reason,
        ruling.kind is DecisionKind.PROPOSAL,
        ruling.kind is DecisionKind.CONFIRMATION,
    )


def _stored(rec: RecommendationView) -> StoredRecommendation:
    return StoredRecommendation(
        rec.id,
        0,
        rec.policy_version,
        rec.action,
        rec.amount_cents,
        rec.cap_cents,
        [{"code": code, "message": message} for code, message in rec.reasons],
        rec.four_eyes_required,
        rec.created_at,
    )
