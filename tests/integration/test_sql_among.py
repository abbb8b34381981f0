"""``data_access.sql.among``: a planner hint that never changes a query's rows."""

from __future__ import annotations

from sqlalchemy import NullPool, create_engine, select
from sqlalchemy.orm import Session, sessionmaker

from data_access.models import Order
from data_access.sql import among
from tests import factories as f


def test_among_keeps_the_rows_of_the_join_it_restates(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as s:
        sup, buy = f.supplier(s), f.buyer(s)
        orders = [f.order(s, sup, buy) for _ in range(5)]
        chosen = (
            select(Order.id.label("order_id"), (Order.id * 2).label("twice"))
            .where(Order.id.in_([orders[1].id, orders[3].id]))
            .group_by(Order.id)
            .subquery("chosen")
        )
        query = (
            select(Order.id, chosen.c.twice)
            .join(chosen, chosen.c.order_id == Order.id)
            .where(among(Order.id, select(chosen.c.order_id)))
            .order_by(Order.id)
        )
        rows = [tuple(row) for row in s.execute(query)]
        s.rollback()
    assert rows == [(o.id, 2 * o.id) for o in (orders[1], orders[3])]


def test_among_is_an_array_lookup_on_postgresql_and_left_out_on_sqlite() -> None:
    ids = select(Order.id).where(Order.supplier_id == 1)
    condition = among(Order.id, ids)
    postgresql = create_engine("postgresql+psycopg://", poolclass=NullPool).dialect
    sqlite = create_engine("sqlite://", poolclass=NullPool).dialect
    assert "orders.id = ANY(ARRAY(SELECT" in str(condition.compile(dialect=postgresql))
    assert str(condition.compile(dialect=sqlite)) == "1 = 1"
