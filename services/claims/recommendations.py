"""Stored recommendations: computed by the rules module, kept as history, never rewritten.

* :func:`recommend_claims` adds one recommendation per given claim inside the caller's
  transaction (new claims of an import).
* :func:`refresh_recommendations` re-evaluates undecided claims — all of them, or those whose
  facts a write just changed — and adds a row only where the answer differs in substance from
  the claim's latest stored one (``rules.same_substance``: action, amount, cap, four-eyes,
  reason codes; not the sentences, which name today's date, nor the policy version: a new
  version adds rows only for the claims it answers differently).
* :func:`recompute_recommendations` is the use case behind ``assurance recommend``.

Every new row goes through :func:`store_recommendations`, which also lapses a pending four-eyes
proposal that answered a different recommendation (``services.claims.proposals``): nobody can
confirm a verdict on figures that no longer stand.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from data_access.claim_facts import (
    DEFAULT_CHUNK_SIZE,
    ClaimFactsRow,
    claim_facts_for,
    latest_recommendations,
    undecided_claim_ids,
)
from data_access.engine import write_session
from data_access.models import Recommendation as RecommendationRow
from rules import ClaimFacts, OrderFacts, Policy, Recommendation, recommend
from services import audit, clock
from services.auth import Actor, Permission, authorize
from services.claims.deadlines import refresh_due
from services.claims.proposals import lapse_stale_proposals
from services.claims.stored import as_recommendation, recommendation_values, same_as_stored
from services.policy.active import active_policy

__all__ = [
    "RecomputeReport",
    "active_policy",
    "as_recommendation",
    "evaluate",
    "facts_of",
    "recommend_claims",
    "recommendation_values",
    "recompute_recommendations",
    "refresh_recommendations",
    "same_as_stored",
    "store_recommendations",
]

#: Called after each chunk with (claims evaluated so far, claims to evaluate in total).
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class RecomputeReport:
    evaluated: int
    changed: int
    unchanged: int
    lapsed: int
    policy_version: str

    def __str__(self) -> str:
        lapsed = (
            f"; {self.lapsed} pending proposal{'s' if self.lapsed != 1 else ''} lapsed and "
            "returned to the queue"
            if self.lapsed
            else ""
        )
        return (
            f"Evaluated {self.evaluated} undecided claims under policy {self.policy_version}: "
            f"{self.changed} changed, {self.unchanged} unchanged{lapsed}."
        )


def facts_of(row: ClaimFactsRow) -> tuple[ClaimFacts, OrderFacts]:
    """The rules module's inputs for one stored claim."""
    claim = ClaimFacts(
        kind=row.kind,  # type: ignore[arg-type]  # ClaimFacts converts the stored string
        filed_at=row.filed_at,
        claimed_amount_cents=row.claimed_amount_cents,
        supplier_response=row.supplier_response,  # type: ignore[arg-type]  # converted too
        inspection_report=row.inspection_report,
        defect_rate_bp=row.defect_rate_bp,
        conforming=row.conforming,
        inspection_fee_cents=row.inspection_fee_cents,
    )
    order = OrderFacts(
        covered_amount_cents=row.covered_amount_cents,
        paid_amount_cents=row.paid_amount_cents,
        already_refunded_cents=row.already_refunded_cents,
        ship_by=row.ship_by,
        shipped_at=row.shipped_at,
        delivered_at=row.delivered_at,
        cancelled_at=row.cancelled_at,
    )
    return claim, order


def evaluate(row: ClaimFactsRow, policy: Policy, today: date, zone: tzinfo) -> Recommendation:
    """The rules module's recommendation for one stored claim on the programme day ``today``."""
    claim, order = facts_of(row)
    return recommend(claim, order, policy, today, zone)


