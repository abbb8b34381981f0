"""Stored recommendations: computed by the rules module, kept as history, never rewritten.

* :func:`recommend_claims` adds one recommendation per given claim inside the caller's
  transaction; the import calls it for the claims it has just created.
* :func:`recompute_recommendations` re-evaluates every undecided claim under a policy (the active
  one, or a new version being rolled out) and adds a row only where the answer differs from the
  claim's latest stored one, so an unchanged claim keeps its history as it is.

"Differs" compares what decides a refund: policy version, action, amount, cap, the reason codes
and whether four-eyes applies — not the sentences. The sentences of the clock-driven rules name
``today`` ("on 2025-02-05 it is 16 days late"), so comparing them would add a row every day for
every waiting claim although nothing a reviewer acts on changed; the claim page shows the live
sentences, recomputed when it opens.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from data_access.claim_facts import (
    DEFAULT_CHUNK_SIZE,
    ClaimFactsRow,
    StoredRecommendation,
    claim_facts_for,
    latest_recommendations,
    undecided_claim_ids,
)
from data_access.engine import write_session
from data_access.models import Recommendation as RecommendationRow
from data_access.settings import get_settings
from rules import ClaimFacts, OrderFacts, Policy, Recommendation, bundled_policy, recommend
from services import audit
from services.auth import Actor, Permission, require
from services.claims.deadlines import refresh_due

__all__ = [
    "RecomputeReport",
    "active_policy",
    "evaluate",
    "recommend_claims",
    "recommendation_values",
    "recompute_recommendations",
    "same_as_stored",
]

#: Called after each chunk with (claims evaluated so far, undecided claims in total).
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class RecomputeReport:
    evaluated: int
    changed: int
    unchanged: int
    policy_version: str

    def __str__(self) -> str:
        return (
            f"Evaluated {self.evaluated} undecided claims under policy {self.policy_version}: "
            f"{self.changed} changed, {self.unchanged} unchanged."
        )


def active_policy(version: str | None = None) -> Policy:
    """The bundled policy ``version``, or the active one (``ASSURANCE_POLICY_VERSION``).

    Raises ``rules.PolicyError`` for a version that is not bundled.
    """
    return bundled_policy(version or get_settings().policy_version)


def evaluate(row: ClaimFactsRow, policy: Policy, today: date) -> Recommendation:
    """The rules module's recommendation for one stored claim."""
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
    )
    return recommend(claim, order, policy, today)


def _reasons(rec: Recommendation) -> list[dict[str, str]]:
    return [{"code": str(r.code), "message": r.message} for r in rec.reasons]


def recommendation_values(
    claim_id: int, rec: Recommendation, created_at: datetime
) -> dict[str, Any]:
    """The ``recommendations`` row for ``rec``, as a dict for a bulk insert."""
    return {
        "claim_id": claim_id,
        "policy_version": rec.policy_version,
        "action": str(rec.action),
        "amount_cents": rec.amount_cents,
        "cap_cents": rec.cap_cents,
        "reasons": _reasons(rec),
        "four_eyes_required": rec.four_eyes_required,
        "created_at": created_at,
    }


def same_as_stored(rec: Recommendation, stored: StoredRecommendation | None) -> bool:
    """Whether ``rec`` says exactly what the stored row says (see the module docstring)."""
    return (
        stored is not None
        and stored.policy_version == rec.policy_version
        and stored.action == rec.action
        and stored.amount_cents == rec.amount_cents
        and stored.cap_cents == rec.cap_cents
        and bool(stored.four_eyes_required) == rec.four_eyes_required
        and [r["code"] for r in stored.reasons] == [str(r.code) for r in rec.reasons]
    )


def _insert(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(RecommendationRow), rows)


def recommend_claims(
    session: Session,
    claim_ids: Sequence[int],
    policy: Policy,
    today: date,
    *,
    now: datetime | None = None,
) -> int:
    """Add a recommendation for each given claim in the caller's transaction; rows inserted.

    Unknown ids are skipped. The caller checks permissions and writes the audit event of the
    use case it runs (e.g. the import), since the rows belong to that action.
    """
    created_at = now or datetime.now(UTC)
    inserted = 0
    for start in range(0, len(claim_ids), DEFAULT_CHUNK_SIZE):
        facts = claim_facts_for(session, claim_ids[start : start + DEFAULT_CHUNK_SIZE])
        rows = [
            recommendation_values(row.claim_id, evaluate(row, policy, today), created_at)
            for row in facts
        ]
        _insert(session, rows)
        inserted += len(rows)
    return inserted


def refresh_recommendations(
    session: Session,
    policy: Policy,
    today: date,
    created_at: datetime,
    progress: Progress | None = None,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> tuple[int, int]:
    """Re-evaluate every undecided claim in the caller's transaction: (evaluated, changed).

    Adds a recommendation only where the answer differs from the latest stored one. The import
    calls it after orders or claims change, since a new ship date can change a claim's refund.
    """
    evaluated = changed = 0
    ids = undecided_claim_ids(session)
    total = len(ids)
    if progress is not None:
        progress(0, total)
    for start in range(0, total, chunk_size):
        chunk = claim_facts_for(session, ids[start : start + chunk_size], undecided_only=True)
        latest = latest_recommendations(session, [row.claim_id for row in chunk])
        rows: list[dict[str, Any]] = []
        for row in chunk:
            rec = evaluate(row, policy, today)
            if not same_as_stored(rec, latest.get(row.claim_id)):
                rows.append(recommendation_values(row.claim_id, rec, created_at))
        _insert(session, rows)
        evaluated += len(chunk)
        changed += len(rows)
        if progress is not None:
            progress(min(start + chunk_size, total), total)
    return evaluated, changed


def recompute_recommendations(
    factory: sessionmaker[Session],
    actor: Actor,
    policy: Policy,
    today: date,
    progress: Progress | None = None,
    *,
    now: datetime | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> RecomputeReport:
    """Re-evaluate every undecided claim under ``policy`` on ``today``, in one transaction.

    Also refreshes every claim's stored next deadline, so a daily run keeps the queue's order.
    """
    require(actor, Permission.RECOMPUTE_RECOMMENDATIONS)
    created_at = now or datetime.now(UTC)
    with write_session(factory) as session:
        evaluated, changed = refresh_recommendations(
            session, policy, today, created_at, progress, chunk_size=chunk_size
        )
        refresh_due(session, None, policy, created_at)
        report = RecomputeReport(evaluated, changed, evaluated - changed, policy.version)
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
                "today": today.isoformat(),
            },
            at=created_at,
        )
    return report
