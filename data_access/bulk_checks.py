"""SQLite's CHECK constraints tested once over the rows a bulk load wrote, not at every row
(a VDBE program a check a row costs as much as the rest of the insert): over a whole load
(:func:`checks_tested_after`, the demo seed) or over an import's new rows
(:func:`inserted_then_checked`). A row breaking one raises :class:`CheckFailed` before the
caller commits, so nothing the checks refuse is kept. PostgreSQL tests them inside ``COPY`` at
little cost: there nothing changes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    Connection,
    Integer,
    Table,
    case,
    func,
    literal_column,
    not_,
    select,
)

from data_access.bulk_wire import executemany, executemany_several


class CheckFailed(Exception):
    """Rows loaded under :func:`checks_tested_after` break a CHECK constraint; the block's
    transaction is to roll back. The message names the table, the constraint and the count."""


@contextmanager
def checks_tested_after(connection: Connection, tables: Iterable[Table]) -> Iterator[None]:
    """SQLite: test the CHECK constraints of ``tables`` once over all their rows after the block
    loads them, instead of at every row inserted.

    Measured on a million demo orders: the orders table's seven checks took 4.3 of the 10.4 s
    ``executemany`` (a VDBE program a check a row); one scan testing them all takes 0.3 s. A
    row breaking one raises :class:`CheckFailed` before the caller commits, so nothing the
    checks refuse is kept, as before. Only for loads into tables nobody else writes meanwhile
    (the demo seed): the checks are off for the connection until the block ends. PostgreSQL
    tests them inside COPY at little cost, so there the block runs as it is.
    """
    tables = list(tables)
    if connection.dialect.name != "sqlite":
        yield
        return
    with _checks_off(connection):
        yield
    for table in tables:
        if _checks(table):
            _test_checks(connection, table)


@contextmanager
def _checks_off(connection: Connection) -> Iterator[bool]:
    """SQLite: CHECK constraints off for the connection while the block runs, then as they
    were (an import's insert may run inside a seed's :func:`checks_tested_after`); yields
    whether they were off already."""
    raw = connection.connection.driver_connection
    assert raw is not None
    were_off = bool(raw.execute("PRAGMA ignore_check_constraints").fetchone()[0])
    raw.execute("PRAGMA ignore_check_constraints=ON")
    try:
        yield were_off
    finally:
        with suppress(sqlite3.ProgrammingError):  # a connection lost midway has none to reset
            raw.execute(f"PRAGMA ignore_check_constraints={'ON' if were_off else 'OFF'}")


def inserted_then_checked(
    connection: Connection,
    table: Table,
    names: Sequence[str],
    sql: str,
    rows: Sequence[tuple[Any, ...]],
    *,
    several_a_statement: bool = False,
) -> None:
    """SQLite: run the plain ``INSERT`` ``sql`` of new ``rows`` (values of ``names``) into
    ``table``, one row a statement or (``several_a_statement``) as many as SQLite takes
    (``bulk_wire.executemany_several``). Where SQLite numbers them (an integer ``id`` not among
    ``names``) and the table has CHECK constraints, with those off, then tested once over
    exactly these rows, a range of ids, raising :class:`CheckFailed` if one breaks (the caller's
    transaction is then to roll back). As in :func:`checks_tested_after`, testing the checks at
    every row costs as much as the rest of the insert: a million new orders into a table of a
    thousand (its indexes built after) took 9.9–12.4 s to insert with them and 5.2–5.8 s
    without, and 0.9–1.1 s to test them over each chunk's rows (6 Dec 2026). The caller holds
    the write lock, so every id above the largest before the insert is one of these rows; SQLite
    numbers rows from that largest up (a table whose ids reached the 64-bit limit would be
    numbered at random: then every row is tested)."""
    insert = executemany_several if several_a_statement else executemany
    if not rows or "id" in names or not _numbered(table) or not _checks(table):
        insert(connection, sql, rows)
        return
    largest = connection.execute(select(func.max(table.c.id))).scalar()
    with _checks_off(connection) as already_off:
        insert(connection, sql, rows)
    if already_off:
        return  # the enclosing block tests them all
    newer = None if largest is None else table.c.id > largest
    if _test_checks(connection, table, newer) != len(rows):
        _test_checks(connection, table)


def _checks(table: Table) -> list[CheckConstraint]:
    return sorted(
        (c for c in table.constraints if isinstance(c, CheckConstraint)), key=lambda c: str(c.name)
    )


def _numbered(table: Table) -> bool:
    """Whether ``table``'s primary key is one integer ``id`` (SQLite's rowid)."""
    key = list(table.primary_key.columns)
    return len(key) == 1 and key[0].name == "id" and isinstance(key[0].type, Integer)


def _test_checks(
    connection: Connection, table: Table, among: ColumnElement[bool] | None = None
) -> int:
    """Raise :class:`CheckFailed` if a row of ``table`` (those ``among`` selects, or all)
    breaks one of its CHECK constraints; returns how many rows were tested."""
    checks = _checks(table)
    # As a CHECK: a row breaks it when the expression is false, not when it is NULL.
    broken = [
        func.coalesce(func.sum(case((not_(literal_column(f"({check.sqltext})")), 1), else_=0)), 0)
        for check in checks
    ]
    tested = select(func.count(), *broken).select_from(table)
    if among is not None:
        tested = tested.where(among)
    rows, *counts = connection.execute(tested).one()
    for check, count in zip(checks, counts, strict=True):
        if count:
            breaking = f"{count:,} rows break" if count != 1 else "1 row breaks"
            raise CheckFailed(f"{breaking} the check {check.name} of table '{table.name}'")
    return int(rows)
