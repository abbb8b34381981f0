"""The headline figures the bench computes three ways, and the question they answer.

The overview's tiles (late-shipment and dispute rates with their counts, open claims, refunds
approved, pending liability) over the overview's default range, and the exposure page's top
line (live orders, exposure, limits in force) as of today: integers only (counts and cents), so
the three contenders either agree exactly or not at all. *Overdue* is left out: it needs the
rules module's dispute clock per claim, not a table computation a baseline could repeat.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from sqlalchemy import BigInteger, Connection, Engine, cast, func, select

from data_access.models import Supplier
from data_access.sql import day_start
from rules import Policy
from services.figures import exposure
from services.figures.claims import open_claims, pending_liability, refunds_approved
from services.figures.headline import period_end_instant
from services.figures.periods import Period, period_for
from services.figures.rates import activity_extent, dispute_rate, late_shipment_rate

__all__ = ["Headline", "HeadlineAsk", "ask_between", "ask_for", "service_headline"]


@dataclass(frozen=True, slots=True)
class HeadlineAsk:
    """One question, with every instant already fixed, so no contender computes a bound."""

    zone: str
    #: The period's calendar days (both included) and the day the late-shipment rate is
    #: counted on (ship-by days before it only).
    first: date
    last: date
    today: date
    #: The period's first instant, and the instant its state is read at (its end, or now).
    start: datetime
    at: datetime
    #: Exposure as of ``today``: the end of that day, and the first delivery time still live.
    exposure_end: datetime
    delivered_since: datetime

    @property
    def period(self) -> Period:
        return Period(self.first, self.last)


@dataclass(frozen=True, slots=True)
class Headline:
    late_shipments: int
    orders_due: int
    claims_filed: int
    orders_placed: int
    open_claims: int
    refunds_approved: int
    refunds_approved_cents: int
    pending_claims: int
    pending_liability_cents: int
    live_orders: int
    exposure_cents: int
    limits_cents: int

    def differences(self, other: Headline) -> list[str]:
        """``name: mine != theirs`` for each figure the two disagree on."""
        return [
            f"{f.name}: {getattr(self, f.name):,} != {getattr(other, f.name):,}"
            for f in fields(self)
            if getattr(self, f.name) != getattr(other, f.name)
        ]


def ask_for(
    engine: Engine, *, today: date, now: datetime, zone: str, policy: Policy
) -> HeadlineAsk:
    """The overview's default range (the latest twelve months holding data) and today."""
    period = period_for("data_12m", today, activity_extent(engine, zone))
    point = exposure.as_of(today, zone, policy)
    return HeadlineAsk(
        zone=zone,
        first=period.first,
        last=period.last,
        today=today,
        start=day_start(period.first, zone),
        at=period_end_instant(period, zone, now),
        exposure_end=point.end,
        delivered_since=point.delivered_since,
    )


def ask_between(
    first: date, last: date, *, today: date, now: datetime, zone: str, window_days: int
) -> HeadlineAsk:
    """A question over any period (tests ask several)."""
    period = Period(first, last)
    return HeadlineAsk(
        zone=zone,
        first=first,
        last=last,
        today=today,
        start=day_start(first, zone),
        at=period_end_instant(period, zone, now),
        exposure_end=day_start(today + timedelta(days=1), zone),
        delivered_since=day_start(today - timedelta(days=window_days), zone),
    )


def service_headline(engine: Engine, ask: HeadlineAsk, policy: Policy) -> Headline:
    """Through the app's own figure services, as the overview's tiles compute them.

    Exposure: as the exposure service reads a total (``exposure.exposure_total``, each month's
    of the page's trend: from the daily summaries when they are kept for the zone and the
    policy's claim window, otherwise from the orders), at the instants ``exposure.as_of`` gives,
    which the ask holds.
    """
    period = ask.period
    late = late_shipment_rate(engine, period, ask.today, ask.zone)
    dispute = dispute_rate(engine, period, ask.zone)
    claims_open = open_claims(engine, ask.at, policy, ask.zone)
    refunds = refunds_approved(engine, ask.start, ask.at, ask.zone)
    pending = pending_liability(engine, ask.at)
    with engine.connect() as conn:
        point = exposure.AsOf(ask.today, ask.exposure_end, ask.delivered_since)
        live, exposed = exposure.exposure_total(conn, point, ask.zone, policy)
        limits = _limits(conn)
    return Headline(
        late_shipments=late.count,
        orders_due=late.total,
        claims_filed=dispute.count,
        orders_placed=dispute.total,
        open_claims=claims_open.open,
        refunds_approved=refunds.claims,
        refunds_approved_cents=refunds.cents,
        pending_claims=pending.claims,
        pending_liability_cents=pending.cents,
        live_orders=live,
        exposure_cents=exposed,
        limits_cents=limits,
    )


def _limits(conn: Connection) -> int:
    """Limits in force: every supplier's limit, as the exposure page sums them."""
    query = select(cast(func.coalesce(func.sum(Supplier.limit_cents), 0), BigInteger))
    return int(conn.execute(query).scalar_one())
