"""Taking a claim: a reviewer assigns it to themselves (the dispute team's pick-up)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from data_access.engine import write_session
from data_access.models import Claim
from rules import Policy, claim_deadlines, may_take, status_after_pickup
from services import audit, clock
from services.auth import Actor, Permission, authorize
from services.claims.deadlines import refresh_due
from services.claims.decide import DecisionError

__all__ = ["assign_claim"]


def _state(claim: Claim) -> dict[str, object]:
    return {
        "assignee_id": claim.assignee_id,
        "status": claim.status,
        "picked_up_at": None if claim.picked_up_at is None else claim.picked_up_at.isoformat(),
    }


def assign_claim(
    factory: sessionmaker[Session], actor: Actor, claim_id: int, now: datetime, policy: Policy
) -> str:
    """Take a claim: assign it to ``actor``. Returns a message safe to show.

    Taking an escalated claim (escalated by the buyer, or automatically by the dispute clock)
    is the dispute team's pick-up: it moves to ``in_review`` and its clock to the decision due.
    """
    with write_session(factory) as session:
        actor = authorize(session, actor, Permission.DECIDE_CLAIM)
        claim = session.execute(
            select(Claim).where(Claim.id == claim_id).with_for_update()
        ).scalar_one_or_none()
        if claim is None:
            raise DecisionError("This claim does not exist.")
        if not may_take(claim.status):
            raise DecisionError(f"{claim.external_id} is {claim.status}; there is nothing to take.")
        before = _state(claim)
        claim.assignee_id = actor.user_id
        if claim.picked_up_at is None:
            deadlines = claim_deadlines(
                claim.filed_at, claim.escalated_at, None, policy, clock.zone()
            )
            escalated = claim.status == "escalated" or now >= deadlines.auto_escalation_at
            if escalated:
                claim.picked_up_at = now
            claim.status = status_after_pickup(claim.status, escalated_now=escalated).value
        after = _state(claim)
        if after == before:
            return f"{claim.external_id} is already yours."
        session.flush()
        refresh_due(session, [claim.id], policy, now)
        audit.record(
            session, actor, "claim_assigned", "claim", claim.id, before=before, after=after, at=now
        )
        return f"{claim.external_id} is now assigned to you."
