"""The bench's three contenders — the app's services, the pandas baseline, DuckDB over Parquet —
against the oracle on the generated world full of edges, in three time zones, on SQLite and
PostgreSQL: a bench that times the wrong numbers would compare nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from data_access import summaries
from rules import bundled_policy
from services.figures import reviewer_days
from services.scale_bench.duckdb_parquet import duckdb_headline, export_parquet
from services.scale_bench.headline import Headline, HeadlineAsk, ask_between, service_headline
from services.scale_bench.pandas_baseline import pandas_headline, read_tables
from tests import figures_oracle as oracle
from tests.figures_world import NOW, TODAY, ZONES, World, build_world, insert_world

POLICY = bundled_policy("v1")
WINDOW = POLICY.claim_window_days
PERIODS = [(date(2025, 1, 1), TODAY), (date(2024, 12, 1), date(2024, 12, 31))]


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> World:
    built = build_world(seed=5, orders=220, claims=100)
    with session_factory() as session:
        insert_world(session, built)
    return built


def _oracle(world: World, ask: HeadlineAsk) -> Headline:
    late, due = oracle.late_counts(world, ask.first, ask.last, ask.today, ask.zone)
    filed, placed = oracle.dispute_counts(world, ask.first, ask.last, ask.zone)
    refunds = oracle.refunds_between(world, ask.start, ask.at)
    pending = oracle.pending_at(world, ask.at)
    live = [
        o for o in world.orders.values() if oracle.is_live(world, o, ask.today, ask.zone, WINDOW)
    ]
    return Headline(
        late_shipments=late,
        orders_due=due,
        claims_filed=filed,
        orders_placed=placed,
        open_claims=sum(oracle.open_at(c, ask.at) for c in world.claims),
        refunds_approved=refunds[0],
        refunds_approved_cents=refunds[1],
        pending_claims=pending[0],
        pending_liability_cents=pending[1],
        live_orders=len(live),
        exposure_cents=sum(o.covered_cents for o in live),
        limits_cents=sum(s.limit_cents for s in world.suppliers.values()),
    )


@pytest.mark.parametrize("zone", ZONES)
def test_every_contender_equals_the_oracle(
    engine: Engine, world: World, zone: str, tmp_path: Path
) -> None:
    tables = read_tables(engine)
    files = export_parquet(engine, tmp_path)
    for first, last in PERIODS:
        ask = ask_between(first, last, today=TODAY, now=NOW, zone=zone, window_days=WINDOW)
        expected = _oracle(world, ask)
        # The world is made to hold every edge: each figure is counted, none is zero by luck.
        assert expected.late_shipments and expected.live_orders and expected.claims_filed
        assert service_headline(engine, ask, POLICY) == expected, (first, zone)
        assert pandas_headline(tables, ask) == expected, (first, zone)
        assert duckdb_headline(files, ask) == expected, (first, zone)
    # With the daily summaries built for the zone the services read them (rates, refunds,
    # exposure): the same figures.
    with engine.begin() as conn:
        summaries.rebuild(conn, {zone: WINDOW}, NOW)
        reviewer_days.rebuild(conn, zone, POLICY, NOW)
    for first, last in PERIODS:
        ask = ask_between(first, last, today=TODAY, now=NOW, zone=zone, window_days=WINDOW)
        assert service_headline(engine, ask, POLICY) == _oracle(world, ask), (first, zone)


def test_an_empty_database_gives_zeros_everywhere(engine: Engine, tmp_path: Path) -> None:
    ask = ask_between(TODAY, TODAY, today=TODAY, now=NOW, zone="UTC", window_days=WINDOW)
    zero = Headline(*([0] * len(Headline.__slots__)))
    assert service_headline(engine, ask, POLICY) == zero
    assert pandas_headline(read_tables(engine), ask) == zero
    assert duckdb_headline(export_parquet(engine, tmp_path), ask) == zero


def test_differences_name_each_figure() -> None:
    a = Headline(*range(12))
    b = replace(a, limits_cents=99)
    assert a.differences(a) == []
    assert a.differences(b) == ["limits_cents: 11 != 99"]
