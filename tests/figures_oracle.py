"""The oracle: every figure computed from the world's rows in plain Python (zoneinfo for the
calendar), written from DESIGN.md §5 and independently of the app's SQL and services."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from tests.figures_world import UNDECIDED, ClaimRow, OrderRow, World


def local_day(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def day_start(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def is_due(o: OrderRow, first: date, last: date, today: date, zone: str) -> bool:
    not_cancelled_before = o.cancelled_at is None or local_day(o.cancelled_at, zone) >= o.ship_by
    return first <= o.ship_by <= last and o.ship_by < today and not_cancelled_before


def is_late(o: OrderRow, zone: str) -> bool:
    return o.shipped_at is None or local_day(o.shipped_at, zone) > o.ship_by


def in_days(moment: datetime, first: date, last: date, zone: str) -> bool:
    return first <= local_day(moment, zone) <= last


def late_counts(
    world: World,
    first: date,
    last: date,
    today: date,
    zone: str,
    orders: Iterable[OrderRow] | None = None,
) -> tuple[int, int]:
    pool = world.orders.values() if orders is None else orders
    due = [o for o in pool if is_due(o, first, last, today, zone)]
    return sum(is_late(o, zone) for o in due), len(due)


def dispute_counts(
    world: World, first: date, last: date, zone: str, suppliers: set[str] | None = None
) -> tuple[int, int]:
    def mine(o: OrderRow) -> bool:
        return suppliers is None or o.supplier in suppliers

    placed = sum(
        1 for o in world.orders.values() if mine(o) and in_days(o.placed_at, first, last, zone)
    )
    filed = sum(
        1
        for c in world.claims
        if mine(world.orders[c.order]) and in_days(c.filed_at, first, last, zone)
    )
    return filed, placed


def open_at(c: ClaimRow, moment: datetime) -> bool:
    if c.filed_at >= moment:
        return False
    if c.status in UNDECIDED:
        return True
    if c.decided_at is not None and c.decided_at >= moment:
        return True
    return c.withdrawn_at is not None and c.withdrawn_at >= moment


def refund_of(c: ClaimRow) -> tuple[int, datetime] | None:
    """(amount, time) of the final decision of an approved claim; None otherwise."""
    if c.status != "approved" or not c.verdicts:
        return None
    final = c.verdicts[-1]
    return final.amount_cents, final.decided_at


def refunds_between(world: World, start: datetime, end: datetime) -> tuple[int, int]:
    found = [r for c in world.claims if (r := refund_of(c)) and start <= r[1] < end]
    return len(found), sum(amount for amount, _ in found)


def pending_at(world: World, moment: datetime) -> tuple[int, int]:
    claims = cents = 0
    for c in world.claims:
        if not open_at(c, moment):
            continue
        known = [(i, r) for i, r in enumerate(c.recs) if r.created_at < moment]
        if known:
            claims += 1
            cents += max(known)[1].amount_cents  # the greatest id = the last inserted
    return claims, cents


def refunded_before(world: World, order_key: str, moment: datetime) -> int:
    return sum(
        r[0] for c in world.claims if c.order == order_key and (r := refund_of(c)) and r[1] < moment
    )


def is_live(world: World, o: OrderRow, day: date, zone: str, window: int) -> bool:
    end = day_start(day + timedelta(days=1), zone)
    since = day_start(day - timedelta(days=window), zone)
    if o.placed_at >= end or (o.cancelled_at is not None and o.cancelled_at < end):
        return False
    if o.delivered_at is None or o.delivered_at >= since:
        return True
    return any(c.order == o.key and open_at(c, end) for c in world.claims)


def exposure(world: World, day: date, zone: str, window: int) -> dict[str, int]:
    """Exposure per supplier key (every supplier, 0 for none)."""
    totals = dict.fromkeys(world.suppliers, 0)
    for o in world.orders.values():
        if is_live(world, o, day, zone, window):
            totals[o.supplier] += o.covered_cents
    return totals


def refundable(world: World, day: date, zone: str, window: int) -> dict[str, int]:
    end = day_start(day + timedelta(days=1), zone)
    totals: dict[str, int] = {}
    for o in world.orders.values():
        if is_live(world, o, day, zone, window):
            left = max(0, min(o.covered_cents, o.paid_cents) - refunded_before(world, o.key, end))
            totals[o.supplier] = totals.get(o.supplier, 0) + left
    return totals


def hhi(amounts: list[int]) -> Fraction:
    total = sum(amounts)
    return (
        sum((Fraction(100 * a, total) ** 2 for a in amounts), Fraction(0)) if total else Fraction(0)
    )
