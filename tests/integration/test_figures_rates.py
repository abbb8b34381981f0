"""Late-shipment and dispute rates, their trends, breakdowns and drill-downs, against an
independent computation over the same rows, in three time zones, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from services.figures import rates
from services.figures.periods import Period, buckets
from services.figures.rates import Scope
from tests import factories as f
from tests import figures_oracle as oracle
from tests.factories import utc
from tests.figures_world import TODAY, ZONES, OrderRow, World, build_world, insert_world, rows

PERIODS = [
    Period(date(2024, 11, 1), date(2025, 3, 15)),
    Period(date(2025, 1, 1), date(2025, 1, 31)),
    Period(date(2025, 2, 10), date(2025, 3, 9)),
]


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> World:
    built = build_world()
    with session_factory() as session:
        insert_world(session, built)
    return built


@pytest.mark.parametrize("zone", ZONES)
def test_rates_and_previous_period_equal_the_oracle(
    engine: Engine, world: World, zone: str
) -> None:
    for period in PERIODS:
        for p in (period, period.previous()):
            late = rates.late_shipment_rate(engine, p, TODAY, zone)
            assert (late.count, late.total) == oracle.late_counts(
                world, p.first, p.last, TODAY, zone
            )
            dispute = rates.dispute_rate(engine, p, zone)
            expected = oracle.dispute_counts(world, p.first, p.last, zone)
            assert (dispute.count, dispute.total) == expected
    whole = rates.late_shipment_rate(engine, PERIODS[0], TODAY, zone)
    assert whole.total > 40 and 0 < whole.count < whole.total  # the world exercises both


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("grain", ["week", "month"])
def test_trends_have_every_period_and_equal_the_oracle(
    engine: Engine, world: World, zone: str, grain: str
) -> None:
    period = Period(date(2024, 12, 10), TODAY)
    late = rates.late_shipment_trend(engine, period, grain, TODAY, zone)  # type: ignore[arg-type]
    disputes = rates.dispute_trend(engine, period, grain, TODAY, zone)  # type: ignore[arg-type]
    spine = buckets(period, grain, TODAY)  # type: ignore[arg-type]
    assert list(late["period"]) == [b.start for b in spine] == list(disputes["period"])
    assert late["partial"].tolist()[0] is True  # cut by the range's first day
    assert late["partial"].tolist()[-1] is True  # still running today
    for bucket, row in zip(spine, rows(late), strict=True):
        first, last = max(bucket.start, period.first), min(bucket.end, period.last)
        assert (row.late, row.due) == oracle.late_counts(world, first, last, TODAY, zone)
    for bucket, row in zip(spine, rows(disputes), strict=True):
        first, last = max(bucket.start, period.first), min(bucket.end, period.last)
        assert (row.claims, row.orders) == oracle.dispute_counts(world, first, last, zone)
    total = rates.late_shipment_rate(engine, period, TODAY, zone)
    assert (int(late["late"].sum()), int(late["due"].sum())) == (total.count, total.total)


def _supplier_attr(world: World, attr: str) -> dict[str, str]:
    return {key: getattr(s, attr) for key, s in world.suppliers.items()}


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai"])
def test_breakdowns_equal_the_oracle_and_add_up(engine: Engine, world: World, zone: str) -> None:
    period = PERIODS[0]
    first, last = period.first, period.last
    due = [o for o in world.orders.values() if oracle.is_due(o, first, last, TODAY, zone)]
    placed = [o for o in world.orders.values() if oracle.in_days(o.placed_at, first, last, zone)]
    filed = [c for c in world.claims if oracle.in_days(c.filed_at, first, last, zone)]
    keys: dict[str, Callable[[OrderRow], str]] = {
        "supplier_country": lambda o: world.suppliers[o.supplier].country,
        "supplier_tier": lambda o: world.suppliers[o.supplier].tier,
        "category": lambda o: o.category,
    }
    for dimension, key_of in keys.items():
        frame = rates.breakdown(engine, period, TODAY, zone, dimension)  # type: ignore[arg-type]
        got = {r.key: (r.due, r.late, r.orders, r.claims) for r in rows(frame)}
        want_due = Counter(key_of(o) for o in due)
        want_late = Counter(key_of(o) for o in due if oracle.is_late(o, zone))
        want_orders = Counter(key_of(o) for o in placed)
        want_claims = Counter(key_of(world.orders[c.order]) for c in filed)
        names = set(want_due) | set(want_orders) | set(want_claims)
        assert got == {
            k: (want_due[k], want_late[k], want_orders[k], want_claims[k]) for k in names
        }
        assert int(frame["due"].sum()) == len(due)  # the bars add up to the whole
    kinds = rates.breakdown(engine, period, TODAY, zone, "claim_kind")
    assert dict(zip(kinds["key"], kinds["claims"], strict=True)) == Counter(c.kind for c in filed)
    assert set(kinds["orders"]) == {len(placed)}  # each kind against all orders placed
    assert kinds["late_rate"].isna().all()


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_drill_down_adds_up_to_the_figure_it_opens(engine: Engine, world: World, zone: str) -> None:
    period = PERIODS[0]
    month = Period(date(2025, 1, 1), date(2025, 1, 31))
    for scope in (Scope(), Scope(supplier_country="CN"), Scope(category="Apparel")):
        for window in (period, month):
            parent_late = rates.late_shipment_rate(engine, window, TODAY, zone, scope)
            parent_dispute = rates.dispute_rate(engine, window, zone, scope)
            behind = rates.suppliers_behind(engine, window, TODAY, zone, scope)
            assert int(behind["late"].sum()) == parent_late.count
            assert int(behind["due"].sum()) == parent_late.total
            assert int(behind["claims"].sum()) == parent_dispute.count
            assert int(behind["orders"].sum()) == parent_dispute.total
            # Most late orders first, then claims, then by supplier: one order, however the
            # database returned them.
            ranks = list(zip(-behind["late"], -behind["claims"], behind["supplier"], strict=True))
            assert ranks == sorted(ranks)
            rows = rates.orders_behind(engine, window, TODAY, zone, scope, page_size=500)
            assert rows.total == parent_late.total == len(rows.frame)
            assert int(rows.frame["late"].sum()) == parent_late.count
            late_first = rows.frame["late"].tolist()
            assert late_first == sorted(late_first, reverse=True)
            claims = rates.claims_behind(engine, window, zone, scope, page_size=500)
            assert claims.total == parent_dispute.count == len(claims.frame)
    # The month's breakdown bar for CN drills into exactly its suppliers.
    cn = Scope(supplier_country="CN")
    behind = rates.suppliers_behind(engine, month, TODAY, zone, cn)
    assert set(behind["supplier"]) <= {k for k, s in world.suppliers.items() if s.country == "CN"}
    kind = Scope(claim_kind="quality")
    behind = rates.suppliers_behind(engine, period, TODAY, zone, kind)
    expected = sum(
        1
        for c in world.claims
        if c.kind == "quality" and oracle.in_days(c.filed_at, period.first, period.last, zone)
    )
    assert int(behind["claims"].sum()) == expected and int(behind["due"].sum()) == 0


def test_orders_behind_pages_through_every_row(engine: Engine, world: World) -> None:
    period = PERIODS[0]
    seen: list[str] = []
    page = 1
    while True:
        rows = rates.orders_behind(engine, period, TODAY, "UTC", page=page, page_size=7)
        if rows.frame.empty:
            break
        seen += list(rows.frame["order"])
        page += 1
    due = {
        o.key
        for o in world.orders.values()
        if oracle.is_due(o, period.first, period.last, TODAY, "UTC")
    }
    assert sorted(seen) == sorted(due) and len(seen) == len(set(seen))


def test_the_programme_time_zone_moves_days(session_factory: sessionmaker[Session]) -> None:
    """The same rows, counted in three zones: the calendar day decides late or on time."""
    with session_factory() as s:
        sup, buy = f.supplier(s), f.buyer(s)
        ship_by = date(2025, 1, 20)
        # 23:00 UTC on the 20th is 07:00 on the 21st in Shanghai: late there, on time in UTC.
        f.order(s, sup, buy, ship_by=ship_by, shipped_at=utc(2025, 1, 20, 23), external_id="E1")
        # 02:00 UTC on the 21st is 21:00 on the 20th in New York: on time there, late in UTC.
        f.order(s, sup, buy, ship_by=ship_by, shipped_at=utc(2025, 1, 21, 2), external_id="E2")
        # Cancelled at 20:00 UTC on the 19th = 04:00 on the 20th in Shanghai: cancelled before
        # the ship-by day in UTC (not due), on it in Shanghai (due, and late: never shipped).
        f.order(
            s,
            sup,
            buy,
            ship_by=ship_by,
            cancelled_at=utc(2025, 1, 19, 20),
            status="cancelled",
            external_id="E3",
        )
        # Placed at 20:00 UTC on 31 January: February in Shanghai, January in UTC.
        order = f.order(
            s, sup, buy, placed_at=utc(2025, 1, 31, 20), ship_by=date(2025, 3, 1), external_id="E4"
        )
        f.claim(s, order, filed_at=utc(2025, 2, 28, 20))  # March in Shanghai
        s.commit()
    engine = session_factory.kw["bind"]
    january = Period(date(2025, 1, 1), date(2025, 1, 31))
    february = Period(date(2025, 2, 1), date(2025, 2, 28))
    late = {z: rates.late_shipment_rate(engine, january, TODAY, z) for z in ZONES}
    assert (late["UTC"].count, late["UTC"].total) == (1, 2)  # E2 late; E3 not due
    assert (late["Asia/Shanghai"].count, late["Asia/Shanghai"].total) == (3, 3)  # E1-E3 late
    assert (late["America/New_York"].count, late["America/New_York"].total) == (0, 2)
    jan_utc = rates.dispute_rate(engine, january, "UTC")
    feb_sh = rates.dispute_rate(engine, february, "Asia/Shanghai")
    assert jan_utc.total == 4 and feb_sh.total == 1  # E4 placed in February in Shanghai
    assert rates.dispute_rate(engine, february, "UTC").count == 1
    assert rates.dispute_rate(engine, february, "Asia/Shanghai").count == 0


def test_activity_extent_finds_old_history(session_factory: sessionmaker[Session]) -> None:
    engine = session_factory.kw["bind"]
    assert rates.activity_extent(engine, "UTC") is None
    with session_factory() as s:
        sup, buy = f.supplier(s), f.buyer(s)
        f.order(s, sup, buy, placed_at=utc(2018, 3, 31, 22), ship_by=date(2018, 4, 20))
        f.order(s, sup, buy, placed_at=utc(2018, 6, 1, 9), ship_by=date(2018, 8, 2))
        s.commit()
    assert rates.activity_extent(engine, "UTC") == (date(2018, 3, 31), date(2018, 8, 2))
    assert rates.activity_extent(engine, "Asia/Shanghai") == (date(2018, 4, 1), date(2018, 8, 2))
    assert date(2018, 8, 2) - timedelta(days=1) > date(2018, 3, 31)
