"""Refunds approved in a span of instants: the whole days of the zone from the decided days'
summary (``reviewer_days`` counts a final approval there in its own transaction), the ragged
ends (today so far) and zones without it from the claims' final decisions themselves
(``queries.refunds.approved_refunds``), so a year at ten million orders reads a few hundred
day rows instead of every approved claim."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from data_access import reviewer_summaries as stored
from data_access.claim_facts import Executor
from data_access.queries import claims as q
from data_access.sql import Grain
from services.figures.reviewer_days import kept_days

__all__ = ["refunds_approved", "refunds_by_period"]


def refunds_approved(
    executor: Executor, start: datetime, end: datetime, zone: str
) -> tuple[int, int]:
    """``(claims, cents)`` of the refunds approved in ``[start, end)``."""
    days, ragged = kept_days(executor, start, end, zone, None)
    claims = cents = 0
    if days is not None:
        ((_, claims, cents),) = stored.refunds_by_period(executor, *days, None)
    for a, b in ragged:
        more, more_cents = q.refunds_approved(executor, a, b)
        claims, cents = claims + more, cents + more_cents
    return claims, cents


def refunds_by_period(
    executor: Executor, start: datetime, end: datetime, zone: str, grain: Grain
) -> pd.DataFrame:
    """Refunds approved in ``[start, end)`` per week or month of approval in ``zone``:
    ``period, claims, refunded_cents`` (periods without any absent), as
    ``queries.claims.refunds_by_period``."""
    days, ragged = kept_days(executor, start, end, zone, None)
    parts = [q.refunds_by_period(executor, a, b, zone, grain) for a, b in ragged]
    if days is not None:
        rows = stored.refunds_by_period(executor, *days, grain)
        parts.append(pd.DataFrame(rows, columns=["period", "claims", "refunded_cents"]))
    frame = pd.concat(parts, ignore_index=True)
    summed = frame.groupby("period", as_index=False, sort=True)[["claims", "refunded_cents"]].sum()
    return summed.astype({"claims": "int64", "refunded_cents": "int64"})
