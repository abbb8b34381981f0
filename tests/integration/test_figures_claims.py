"""Open and overdue claims, pending liability, refunds approved, the headline tiles with their
previous period, and the reviewers' service figures, against an independent computation."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from data_access.models import Order
from data_access.queries import claims as claims_q
from rules import bundled_policy, claim_deadlines
from services.figures import claims, headline, reviewers
from services.figures.periods import Period
from tests import figures_oracle as oracle
from tests.figures_world import NOW, TODAY, World, build_world, insert_world, rows

POLICY = bundled_policy("v1")
INSTANTS = [
    NOW,
    datetime(2025, 3, 1, tzinfo=UTC),
    datetime(2025, 1, 15, 12, tzinfo=UTC),
    datetime(2024, 12, 1, tzinfo=UTC),
]


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> World:
    built = build_world(seed=11, claims=90)
    with session_factory() as session:
        insert_world(session, built)
    return built


#: The programme's zone decides which days and working days the dispute clock counts: China's
#: and California's, a day either side of UTC's, move some deadlines across a midnight.
ZONES = ["UTC", "Asia/Shanghai", "America/Los_Angeles"]
#: Every 5 hours over the world's last 60 days: some of them fall between a claim's deadline by
#: UTC's clock and by another zone's.
CLOCK_INSTANTS = [NOW - timedelta(hours=hours) for hours in range(0, 60 * 24, 5)]


def _overdue(world: World, at: datetime, zone: str = "UTC") -> int:
    count = 0
    for c in world.claims:
        if not oracle.open_at(c, at):
            continue
        escalated = c.escalated_at if c.escalated_at and c.escalated_at < at else None
        picked = c.picked_up_at if c.picked_up_at and c.picked_up_at < at else None
        clock = claim_deadlines(c.filed_at, escalated, picked, POLICY, ZoneInfo(zone))
        if picked is not None:
            due = clock.decision_due
        elif escalated is not None or at >= clock.auto_escalation_at:
            due = clock.pickup_due
        else:
            continue  # waiting for the supplier or the escalation: nothing is overdue yet
        count += due <= at
    return count


@pytest.mark.parametrize("zone", ZONES)
def test_claims_at_an_instant_equal_the_oracle(engine: Engine, world: World, zone: str) -> None:
    """Overdue by the deadlines of the programme's zone, those the queue shows each claim."""
    if zone != "UTC":  # else the test could not tell the zone's clock from UTC's
        assert any(_overdue(world, at, zone) != _overdue(world, at) for at in CLOCK_INSTANTS)
    for at in CLOCK_INSTANTS:
        assert claims.open_claims(engine, at, POLICY, zone).overdue == _overdue(world, at, zone)
    for at in INSTANTS:
        got = claims.open_claims(engine, at, POLICY, zone)
        assert got.open == sum(oracle.open_at(c, at) for c in world.claims)
        assert got.overdue == _overdue(world, at, zone)
        pending = claims.pending_liability(engine, at)
        assert (pending.claims, pending.cents) == oracle.pending_at(world, at)
    current = claims.open_claims(engine, NOW, POLICY, zone)
    assert current.open > 5 and 0 < current.overdue < current.open
    assert claims.pending_liability(engine, NOW).cents > 0


def test_the_claims_open_at_an_instant_give_their_orders_and_the_pending_liability(
    engine: Engine, world: World
) -> None:
    """``open_at``, which the exposure page reads at each of its instants, against the oracle."""
    before_any = min(c.filed_at for c in world.claims) - timedelta(days=1)
    instants = [before_any, *INSTANTS, NOW]
    with engine.connect() as conn:
        got = [claims_q.open_at(conn, at) for at in instants]
        order_ids = dict(conn.execute(select(Order.external_id, Order.id)).tuples().all())
    expected_orders = [
        sorted({order_ids[c.order] for c in world.claims if oracle.open_at(c, at)})
        for at in instants
    ]
    assert [o.order_ids for o in got] == expected_orders
    assert [o.pending for o in got] == [oracle.pending_at(world, at) for at in instants]
    assert got[0].pending == (0, 0) and got[0].order_ids == []
    assert got[-1].pending[1] > 0 and len(got[-1].order_ids) > 5


