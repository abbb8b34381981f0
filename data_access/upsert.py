"""Portable upserts keyed on an external id, for imports that may run twice.

``INSERT … ON CONFLICT (external_id) DO UPDATE SET … WHERE <any column differs>`` has the same
syntax on SQLite (3.24+) and PostgreSQL, and SQLAlchemy builds it from each dialect's own
``insert``. The ``WHERE`` makes a re-import of an unchanged row a no-op: no new row version on
PostgreSQL, no write at all on SQLite.

Everything here runs inside the caller's transaction and commits nothing.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Row,
    Table,
    TextClause,
    and_,
    any_,
    bindparam,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from data_access.models import Base

#: Keys per ``IN (…)`` list: well below SQLite's 32,766 host parameters and fast on PostgreSQL.
KEYS_PER_QUERY = 5_000
#: A row lock: to change the rows, or to keep them from changing.
Lock = Literal["update", "share"]


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class (typed as a Table, which every model here has)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def upsert(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    update_columns: Sequence[str],
    key: str = "external_id",
    only_where: ColumnElement[bool] | TextClause | None = None,
) -> None:
    """Insert ``rows``; where ``key`` exists, update ``update_columns`` if any of them differs.

    Every row must carry the same keys, and no key twice (PostgreSQL refuses to update a row
    twice in one statement). Columns absent from ``update_columns`` (a creation time,
    a status owned by a workflow) are written on insert only. ``only_where`` further limits
    which existing rows may be updated (a decided claim never is, whatever else the file says).
    """
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    names = list(rows[0])
    if dialect == "postgresql":
        # One statement per chunk: the rows travel as one array per column and ``unnest`` turns
        # them back into rows, several times faster than a statement per row.
        arrays = [bindparam(name, type_=ARRAY(table.c[name].type)) for name in names]
        source = func.unnest(*arrays).table_valued(*names).render_derived("src")
        statement: Any = postgresql.insert(table).from_select(
            names, select(*(source.c[name] for name in names))
        )
        parameters: Any = {name: [row[name] for row in rows] for name in names}
    elif dialect == "sqlite":
        statement = sqlite.insert(table)
        parameters = list(rows)
    else:  # pragma: no cover - the project supports these two
        raise NotImplementedError(f"upsert is not implemented for {dialect}")
    excluded = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=[key],
        set_={name: excluded[name] for name in update_columns},
        where=and_(
            or_(*(table.c[name].is_distinct_from(excluded[name]) for name in update_columns)),
            true() if only_where is None else only_where,
        ),
    )
    session.execute(statement, parameters)


def rows_by_key(
    session: Session,
    table: Table,
    columns: Sequence[str],
    keys: Collection[str],
    *,
    key: str = "external_id",
    lock: Lock | None = None,
) -> dict[Any, Row[Any]]:
    """Rows of ``table`` whose ``key`` is in ``keys``, by key, with ``columns`` and the key.

    ``lock`` locks them until the transaction ends: ``"update"`` to change them, ``"share"`` to
    keep others from changing them meanwhile (PostgreSQL; SQLite's writers are serialised by
    ``BEGIN IMMEDIATE`` already, and SQLite has no row locks).
    """
    selected = select(table.c[key], *(table.c[name] for name in columns if name != key))
    if lock is not None:
        selected = selected.with_for_update(read=lock == "share")
    if session.get_bind().dialect.name == "postgresql":
        # One array parameter instead of thousands of placeholders: the same statement text for
        # every chunk, so neither the driver nor the server parses a new one each time.
        condition = table.c[key] == any_(bindparam("keys", type_=ARRAY(table.c[key].type)))
    else:
        # One JSON parameter instead of thousands of placeholders, for the same reason: SQLite
        # reads it as a table (json_each), and the statement is compiled once.
        listed = select(func.json_each(bindparam("keys")).table_valued("value").c.value)
        condition = table.c[key].in_(listed.scalar_subquery())
    found: dict[Any, Row[Any]] = {}
    statement = selected.where(condition)
    sqlite = session.get_bind().dialect.name == "sqlite"
    for batch in _batches(sorted(set(keys))):
        parameter: Any = json.dumps(list(batch)) if sqlite else list(batch)
        for row in session.execute(statement, {"keys": parameter}):
            found[row[0]] = row
    return found


def lock_by_key(
    session: Session,
    table: Table,
    keys: Collection[Any],
    *,
    key: str = "external_id",
    shared: bool = False,
) -> None:
    """Lock the rows of ``table`` whose ``key`` is in ``keys`` until the transaction ends (for
    update, or ``shared``), on PostgreSQL; on SQLite the writer holds the database's write lock."""
    if keys and session.get_bind().dialect.name == "postgresql":
        rows_by_key(session, table, [], keys, key=key, lock="share" if shared else "update")


def ids_by_key(
    session: Session,
    table: Table,
    keys: Collection[str] | None = None,
    *,
    key: str = "external_id",
) -> dict[str, int]:
    """``{external id: id}`` for ``keys``, or for the whole table when ``keys`` is None."""
    if keys is None:
        result = session.execute(select(table.c[key], table.c.id))
        return {row[0]: row[1] for row in result}
    return {k: row.id for k, row in rows_by_key(session, table, ["id"], keys, key=key).items()}


def _batches(keys: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(keys), KEYS_PER_QUERY):
        yield keys[start : start + KEYS_PER_QUERY]
