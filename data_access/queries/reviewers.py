"""What reviewers decided in a period, for the service figures (issue 12).

Reads only the decision columns that survive the claim life-cycle rework: ``claim_id``,
``recommendation_id``, ``reviewer_id``, ``verdict``, ``amount_cents``, ``decided_at``; and the
claims' own ``filed_at``/``decided_at`` and dispute-clock times.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import select

from data_access.claim_facts import Executor
from data_access.models import Claim, Decision, Recommendation, User

__all__ = ["DECISION_COLUMNS", "decided_claims", "decisions_in"]

DECISION_COLUMNS = [
    "claim_id",
    "reviewer",
    "verdict",
    "amount_cents",
    "decided_at",
    "recommended_action",
    "recommended_cents",
    "cap_cents",
    "reasons",
]


def decisions_in(executor: Executor, start: datetime, end: datetime) -> pd.DataFrame:
    """Every reviewer verdict recorded in ``[start, end)`` with the recommendation it answered
    (its action, amount, cap and reasons; None where it answered none)."""
    query = (
        select(
            Decision.claim_id,
            User.display_name,
            Decision.verdict,
            Decision.amount_cents,
            Decision.decided_at,
            Recommendation.action,
            Recommendation.amount_cents,
            Recommendation.cap_cents,
            Recommendation.reasons,
        )
        .join(User, User.id == Decision.reviewer_id)
        .outerjoin(Recommendation, Recommendation.id == Decision.recommendation_id)
        .where(Decision.decided_at >= start, Decision.decided_at < end)
        .order_by(Decision.decided_at, Decision.id)
    )
    return pd.DataFrame(executor.execute(query).all(), columns=DECISION_COLUMNS)


def decided_claims(
    executor: Executor, start: datetime, end: datetime
) -> list[tuple[datetime, datetime, datetime | None, datetime | None]]:
    """Claims decided (approved or rejected) in ``[start, end)``: ``filed_at, decided_at,
    escalated_at, picked_up_at`` (aware datetimes, as stored: thousands of rows a year, read
    without a DataFrame's conversions)."""
    query = select(Claim.filed_at, Claim.decided_at, Claim.escalated_at, Claim.picked_up_at).where(
        Claim.status.in_(("approved", "rejected")),
        Claim.decided_at >= start,
        Claim.decided_at < end,
    )
    return [
        (filed, decided, escalated, picked)
        for filed, decided, escalated, picked in executor.execute(query).all()
        if decided is not None  # always, by the filter; for the type
    ]
