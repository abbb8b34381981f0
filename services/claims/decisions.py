"""Use cases of the claim reviewer: decide a claim, decide several as recommended, take a claim.

Rules (DESIGN.md §3, §4), enforced here whatever the page shows:

* Only a claim reviewer decides (``Permission.DECIDE_CLAIM``). A decided claim (approved or
  rejected) is never decided again; a withdrawn one has nothing to decide.
* The verdict answers the recommendation as it stands *now*: it is recomputed from fresh facts
  in the deciding transaction. If its substance changed (action, amount, cap, four-eyes or policy
  version), the new one is stored and the decision refused, so nobody decides on stale numbers;
  a change of wording only (the clock-driven reasons name today's date) is stored and used.
* Approve: ``0 < amount <= cap`` (None means the recommended amount). Reject: no amount. A note
  is required whenever the verdict departs from the recommendation (``rules.departs_from``):
  a different amount, an approval against the advice, a rejection of a recommended approval.
* Four-eyes (``rules.needs_second_approval``): the first decision then sets the claim to
  ``awaiting_second_approval``; a second, *different* reviewer sees the first verdict and records
  the final one, confirming it or overriding it (a note is required to override).
* Concurrency: the claim and its order are locked (``SELECT … FOR UPDATE`` on PostgreSQL; on
  SQLite ``BEGIN IMMEDIATE`` already serialises writers), so of two reviewers deciding at once
  exactly one decision is stored and the other is told who decided; ``UNIQUE(claim_id, stage)``
  is the backstop. Locking the order too keeps two claims on one order from both spending the
  same refundable amount.

Each decision is one transaction with one ``claim_decided`` audit event; nothing is half-written.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from data_access.claim_facts import (
    StoredRecommendation,
    claim_facts_for,
    latest_recommendations,
    stored_recommendation,
)
from data_access.engine import write_session
from data_access.models import Claim, Decision, Order, User
from data_access.models import Recommendation as RecommendationRow
from rules import Action, Policy, Recommendation, departs_from, format_money, needs_second_approval
from services import audit
from services.auth import Actor, Permission, require
from services.claims.deadlines import refresh_due
from services.claims.recommendations import evaluate, recommendation_values

__all__ = [
    "AlreadyDecided",
    "BulkOutcome",
    "DecisionError",
    "DecisionNotSaved",
    "DecisionOutcome",
    "RecommendationChanged",
    "Stage",
    "VerdictPreview",
    "assign_claim",
    "bulk_decide",
    "bulk_refusal",
    "decide_claim",
    "preview_verdict",
]

Stage = Literal["first", "second"]

_APPROVALS = frozenset({Action.APPROVE_FULL.value, Action.APPROVE_PARTIAL.value})
_FINAL = frozenset({"approved", "rejected"})
_AWAITING = "awaiting_second_approval"


log = logging.getLogger(__name__)


class DecisionError(Exception):
    """A decision that cannot be recorded; the message is safe to show the reviewer."""


class AlreadyDecided(DecisionError):
    """Someone else decided first; the message names who and when."""

    def __init__(self, message: str, decided_by: str | None = None) -> None:
        super().__init__(message)
        self.decided_by = decided_by


class RecommendationChanged(DecisionError):
    """The recommendation moved since the reviewer looked; the new one is stored."""


class DecisionNotSaved(DecisionError):
    """The database connection failed mid-decision; the transaction was rolled back whole."""


@dataclass(frozen=True, slots=True)
class DecisionOutcome:
    claim_id: int
    claim_external_id: str
    stage: Stage
    verdict: Literal["approve", "reject"]
    amount_cents: int
    status: str
    #: True when the claim is now decided; False when it waits for a second reviewer.
    final: bool
    message: str


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    claim_id: int
    ok: bool
    message: str
    claim_external_id: str = ""


def _utc(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware (UTC)")
    return now.astimezone(UTC)


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _verdict_text(verdict: str, amount_cents: int, currency: str = "USD") -> str:
    if verdict == "approve":
        return f"approved {format_money(amount_cents, currency)}"
    return "rejected"


def _decided_message(session: Session, claim: Claim, actor: Actor) -> AlreadyDecided:
    """Who decided ``claim`` and when, from the decisions and users tables."""
    rows = session.execute(
        select(Decision.stage, Decision.verdict, Decision.amount_cents, Decision.decided_at)
        .add_columns(User.display_name, User.id)
        .join(User, User.id == Decision.reviewer_id)
        .where(Decision.claim_id == claim.id)
        .order_by(Decision.decided_at, Decision.id)
    ).all()
    ref = claim.external_id
    if claim.status == _AWAITING and rows:
        _stage, verdict, amount, at, name, user_id = rows[0]
        who = "You" if user_id == actor.user_id else name
        return AlreadyDecided(
            f"{who} already recorded the first decision on {ref} on {_when(at)} "
            f"({_verdict_text(verdict, amount)}); it now waits for a second, different reviewer.",
            decided_by=name,
        )
    if not rows:
        when = f" on {_when(claim.decided_at)}" if claim.decided_at else ""
        return AlreadyDecided(f"{ref} was already {claim.status}{when}.")
    _stage, verdict, amount, at, name, user_id = rows[-1]
    who = "you" if user_id == actor.user_id else name
    final = _verdict_text(verdict, amount)
    if len(rows) > 1:
        first_name = rows[0][4]
        return AlreadyDecided(
            f"{ref} was already decided: {final} by {who} on {_when(at)}, "
            f"confirming or overriding the first decision by {first_name}.",
            decided_by=name,
        )
    return AlreadyDecided(
        f"{ref} was already decided: {final} by {who} on {_when(at)}.", decided_by=name
    )


def _same_substance(rec: Recommendation, stored: StoredRecommendation | None) -> bool:
    return (
        stored is not None
        and stored.policy_version == rec.policy_version
        and stored.action == rec.action.value
        and stored.amount_cents == rec.amount_cents
        and stored.cap_cents == rec.cap_cents
        and bool(stored.four_eyes_required) == rec.four_eyes_required
    )


def _current_recommendation(
    session: Session, claim: Claim, policy: Policy, now: datetime
) -> tuple[Recommendation, int, str | None]:
    """The recommendation as it stands now, its stored row id, and how it moved (None: not).

    A new row is stored whenever the fresh recommendation differs from the latest stored one.
    """
    (facts,) = claim_facts_for(session, [claim.id])
    fresh = evaluate(facts, policy, now.date())
    stored = latest_recommendations(session, [claim.id]).get(claim.id)
    if stored is not None and _same_substance(fresh, stored):
        values = recommendation_values(claim.id, fresh, now)
        if values["reasons"] == stored.reasons:
            return fresh, stored.id, None
        # Same verdict and numbers, newer wording (the reasons name today): keep it as history.
        return fresh, _store(session, values), None
    moved = "was computed just now" if stored is None else "changed since it was shown"
    return fresh, _store(session, recommendation_values(claim.id, fresh, now)), moved


def _store(session: Session, values: dict[str, object]) -> int:
    row_id = session.execute(
        insert(RecommendationRow).returning(RecommendationRow.id), [values]
    ).scalar_one()
    return int(row_id)


def _amount(rec: Recommendation, approve: bool, amount_cents: int | None) -> int:
    cur = "USD"
    if not approve:
        if amount_cents not in (None, 0):
            raise DecisionError("A rejection carries no amount.")
        return 0
    if amount_cents is None:
        if rec.action.value not in _APPROVALS:
            raise DecisionError(
                f"Enter the amount to approve: the recommendation is to "
                f"{rec.action.value.replace('_', ' ')}."
            )
        return rec.amount_cents
    if type(amount_cents) is not int:
        raise DecisionError("The amount must be a whole number of cents.")
    if amount_cents <= 0:
        raise DecisionError("An approval needs an amount above zero; to refund nothing, reject.")
    if amount_cents > rec.cap_cents:
        raise DecisionError(
            f"{format_money(amount_cents, cur)} is above the cap "
            f"{format_money(rec.cap_cents, cur)}; no refund may exceed it."
        )
    return amount_cents


def _decide(
    session: Session,
    actor: Actor,
    claim_id: int,
    approve: bool,
    amount_cents: int | None,
    note: str,
    policy: Policy,
    now: datetime,
    stage: Stage | None,
    shown_recommendation_id: int | None = None,
) -> DecisionOutcome | RecommendationChanged:
    claim = session.execute(
        select(Claim).where(Claim.id == claim_id).with_for_update()
    ).scalar_one_or_none()
    if claim is None:
        raise DecisionError("This claim does not exist.")
    # Serialise decisions on the claims of one order: they share its refundable amount.
    session.execute(select(Order.id).where(Order.id == claim.order_id).with_for_update())
    ref = claim.external_id
    if claim.status in _FINAL:
        raise _decided_message(session, claim, actor)
    if claim.status == "withdrawn":
        raise DecisionError(f"{ref} was withdrawn by the buyer; there is nothing to decide.")
    current: Stage = "second" if claim.status == _AWAITING else "first"
    first: Decision | None = None
    if current == "second":
        first = session.execute(
            select(Decision).where(Decision.claim_id == claim.id, Decision.stage == "first")
        ).scalar_one()
        if stage == "first":
            raise _decided_message(session, claim, actor)
        if first.reviewer_id == actor.user_id:
            raise DecisionError(
                f"You recorded the first decision on {ref}; a second, different reviewer must "
                "confirm or override it."
            )
    elif stage == "second":
        raise DecisionError(f"{ref} is not waiting for a second approval.")

    rec, rec_id, moved = _current_recommendation(session, claim, policy, now)
    if moved is None and shown_recommendation_id not in (None, rec_id):
        # Someone (a daily recompute, an import) stored the new answer after the page showed
        # the old one: compare with what the reviewer actually saw.
        shown = stored_recommendation(session, shown_recommendation_id)
        if shown is None or shown.claim_id != claim.id or not _same_substance(rec, shown):
            moved = "changed since it was shown"
    if moved is not None:
        action = rec.action.value.replace("_", " ")
        now_word = "now " if moved.startswith("changed") else ""
        return RecommendationChanged(
            f"The recommendation for {ref} {moved}: {now_word}{action}, "
            f"{format_money(rec.amount_cents)} of a {format_money(rec.cap_cents)} cap. "
            "Review it and decide again."
        )
    amount = _amount(rec, approve, amount_cents)
    verdict: Literal["approve", "reject"] = "approve" if approve else "reject"
    if first is None:
        if departs_from(rec, approve, amount) and not note:
            raise DecisionError(
                "Add a note: this verdict departs from the recommendation "
                f"({rec.action.value.replace('_', ' ')}, {format_money(rec.amount_cents)})."
            )
        waits = needs_second_approval(rec, approve, amount, policy)
    else:
        overrides = verdict != first.verdict or amount != first.amount_cents
        if overrides and not note:
            raise DecisionError("Add a note: your verdict overrides the first reviewer's.")
        waits = False

    decided_stage: Stage = "first" if first is None else "second"
    session.add(
        Decision(
            claim_id=claim.id,
            recommendation_id=rec_id,
            stage=decided_stage,
            reviewer_id=actor.user_id,
            verdict=verdict,
            amount_cents=amount,
            cap_cents=rec.cap_cents,
            note=note,
            decided_at=now,
        )
    )
    before = claim.status
    if waits:
        claim.status = _AWAITING
    else:
        claim.status = "approved" if approve else "rejected"
        claim.decided_at = now
    if claim.assignee_id is None:
        claim.assignee_id = actor.user_id
    session.flush()  # the UNIQUE(claim_id, stage) backstop fires here
    refresh_due(session, [claim.id], policy, now)
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
            "stage": decided_stage,
            "verdict": verdict,
            "amount_cents": amount,
            "recommendation_id": rec_id,
        },
        at=now,
    )
    session.flush()
    if waits:
        message = (
            f"Recorded: {_verdict_text(verdict, amount)} on {ref}. It now waits for a second, "
            "different reviewer."
        )
    else:
        message = f"{ref} {_verdict_text(verdict, amount)}."
    return DecisionOutcome(
        claim.id, ref, decided_stage, verdict, amount, claim.status, not waits, message
    )


@dataclass(frozen=True, slots=True)
class VerdictPreview:
    """What a verdict would entail, for the page to say before the reviewer commits."""

    note_required: bool
    waits_for_second: bool
    #: A verdict the service would refuse (e.g. above the cap); None when it is acceptable.
    problem: str | None = None


def preview_verdict(
    *,
    action: str,
    recommended_cents: int,
    cap_cents: int,
    approve: bool,
    amount_cents: int,
    policy: Policy,
    first_verdict: str | None = None,
    first_amount_cents: int | None = None,
) -> VerdictPreview:
    """The same rules :func:`decide_claim` applies, on the recommendation the page shows.

    ``first_*`` describe the first decision when previewing the second stage.
    """
    rec = Recommendation(Action(action), recommended_cents, cap_cents, (), policy.version, False)
    amount = amount_cents if approve else 0
    try:
        departs = departs_from(rec, approve, amount)
    except ValueError as error:
        text = str(error)
        return VerdictPreview(False, False, text[:1].upper() + text[1:] + ".")
    if first_verdict is not None:
        overrides = ("approve" if approve else "reject") != first_verdict or (
            approve and amount != first_amount_cents
        )
        return VerdictPreview(overrides, False)
    return VerdictPreview(departs, needs_second_approval(rec, approve, amount, policy))


def _is_stage_conflict(error: IntegrityError) -> bool:
    text = str(error.orig)
    return "uq_decisions_claim_stage" in text or "decisions.claim_id, decisions.stage" in text


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
    stage: Stage | None = None,
    shown_recommendation_id: int | None = None,
) -> DecisionOutcome:
    """Record ``actor``'s verdict on a claim; see the module docstring for the rules.

    ``stage`` is the stage the reviewer was shown ("first" or "second"; None: whichever is due):
    a reviewer who was shown an undecided claim must not silently become its second reviewer
    because someone else recorded a first decision meanwhile. ``shown_recommendation_id`` is the
    recommendation the reviewer was shown: a verdict on an answer that has since changed in
    substance is refused, whoever stored the new one.

    Raises ``NotAllowed``, or a :class:`DecisionError` (``AlreadyDecided``,
    ``RecommendationChanged``, ``DecisionNotSaved``) whose message is safe to show.
    """
    require(actor, Permission.DECIDE_CLAIM)
    if actor.user_id is None:
        raise DecisionError("Decisions are recorded under a reviewer's own account.")
    now = _utc(now)
    note = note.strip()
    try:
        with write_session(factory) as session:
            result = _decide(
                session,
                actor,
                claim_id,
                approve,
                amount_cents,
                note,
                policy,
                now,
                stage,
                shown_recommendation_id,
            )
    except IntegrityError as error:
        if not _is_stage_conflict(error):
            raise
        with factory() as session:
            claim = session.get(Claim, claim_id)
            assert claim is not None
            raise _decided_message(session, claim, actor) from None
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


def _closed_sqlite(error: DBAPIError) -> bool:
    # pysqlite reports a connection closed under it as a ProgrammingError, not a disconnect.
    return isinstance(error.orig, sqlite3.ProgrammingError) and "closed" in str(error.orig)


def bulk_refusal(status: str, rec: StoredRecommendation | None) -> str | None:
    """Why a claim cannot be decided in bulk as recommended, or None when it can.

    Bulk decisions follow the recommendation and stay below the four-eyes threshold; anything
    else deserves a look of its own.
    """
    if status in _FINAL or status == "withdrawn":
        return f"already {status}"
    if status == _AWAITING:
        return "waits for a second approval"
    if rec is None:
        return "has no recommendation yet"
    if rec.action == Action.REQUEST_EVIDENCE.value:
        return "the recommendation is to request evidence"
    if rec.four_eyes_required:
        return "above the four-eyes threshold"
    return None


def bulk_decide(
    factory: sessionmaker[Session],
    actor: Actor,
    claim_ids: Sequence[int],
    policy: Policy,
    now: datetime,
) -> list[BulkOutcome]:
    """Decide each claim as recommended, each in its own transaction with its own audit event.

    Claims that need a look of their own (see :func:`bulk_refusal`) or fail a decision rule are
    refused individually; the others are decided. One outcome per id, in the given order.
    """
    require(actor, Permission.DECIDE_CLAIM)
    ids = list(dict.fromkeys(int(i) for i in claim_ids))
    with factory() as session:
        latest = latest_recommendations(session, ids)
        claims = {
            row.id: (row.external_id, row.status)
            for row in session.execute(
                select(Claim.id, Claim.external_id, Claim.status).where(Claim.id.in_(ids))
            ).all()
        }
    outcomes: list[BulkOutcome] = []
    for claim_id in ids:
        if claim_id not in claims:
            outcomes.append(BulkOutcome(claim_id, False, "This claim does not exist."))
            continue
        ref, status = claims[claim_id]
        rec = latest.get(claim_id)
        refusal = bulk_refusal(status, rec)
        if refusal is not None or rec is None:
            outcomes.append(BulkOutcome(claim_id, False, f"{ref}: {refusal}.", ref))
            continue
        try:
            outcome = decide_claim(
                factory,
                actor,
                claim_id,
                approve=rec.action in _APPROVALS,
                amount_cents=None,
                note="",
                policy=policy,
                now=now,
                stage="first",
                shown_recommendation_id=rec.id,
            )
        except DecisionError as error:
            outcomes.append(BulkOutcome(claim_id, False, str(error), ref))
        except SQLAlchemyError:
            # One claim's failure (a lock timeout, a dropped connection) must not hide what
            # happened to the others: its transaction rolled back whole, the rest go on.
            log.exception("bulk decision on claim %s failed", claim_id)
            outcomes.append(
                BulkOutcome(claim_id, False, f"{ref}: not saved (database error); try again.", ref)
            )
        else:
            outcomes.append(BulkOutcome(claim_id, True, outcome.message, ref))
    return outcomes


def assign_claim(
    factory: sessionmaker[Session], actor: Actor, claim_id: int, now: datetime, policy: Policy
) -> str:
    """Take a claim: assign it to ``actor``. Returns a message safe to show.

    Taking an escalated claim (escalated by the buyer, or automatically by the dispute clock)
    is the dispute team's pick-up: it moves to ``in_review`` and its clock to the decision due.
    """
    from rules import claim_deadlines

    require(actor, Permission.DECIDE_CLAIM)
    now = _utc(now)
    with write_session(factory) as session:
        claim = session.execute(
            select(Claim).where(Claim.id == claim_id).with_for_update()
        ).scalar_one_or_none()
        if claim is None:
            raise DecisionError("This claim does not exist.")
        if claim.status in _FINAL or claim.status == "withdrawn":
            raise DecisionError(f"{claim.external_id} is {claim.status}; there is nothing to take.")
        before = {
            "assignee_id": claim.assignee_id,
            "status": claim.status,
            "picked_up_at": None if claim.picked_up_at is None else claim.picked_up_at.isoformat(),
        }
        claim.assignee_id = actor.user_id
        if claim.picked_up_at is None:
            clock = claim_deadlines(claim.filed_at, claim.escalated_at, None, policy)
            if claim.status == "escalated" or now >= clock.auto_escalation_at:
                claim.picked_up_at = now
                if claim.status in ("open", "escalated"):
                    claim.status = "in_review"
        after = {
            "assignee_id": claim.assignee_id,
            "status": claim.status,
            "picked_up_at": None if claim.picked_up_at is None else claim.picked_up_at.isoformat(),
        }
        if after == before:
            return f"{claim.external_id} is already yours."
        session.flush()
        refresh_due(session, [claim.id], policy, now)
        audit.record(
            session, actor, "claim_assigned", "claim", claim.id, before=before, after=after, at=now
        )
        return f"{claim.external_id} is now assigned to you."
