"""A large load's surroundings: the connection tuned for it, indexes built and foreign keys
checked after it, the planner's statistics refreshed, tables emptied, id sequences moved past
explicit ids."""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress

from sqlalchemy import (
    Connection,
    ForeignKeyConstraint,
    Table,
    TableClause,
    column,
    exists,
    func,
    select,
    text,
)
from sqlalchemy import table as table_clause
from sqlalchemy.schema import AddConstraint, DropConstraint

from data_access.bulk_checks import CheckFailed
from data_access.bulk_wire import quote

BULK_SQLITE_CACHE_KIB = 256 * 1024
BULK_WORK_MEM = "256MB"


@contextmanager
def bulk_tuning(
    connection: Connection,
    *,
    sqlite_cache_kib: int = BULK_SQLITE_CACHE_KIB,
    random_page_cost: float | None = None,
) -> Iterator[None]:
    """Tune the connection for a large load while the block runs, then put it back.

    SQLite: a page cache of ``sqlite_cache_kib`` (per connection; the default is 2 MB; 256 MB
    by default here) keeps the orders indexes in memory while a million rows go in, nearly
    halving the load time (it stays allocated until the block ends). PostgreSQL: 256 MB of
    ``work_mem`` for the transaction (the default 4 MB sends the sorts and hashes of a million
    orders' summaries to disk), and ``random_page_cost`` if given (what PostgreSQL's planner
    reckons a random page read costs against a sequential one; 4 by default).
    """
    if connection.dialect.name == "postgresql":
        wanted = {"work_mem": BULK_WORK_MEM}
        if random_page_cost is not None:
            wanted["random_page_cost"] = f"{float(random_page_cost):g}"
        previous = {name: connection.execute(text(f"SHOW {name}")).scalar_one() for name in wanted}
        for name, value in wanted.items():
            connection.execute(
                text("SELECT set_config(:name, :value, true)"), {"name": name, "value": value}
            )
        # After a failure the transaction rolls back, and the settings with it.
        yield
        for name, value in previous.items():
            connection.execute(
                text("SELECT set_config(:name, :value, true)"), {"name": name, "value": value}
            )
        return
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    assert raw is not None
    previous = raw.execute("PRAGMA cache_size").fetchone()[0]
    raw.execute(f"PRAGMA cache_size={-sqlite_cache_kib:d}")
    try:
        yield
    finally:
        # A connection closed under the block (lost midway) has no cache left to put back, and
        # the block's own error is the one to tell.
        with suppress(sqlite3.ProgrammingError):
            raw.execute(f"PRAGMA cache_size={int(previous):d}")


@contextmanager
def indexes_built_after(connection: Connection, tables: Iterable[Table]) -> Iterator[None]:
    """Drop the secondary indexes of ``tables`` while the block loads them, then build them.

    Inserting a million rows into a table with five indexes means five random B-tree insertions
    a row; building each index once afterwards is one sort. Only for loads into empty tables
    (the demo seed): the indexes are missing while the block runs. Unique constraints stay, so
    the load is still checked. DDL is transactional on both databases: a failure midway leaves
    the indexes as they were.
    """
    indexes = [index for table in tables for index in table.indexes]
    for index in indexes:
        index.drop(connection)
    yield
    for index in indexes:
        index.create(connection)


@contextmanager
def foreign_keys_checked_after(connection: Connection, tables: Iterable[Table]) -> Iterator[None]:
    """PostgreSQL: drop the foreign keys of ``tables`` while the block loads them, then add
    them again, which checks every row at once.

    PostgreSQL checks a foreign key with a trigger a row, a query each: a million orders
    spent 6–7 s of a 22 s load on their supplier's and buyer's; added back after, the two
    keys checked all million in 0.3 s (one join each). Dropping a key locks its table and
    the table it refers to against every other transaction, readers included, until the
    commit: only for loads nobody reads meanwhile (the demo seed; an import keeps its keys,
    as the suppliers and buyers they refer to are read by every page). SQLite checks a
    key by looking up one row, at no cost worth this: its keys stay. DDL is transactional: a
    failure midway leaves the keys as they were.
    """
    keys = (
        [key for table in tables for key in table.foreign_key_constraints]
        if connection.dialect.name == "postgresql"
        else []
    )
    # Not isolated from their tables: by default each construct marks its constraint as one
    # a later CREATE TABLE of the same metadata leaves out.
    for key in keys:
        connection.execute(DropConstraint(key, isolate_from_table=False))
    yield
    for key in keys:
        connection.execute(AddConstraint(key, isolate_from_table=False))


