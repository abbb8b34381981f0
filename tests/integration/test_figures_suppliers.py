"""The suppliers table, one supplier's standing (also the claim page's supplier record) and the
SQL monitoring tier, against an independent computation and ``rules.Policy``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, literal, select
from sqlalchemy.orm import Session, sessionmaker

from data_access.queries.tiers import tier_rank, worse_rank
from rules import MonitoringTier, TierThresholds, bundled_policy
from services.claims.view import load_claim
from services.figures import suppliers
from services.figures.periods import Period
from services.figures.tiers import tier_of_rank
from tests import figures_oracle as oracle
from tests.figures_world import NOW, TODAY, World, build_world, insert_world, rows

POLICY = bundled_policy("v1")
RANK = {None: 0, MonitoringTier.WATCH: 1, MonitoringTier.WARNING: 2, MonitoringTier.EXCESSIVE: 3}


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> World:
    built = build_world(seed=5, orders=220, claims=120)
    with session_factory() as session:
        insert_world(session, built)
    return built


def _expected_rows(world: World, zone: str) -> dict[str, dict[str, Any]]:
    first, last = TODAY - timedelta(days=90), TODAY - timedelta(days=1)
    end = oracle.day_start(TODAY + timedelta(days=1), zone)
    exposure = oracle.exposure(world, TODAY, zone, POLICY.claim_window_days)
    rows = {}
    for key, s in world.suppliers.items():
        mine = [o for o in world.orders.values() if o.supplier == key]
        late, due = oracle.late_counts(world, first, last, TODAY, zone, mine)
        claims, orders = oracle.dispute_counts(world, first, last, zone, {key})
        tier = POLICY.monitoring_tier(
            late_count=late, late_total=due, dispute_count=claims, dispute_total=orders
        )
        rows[key] = {
            "due": due,
            "late": late,
            "orders": orders,
            "claims": claims,
            "open_claims": sum(
                1
                for c in world.claims
                if world.orders[c.order].supplier == key and oracle.open_at(c, end)
            ),
            "exposure_cents": exposure[key],
            "headroom_cents": s.limit_cents - exposure[key],
            "limit_cents": s.limit_cents,
            "monitoring_tier": tier.value if tier else "none",
        }
    return rows


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai"])
def test_suppliers_table_equals_the_oracle(engine: Engine, world: World, zone: str) -> None:
    page = suppliers.suppliers_page(engine, TODAY, zone, POLICY, page_size=0)
    expected = _expected_rows(world, zone)
    assert page.total == len(expected) == len(page.frame)
    for row in rows(page.frame):
        want = expected[row.supplier]
        got = {name: getattr(row, name) for name in want}
        assert got == want, row.supplier
        if row.limit_cents > 0:
            assert row.utilisation == pytest.approx(row.exposure_cents / row.limit_cents)
    tiers = [e["monitoring_tier"] for e in expected.values()]
    assert page.counts["over_limit"] == sum(e["headroom_cents"] < 0 for e in expected.values())
    for name in ("excessive", "warning", "watch", "none"):
        assert page.counts.get(name, 0) == tiers.count(name)
    # The world holds what the table must show: a supplier over its limit, a zero limit.
    assert page.counts["over_limit"] >= 1
    zero = page.frame[page.frame["supplier"] == "SUP-D"].iloc[0]
    assert zero["limit_cents"] == 0 and zero["utilisation"] == float("inf")
    empty = page.frame[page.frame["supplier"] == "SUP-E"].iloc[0]
    assert empty["exposure_cents"] == 0 and empty["monitoring_tier"] == "none"


def test_suppliers_table_ranks_searches_and_pages(engine: Engine, world: World) -> None:
    by_headroom = suppliers.suppliers_page(
        engine, TODAY, "UTC", POLICY, sort="headroom", descending=False, page_size=0
    )
    headroom = by_headroom.frame["headroom_cents"].tolist()
    assert headroom == sorted(headroom)
    by_tier = suppliers.suppliers_page(engine, TODAY, "UTC", POLICY, page_size=0).frame
    ranks = by_tier["tier_rank"].tolist()
    assert ranks == sorted(ranks, reverse=True)
    paged = [
        suppliers.suppliers_page(
            engine, TODAY, "UTC", POLICY, sort="name", descending=False, page=n, page_size=2
        ).frame
        for n in (1, 2, 3)
    ]
    names = [s for frame in paged for s in frame["supplier_name"]]
    assert names == sorted(s.name for s in world.suppliers.values())
    found = suppliers.suppliers_page(engine, TODAY, "UTC", POLICY, search="berliner")
    assert found.total == 1 and found.frame["supplier"].tolist() == ["SUP-B"]
    assert suppliers.suppliers_page(engine, TODAY, "UTC", POLICY, search="de").total >= 1  # country
    assert suppliers.suppliers_page(engine, TODAY, "UTC", POLICY, search="100%_").total == 0
    over = suppliers.suppliers_page(engine, TODAY, "UTC", POLICY, show="over_limit", page_size=0)
    assert over.total == over.counts["over_limit"] and (over.frame["headroom_cents"] < 0).all()
    tiered = suppliers.suppliers_page(engine, TODAY, "UTC", POLICY, show="tiered", page_size=0)
    assert (tiered.frame["tier_rank"] > 0).all()


def test_the_claim_pages_supplier_record_is_the_suppliers_standing(
    engine: Engine, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSURANCE_PROGRAMME_TIMEZONE", "Asia/Shanghai")
    claim = next(c for c in world.claims if world.orders[c.order].supplier == "SUP-A")
    view = load_claim(engine, claim.key, None, policy=POLICY, now=NOW)
    assert view is not None
    record = view.supplier_record
    expected = _expected_rows(world, "Asia/Shanghai")["SUP-A"]
    assert (record.orders_due, record.orders_late) == (expected["due"], expected["late"])
    assert (record.claims_filed, record.orders_placed) == (expected["claims"], expected["orders"])
    assert record.exposure_cents == expected["exposure_cents"]
    assert record.headroom_cents == expected["headroom_cents"]
    assert (record.tier.value if record.tier else "none") == expected["monitoring_tier"]


def test_supplier_detail_claims_and_history(engine: Engine, world: World) -> None:
    detail = suppliers.supplier_detail(engine, "sup-b", TODAY, "UTC", POLICY)  # any case
    assert detail is not None and detail.external_id == "SUP-B"
    assert detail.standing.exposure_cents == _expected_rows(world, "UTC")["SUP-B"]["exposure_cents"]
    assert detail.limit_history.empty
    assert suppliers.supplier_detail(engine, "SUP-NOPE", TODAY, "UTC", POLICY) is None
    mine = [c for c in world.claims if world.orders[c.order].supplier == "SUP-B"]
    rows = suppliers.supplier_claims(engine, "SUP-B", page=1, page_size=500)
    assert rows.total == len(mine) == len(rows.frame)
    refunds = {c.key: r[0] for c in mine if (r := oracle.refund_of(c))}
    got = {
        c: int(v)
        for c, v in zip(rows.frame["claim"], rows.frame["refunded_cents"], strict=True)
        if not pd.isna(v)
    }
    assert got == refunds
    filed = list(rows.frame["filed_at"])
    assert filed == sorted(filed, reverse=True)


def test_supplier_trend_beside_the_programme(engine: Engine, world: World) -> None:
    period = Period(date(2024, 12, 1), TODAY)
    trend = suppliers.supplier_trend(engine, "SUP-A", period, "month", TODAY, "UTC")
    assert len(trend) == 4
    mine = [o for o in world.orders.values() if o.supplier == "SUP-A"]
    first = trend.iloc[1]  # January
    assert (first["late"], first["due"]) == oracle.late_counts(
        world, date(2025, 1, 1), date(2025, 1, 31), TODAY, "UTC", mine
    )
    assert (first["programme_late"], first["programme_due"]) == oracle.late_counts(
        world, date(2025, 1, 1), date(2025, 1, 31), TODAY, "UTC"
    )


LEVELS = st.tuples(*(st.integers(0, 10_000) for _ in range(3))).map(sorted)
COUNTS = st.tuples(*(st.integers(0, 12) for _ in range(3))).map(sorted)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    late_levels=LEVELS,
    late_minimums=COUNTS,
    counts=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=4, max_size=4),
)
def test_sql_tier_equals_the_policys_tier(
    engine: Engine,
    late_levels: list[int],
    late_minimums: list[int],
    counts: list[tuple[int, int]],
) -> None:
    """The suppliers table ranks by a tier computed in SQL: it must be the policy's tier."""
    thresholds = TierThresholds(
        late_levels[0],
        late_minimums[0],
        late_levels[1],
        late_minimums[1],
        late_levels[2],
        late_minimums[2],
    )
    dispute = bundled_policy("v1").dispute_tiers
    (late_n, late_total), (claims, orders) = [(min(a, b), max(a, b)) for a, b in counts[:2]]
    late_rank = tier_rank(literal(late_n), literal(late_total), thresholds)
    dispute_rank = tier_rank(literal(claims), literal(orders), dispute)
    with engine.connect() as conn:
        got = conn.execute(
            select(late_rank, dispute_rank, worse_rank(late_rank, dispute_rank))
        ).one()
    assert tier_of_rank(got[0]) == thresholds.classify(late_n, late_total)
    assert tier_of_rank(got[1]) == dispute.classify(claims, orders)
    worst = max(
        RANK[thresholds.classify(late_n, late_total)], RANK[dispute.classify(claims, orders)]
    )
    assert got[2] == worst


