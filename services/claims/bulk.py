"""Deciding several claims at once, each exactly as recommended.

Only sole decisions qualify (``rules.bulk_refusal``): following the recommendation, within the
four-eyes threshold, on a claim nobody has proposed a verdict for. :func:`preview_bulk` says what a
bulk decision would do — which claims, how many approvals for what total, which are refused and
why — from the stored recommendations, so the page can show it for confirmation before anything
is written. :func:`bulk_decide` then decides each claim through
:func:`services.claims.decide.decide_claim` in its own transaction with its own audit event, so one
refusal or failure never hides what happened to the others; given the recommendations the
confirmation showed (``shown``), a claim whose recommendation changed since is refused, never
decided on figures nobody confirmed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from data_access.claim_facts import Executor, latest_recommendations
from data_access.models import Claim
from rules import Action, Policy, Turn, bulk_refusal
from services.auth import Actor, Permission, authorize
from services.claims.decide import AlreadyDecided, DecisionError, decide_claim

__all__ = [
    "BulkCandidate",
    "BulkOutcome",
    "BulkPreview",
    "BulkRefused",
    "bulk_decide",
    "preview_bulk",
]

log = logging.getLogger(__name__)
_APPROVALS = (Action.APPROVE_FULL, Action.APPROVE_PARTIAL)


@dataclass(frozen=True, slots=True)
class BulkCandidate:
    """A claim a bulk decision would decide, and how: its latest stored recommendation."""

    claim_id: int
    claim_external_id: str
    recommendation_id: int
    approve: bool
    #: The amount approved (0 for a rejection).
    amount_cents: int


@dataclass(frozen=True, slots=True)
class BulkRefused:
    claim_id: int
    claim_external_id: str
    #: Why it needs a look of its own, e.g. "above the four-eyes threshold".
    reason: str


@dataclass(frozen=True, slots=True)
class BulkPreview:
    """What deciding these claims as recommended would do, in the order they were given."""

    eligible: tuple[BulkCandidate, ...]
    refused: tuple[BulkRefused, ...]

    @property
    def count(self) -> int:
        return len(self.eligible)

    @property
    def approve_count(self) -> int:
        return sum(1 for c in self.eligible if c.approve)

    @property
    def reject_count(self) -> int:
        return self.count - self.approve_count

    @property
    def approve_total_cents(self) -> int:
        """The refunds the decision would approve, in total."""
        return sum(c.amount_cents for c in self.eligible)

    @property
    def shown(self) -> dict[int, int]:
        """Claim id → the recommendation id this preview answers, for :func:`bulk_decide`."""
        return {c.claim_id: c.recommendation_id for c in self.eligible}


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    claim_id: int
    ok: bool
    message: str
    claim_external_id: str = ""
    #: The amount approved (0 for a rejection or a refusal).
    amount_cents: int = 0


def _preview(executor: Executor, ids: list[int]) -> BulkPreview:
    latest = latest_recommendations(executor, ids)
    claims = {
        row.id: (row.external_id, row.status)
        for row in executor.execute(
            select(Claim.id, Claim.external_id, Claim.status).where(Claim.id.in_(ids))
        ).all()
    }
    eligible: list[BulkCandidate] = []
    refused: list[BulkRefused] = []
    for claim_id in ids:
        if claim_id not in claims:
            refused.append(BulkRefused(claim_id, "", "does not exist"))
            continue
        ref, status = claims[claim_id]
        rec = latest.get(claim_id)
        refusal = bulk_refusal(
            status,
            None if rec is None else rec.action,
            bool(rec is not None and rec.four_eyes_required),
        )
        if refusal is not None or rec is None:
            refused.append(BulkRefused(claim_id, ref, refusal or "has no recommendation yet"))
            continue
        approve = rec.action in _APPROVALS
        eligible.append(
            BulkCandidate(claim_id, ref, rec.id, approve, rec.amount_cents if approve else 0)
        )
    return BulkPreview(tuple(eligible), tuple(refused))


def preview_bulk(engine: Engine, claim_ids: Sequence[int]) -> BulkPreview:
    """What :func:`bulk_decide` would do with ``claim_ids`` now (duplicates count once)."""
    ids = list(dict.fromkeys(int(i) for i in claim_ids))
    with engine.connect() as conn:
        return _preview(conn, ids)


def bulk_decide(
    factory: sessionmaker[Session],
    actor: Actor,
    claim_ids: Sequence[int],
    policy: Policy,
    now: datetime,
    *,
    shown: Mapping[int, int] | None = None,
    reader_zone: tzinfo = UTC,
) -> list[BulkOutcome]:
    """Decide each claim as recommended; one outcome per id, in the given order.

    Claims that need a look of their own (``rules.bulk_refusal``) or fail a decision rule are
    refused individually; the others are decided. ``shown`` maps claim ids to the
    recommendation ids a confirmation showed (:attr:`BulkPreview.shown`): a claim missing from
    it, or whose recommendation changed in substance since, is refused and nothing is written
    for it. The outcomes' messages write times in ``reader_zone``.
    """
    ids = list(dict.fromkeys(int(i) for i in claim_ids))
    with factory() as session:
        authorize(session, actor, Permission.DECIDE_CLAIM)
        preview = _preview(session, ids)
    outcomes = {r.claim_id: _refused(r) for r in preview.refused}
    for candidate in preview.eligible:
        outcomes[candidate.claim_id] = _decide_one(
            factory, actor, candidate, policy, now, shown, reader_zone
        )
    return [outcomes[claim_id] for claim_id in ids]


def _refused(refused: BulkRefused) -> BulkOutcome:
    ref = refused.claim_external_id
    message = f"{ref}: {refused.reason}." if ref else "This claim does not exist."
    return BulkOutcome(refused.claim_id, False, message, ref)


def _decide_one(
    factory: sessionmaker[Session],
    actor: Actor,
    candidate: BulkCandidate,
    policy: Policy,
    now: datetime,
    shown: Mapping[int, int] | None,
    reader_zone: tzinfo,
) -> BulkOutcome:
    claim_id, ref = candidate.claim_id, candidate.claim_external_id
    shown_id = candidate.recommendation_id if shown is None else shown.get(claim_id)
    if shown_id is None:
        return BulkOutcome(claim_id, False, f"{ref}: was not in the confirmed selection.", ref)
    try:
        outcome = decide_claim(
            factory,
            actor,
            claim_id,
            approve=candidate.approve,
            amount_cents=None,
            note="",
            policy=policy,
            now=now,
            expected_turn=Turn.DECIDE,
            shown_recommendation_id=shown_id,
        )
    except AlreadyDecided as error:
        return BulkOutcome(claim_id, False, error.told(reader_zone), ref)
    except DecisionError as error:
        return BulkOutcome(claim_id, False, str(error), ref)
    except SQLAlchemyError:
        # One claim's failure (a lock timeout, a dropped connection) must not hide what
        # happened to the others: its transaction rolled back whole, the rest go on.
        log.exception("bulk decision on claim %s failed", claim_id)
        return BulkOutcome(claim_id, False, f"{ref}: not saved (database error); try again.", ref)
    if not outcome.final:
        # A sole decision by construction; anything else is a bug worth a loud log.
        log.error("bulk decision on %s did not end the claim: %s", ref, outcome.kind)
    return BulkOutcome(claim_id, True, outcome.message, ref, outcome.amount_cents)
