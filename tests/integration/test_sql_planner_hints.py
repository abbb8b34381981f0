"""Planner hints that keep a figure's cost on the rows it needs, at a million orders and beyond.

SQLite plans from the statistics ``ANALYZE`` leaves (the seed and large imports gather them).
With those of a demo database of a million orders, it took the filing-time index for the
open-claims query and walked the claims' order index for the refunds per order, reading every
claim; these tests give an empty database those statistics and read the plans of the app's own
queries. The statistics are numbers, not rows: the plans are what the tests check, and the
rows the hinted queries return are checked beside the plain ones.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, NullPool, create_engine, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import ClauseElement

from data_access.engine import make_engine
from data_access.models import Claim
from data_access.queries.claims import open_claim_order_ids
from data_access.queries.refunds import refunded_by_order
from data_access.sql import unindexed
from tests import factories as f

MOMENT = datetime(2026, 6, 1, tzinfo=UTC)
#: ``sqlite_stat1`` of the claims and decisions after ``assurance demo seed --orders 1000000``.
MILLION_ORDER_STATISTICS = [
    ("claims", "ix_claims_assignee_status", "25607 8536 2328"),
    ("claims", "ix_claims_status_filed_at", "25607 3659 1"),
    ("claims", "ix_claims_withdrawn_at", "1255 1"),
    ("claims", "ix_claims_decided_at", "23882 1 1 1"),
    ("claims", "ix_claims_order_id", "25607 1"),
    ("claims", "ix_claims_filed_at", "25607 1"),
    ("claims", "ix_claims_status_due_at", "25607 3659 596"),
    ("claims", "sqlite_autoindex_claims_1", "25607 1"),
    ("decisions", "uq_decisions_one_final_per_claim", "23882 1"),
    ("decisions", "ix_decisions_reviewer_decided", "28032 14016 1"),
    ("decisions", "sqlite_autoindex_decisions_1", "28032 2 1"),
]


@pytest.fixture
def analysed(tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    """An empty SQLite database planning as if it held a million orders."""
    path = tmp_path / "analysed.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")  # creates sqlite_stat1
        conn.exec_driver_sql("DELETE FROM sqlite_stat1")
        for table, index, stat in MILLION_ORDER_STATISTICS:
            conn.exec_driver_sql(
                "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)", (table, index, stat)
            )
    engine.dispose()  # a new connection reads the statistics
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def _plan(engine: Engine, query: ClauseElement) -> list[str]:
    sql = str(query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        return [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]


def test_the_open_claims_decided_since_are_found_through_the_decided_at_index(
    analysed: Engine,
) -> None:
    plan = _plan(analysed, open_claim_order_ids(MOMENT))
    assert any("ix_claims_decided_at (decided_at>?)" in step for step in plan), plan
    assert any("ix_claims_withdrawn_at (withdrawn_at>?)" in step for step in plan), plan
    assert not any("ix_claims_filed_at" in step for step in plan), plan


def test_every_orders_refunds_are_read_from_the_approved_claims_not_the_order_index(
    analysed: Engine,
) -> None:
    every = _plan(analysed, select(refunded_by_order(MOMENT, every_order=True)))
    assert not any("ix_claims_order_id" in step for step in every), every
    assert any("ix_claims_status_" in step for step in every), every
    # A few orders' refunds still go through the order index.
    by_order = refunded_by_order(MOMENT)
    few = _plan(analysed, select(by_order).where(by_order.c.order_id.in_([1, 2, 3])))
    assert any("ix_claims_order_id" in step for step in few), few


def test_unindexed_is_a_plus_on_sqlite_only() -> None:
    condition = unindexed(Claim.filed_at) < MOMENT
    postgresql = create_engine("postgresql+psycopg://", poolclass=NullPool).dialect
    sqlite = create_engine("sqlite://", poolclass=NullPool).dialect
    assert str(condition.compile(dialect=sqlite)) == "+claims.filed_at < ?"
    assert (
        str(condition.compile(dialect=postgresql))
        == "claims.filed_at < %(param_1)s::TIMESTAMP WITH TIME ZONE"
    )


def test_the_hinted_queries_keep_their_rows(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as s:
        sup, buy = f.supplier(s), f.buyer(s)
        order = f.order(s, sup, buy)
        other = f.order(s, sup, buy)
        before, after = MOMENT - timedelta(days=3), MOMENT + timedelta(days=2)
        kept = [
            f.claim(s, order, filed_at=before, status="approved", decided_at=after),
            f.claim(s, other, filed_at=before, status="withdrawn", withdrawn_at=after),
        ]
        # Filed after the moment, decided after it: not open at it.
        f.claim(s, order, filed_at=MOMENT + timedelta(hours=1), status="rejected", decided_at=after)
        # Decided before the moment: closed by then.
        early = f.claim(
            s, other, filed_at=before, status="approved", decided_at=MOMENT - timedelta(days=1)
        )
        reviewer = f.user(s)
        f.decision(s, kept[0], reviewer, amount_cents=120_00, decided_at=after)
        f.decision(s, early, reviewer, amount_cents=75_00, decided_at=MOMENT - timedelta(days=1))
        expected_refunds = {order.id: 120_00, other.id: 75_00}
    with engine.connect() as conn:
        open_orders = sorted(conn.execute(open_claim_order_ids(MOMENT)).scalars())
        every, few = (
            {int(o): int(c) for o, c in conn.execute(select(refunded_by_order(every_order=flag)))}
            for flag in (True, False)
        )
    assert open_orders == sorted(claim.order_id for claim in kept)
    assert every == few == expected_refunds