def store_recommendations(
    session: Session,
    recs: Sequence[tuple[int, Recommendation]],
    *,
    now: datetime,
    actor: Actor,
    policy: Policy,
) -> int:
    """Store ``(claim_id, recommendation)`` pairs in the caller's transaction and lapse the
    pending proposals they make stale; returns how many proposals lapsed."""
    if not recs:
        return 0
    session.execute(
        insert(RecommendationRow),
        [recommendation_values(claim_id, rec, now) for claim_id, rec in recs],
    )
    return lapse_stale_proposals(
        session, [claim_id for claim_id, _ in recs], now=now, actor=actor, policy=policy
    )


def recommend_claims(
    session: Session,
    claim_ids: Sequence[int],
    policy: Policy,
    *,
    now: datetime,
    actor: Actor,
) -> int:
    """Add a recommendation for each given claim in the caller's transaction; rows inserted.

    Unknown ids are skipped. The caller checks permissions and writes the audit event of the
    use case it runs (e.g. the import), since the rows belong to that action.
    """
    zone = clock.zone()
    today = now.astimezone(zone).date()
    inserted = 0
    for start in range(0, len(claim_ids), DEFAULT_CHUNK_SIZE):
        facts = claim_facts_for(session, claim_ids[start : start + DEFAULT_CHUNK_SIZE])
        recs = [(row.claim_id, evaluate(row, policy, today, zone)) for row in facts]
        store_recommendations(session, recs, now=now, actor=actor, policy=policy)
        inserted += len(recs)
    return inserted


def refresh_recommendations(
    session: Session,
    policy: Policy,
    *,
    now: datetime,
    actor: Actor,
    claim_ids: Sequence[int] | None = None,
    progress: Progress | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> tuple[int, int, int]:
    """Re-evaluate undecided claims in the caller's transaction: (evaluated, changed, lapsed).

    ``claim_ids`` limits it to the claims a write touched (an import re-evaluates only claims
    whose order or claim row it changed); None means every undecided claim (the daily run).
    Adds a recommendation only where the answer differs in substance from the latest one.
    """
    zone = clock.zone()
    today = now.astimezone(zone).date()
    evaluated = changed = lapsed = 0
    ids = undecided_claim_ids(session) if claim_ids is None else sorted(set(claim_ids))
    total = len(ids)
    if progress is not None:
        progress(0, total)
    for start in range(0, total, chunk_size):
        chunk = claim_facts_for(session, ids[start : start + chunk_size], undecided_only=True)
        latest = latest_recommendations(session, [row.claim_id for row in chunk])
        recs = []
        for row in chunk:
            rec = evaluate(row, policy, today, zone)
            if not same_as_stored(rec, latest.get(row.claim_id)):
                recs.append((row.claim_id, rec))
        lapsed += store_recommendations(session, recs, now=now, actor=actor, policy=policy)
        evaluated += len(chunk)
        changed += len(recs)
        if progress is not None:
            progress(min(start + chunk_size, total), total)
    return evaluated, changed, lapsed


def recompute_recommendations(
    factory: sessionmaker[Session],
    actor: Actor,
    policy: Policy,
    *,
    now: datetime,
    progress: Progress | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> RecomputeReport:
    """Re-evaluate every undecided claim under ``policy`` at ``now``, in one transaction.

    Also refreshes every claim's stored next deadline, so a daily run keeps the queue's order.
    """
    with write_session(factory) as session:
        actor = authorize(session, actor, Permission.RECOMPUTE_RECOMMENDATIONS)
        evaluated, changed, lapsed = refresh_recommendations(
            session,
            policy,
            now=now,
            actor=actor,
            progress=progress,
            chunk_size=chunk_size,
        )
        refresh_due(session, None, policy, now)
        report = RecomputeReport(evaluated, changed, evaluated - changed, lapsed, policy.version)
        audit.record(
            session,
            actor,
            "recommendations_recomputed",
            "policy",
            policy.version,
            after={
                "evaluated": report.evaluated,
                "changed": report.changed,
                "unchanged": report.unchanged,
                "lapsed": report.lapsed,
                "today": clock.day_of(now).isoformat(),
            },
            at=now,
        )
    return report
