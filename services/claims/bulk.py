"""Deciding several claims at once, each exactly as recommended.

Only sole decisions qualify (``rules.bulk_refusal``): following the recommendation, within the
four-eyes threshold, on a claim nobody has proposed a verdict for. Each claim is decided through
:func:`services.claims.decide.decide_claim` in its own transaction with its own audit event, so
one refusal or failure never hides what happened to the others.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from data_access.claim_facts import latest_recommendations
from data_access.models import Claim
from rules import Action, Policy, Turn, bulk_refusal
from services.auth import Actor, Permission, authorize
from services.claims.decide import DecisionError, decide_claim

__all__ = ["BulkOutcome", "bulk_decide"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    claim_id: int
    ok: bool
    message: str
    claim_external_id: str = ""
    #: The amount approved (0 for a rejection or a refusal).
    amount_cents: int = 0


def bulk_decide(
    factory: sessionmaker[Session],
    actor: Actor,
    claim_ids: Sequence[int],
    policy: Policy,
    now: datetime,
) -> list[BulkOutcome]:
    """Decide each claim as recommended; one outcome per id, in the given order.

    Claims that need a look of their own (``rules.bulk_refusal``) or fail a decision rule are
    refused individually; the others are decided.
    """
    ids = list(dict.fromkeys(int(i) for i in claim_ids))
    with factory() as session:
        authorize(session, actor, Permission.DECIDE_CLAIM)
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
        refusal = bulk_refusal(
            status,
            None if rec is None else rec.action,
            bool(rec is not None and rec.four_eyes_required),
        )
        if refusal is not None or rec is None:
            outcomes.append(BulkOutcome(claim_id, False, f"{ref}: {refusal}.", ref))
            continue
        try:
            outcome = decide_claim(
                factory,
                actor,
                claim_id,
                approve=rec.action in (Action.APPROVE_FULL, Action.APPROVE_PARTIAL),
                amount_cents=None,
                note="",
                policy=policy,
                now=now,
                expected_turn=Turn.DECIDE,
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
            if not outcome.final:
                # A sole decision by construction; anything else is a bug worth a loud log.
                log.error("bulk decision on %s did not end the claim: %s", ref, outcome.kind)
            outcomes.append(BulkOutcome(claim_id, True, outcome.message, ref, outcome.amount_cents))
    return outcomes
