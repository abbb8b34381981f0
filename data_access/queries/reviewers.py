"""What reviewers decided in a period, for the service figures (issue 12).

Reads only the decision columns that survive the claim life-cycle rework: ``claim_id``,
``recommendation_id``, ``reviewer_id``, ``verdict``, ``amount_cents``, ``decided_at``; and the
claims' own ``filed_at``/``decided_at`` and dispute-clock times.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from data_access.claim_facts import Executor
from data_access.models import Claim, Decision, Recommendation, User

__all__ = ["DecisionRow", "decided_claims", "decision_rows"]

#: Between the codes of one recommendation's reasons (codes are identifiers: never in them).
CODE_SEPARATOR = "\x1f"


class _ReasonCodes(FunctionElement[Any]):
    """The ``code`` of every reason of a recommendation's ``reasons`` (a JSON array of
    objects), joined by ``CODE_SEPARATOR``, NULL without any: the codes only, so thousands of
    recommendations are not decoded whole for their codes."""

    type = String()
    inherit_cache = True
    name = "reason_codes"


@compiles(_ReasonCodes, "sqlite")
def _reason_codes_sqlite(element: _ReasonCodes, compiler: SQLCompiler, **kw: Any) -> str:
    reasons = compiler.process(next(iter(element.clauses)), **kw)
    codes = "group_concat(json_extract(reason.value, '$.code'), char(31))"
    return f"(SELECT {codes} FROM json_each({reasons}) AS reason)"  # noqa: S608 (no input)


@compiles(_ReasonCodes, "postgresql")
def _reason_codes_postgresql(element: _ReasonCodes, compiler: SQLCompiler, **kw: Any) -> str:
    reasons = compiler.process(next(iter(element.clauses)), **kw)
    codes = "string_agg(reason ->> 'code', chr(31))"
    elements = f"json_array_elements(({reasons})::json)"
    return f"(SELECT {codes} FROM {elements} AS reason)"  # noqa: S608 (no input)


#: One verdict: ``reviewer, verdict, amount_cents`` and the recommendation it answered:
#: ``action, amount_cents, cap_cents, reason codes`` (all None where it answered none).
DecisionRow = tuple[str, str, int, str | None, int | None, int | None, list[str] | None]


def decision_rows(executor: Executor, start: datetime, end: datetime) -> list[DecisionRow]:
    """Every reviewer verdict recorded in ``[start, end)`` with the recommendation it answered,
    as plain tuples (a year holds tens of thousands: the figures count them, so no DataFrame)."""
    query = (
        select(
            User.display_name,
            Decision.verdict,
            Decision.amount_cents,
            Recommendation.action,
            Recommendation.amount_cents,
            Recommendation.cap_cents,
            _ReasonCodes(Recommendation.reasons),
        )
        .join(User, User.id == Decision.reviewer_id)
        .outerjoin(Recommendation, Recommendation.id == Decision.recommendation_id)
        .where(Decision.decided_at >= start, Decision.decided_at < end)
    )
    return [
        (
            reviewer,
            verdict,
            amount,
            action,
            recommended,
            cap,
            None if codes is None else [c for c in codes.split(CODE_SEPARATOR) if c],
        )
        for reviewer, verdict, amount, action, recommended, cap, codes in executor.execute(query)
    ]


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
