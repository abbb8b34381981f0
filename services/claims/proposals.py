"""Pending four-eyes proposals lapse when the recommendation they answered changes.

A proposal (``rules.lifecycle``) answers one stored recommendation. If a write stores a new
recommendation that differs in substance (an import moving a ship date, a refund on another
claim of the order, the daily recompute), confirming the old verdict would make final a payout
decided on figures that no longer stand. So the claim leaves ``awaiting_second_approval`` for
the stage its dispute clock had reached, the proposal stays in the history (decisions are
append-only), an audit event records why, and the queue shows the claim as returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.claim_facts import (
    DecisionChainRow,
    decision_chains,
    latest_recommendations,
    stored_recommendation,
)
from data_access.models import Claim
from rules import (
    ClaimStatus,
    PastDecision,
    Policy,
    same_substance,
    standing,
    status_after_lapse,
)
from services import audit
from services.auth import Actor
from services.claims.deadlines import refresh_due
from services.claims.stored import as_recommendation, describe

__all__ = ["lapse_stale_proposals", "past_decisions"]


def past_decisions(rows: Sequence[DecisionChainRow]) -> list[PastDecision]:
    """Stored decision rows as the life cycle's frozen values."""
    return [
        PastDecision(
            seq=row.seq,
            reviewer_id=row.reviewer_id,
            approve=row.verdict == "approve",
            amount_cents=row.amount_cents,
            kind=row.kind,  # type: ignore[arg-type]  # PastDecision converts the stored string
            recommendation_id=row.recommendation_id,
        )
        for row in rows
    ]


def lapse_stale_proposals(
    session: Session,
    claim_ids: Sequence[int],
    *,
    now: datetime,
    actor: Actor,
    policy: Policy,
) -> int:
    """Lapse the pending proposals of ``claim_ids`` whose recommendation has since changed in
    substance; returns how many lapsed. Runs in the caller's transaction."""
    ids = sorted(set(claim_ids))
    if not ids:
        return 0
    awaiting = (
        session.execute(
            select(Claim)
            .where(Claim.id.in_(ids), Claim.status == ClaimStatus.AWAITING_SECOND_APPROVAL.value)
            .with_for_update()
        )
        .scalars()
        .all()
    )
    if not awaiting:
        return 0
    chains = decision_chains(session, [c.id for c in awaiting])
    latest = latest_recommendations(session, [c.id for c in awaiting])
    lapsed: list[int] = []
    for claim in awaiting:
        pending = standing(claim.status, past_decisions(chains.get(claim.id, [])), None).pending
        stored = latest.get(claim.id)
        if pending is None or stored is None:
            continue
        current = as_recommendation(stored)
        answered = (
            None
            if pending.recommendation_id is None
            else stored_recommendation(session, pending.recommendation_id)
        )
        if answered is not None and same_substance(as_recommendation(answered), current):
            continue
        before = claim.status
        claim.status = status_after_lapse(
            escalated=claim.escalated_at is not None, picked_up=claim.picked_up_at is not None
        ).value
        lapsed.append(claim.id)
        audit.record(
            session,
            actor,
            "claim_proposal_lapsed",
            "claim",
            claim.id,
            before={"status": before, "proposal_seq": pending.seq},
            after={
                "status": claim.status,
                "claim": claim.external_id,
                "answered_recommendation_id": pending.recommendation_id,
                "recommendation": describe(current),
            },
            at=now,
        )
    if lapsed:
        session.flush()
        refresh_due(session, lapsed, policy, now)
    return len(lapsed)