def test_tier_thresholds_are_met_exactly_at_the_boundary(engine: Engine) -> None:
    late = bundled_policy("v1").late_shipment_tiers  # watch 5% with 3, warning 10% with 5, …
    cases = [(3, 60, 1), (2, 40, 0), (5, 50, 2), (4, 40, 1), (10, 50, 3), (9, 45, 2), (0, 0, 0)]
    with engine.connect() as conn:
        for count, total, rank in cases:
            got = conn.execute(select(tier_rank(literal(count), literal(total), late))).scalar()
            assert got == rank == RANK[late.classify(count, total)], (count, total)


def test_the_picker_finds_by_any_part_of_name_id_or_country_exact_id_first(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    from tests import factories as f

    with session_factory() as s:
        f.supplier(s, external_id="SUP-7", name="Zhejiang Valves", country="CN")
        f.supplier(s, external_id="SUP-70", name="Anhui Pumps", country="CN")
        f.supplier(s, external_id="SUP-71", name="Berliner 100% Werk_zeug", country="DE")
        f.supplier(s, external_id="SUP-8", name="Bursa Tekstil", country="TR")
        s.commit()

    def found(search: str, limit: int = 10) -> list[str]:
        return list(suppliers.matches(engine, search, limit)["supplier"])

    # "sup-7" is SUP-7's own id: it comes first, though its name sorts last; then by name.
    assert found("sup-7") == ["SUP-7", "SUP-70", "SUP-71"]
    assert found("SUP-7", limit=2) == ["SUP-7", "SUP-70"]
    assert found("  berliner ") == ["SUP-71"]
    assert found("de") == ["SUP-71"]  # the country
    assert found("100%") == ["SUP-71"] and found("0%") == ["SUP-71"]
    # "_" and "%" are themselves, not LIKE's one-letter and any-text wildcards.
    assert found("liner_100") == [] and found("werk_") == ["SUP-71"]
    assert found("liner%werk") == [] and found("%") == ["SUP-71"]
    assert found("") == [] and found("   ") == []
    assert found("nothing like it") == []