@contextmanager
def foreign_keys_checked_at_end(connection: Connection, tables: Sequence[Table]) -> Iterator[bool]:
    """PostgreSQL, where this role may set ``session_replication_role`` (a superuser, or a role
    granted ``SET`` on it, PostgreSQL 15+): the foreign keys of the rows the block writes into
    ``tables`` checked at its end, by one query a key over each whole table, instead of by a
    trigger a row; yields whether they are. Elsewhere each row is checked as ever.

    The triggers cost more than the rows: a million orders' supplier and buyer, a query each,
    ran at the end of every ``COPY`` while the import waited: 11.6 s of a 32.7 s first import
    (7 Dec 2026), where the two queries after take ~0.3 s. No DDL, so unlike
    :func:`foreign_keys_checked_after` no other table is locked: pages go on reading suppliers.

    The caller vouches for the rest. The block writes no table with foreign keys but
    ``tables``, and deletes or renumbers no row that another table refers to ('replica' skips
    every trigger of the session's statements meanwhile, the parents' side of a key too). And
    it holds each of ``tables`` with a foreign key to itself (:func:`take_for_load`): the
    triggers would lock each parent row against deletion until the commit; here a parent
    deleted before the check is found missing by it, and one deleted after waits, since its
    own trigger reads the table this transaction holds, then finds the rows that refer to it.
    A row whose parent is missing raises :class:`~data_access.bulk_checks.CheckFailed`: the
    caller's transaction is to roll back (which puts the setting back too; so does the
    block's end)."""
    if not _may_skip_triggers(connection):
        yield False
        return
    with _triggers_skipped(connection):
        yield True
    for table in tables:
        for key in table.foreign_key_constraints:
            _refuse_dangling(connection, table, table, key)


def _may_skip_triggers(connection: Connection) -> bool:
    if connection.dialect.name != "postgresql":
        return False
    if connection.execute(text("SHOW is_superuser")).scalar_one() == "on":
        return True
    version = connection.dialect.server_version_info or (0,)
    if version < (15,):
        return False
    granted = text("SELECT has_parameter_privilege('session_replication_role', 'SET')")
    return bool(connection.execute(granted).scalar_one())


@contextmanager
def _triggers_skipped(connection: Connection) -> Iterator[None]:
    """``session_replication_role`` 'replica' for the transaction while the block runs, then
    as it was (a block failing leaves it to the rollback, which puts it back)."""
    previous = connection.execute(text("SHOW session_replication_role")).scalar_one()
    _set_replication_role(connection, "replica")
    yield
    _set_replication_role(connection, previous)


def _set_replication_role(connection: Connection, role: str) -> None:
    connection.execute(
        text("SELECT set_config('session_replication_role', :role, true)"), {"role": role}
    )


@contextmanager
def foreign_keys_checked_before(
    connection: Connection,
    table: Table,
    stage: str,
    staged: Sequence[str],
    update_columns: Sequence[str],
) -> Iterator[bool]:
    """PostgreSQL, where this role may set ``session_replication_role``: the block's one
    statement moves the rows of the staging table ``stage`` (columns ``staged``) into
    ``table`` (an upsert that updates ``update_columns``), and their foreign keys are checked
    before it, set-based, instead of by a trigger a row; yields whether they are. Elsewhere,
    or where a key spans columns or is missing from the stage, or where ``update_columns``
    holds a column another table's key refers to, the triggers check each row as ever.

    As each row's trigger would, the parent rows the staged rows refer to are locked against
    deletion until the commit (``FOR KEY SHARE``, one statement a key), and all must be
    found: one deleted before is missing, one being deleted is waited for, then missing. A
    row referring to nothing raises :class:`~data_access.bulk_checks.CheckFailed` before the
    statement runs. The triggers of 100,000 new orders (their supplier's and buyer's) cost
    1.1–1.4 s of a 12 s import into a million on PostgreSQL (7 Dec 2026)."""
    keys = list(table.foreign_key_constraints)
    checkable = all(
        len(key.elements) == 1 and key.elements[0].parent.name in staged for key in keys
    )
    if not keys or not checkable or _referred(table) & set(update_columns):
        yield False
        return
    if not _may_skip_triggers(connection):
        yield False
        return
    rows = table_clause(stage, *(column(name) for name in staged))
    for key in keys:
        _lock_parents(connection, table, rows, key)
    with _triggers_skipped(connection):
        yield True


