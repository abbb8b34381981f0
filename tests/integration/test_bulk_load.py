"""A large load's surroundings on both databases: foreign keys dropped while it runs and checked
at once after, or their triggers skipped while it runs and the keys checked by one query at its
end (PostgreSQL; SQLite keeps checking each row), and a table taken for the load's transaction
alone (PostgreSQL; SQLite's writer holds the database's write lock already); the planner's
statistics refreshed where the load changed a good share of a table (PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    Table,
    create_engine,
    delete,
    insert,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError, OperationalError

from data_access.bulk_checks import CheckFailed
from data_access.bulk_load import (
    STALE_FLOOR_PAGES,
    analyze_changed,
    foreign_keys_checked_after,
    foreign_keys_checked_at_end,
    foreign_keys_checked_before,
    take_for_load,
)

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


def test_a_load_with_its_keys_checked_at_the_end_is_written_and_each_row_is_checked_after(
    tables: Engine,
) -> None:
    """Within the same transaction, after the block, a dangling row is refused at once: the
    triggers are back."""
    with tables.begin() as conn:
        with foreign_keys_checked_at_end(conn, [CHILD]) as at_end:
            conn.execute(insert(CHILD), [{"id": 1, "parent_id": 1}, {"id": 2, "parent_id": 2}])
        assert at_end == (tables.dialect.name == "postgresql")
        with pytest.raises(IntegrityError), conn.begin_nested():
            conn.execute(insert(CHILD).values(id=3, parent_id=404))
    assert _children(tables) == [1, 2]
    _refuses_a_dangling_child(tables)


def test_a_dangling_row_is_found_at_the_end_and_nothing_is_kept(tables: Engine) -> None:
    """PostgreSQL writes every row and names the key at the end; SQLite refuses the row."""
    went_on: list[bool] = []
    refusal = CheckFailed if tables.dialect.name == "postgresql" else IntegrityError
    with (
        pytest.raises(refusal) as refused,
        tables.begin() as conn,
        foreign_keys_checked_at_end(conn, [CHILD]),
    ):
        conn.execute(insert(CHILD).values(id=1, parent_id=1))
        conn.execute(insert(CHILD).values(id=2, parent_id=404))
        conn.execute(insert(CHILD).values(id=3, parent_id=405))
        went_on.append(True)
    assert _children(tables) == []
    if tables.dialect.name == "postgresql":
        assert went_on == [True]
        assert str(refused.value) == (
            "2 rows refer to no row of table 'load_parent' "
            "(the foreign key fk_child_parent of table 'load_child')"
        )
    _refuses_a_dangling_child(tables)


def test_a_parent_deleted_midway_is_found_missing_at_the_end(tables: Engine) -> None:
    """A key checked only at the end sees the parents as they are then, not as they were
    when the row went in."""
    if tables.dialect.name != "postgresql":
        pytest.skip("SQLite checks each row as it goes in: no parent can go meanwhile")
    with (
        pytest.raises(CheckFailed, match="1 row refers"),
        tables.begin() as conn,
        foreign_keys_checked_at_end(conn, [CHILD]),
    ):
        conn.execute(insert(CHILD).values(id=1, parent_id=2))
        conn.execute(delete(PARENT).where(PARENT.c.id == 2))
    assert _children(tables) == []


@pytest.mark.parametrize("granted", [False, True], ids=["plain role", "role granted SET"])
def test_a_role_skips_triggers_only_if_granted_set_on_the_setting(
    tables: Engine, granted: bool
) -> None:
    """A PostgreSQL role neither superuser nor granted ``SET`` on ``session_replication_role``
    runs the block with the triggers, which refuse a dangling row at its insert; granted it
    (PostgreSQL 15+), the role skips them and the key is checked at the end."""
    if tables.dialect.name != "postgresql":
        pytest.skip("SQLite has no roles")
    role = f"assurance_plain_{uuid.uuid4().hex[:12]}"
    with tables.begin() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN NOSUPERUSER"))
        conn.execute(text(f"GRANT SELECT, INSERT ON load_parent, load_child TO {role}"))
        if granted:
            conn.execute(text(f"GRANT SET ON PARAMETER session_replication_role TO {role}"))
    plain = create_engine(tables.url.set(username=role))
    try:
        if granted:
            with (
                pytest.raises(CheckFailed, match="1 row refers"),
                plain.begin() as conn,
                foreign_keys_checked_at_end(conn, [CHILD]) as at_end,
            ):
                assert at_end is True
                conn.execute(insert(CHILD).values(id=1, parent_id=404))
            assert _children(tables) == []
        else:
            with plain.begin() as conn, foreign_keys_checked_at_end(conn, [CHILD]) as at_end:
                assert at_end is False
                with pytest.raises(IntegrityError), conn.begin_nested():
                    conn.execute(insert(CHILD).values(id=1, parent_id=404))
                conn.execute(insert(CHILD).values(id=2, parent_id=1))
            assert _children(tables) == [1]
    finally:
        plain.dispose()
        with tables.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))


def _staged(conn: Connection, rows: list[tuple[int, int | None]]) -> None:
    """A staging table of CHILD's rows, as ``bulk.upsert_columns`` stages them."""
    conn.execute(text("CREATE TEMPORARY TABLE stage_child (id integer, parent_id integer)"))
    for child, parent in rows:
        conn.execute(text("INSERT INTO stage_child VALUES (:c, :p)"), {"c": child, "p": parent})


