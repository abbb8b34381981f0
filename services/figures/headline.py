"""The overview's headline tiles, each against the previous period of the same length; the same
numbers ``assurance figures --json`` prints.

Rates are over the period. Open and overdue claims and pending liability are the state at the
period's end (now, when the period runs to today); refunds approved are those decided in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine

from rules import Policy
from services.figures.claims import Money, OpenClaims, open_claims, pending_liability
from services.figures.claims import refunds_approved as refunds_in
from services.figures.periods import Period
from services.figures.rates import Rate, dispute_rate, late_shipment_rate

__all__ = ["Headline", "PeriodFigures", "headline", "period_end_instant"]


@dataclass(frozen=True, slots=True)
class PeriodFigures:
    period: Period
    #: The instant the snapshot figures (open, overdue, pending) are taken at.
    at: datetime
    late_shipment: Rate
    dispute: Rate
    claims: OpenClaims
    refunds_approved: Money
    pending_liability: Money

    def as_json(self) -> dict[str, Any]:
        return {
            "from": self.period.first.isoformat(),
            "to": self.period.last.isoformat(),
            "snapshot_at": self.at.isoformat().replace("+00:00", "Z"),
            "late_shipment": _rate_json(self.late_shipment, "late", "due"),
            "dispute": _rate_json(self.dispute, "claims_filed", "orders_placed"),
            "open_claims": self.claims.open,
            "overdue_claims": self.claims.overdue,
            "refunds_approved": {
                "claims": self.refunds_approved.claims,
                "cents": self.refunds_approved.cents,
            },
            "pending_liability": {
                "claims": self.pending_liability.claims,
                "cents": self.pending_liability.cents,
            },
        }


def _rate_json(rate: Rate, count: str, total: str) -> dict[str, Any]:
    return {
        count: rate.count,
        total: rate.total,
        "rate": None if rate.rate is None else round(rate.rate, 6),
    }


@dataclass(frozen=True, slots=True)
class Headline:
    current: PeriodFigures
    previous: PeriodFigures

    def as_json(self) -> dict[str, Any]:
        return {"period": self.current.as_json(), "previous_period": self.previous.as_json()}


def period_end_instant(period: Period, zone: str, now: datetime) -> datetime:
    """When a period's state is read: its end, or ``now`` while it is still running."""
    return min(period.end(zone), now)


def figures_for(
    engine: Engine, period: Period, today: date, now: datetime, zone: str, policy: Policy
) -> PeriodFigures:
    at = period_end_instant(period, zone, now)
    return PeriodFigures(
        period=period,
        at=at,
        late_shipment=late_shipment_rate(engine, period, today, zone),
        dispute=dispute_rate(engine, period, zone),
        claims=open_claims(engine, at, policy, zone),
        refunds_approved=refunds_in(engine, period.start(zone), at, zone),
        pending_liability=pending_liability(engine, at),
    )


def headline(
    engine: Engine, period: Period, *, today: date, now: datetime, zone: str, policy: Policy
) -> Headline:
    """The tiles for ``period`` and for the period of the same length just before it."""
    return Headline(
        current=figures_for(engine, period, today, now, zone, policy),
        previous=figures_for(engine, period.previous(), today, now, zone, policy),
    )
