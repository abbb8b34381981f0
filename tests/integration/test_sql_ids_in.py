"""``data_access.sql.ids_in``: ids written into the statement's text keep exactly their rows."""

from __future__ import annotations

import pytest
from sqlalchemy import NullPool, create_engine, not_, or_, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from data_access.models import Order
from data_access.sql import ids_in
from tests import factories as f


def test_ids_in_keeps_the_listed_rows_alone_and_beside_other_conditions(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as s:
        sup, buy = f.supplier(s), f.buyer(s)
        ids = [f.order(s, sup, buy).id for _ in range(6)]
        s.flush()

        def found(*conditions: object) -> list[int]:
            query = select(Order.id).where(*conditions).order_by(Order.id)  # type: ignore[arg-type]
            return list(s.execute(query).scalars())

        assert found(ids_in(Order.id, [ids[4], ids[1], ids[4]])) == [ids[1], ids[4]]
        # Two lists in one statement, each its own.
        assert found(ids_in(Order.id, ids[:3]), ids_in(Order.id, ids[2:])) == [ids[2]]
        assert found(or_(ids_in(Order.id, [ids[0]]), Order.id == ids[5])) == [ids[0], ids[5]]
        assert found(not_(ids_in(Order.id, ids[1:]))) == [ids[0]]
        assert found(ids_in(Order.id, [])) == []
        # Copied into an aliased query, the condition follows the alias.
        other = aliased(Order)
        query = select(other.id).where(ids_in(other.id, [ids[3]]))
        assert list(s.execute(query).scalars()) == [ids[3]]
        s.rollback()


@pytest.mark.parametrize("name", ["sqlite", "postgresql+psycopg"])
def test_ids_in_is_a_plain_in_list_with_no_parameters(name: str) -> None:
    dialect = create_engine(f"{name}://", poolclass=NullPool).dialect
    compiled = select(Order.id).where(ids_in(Order.id, [3, 1, 2])).compile(dialect=dialect)
    # A boolean "= 1" (SQLAlchemy's way on SQLite) would keep SQLite from the primary key.
    assert str(compiled).endswith("WHERE orders.id IN (3, 1, 2)")
    assert compiled.params == {}


def test_ids_in_refuses_anything_but_integers() -> None:
    with pytest.raises(ValueError):
        ids_in(Order.id, [1, "2); DROP TABLE orders; --"])  # type: ignore[list-item]
