"""What a reviewer is told when a verdict cannot be recorded (``services.claims.decide``):
each error's message is safe to show, and who decided first is named from the decisions."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.models import Claim, Decision, User
from rules import ClaimStatus, DecisionKind, Recommendation, format_money
from services import clock
from services.auth import Actor

__all__ = [
    "AlreadyDecided",
    "DecisionError",
    "DecisionNotSaved",
    "RecommendationChanged",
    "changed",
    "decided_message",
    "verdict_text",
]


class DecisionError(Exception):
    """A decision that cannot be recorded; the message is safe to show the reviewer."""


class AlreadyDecided(DecisionError):
    """Someone else decided first; the message names who and when.

    ``str()`` writes the time in UTC (for logs); :meth:`told` in the reader's time zone, as the
    screens write every time.
    """

    def __init__(
        self, before: str, at: datetime | None, after: str, decided_by: str | None = None
    ) -> None:
        self.before, self.at, self.after = before, at, after
        self.decided_by = decided_by
        super().__init__(self.told(UTC))

    def told(self, zone: tzinfo) -> str:
        """The message with its time written in ``zone`` (UTC says so)."""
        if self.at is None:
            return f"{self.before}{self.after}"
        when = clock.written(self.at, zone) + (" UTC" if zone is UTC else "")
        return f"{self.before}{when}{self.after}"


class RecommendationChanged(DecisionError):
    """The recommendation moved since the reviewer looked; the new one is stored."""


class DecisionNotSaved(DecisionError):
    """The database connection failed mid-decision; the transaction was rolled back whole."""


def verdict_text(approve: bool, amount_cents: int) -> str:
    return f"approved {format_money(amount_cents)}" if approve else "rejected"


def decided_message(session: Session, claim: Claim, actor: Actor) -> AlreadyDecided:
    """Who decided ``claim`` and when, from the decisions and users tables."""
    rows = session.execute(
        select(
            Decision.kind,
            Decision.verdict,
            Decision.amount_cents,
            Decision.decided_at,
            User.display_name,
            User.id,
        )
        .join(User, User.id == Decision.reviewer_id)
        .where(Decision.claim_id == claim.id)
        .order_by(Decision.seq)
    ).all()
    ref = claim.external_id
    if not rows:
        on = " on " if claim.decided_at else ""
        return AlreadyDecided(f"{ref} was already {claim.status}{on}", claim.decided_at, ".")
    kind, verdict, amount, at, name, user_id = rows[-1]
    who = "you" if user_id == actor.user_id else name
    said = verdict_text(verdict == "approve", amount)
    if claim.status == ClaimStatus.AWAITING_SECOND_APPROVAL:
        return AlreadyDecided(
            f"{who[:1].upper() + who[1:]} proposed a verdict on {ref} on ",
            at,
            f" ({said}); it now waits for a second, different reviewer.",
            decided_by=name,
        )
    if kind == DecisionKind.CONFIRMATION and len(rows) > 1:
        proposer = rows[-2][4]
        return AlreadyDecided(
            f"{ref} was already decided: {said} by {who} on ",
            at,
            f", confirming the proposal of {proposer}.",
            decided_by=name,
        )
    return AlreadyDecided(f"{ref} was already decided: {said} by {who} on ", at, ".", name)


def changed(ref: str, rec: Recommendation, why: str) -> RecommendationChanged:
    now_word = "now " if why.startswith("changed") else ""
    return RecommendationChanged(
        f"The recommendation for {ref} {why}: {now_word}{rec.action.words}, "
        f"{format_money(rec.amount_cents)} of a {format_money(rec.cap_cents)} cap. "
        "Review it and decide again."
    )