def _referred(table: Table) -> set[str]:
    """The columns of ``table`` that a foreign key of its metadata refers to."""
    return {
        key.column.name
        for other in table.metadata.tables.values()
        for key in other.foreign_keys
        if key.column.table is table
    }


def _lock_parents(
    connection: Connection, table: Table, rows: TableClause, key: ForeignKeyConstraint
) -> None:
    """Lock the rows of ``key``'s parent table that ``rows`` refer to (``FOR KEY SHARE``, as
    PostgreSQL's trigger locks each); raise :class:`CheckFailed` if some are missing."""
    [element] = key.elements
    child, parent = rows.c[element.parent.name], element.column
    referred = select(child).where(child.is_not(None))
    locking = (
        select(parent)
        .where(parent.in_(referred))
        .with_for_update(read=True, key_share=True, of=parent.table)
    )
    locked = connection.execute(select(func.count()).select_from(locking.subquery()))
    wanted = connection.execute(select(func.count(child.distinct())).where(child.is_not(None)))
    if locked.scalar_one() != wanted.scalar_one():
        _refuse_dangling(connection, table, rows, key)
        # Missing when locked, there when counted: one added meanwhile. Refused all the same.
        raise CheckFailed(
            f"rows refer to rows of table '{key.referred_table.name}' that changed while "
            f"they were checked (the foreign key {key.name} of table '{table.name}')"
        )


def _refuse_dangling(
    connection: Connection,
    table: Table,
    rows: Table | TableClause,
    key: ForeignKeyConstraint,
) -> None:
    """Raise :class:`CheckFailed` if one of ``rows`` (``table``'s own, or staged for it)
    refers by ``key`` to no row."""
    parent = key.referred_table.alias("parent")
    pairs = [
        (rows.c[element.parent.name], parent.c[element.column.name]) for element in key.elements
    ]
    dangling = (
        select(func.count())
        .select_from(rows)
        .where(
            *[child.is_not(None) for child, _ in pairs],
            ~exists().where(*[child == referred for child, referred in pairs]),
        )
    )
    count = connection.execute(dangling).scalar_one()
    if count:
        refer = f"{count:,} rows refer" if count != 1 else "1 row refers"
        raise CheckFailed(
            f"{refer} to no row of table '{key.referred_table.name}' "
            f"(the foreign key {key.name} of table '{table.name}')"
        )


def one_load_at_a_time(connection: Connection, table: Table) -> None:
    """PostgreSQL: wait until no other transaction is loading ``table`` in bulk, and keep the
    others waiting until this one ends (a transaction-scoped advisory lock named after the
    table). A load decides how to write from the rows the table holds; two deciding at once
    would both count it small, both ask for it alone (:func:`take_for_load`), each holding
    what the other waits for, and PostgreSQL would give one of them up. SQLite's writers
    already take turns, at the write lock."""
    if connection.dialect.name != "postgresql":
        return
    key = zlib.crc32(f"assurance bulk load {table.name}".encode())
    connection.execute(select(func.pg_advisory_xact_lock(key)))


