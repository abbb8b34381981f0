"""Stored recommendation rows and the rules module's frozen values, one to the other."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from data_access.claim_facts import StoredRecommendation
from rules import Action, Reason, Recommendation, format_money, same_substance

__all__ = ["as_recommendation", "describe", "recommendation_values", "same_as_stored"]


def as_recommendation(stored: StoredRecommendation) -> Recommendation:
    """A stored row as the rules module's frozen value (for comparisons and previews)."""
    return Recommendation(
        Action(stored.action),
        stored.amount_cents,
        stored.cap_cents,
        tuple(Reason(r["code"], r["message"]) for r in stored.reasons),
        stored.policy_version,
        bool(stored.four_eyes_required),
    )


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
        "reasons": [{"code": str(r.code), "message": r.message} for r in rec.reasons],
        "four_eyes_required": rec.four_eyes_required,
        "created_at": created_at,
    }


def same_as_stored(rec: Recommendation, stored: StoredRecommendation | None) -> bool:
    """Whether ``rec`` says in substance what the stored row says (``rules.same_substance``)."""
    return stored is not None and same_substance(rec, as_recommendation(stored))


def describe(rec: Recommendation) -> str:
    """``approve in part USD 4,127.80`` / ``reject``: the recommendation in a few words."""
    words = rec.action.words
    if rec.action in (Action.APPROVE_FULL, Action.APPROVE_PARTIAL):
        return f"{words} {format_money(rec.amount_cents, 'USD')}"
    return words