def test_refunds_take_each_claims_final_decision(engine: Engine, world: World) -> None:
    start, end = datetime(2024, 10, 1, tzinfo=UTC), NOW
    got = claims.refunds_approved(engine, start, end, "UTC")
    assert (got.claims, got.cents) == oracle.refunds_between(world, start, end)
    # Four-eyes claims exist (a proposal and its confirmation): each counts once, not twice.
    two = [c for c in world.claims if c.status == "approved" and len(c.verdicts) == 2]
    assert any(c.verdicts[1].amount_cents > 0 for c in two)
    # An approved claim imported without a decision is not a refund.
    assert any(c.status == "approved" and not c.verdicts for c in world.claims)
    trend = claims.refunds_trend(engine, Period(date(2024, 10, 1), TODAY), "month", TODAY, "UTC")
    assert int(trend["refunded_cents"].sum()) == got.cents
    assert int(trend["claims"].sum()) == got.claims


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai"])
def test_headline_tiles_and_their_previous_period(engine: Engine, world: World, zone: str) -> None:
    period = Period(date(2025, 1, 1), TODAY)  # still running: its snapshot is now
    tiles = headline.headline(engine, period, today=TODAY, now=NOW, zone=zone, policy=POLICY)
    previous = period.previous()
    assert previous == Period(date(2024, 10, 19), date(2024, 12, 31))  # 74 days each
    for figures, p, at in (
        (tiles.current, period, NOW),
        (tiles.previous, previous, oracle.day_start(date(2025, 1, 1), zone)),
    ):
        assert figures.period == p and figures.at == at
        late = oracle.late_counts(world, p.first, p.last, TODAY, zone)
        assert (figures.late_shipment.count, figures.late_shipment.total) == late
        dispute = oracle.dispute_counts(world, p.first, p.last, zone)
        assert (figures.dispute.count, figures.dispute.total) == dispute
        assert figures.claims.open == sum(oracle.open_at(c, at) for c in world.claims)
        assert figures.claims.overdue == _overdue(world, at)
        refunds = oracle.refunds_between(world, oracle.day_start(p.first, zone), at)
        assert (figures.refunds_approved.claims, figures.refunds_approved.cents) == refunds
        assert (figures.pending_liability.claims, figures.pending_liability.cents) == (
            oracle.pending_at(world, at)
        )
    data = tiles.as_json()
    assert data["period"]["late_shipment"]["due"] == tiles.current.late_shipment.total
    assert data["previous_period"]["refunds_approved"]["cents"] == (
        tiles.previous.refunds_approved.cents
    )
    assert isinstance(data["period"]["pending_liability"]["cents"], int)


def _departs(action: str, rec_amount: int, verdict: str, amount: int) -> bool:
    if verdict == "approve":
        return action not in ("approve_full", "approve_partial") or amount != rec_amount
    return action != "reject"


@pytest.mark.parametrize("zone", ZONES)
def test_reviewer_figures_equal_the_oracle(engine: Engine, world: World, zone: str) -> None:
    start, end = datetime(2024, 12, 1, tzinfo=UTC), NOW
    got = reviewers.reviewer_figures(engine, start, end, POLICY, zone, from_summaries=False)
    decided = [
        c
        for c in world.claims
        if c.status in ("approved", "rejected") and c.decided_at and start <= c.decided_at < end
    ]
    assert got.claims_decided == len(decided) > 5
    times = [(c, c.decided_at) for c in decided if c.decided_at is not None]
    hours = [(at - c.filed_at).total_seconds() for c, at in times]
    assert got.median_time_to_decision == timedelta(seconds=statistics.median(hours))
    tz = ZoneInfo(zone)
    late = sum(
        at > claim_deadlines(c.filed_at, c.escalated_at, c.picked_up_at, POLICY, tz).decision_due
        for c, at in times
    )
    assert got.decided_after_deadline == late
    verdicts = [(c, v) for c in world.claims for v in c.verdicts if start <= v.decided_at < end]
    assert got.verdicts == len(verdicts)
    flags = {}
    by_reviewer: Counter[str] = Counter()
    over_by_reviewer: Counter[str] = Counter()
    by_code: Counter[str] = Counter()
    over_by_code: Counter[str] = Counter()
    for c, v in verdicts:
        rec = c.recs[v.answers]  # type: ignore[index]
        departs = _departs(rec.action, rec.amount_cents, v.verdict, v.amount_cents)
        flags[(c.key, v.reviewer)] = departs
        by_reviewer[v.reviewer] += 1
        over_by_reviewer[v.reviewer] += departs
        for code in set(rec.codes):
            by_code[code] += 1
            over_by_code[code] += departs
    assert got.answered == len(flags) and got.overridden == sum(flags.values())
    assert 0 < got.overridden < got.answered
    table = {r.reviewer: (r.verdicts, r.overridden) for r in rows(got.by_reviewer)}
    assert table == {k: (by_reviewer[k], over_by_reviewer[k]) for k in by_reviewer}
    codes = {r.reason_code: (r.answered, r.overridden) for r in rows(got.by_reason)}
    assert codes == {k: (by_code[k], over_by_code[k]) for k in by_code}
    for row in rows(got.by_reason):
        assert row.override_rate == pytest.approx(row.overridden / row.answered)


def test_reviewer_figures_of_an_empty_period(engine: Engine) -> None:
    got = reviewers.reviewer_figures(engine, NOW, NOW + timedelta(days=1), POLICY, "UTC")
    assert got.claims_decided == 0 and got.median_time_to_decision is None
    assert got.override_rate is None and got.by_reviewer.empty and got.by_reason.empty
