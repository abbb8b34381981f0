"""Fast bulk writes of column data, for demo seeding and large imports.

The ORM costs tens of microseconds a row; a million orders need a few. So rows arrive as columns
(NumPy arrays or plain lists), are converted to the driver's wire values a chunk at a time with
vectorised NumPy (:mod:`data_access.bulk_wire`), and go in through the driver itself, inside the
caller's transaction: SQLite by the raw ``sqlite3`` cursor's ``executemany``, PostgreSQL by
psycopg 3's ``COPY … FROM STDIN``.

Column conventions: a NumPy ``datetime64`` array for a datetime or date column (``NaT`` is NULL),
integer or boolean arrays for numbers and flags (no NULLs), and a list or object array for
anything else — there ``None`` is NULL and values are Python objects (aware ``datetime``,
``date``, ``bool``, ``int``, ``str``, or JSON-able data for JSON columns).

Callers pass explicit primary keys; :func:`data_access.bulk_load.sync_id_sequences` then moves
PostgreSQL's sequences past them so later ORM inserts do not collide. What surrounds a large
load (tuning, indexes built after it, statistics) is in :mod:`data_access.bulk_load`; SQLite's
CHECK constraints tested once after it, in :mod:`data_access.bulk_checks`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    TextClause,
    and_,
    column,
    or_,
    select,
    text,
    true,
)
from sqlalchemy import table as table_clause
from sqlalchemy.dialects import postgresql, sqlite

from data_access.bulk_checks import inserted_then_checked
from data_access.bulk_load import foreign_keys_checked_before
from data_access.bulk_wire import (
    ColumnValues,
    column_kind,
    executemany,
    postgres_writer,
    quote,
    sqlite_values,
    sqlite_writer,
)

#: Called after each chunk with (rows written so far, rows in total).
ChunkCallback = Callable[[int, int], None]

DEFAULT_CHUNK_SIZE = 50_000


def insert_columns(
    connection: Connection,
    table: Table,
    columns: Mapping[str, ColumnValues],
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    on_chunk: ChunkCallback | None = None,
) -> int:
    """Insert the rows given as equal-length ``columns`` into ``table``; returns the row count.

    Runs inside the caller's transaction on ``connection`` (nothing is committed here).
    """
    names = list(columns)
    unknown = [name for name in names if name not in table.c]
    if unknown:
        raise ValueError(f"{table.name} has no column(s) {', '.join(unknown)}")
    lengths = {len(values) for values in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"columns for {table.name} differ in length: {sorted(lengths)}")
    total = lengths.pop() if lengths else 0
    if total == 0:
        return 0
    dialect = connection.dialect.name
    if dialect == "sqlite":
        writer: Callable[[int, int], None] = sqlite_writer(connection, table, columns)
    elif dialect == "postgresql":
        writer = postgres_writer(connection, table, columns)
    else:
        raise NotImplementedError(f"bulk insert is not implemented for {dialect}")
    for start in range(0, total, chunk_size):
        stop = min(start + chunk_size, total)
        writer(start, stop)
        if on_chunk is not None:
            on_chunk(stop, total)
    return total


def upsert_columns(
    connection: Connection,
    table: Table,
    columns: Mapping[str, ColumnValues],
    *,
    update_columns: Sequence[str],
    key: str = "external_id",
    only_where: ColumnElement[bool] | TextClause | None = None,
    absent: npt.NDArray[np.bool_] | None = None,
    indexes_later: bool = False,
) -> int:
    """Insert the rows given as ``columns``; where ``key`` exists, update ``update_columns`` if
    any of them differs (``data_access.upsert.upsert``'s statement, for column data).

    SQLite: one prepared ``INSERT … ON CONFLICT … DO UPDATE`` run by the driver's
    ``executemany``; the rows marked in ``absent`` (keys the caller found missing in this
    transaction, which no other writer can join: SQLite's write lock) go in by a
    plain ``INSERT`` instead: with foreign keys on, SQLite's upsert costs twice a plain insert
    (100,000 new orders into a million: 2.2 s against 1.1 s). Into a table numbered by an
    integer ``id`` that the columns leave to SQLite, those new rows' CHECK constraints are
    tested once over them after the insert
    (:func:`data_access.bulk_checks.inserted_then_checked`); the upsert of the other rows is
    checked row by row, as ever. ``indexes_later``: the table's secondary indexes are
    dropped for a large load (``bulk_load.indexes_built_after``), so those new rows go in
    several a statement (``bulk_wire.executemany_several``): a million new orders into a
    table of a thousand wrote in 7.4–7.5 s instead of 8.9–10.1 s (two runs each, alternating,
    7 Dec 2026); into a table with indexes, one row a statement was faster. PostgreSQL:
    ``COPY`` into a temporary staging table dropped at commit, then one set-based ``INSERT …
    SELECT … ON CONFLICT … DO UPDATE`` (its foreign keys checked set-based before it where
    the role may: ``bulk_load.foreign_keys_checked_before``); the rows marked in ``absent``
    are copied straight into the table instead, which only a caller holding the table to
    itself may vouch for (``data_access.bulk_load.take_for_load``): otherwise another
    transaction may insert the same key meanwhile. No key may appear twice.
    Runs inside the caller's transaction; returns the number of rows given.
    """
    names = list(columns)
    total = len(next(iter(columns.values()))) if columns else 0
    if total == 0:
        return 0
    if absent is not None and len(absent) != total:
        raise ValueError(f"absent marks {len(absent)} rows of {total}")
    dialect = connection.dialect.name
    if dialect == "sqlite":
        plain: Any = sqlite.insert(table)
        upsert = _on_conflict(plain, table, key, update_columns, only_where)
        compiled = upsert.compile(dialect=connection.dialect, column_keys=names)
        order = list(compiled.positiontup or [])
        if sorted(order) != sorted(names):
            raise AssertionError(f"unexpected parameters {order} for {names}")
        kinds = [column_kind(table, name) for name in order]
        converted = [
            sqlite_values(columns[name], kind) for name, kind in zip(order, kinds, strict=True)
        ]
        rows = zip(*converted, strict=True)
        # One row a statement: into a table with indexes, SQLite's multi-row VALUES was slower
        # (1.7 s against 1.1 s for 100,000 new orders into a million).
        upserted: Iterable[tuple[Any, ...]] = rows
        if absent is not None and absent.any():
            inserting = plain.compile(dialect=connection.dialect, column_keys=names)
            if list(inserting.positiontup or []) != order:
                raise AssertionError(f"unexpected parameters {inserting.positiontup} for {order}")
            marks = absent.tolist()
            new: list[tuple[Any, ...]] = []
            old: list[tuple[Any, ...]] = []
            for row, is_new in zip(rows, marks, strict=True):
                (new if is_new else old).append(row)
            inserted_then_checked(
                connection, table, names, str(inserting), new, several_a_statement=indexes_later
            )
            upserted = old
        executemany(connection, str(compiled), upserted)
        return total
    if dialect != "postgresql":
        raise NotImplementedError(f"bulk upsert is not implemented for {dialect}")
    if absent is not None and absent.any():
        # Keys nobody else can add meanwhile (the caller took the table): copied straight in.
        postgres_writer(connection, table, _rows_of(columns, absent))(0, int(absent.sum()))
        if absent.all():
            return total
        columns = _rows_of(columns, ~absent)
    stage = f"import_stage_{table.name}"
    quoted = ", ".join(quote(connection, name) for name in names)
    # Names from the table's own metadata, quoted by the dialect; no value from a file.
    connection.execute(
        text(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {quoted} FROM {quote(connection, table.name)} WITH NO DATA"
        )
    )
    connection.execute(text(f"TRUNCATE {stage}"))
    postgres_writer(connection, table, columns, target=stage)(0, len(columns[names[0]]))
    source = table_clause(stage, *(column(name) for name in names))
    statement = postgresql.insert(table).from_select(
        names, select(*(source.c[name] for name in names))
    )
    upsert = _on_conflict(statement, table, key, update_columns, only_where)
    with foreign_keys_checked_before(connection, table, stage, names, update_columns):
        connection.execute(upsert)
    return total


def _rows_of(
    columns: Mapping[str, ColumnValues], chosen: npt.NDArray[np.bool_]
) -> dict[str, ColumnValues]:
    """The ``chosen`` rows of ``columns``."""
    return {
        name: values[chosen]
        if isinstance(values, np.ndarray)
        else [value for value, kept in zip(values, chosen.tolist(), strict=True) if kept]
        for name, values in columns.items()
    }


def _on_conflict(
    statement: Any,
    table: Table,
    key: str,
    update_columns: Sequence[str],
    only_where: ColumnElement[bool] | TextClause | None,
) -> Any:
    excluded = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[key],
        set_={name: excluded[name] for name in update_columns},
        where=and_(
            or_(*(table.c[name].is_distinct_from(excluded[name]) for name in update_columns)),
            true() if only_where is None else only_where,
        ),
    )