_FROM_STAGE = text("INSERT INTO load_child (id, parent_id) SELECT id, parent_id FROM stage_child")


def test_staged_rows_have_their_parents_locked_and_go_in_without_triggers(
    tables: Engine,
) -> None:
    """PostgreSQL (the tests' role a superuser): the parents the staged rows refer to are
    locked before the statement, so another transaction cannot delete one until the commit
    (it waits, here until its lock timeout); after the block the triggers are back."""
    if tables.dialect.name != "postgresql":
        pytest.skip("SQLite stages nothing: its rows go in by the driver, checked each")
    with tables.begin() as conn:
        _staged(conn, [(1, 1), (2, 1), (3, None)])
        with foreign_keys_checked_before(
            conn, CHILD, "stage_child", ["id", "parent_id"], ["parent_id"]
        ) as before:
            assert before is True
            conn.execute(_FROM_STAGE)
        with tables.connect() as other:
            other.execute(text("SET lock_timeout = '200ms'"))
            with pytest.raises(OperationalError, match="lock timeout"):
                other.execute(delete(PARENT).where(PARENT.c.id == 1))
            other.rollback()
            other.execute(delete(PARENT).where(PARENT.c.id == 2))  # nobody refers to it
            other.commit()
        with pytest.raises(IntegrityError), conn.begin_nested():
            conn.execute(insert(CHILD).values(id=4, parent_id=404))
    assert _children(tables) == [1, 1, None]


def test_a_staged_row_referring_to_nothing_is_refused_before_the_statement(
    tables: Engine,
) -> None:
    if tables.dialect.name != "postgresql":
        pytest.skip("SQLite stages nothing: its rows go in by the driver, checked each")
    ran: list[bool] = []
    with pytest.raises(CheckFailed) as refused, tables.begin() as conn:
        _staged(conn, [(1, 1), (2, 404), (3, 404), (4, 405)])
        with foreign_keys_checked_before(
            conn, CHILD, "stage_child", ["id", "parent_id"], ["parent_id"]
        ):
            ran.append(True)
            conn.execute(_FROM_STAGE)
    assert ran == []
    assert str(refused.value) == (
        "3 rows refer to no row of table 'load_parent' "
        "(the foreign key fk_child_parent of table 'load_child')"
    )
    assert _children(tables) == []


@pytest.mark.parametrize(
    ("table", "staged", "updated"),
    [
        (CHILD, ["id"], []),  # the key's column not staged: the statement leaves it default
        (PARENT, ["id"], ["id"]),  # a column another table's key refers to, updated
    ],
    ids=["key not staged", "referred column updated"],
)
def test_rows_the_check_cannot_vouch_for_keep_their_triggers(
    tables: Engine, table: Table, staged: list[str], updated: list[str]
) -> None:
    if tables.dialect.name != "postgresql":
        pytest.skip("SQLite stages nothing: its rows go in by the driver, checked each")
    with (
        tables.begin() as conn,
        foreign_keys_checked_before(conn, table, "stage_child", staged, updated) as before,
    ):
        assert before is False
        assert conn.execute(text("SHOW session_replication_role")).scalar_one() == "origin"


def _counted_pages(conn: Connection, table: Table) -> int:
    """The pages PostgreSQL's statistics counted (``relpages``; 0: never analysed)."""
    query = text("SELECT relpages FROM pg_class WHERE oid = CAST(:name AS regclass)")
    return int(conn.execute(query, {"name": table.name}).scalar_one())


def test_statistics_are_refreshed_where_a_table_grew_by_a_good_share(tables: Engine) -> None:
    """A table never analysed and filled in the transaction is analysed; one grown by a tenth
    since is left to autovacuum; the same table after it more than doubled is analysed. The
    parents' table, a page, never."""
    if tables.dialect.name != "postgresql":
        with tables.begin() as conn:
            assert analyze_changed(conn, [PARENT, CHILD]) == []  # SQLite: left to the seed
        return
    filled = 100_000  # about 440 pages, past the floor
    with tables.begin() as conn:
        assert _counted_pages(conn, CHILD) == 0
        conn.execute(
            text(f"INSERT INTO load_child SELECT i, 1 FROM generate_series(1, {filled}) i")
        )
        assert analyze_changed(conn, [PARENT, CHILD]) == ["load_child"]
        counted = _counted_pages(conn, CHILD)
        assert counted > STALE_FLOOR_PAGES
    with tables.begin() as conn:
        a_tenth = f"SELECT {filled} + i, 2 FROM generate_series(1, {filled // 10}) i"
        conn.execute(text(f"INSERT INTO load_child {a_tenth}"))
        assert analyze_changed(conn, [PARENT, CHILD]) == []
        assert _counted_pages(conn, CHILD) == counted  # as before
        twice = f"SELECT {2 * filled} + i, 2 FROM generate_series(1, {filled}) i"
        conn.execute(text(f"INSERT INTO load_child {twice}"))
        assert analyze_changed(conn, [PARENT, CHILD]) == ["load_child"]
        assert _counted_pages(conn, CHILD) > 2 * counted