def take_for_load(connection: Connection, tables: Sequence[Table]) -> None:
    """PostgreSQL: take ``tables`` for this transaction alone (``ACCESS EXCLUSIVE``: nobody
    else reads or writes them until the commit), waiting for whoever uses them now; so that a
    load may drop their indexes, and know which keys are new without another writer adding
    one meanwhile. SQLite's writer already holds the database's write lock, and its
    readers keep their snapshot: nothing to take."""
    if connection.dialect.name != "postgresql" or not tables:
        return
    names = ", ".join(quote(connection, table.name) for table in tables)
    connection.execute(text(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE"))


def analyze(connection: Connection, tables: Iterable[Table]) -> None:
    """Refresh the planner's statistics after a large load (PostgreSQL's autovacuum would get
    there eventually; until then it plans for the empty tables it last saw). SQLite's planner
    reads its own statistics with ANALYZE too, which the seed runs on both."""
    for table in tables:
        connection.execute(text(f"ANALYZE {quote(connection, table.name)}"))


#: PostgreSQL: a table grown by more than this share since its statistics were gathered (and
#: past :data:`STALE_FLOOR_PAGES` pages) has them refreshed before the commit.
STALE_SHARE = 0.2
STALE_FLOOR_PAGES = 128  # 1 MB: a smaller table is read whole whatever the plan


def analyze_changed(connection: Connection, tables: Iterable[Table]) -> list[str]:
    """PostgreSQL: refresh the statistics of those of ``tables`` grown by more than
    :data:`STALE_SHARE` since they were gathered (a table never analysed: once past
    :data:`STALE_FLOOR_PAGES`); returns their names. Elsewhere nothing.

    A first import into an empty table, or a file as large as the table, leaves the planner
    reading statistics of a table many times smaller until autovacuum comes round: those are
    analysed. A smaller change is left to autovacuum: the planner scales its row counts to the
    table's current size and probes an index for values past the histogram's last, and
    analysing a table of a million orders and the summaries after 100,000 new orders took
    0.4–0.9 s of a 9–10 s import (7 Dec 2026).

    Judged by the table's pages now against those its statistics counted (``relpages``), which
    its inserts and updates (new row versions) both grow: the transaction's own row counts
    (``pg_stat_xact_*``) still hold its connection's earlier transactions until the server
    flushes them, up to a second later."""
    if connection.dialect.name != "postgresql":
        return []
    wanted = {table.name: table for table in tables}
    rows = connection.execute(
        text(
            "SELECT relname, relpages, "
            "pg_relation_size(oid) / current_setting('block_size')::integer "
            "FROM pg_class WHERE oid = ANY(CAST(:names AS regclass[]))"
        ),
        {"names": [quote(connection, name) for name in wanted]},
    ).all()
    stale = sorted(name for name, counted, pages in rows if is_stale(counted, pages))
    analyze(connection, [wanted[name] for name in stale])
    return stale


def is_stale(counted_pages: int, pages: int) -> bool:
    """Whether statistics gathered over ``counted_pages`` pages (PostgreSQL's ``relpages``: 0
    for a table never analysed or vacuumed) are stale for a table of ``pages`` pages."""
    return pages > STALE_FLOOR_PAGES and pages > (1 + STALE_SHARE) * counted_pages


def delete_all_rows(connection: Connection, tables: Sequence[Table]) -> None:
    """Empty ``tables`` (given in dependency order, parents first) in the caller's transaction.

    PostgreSQL truncates, which is transactional there and also restarts the id sequences;
    SQLite deletes children before parents so foreign keys hold at every step.
    """
    if not tables:
        return
    if connection.dialect.name == "postgresql":
        names = ", ".join(quote(connection, t.name) for t in tables)
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))
        return
    for table in reversed(tables):
        connection.execute(table.delete())


def first_nonempty_table(connection: Connection, tables: Iterable[Table]) -> str | None:
    """The name of the first of ``tables`` holding any row, or None when all are empty."""
    for table in tables:
        if connection.execute(select(1).select_from(table).limit(1)).first() is not None:
            return table.name
    return None


def sync_id_sequences(connection: Connection, tables: Iterable[Table]) -> None:
    """After explicit ids, move each PostgreSQL serial sequence to the table's max id.

    SQLite needs nothing: an INTEGER PRIMARY KEY continues from the largest rowid.
    """
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        if "id" not in table.c:
            continue
        sequence = connection.execute(
            select(func.pg_get_serial_sequence(quote(connection, table.name), "id"))
        ).scalar()
        if sequence is None:
            continue
        max_id = func.max(table.c.id)
        connection.execute(
            select(func.setval(sequence, func.coalesce(max_id, 1), max_id.is_not(None)))
        )
