"""A large load's surroundings on both databases: foreign keys dropped while it runs and checked
at once after (PostgreSQL; SQLite keeps checking each row), and a table taken for the load's
transaction alone (PostgreSQL; SQLite's writer holds the database's write lock already)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Column, Engine, ForeignKey, Integer, MetaData, Table, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from data_access.bulk_load import foreign_keys_checked_after, take_for_load

METADATA = MetaData()
PARENT = Table("load_parent", METADATA, Column("id", Integer, primary_key=True))
CHILD = Table(
    "load_child",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("parent_id", Integer, ForeignKey("load_parent.id", name="fk_child_parent")),
)


@pytest.fixture
def tables(engine: Engine) -> Iterator[Engine]:
    METADATA.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(PARENT), [{"id": 1}, {"id": 2}])
    try:
        yield engine
    finally:
        METADATA.drop_all(engine)


def _children(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(select(CHILD.c.parent_id).order_by(CHILD.c.id)).scalars())


def _refuses_a_dangling_child(engine: Engine) -> None:
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(CHILD).values(id=99, parent_id=404))


def test_a_load_that_keeps_its_keys_is_written_and_the_keys_are_back(tables: Engine) -> None:
    with tables.begin() as conn, foreign_keys_checked_after(conn, [CHILD]):
        conn.execute(insert(CHILD), [{"id": 1, "parent_id": 1}, {"id": 2, "parent_id": 2}])
    assert _children(tables) == [1, 2]
    _refuses_a_dangling_child(tables)


def test_a_dangling_row_refuses_the_whole_load(tables: Engine) -> None:
    """PostgreSQL finds it when the key is added back, after every row went in; SQLite, which
    keeps its keys, at the row. Either way nothing is kept, and the key is there after."""
    went_on: list[bool] = []
    with (
        pytest.raises(IntegrityError),
        tables.begin() as conn,
        foreign_keys_checked_after(conn, [CHILD]),
    ):
        conn.execute(insert(CHILD).values(id=1, parent_id=1))
        conn.execute(insert(CHILD).values(id=2, parent_id=404))
        went_on.append(True)
        conn.execute(insert(CHILD).values(id=3, parent_id=2))
    assert went_on == ([True] if tables.dialect.name == "postgresql" else [])
    assert _children(tables) == []
    _refuses_a_dangling_child(tables)


def test_a_failure_midway_leaves_the_keys_as_they_were(tables: Engine) -> None:
    with (
        pytest.raises(RuntimeError, match="midway"),
        tables.begin() as conn,
        foreign_keys_checked_after(conn, [CHILD]),
    ):
        conn.execute(insert(CHILD).values(id=1, parent_id=1))
        raise RuntimeError("midway")
    assert _children(tables) == []
    _refuses_a_dangling_child(tables)


def test_a_table_taken_for_a_load_is_nobody_elses_until_the_commit(tables: Engine) -> None:
    """PostgreSQL: another connection cannot even read it meanwhile (asked to wait at most
    0.2 s); after the commit it can. SQLite: nothing is taken, and a reader goes on."""
    with tables.connect() as loader, tables.connect() as reader:
        with loader.begin():
            take_for_load(loader, [PARENT])
            loader.execute(insert(PARENT).values(id=3))
            if tables.dialect.name == "postgresql":
                with pytest.raises(OperationalError, match="lock timeout"), reader.begin():
                    reader.execute(text("SET LOCAL lock_timeout = '200ms'"))
                    reader.execute(select(PARENT.c.id)).all()
            else:
                with reader.begin():
                    assert reader.execute(select(PARENT.c.id)).scalars().all() == [1, 2]
        with reader.begin():
            assert reader.execute(select(PARENT.c.id)).scalars().all() == [1, 2, 3]
