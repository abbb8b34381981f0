"""What reviewers decided in a period, for the service figures (issue 12).

Reads only the decision columns that survive the claim life-cycle rework: ``claim_id``,
``recommendation_id``, ``reviewer_id``, ``verdict``, ``amount_cents``, ``decided_at``; and the
claims' own ``filed_at``/``decided_at`` and dispute-clock times.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, String, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from data_access.claim_facts import Executor
from data_access.models import Claim, Decision, Recommendation, User

__all__ = [
    "DecidedClaim",
    "DecisionRow",
    "decided_claims",
    "decision_rows",
    "median_time_to_decision",
    "reviewer_names",
]

DECIDED = ("approved", "rejected")

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


#: One verdict: ``reviewer_id, decided_at, kind, verdict, amount_cents`` and the recommendation
#: it answered: ``action, amount_cents, cap_cents, reason codes`` (all None where it answered
#: none).
DecisionRow = tuple[
    int, datetime, str, str, int, str | None, int | None, int | None, list[str] | None
]
#: A decided claim: ``filed_at, decided_at, escalated_at, picked_up_at``.
DecidedClaim = tuple[datetime, datetime, datetime | None, datetime | None]


def decision_rows(
    executor: Executor,
    start: datetime | None,
    end: datetime | None,
    *,
    decision_ids: Sequence[int] | None = None,
) -> list[DecisionRow]:
    """Every reviewer verdict recorded in ``[start, end)`` (either None: unbounded), or only
    those with ``decision_ids``, with the recommendation it answered, as plain tuples (a year
    holds tens of thousands: the figures count them, so no DataFrame)."""
    query = (
        select(
            Decision.reviewer_id,
            Decision.decided_at,
            Decision.kind,
            Decision.verdict,
            Decision.amount_cents,
            Recommendation.action,
            Recommendation.amount_cents,
            Recommendation.cap_cents,
            _ReasonCodes(Recommendation.reasons),
        )
        .outerjoin(Recommendation, Recommendation.id == Decision.recommendation_id)
        .where(*_between(Decision.decided_at, start, end))
    )
    if decision_ids is not None:
        query = query.where(Decision.id.in_(list(decision_ids)))
    return [
        (
            reviewer,
            decided_at,
            kind,
            verdict,
            amount,
            action,
            recommended,
            cap,
            None if codes is None else [c for c in codes.split(CODE_SEPARATOR) if c],
        )
        for reviewer, decided_at, kind, verdict, amount, action, recommended, cap, codes in (
            executor.execute(query)
        )
    ]


def _between(column: Any, start: datetime | None, end: datetime | None) -> list[Any]:
    return [
        *([] if start is None else [column >= start]),
        *([] if end is None else [column < end]),
    ]


def _decided(start: datetime | None, end: datetime | None) -> list[Any]:
    return [Claim.status.in_(DECIDED), *_between(Claim.decided_at, start, end)]


def decided_claims(
    executor: Executor,
    start: datetime | None,
    end: datetime | None,
    *,
    claim_ids: Sequence[int] | None = None,
) -> list[DecidedClaim]:
    """Claims decided (approved or rejected) in ``[start, end)`` (either None: unbounded), or
    only those with ``claim_ids`` (aware datetimes, as stored: thousands of rows a year, read
    without a DataFrame's conversions)."""
    query = select(Claim.filed_at, Claim.decided_at, Claim.escalated_at, Claim.picked_up_at).where(
        *_decided(start, end)
    )
    if claim_ids is not None:
        query = query.where(Claim.id.in_(list(claim_ids)))
    return [
        (filed, decided, escalated, picked)
        for filed, decided, escalated, picked in executor.execute(query).all()
        if decided is not None  # always, by the filter; for the type
    ]


class _Microseconds(FunctionElement[int]):
    """``later - earlier`` (two stored UTC timestamps) in whole microseconds, exactly: SQLite
    keeps them as ``YYYY-MM-DD HH:MM:SS.ffffff`` text, whose whole seconds it reads from the
    first 19 characters (given the fraction, SQLite rounds to the millisecond, so
    ``…:14.999999`` would read as second 15) and whose fraction is the digits after the point
    (none: zero); PostgreSQL's epoch of an interval is an exact numeric."""

    type = BigInteger()
    inherit_cache = True
    name = "microseconds_between"


def _sqlite_version(compiler: SQLCompiler) -> tuple[int, ...]:
    dbapi = compiler.dialect.dbapi
    return tuple(getattr(dbapi, "sqlite_version_info", (0,)))


@compiles(_Microseconds, "sqlite")
def _microseconds_sqlite(element: _Microseconds, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    # unixepoch() (SQLite 3.38) gives the seconds as an integer; strftime('%s') formats them as
    # text to be read back. Over a year's decided claims at ten million orders (132,221): the
    # median 0.33-0.46 s -> 0.22-0.32 s, alone; on the overview, in a thread beside the page.
    if _sqlite_version(compiler) >= (3, 38):
        seconds = f"(unixepoch(substr({later}, 1, 19)) - unixepoch(substr({earlier}, 1, 19)))"
    else:
        seconds = (
            f"(CAST(strftime('%s', substr({later}, 1, 19)) AS INTEGER)"
            f" - CAST(strftime('%s', substr({earlier}, 1, 19)) AS INTEGER))"
        )
    fraction = (
        f"(CAST(substr({later}, 21, 6) AS INTEGER) - CAST(substr({earlier}, 21, 6) AS INTEGER))"
    )
    return f"({seconds} * 1000000 + {fraction})"


@compiles(_Microseconds, "postgresql")
def _microseconds_postgresql(element: _Microseconds, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) * 1000000 AS BIGINT)"


def median_time_to_decision(executor: Executor, start: datetime, end: datetime) -> timedelta | None:
    """The median time from filing to decision of the claims decided in ``[start, end)``,
    None without any: the one or two middle durations, found by the database's sort (a year
    at ten million orders is a hundred thousand claims: no reason to send them all here)."""
    decided = _decided(start, end)
    count = executor.execute(select(func.count()).select_from(Claim).where(*decided)).scalar_one()
    if not count:
        return None
    duration = _Microseconds(Claim.decided_at, Claim.filed_at).label("duration")
    middle = (
        executor.execute(
            select(duration)
            .where(*decided)
            .order_by(duration)
            .offset((count - 1) // 2)
            .limit(2 - count % 2)
        )
        .scalars()
        .all()
    )
    return timedelta(microseconds=sum(int(m) for m in middle) / len(middle))


def reviewer_names(executor: Executor, ids: Sequence[int]) -> dict[int, str]:
    """The display names of the users with these ids."""
    if not ids:
        return {}
    query = select(User.id, User.display_name).where(User.id.in_(sorted(set(ids))))
    return {user_id: name for user_id, name in executor.execute(query)}
