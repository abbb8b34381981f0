"""Use case of the claim reviewer: record a verdict on one claim.

What a verdict does is the life cycle's call (``rules.lifecycle.rule``): a sole decision, a
proposal awaiting a second reviewer, or a confirmation that makes the claim final. This module
adds what needs the database, enforced whatever the page shows:

* The acting user is re-read inside the transaction (``services.auth.authorize``): only an
  active claim reviewer decides.
* The verdict answers the recommendation as it stands *now*: it is recomputed from fresh facts
  in the deciding transaction. If it changed in substance, the new one is stored (lapsing a
  pending proposal that answered the old one) and the verdict is refused, so nobody decides on
  stale numbers. ``shown_recommendation_id`` catches a change stored by someone else after the
  page was drawn.
* Approve: ``0 < amount <= cap`` (None means the recommended amount); reject: no amount. A note
  is required when the verdict departs from the recommendation, or from a pending proposal.
* A final approval spends part of the order's refundable amount, so the order's other undecided
  claims are re-evaluated in the same transaction (and their pending proposals lapse if their
  cap moved).
* Concurrency: the claim and its order are locked (``SELECT … FOR UPDATE`` on PostgreSQL; on
  SQLite ``BEGIN IMMEDIATE`` already serialises writers). ``UNIQUE(claim_id, seq)`` and the
  one-final-decision-per-claim index are the backstops: of two reviewers deciding at once
  exactly one decision is stored and the other is told who decided.

Each decision is one transaction with one ``claim_decided`` audit event; nothing is half-written.
What the reviewer is told when a verdict cannot be recorded is in
``services.claims.decision_errors`` (its errors exported from here too).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from data_access import summaries
from data_access.claim_facts import (
    claim_facts_for,
    decision_chain,
    latest_recommendations,
    stored_recommendation,
)
from data_access.engine import write_session
from data_access.models import Claim, Decision, Order
from rules import (
    FINAL,
    UNDECIDED,
    Action,
    ClaimStatus,
    DecisionKind,
    Policy,
    Recommendation,
    Refusal,
    Turn,
    format_money,
    rule,
    standing,
)
from services import audit, clock
from services.auth import Actor, Permission, authorize
from services.claims.deadlines import refresh_due
from services.claims.decision_errors import (
    AlreadyDecided,
    DecisionError,
    DecisionNotSaved,
    RecommendationChanged,
    changed,
    decided_message,
    verdict_text,
)
from services.claims.proposals import lapse_stale_proposals, past_decisions
from services.claims.recommendations import (
    evaluate,
    refresh_recommendations,
    store_recommendations,
)
from services.claims.stored import as_recommendation, describe, same_as_stored
from services.figures import reviewer_days

__all__ = [
    "AlreadyDecided",
    "DecisionError",
    "DecisionNotSaved",
    "DecisionOutcome",
    "RecommendationChanged",
    "decide_claim",
]


@dataclass(frozen=True, slots=True)
class DecisionOutcome:
    claim_id: int
    claim_external_id: str
    kind: DecisionKind
    approve: bool
    amount_cents: int
    status: str
    #: True when the claim is now decided; False when it waits for a second reviewer.
    final: bool
    message: str


def _utc(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware (UTC)")
    return now.astimezone(UTC)


def _current_recommendation(
    session: Session, claim: Claim, policy: Policy, now: datetime, actor: Actor
) -> tuple[Recommendation, int, str | None]:
    """The recommendation as it stands now, its stored row id, and how it just moved (None:
    it did not). A changed one is stored at once (lapsing a pending proposal on the old one).
    """
    (facts,) = claim_facts_for(session, [claim.id])
    fresh = evaluate(facts, policy, clock.day_of(now), clock.zone())
    stored = latest_recommendations(session, [claim.id]).get(claim.id)
    if stored is not None and same_as_stored(fresh, stored):
        # Same substance: decide on the row the reviewer saw, whatever today's wording.
        return as_recommendation(stored), stored.id, None
    store_recommendations(session, [(claim.id, fresh)], now=now, actor=actor, policy=policy)
    latest = latest_recommendations(session, [claim.id])[claim.id]
    moved = "was computed just now" if stored is None else "changed since it was shown"
    return fresh, latest.id, moved


def _amount(rec: Recommendation, approve: bool, amount_cents: int | None) -> int:
    if not approve:
        if amount_cents not in (None, 0):
            raise DecisionError("A rejection carries no amount.")
        return 0
    if amount_cents is None:
        if rec.action not in (Action.APPROVE_FULL, Action.APPROVE_PARTIAL):
            raise DecisionError(
                f"Enter the amount to approve: the recommendation is to {rec.action.words}."
            )
        return rec.amount_cents
    if type(amount_cents) is not int:
        raise DecisionError("The amount must be a whole number of cents.")
    return amount_cents


def _wrong_turn(claim: Claim, expected: Turn, actual: Turn, session: Session, actor: Actor) -> None:
    if expected is Turn.DECIDE and actual is Turn.CONFIRM_OR_PROPOSE:
        # Someone proposed a verdict while this reviewer looked at the undecided claim.
        raise decided_message(session, claim, actor)
    raise DecisionError(
        f"The proposal you were shown on {claim.external_id} no longer stands (the "
        "recommendation it answered changed, so it lapsed); the claim is back in review. "
        "Review it and decide again."
    )


def _record(
    session: Session,
    actor: Actor,
    claim_id: int,
    approve: bool,
    amount_cents: int | None,
    note: str,
    policy: Policy,
    now: datetime,
    expected_turn: Turn | None,
    shown_recommendation_id: int | None,
    shown_last_seq: int | None,
) -> DecisionOutcome | RecommendationChanged:
    claim = session.execute(
        select(Claim).where(Claim.id == claim_id).with_for_update()
    ).scalar_one_or_none()
    if claim is None:
        raise DecisionError("This claim does not exist.")
    # Serialise decisions on the claims of one order: they share its refundable amount.
    session.execute(select(Order.id).where(Order.id == claim.order_id).with_for_update())
    ref = claim.external_id
    if ClaimStatus(claim.status) in FINAL:
        raise decided_message(session, claim, actor)
    if claim.status == ClaimStatus.WITHDRAWN:
        raise DecisionError(f"{ref} was withdrawn by the buyer; there is nothing to decide.")

    rec, rec_id, moved = _current_recommendation(session, claim, policy, now, actor)
    if moved is not None:
        return changed(ref, rec, moved)
    if shown_recommendation_id not in (None, rec_id):
        # Someone (a daily recompute, an import) stored the new answer after the page showed
        # the old one: compare with what the reviewer actually saw.
        shown = stored_recommendation(session, shown_recommendation_id)
        if shown is None or shown.claim_id != claim.id or not same_as_stored(rec, shown):
            return changed(ref, rec, "changed since it was shown")
    if lapse_stale_proposals(session, [claim.id], now=now, actor=actor, policy=policy):
        # A proposal on an earlier recommendation was still pending (stored before this rule).
        return changed(ref, rec, "is not the one the pending proposal answered")

    chain = past_decisions(decision_chain(session, claim.id))
    here = standing(claim.status, chain, actor.user_id)
    if here.turn is not None and expected_turn is not None and here.turn is not expected_turn:
        _wrong_turn(claim, expected_turn, here.turn, session, actor)
    last_seq = max((d.seq for d in chain), default=0)
    if shown_last_seq is not None and last_seq != shown_last_seq and here.turn is not None:
        # Another reviewer answered the proposal this one was shown: confirming it now would
        # answer a different one.
        raise decided_message(session, claim, actor)
    amount = _amount(rec, approve, amount_cents)
    assert actor.user_id is not None  # authorize() admits only reviewers with an account
    ruling = rule(claim.status, chain, actor.user_id, approve, amount, rec, policy)
    if isinstance(ruling, Refusal):
        raise DecisionError(ruling.message)
    if ruling.note_required and not note:
        raise DecisionError(f"Add a note: {ruling.note_reason}.")

    refunds = None
    if ruling.final and ruling.status_after is ClaimStatus.APPROVED:
        # A refund: the summaries that count refunds change, in this transaction (what the
        # order's refunds took from its cap before, taken away; after, added).
        refunds = summaries.Delta.for_database(session, summaries.DECIDED)
        refunds.subtract(session, "claims", [claim.external_id])
    seq = last_seq + 1
    decision = Decision(
        claim_id=claim.id,
        recommendation_id=rec_id,
        seq=seq,
        kind=ruling.kind.value,
        reviewer_id=actor.user_id,
        verdict="approve" if approve else "reject",
        amount_cents=amount,
        cap_cents=rec.cap_cents,
        note=note,
        decided_at=now,
    )
    session.add(decision)
    before = claim.status
    claim.status = ruling.status_after.value
    if ruling.final:
        claim.decided_at = now
    if claim.assignee_id is None:
        claim.assignee_id = actor.user_id
    session.flush()  # the UNIQUE(claim_id, seq) and one-final-decision backstops fire here
    refresh_due(session, [claim.id], policy, now)
    # The reviewer figures' days, in this transaction: read back as a rebuild would count it.
    reviewer_days.record_decision(session, policy, decision.id, claim.id if ruling.final else None)
    if refunds is not None:
        refunds.add(session, "claims", [claim.external_id])
        refunds.apply(session)
    audit.record(
        session,
        actor,
        "claim_decided",
        "claim",
        claim.id,
        before={"status": before},
        after={
            "status": claim.status,
            "claim": ref,
            "seq": seq,
            "kind": ruling.kind.value,
            "verdict": "approve" if approve else "reject",
            "amount_cents": amount,
            "recommendation_id": rec_id,
            "recommendation": describe(rec),
        },
        at=now,
    )
    if ruling.final and approve:
        _reevaluate_siblings(session, claim, policy, now, actor)
    session.flush()
    return DecisionOutcome(
        claim.id, ref, ruling.kind, approve, amount, claim.status, ruling.final,
        _message(ref, ruling.kind, approve, amount),
    )  # fmt: skip


def _reevaluate_siblings(
    session: Session, claim: Claim, policy: Policy, now: datetime, actor: Actor
) -> None:
    """The order's other undecided claims: their cap just shrank by this refund."""
    siblings = (
        session.execute(
            select(Claim.id).where(
                Claim.order_id == claim.order_id,
                Claim.id != claim.id,
                Claim.status.in_([s.value for s in UNDECIDED]),
            )
        )
        .scalars()
        .all()
    )
    if siblings:
        refresh_recommendations(session, policy, now=now, actor=actor, claim_ids=list(siblings))


