"""Claim figures at an instant or over a period: open and overdue claims, pending liability,
refunds approved (DESIGN.md §5; queries in ``data_access.queries.claims`` and ``refunds``).

*Overdue* uses the rules module's dispute clock: a claim open at T is overdue when the deadline
governing its stage at T (pick-up, or decision once picked up) had passed by T — the queue's
"Overdue" — computed with only the escalation and pick-up known at T.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Engine

from data_access.queries import claims as q
from rules import Policy, claim_deadlines
from services.figures import refunds
from services.figures.periods import Grain, Period, bucket_label, buckets

__all__ = [
    "Money",
    "OpenClaims",
    "aware",
    "open_claims",
    "pending_liability",
    "refunds_approved",
    "refunds_trend",
]


@dataclass(frozen=True, slots=True)
class Money:
    """An amount with the number of claims it is made of."""

    claims: int
    cents: int


@dataclass(frozen=True, slots=True)
class OpenClaims:
    at: datetime
    open: int
    overdue: int


def _is_overdue(
    filed_at: datetime,
    escalated_at: datetime | None,
    picked_up_at: datetime | None,
    at: datetime,
    policy: Policy,
    zone: tzinfo,
) -> bool:
    clock = claim_deadlines(filed_at, escalated_at, picked_up_at, policy, zone)
    _, due = clock.next_deadline(at)
    return due <= at


def aware(value: object) -> datetime | None:
    """A timestamp cell of a DataFrame as an aware datetime, or None for a missing one."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    moment = pd.Timestamp(value).to_pydatetime()  # type: ignore[arg-type]
    assert isinstance(moment, datetime)
    return moment


def open_claims(engine: Engine, at: datetime, policy: Policy, zone: str) -> OpenClaims:
    """Claims open at ``at`` and how many of them were overdue then, by the dispute clock of the
    programme's ``zone`` (its days and working days), as the queue shows each claim's deadline."""
    tz = ZoneInfo(zone)
    with engine.connect() as conn:
        clocks = q.open_claim_clocks(conn, at)
    overdue = 0
    for filed, escalated, picked in clocks.itertuples(index=False, name=None):
        filed_at = aware(filed)
        assert filed_at is not None
        if _is_overdue(filed_at, aware(escalated), aware(picked), at, policy, tz):
            overdue += 1
    return OpenClaims(at, len(clocks), overdue)


def pending_liability(engine: Engine, at: datetime) -> Money:
    """Recommended amounts of the claims open at ``at`` (their latest recommendation then)."""
    with engine.connect() as conn:
        claims, cents = q.pending_liability(conn, at)
    return Money(claims, cents)


def refunds_approved(engine: Engine, start: datetime, end: datetime, zone: str) -> Money:
    """Refunds approved in ``[start, end)`` (each claim's final decision amount); whole days of
    ``zone`` from its decided days' summary where kept."""
    with engine.connect() as conn:
        claims, cents = refunds.refunds_approved(conn, start, end, zone)
    return Money(claims, cents)


def refunds_trend(
    engine: Engine, period: Period, grain: Grain, today: date, zone: str
) -> pd.DataFrame:
    """Refunds approved per week or month: ``period, label, partial, claims, refunded_cents``."""
    with engine.connect() as conn:
        counts = refunds.refunds_by_period(conn, period.start(zone), period.end(zone), zone, grain)
    spine = pd.DataFrame(
        [
            {"period": b.start, "label": bucket_label(b.start, grain), "partial": b.partial}
            for b in buckets(period, grain, today)
        ],
        columns=["period", "label", "partial"],
    )
    frame = spine.merge(counts, on="period", how="left")
    return frame.fillna({"claims": 0, "refunded_cents": 0}).astype(
        {"claims": "int64", "refunded_cents": "int64"}
    )
