"""The claims open at an instant (and their orders), read through the indexes by parts, are
exactly those the row-by-row predicate keeps, at any instant, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, Select, func, select
from sqlalchemy.orm import Session, sessionmaker

from data_access.models import Claim
from data_access.queries.claims import (
    claim_open_at,
    open_claim_clocks,
    open_claim_ids,
    open_claim_order_ids,
    open_claims_and_orders,
)
from tests.factories import utc
from tests.figures_world import build_world, insert_world

START = utc(2024, 11, 1)


@pytest.fixture
def world(engine: Engine, session_factory: sessionmaker[Session]) -> Engine:
    with session_factory() as s:
        insert_world(s, build_world())
    return engine


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(minutes=st.integers(0, 60 * 24 * 240))
def test_open_claims_by_parts_are_the_open_claims(world: Engine, minutes: int) -> None:
    moment: datetime = START + timedelta(minutes=minutes)
    with world.connect() as conn:
        open_rows = conn.execute(select(Claim.id, Claim.order_id).where(claim_open_at(moment)))
        expected = open_rows.all()
        orders = set(conn.execute(open_claim_order_ids(moment)).scalars())
        claims = list(conn.execute(open_claim_ids(moment)).scalars())
        with_orders = [tuple(row) for row in conn.execute(open_claims_and_orders(moment))]
        clocks = open_claim_clocks(conn, moment)
    assert orders == {order for _, order in expected}
    assert sorted(claims) == sorted(claim for claim, _ in expected)  # each claim once
    assert sorted(with_orders) == sorted(tuple(row) for row in expected)
    assert len(clocks) == len(expected)


def _part(moment: datetime, index: int) -> Select[tuple[int]]:
    part = open_claim_order_ids(moment).selects[index]
    assert isinstance(part, Select)
    return part


def test_the_world_has_claims_open_for_each_reason(world: Engine) -> None:
    """Undecided, decided later and withdrawn later: each part has claims to find, so the
    comparison above covers all three."""
    with world.connect() as conn:
        assert conn.execute(_part(utc(2025, 6, 4), 0)).all()
        for index, column in ((1, Claim.decided_at), (2, Claim.withdrawn_at)):
            earliest = conn.execute(select(func.min(column))).scalar_one()
            assert earliest is not None
            moment = earliest - timedelta(seconds=1)
            assert conn.execute(_part(moment, index)).all(), column