def _message(ref: str, kind: DecisionKind, approve: bool, amount: int) -> str:
    said = verdict_text(approve, amount)
    if kind is DecisionKind.PROPOSAL:
        verb = "approve " + format_money(amount) if approve else "reject"
        return (
            f"Proposed: {verb} on {ref}. It now waits for a second, different reviewer to "
            "confirm it."
        )
    if kind is DecisionKind.CONFIRMATION:
        return f"{ref} {said}: you confirmed the proposal, so two reviewers agree."
    return f"{ref} {said}."


def _is_race_loss(error: IntegrityError) -> bool:
    text = str(error.orig)
    return any(
        name in text
        for name in (
            "uq_decisions_claim_seq",
            "uq_decisions_one_final_per_claim",
            "decisions.claim_id, decisions.seq",
            "decisions.claim_id",
        )
    )


def _closed_sqlite(error: DBAPIError) -> bool:
    # pysqlite reports a connection closed under it as a ProgrammingError, not a disconnect.
    return isinstance(error.orig, sqlite3.ProgrammingError) and "closed" in str(error.orig)


def decide_claim(
    factory: sessionmaker[Session],
    actor: Actor,
    claim_id: int,
    *,
    approve: bool,
    amount_cents: int | None,
    note: str,
    policy: Policy,
    now: datetime,
    expected_turn: Turn | None = None,
    shown_recommendation_id: int | None = None,
    shown_last_seq: int | None = None,
) -> DecisionOutcome:
    """Record ``actor``'s verdict on a claim; see the module docstring for the rules.

    What the reviewer was shown, so the verdict answers exactly that: ``expected_turn`` (decide,
    or confirm/propose; None: whatever is due) — a reviewer shown an undecided claim must not
    silently answer a proposal someone made meanwhile, nor confirm one that has lapsed;
    ``shown_last_seq``, the number of the latest decision shown (0: none) — a confirmation must
    answer the proposal shown, not a counter-proposal made meanwhile; and
    ``shown_recommendation_id``, the recommendation shown.

    Raises ``NotAllowed``, or a :class:`DecisionError` (``AlreadyDecided``,
    ``RecommendationChanged``, ``DecisionNotSaved``) whose message is safe to show.
    """
    now = _utc(now)
    note = note.strip()
    try:
        with write_session(factory) as session:
            actor = authorize(session, actor, Permission.DECIDE_CLAIM)
            result = _record(
                session,
                actor,
                claim_id,
                approve,
                amount_cents,
                note,
                policy,
                now,
                expected_turn,
                shown_recommendation_id,
                shown_last_seq,
            )
    except IntegrityError as error:
        if not _is_race_loss(error):
            raise
        with factory() as session:
            claim = session.get(Claim, claim_id)
            assert claim is not None
            raise decided_message(session, claim, actor) from None
    except DBAPIError as error:
        if error.connection_invalidated or _closed_sqlite(error):
            raise DecisionNotSaved(
                "The connection to the database was lost before the decision was saved; "
                "nothing was recorded. Try again."
            ) from error
        raise
    if isinstance(result, RecommendationChanged):
        raise result  # raised after the commit, so the new recommendation is kept
    return result
