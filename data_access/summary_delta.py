"""The summaries kept in step by a write's delta (DESIGN.md §6 "Scale"): what the rows it
touches contribute after it minus what they contributed before, counted set-based and added in
the write's own transaction (:class:`Delta`). ``data_access.summaries`` builds, rebuilds and
checks the summaries; this is how every other writer keeps them exact."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypedDict

from sqlalchemy import (
    Column,
    MetaData,
    String,
    Table,
    TableClause,
    and_,
    bindparam,
    column,
    delete,
    func,
    insert,
    select,
    text,
    tuple_,
)
from sqlalchemy import table as table_clause
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from data_access import summary_memory
from data_access.bulk import insert_columns
from data_access.claim_facts import Executor, connection_of
from data_access.models import SummaryState
from data_access.summary_rows import aggregate, rolled_up
from data_access.summary_tables import ROLLUPS, TABLES
from data_access.summary_terms import nonzero

__all__ = ["IN_MEMORY_FROM_ROWS", "Delta", "built_zones"]


#: On SQLite, a delta of at least this many orders or suppliers is counted in memory
#: (``data_access.summary_memory``): SQLite groups by sorting, pandas by hashing. 100,000 new
#: orders into a million imported in 10.8–11.4 s instead of 12.2–13.2 (the import's process
#: 30–40 MB larger), 10,000 in 2.3–2.4 s instead of 2.5–2.7; at 1,000 the two are alike (5 Dec
#: 2026). Below it the SQL's few statements cost less than reading the suppliers' places.
IN_MEMORY_FROM_ROWS = 5_000


def built_zones(executor: Executor) -> dict[str, int]:
    """The zones the summaries are kept for, each with its claim window."""
    rows = executor.execute(select(SummaryState.zone, SummaryState.claim_window_days)).all()
    return {zone: int(days) for zone, days in rows}


@dataclass
class Delta:
    """What a write changes in the summaries: call :meth:`subtract` with the rows it is about
    to write (as they are before), :meth:`add` with all of them after, then :meth:`apply`.

    Set-based whatever the write's size: the ids go to a temporary table, each count is one
    ``INSERT … SELECT`` of :func:`aggregate` over them into a temporary table per summary
    (``summary_delta_<table>``), and :meth:`apply` adds the grouped differences with one upsert
    per summary. The work grows with the rows written, never with the tables' size: every
    lookup goes through an index on the ids (EXPLAIN QUERY PLAN in the tests' reach). The
    temporary tables are the connection's own (PostgreSQL drops them at commit). On SQLite, a
    count of at least :data:`IN_MEMORY_FROM_ROWS` orders or suppliers sums the two largest
    summaries in memory instead (``data_access.summary_memory``), into the same temporary
    tables.
    """

    zones: dict[str, int]
    #: The summaries to keep (a write that can change only some: a decision, the refunds).
    tables: tuple[str, ...] = tuple(TABLES)
    _ready: bool = field(default=False, repr=False)

    @classmethod
    def for_database(cls, executor: Executor, tables: tuple[str, ...] = tuple(TABLES)) -> Delta:
        return cls(built_zones(executor), tables)

    def _prepare(self, executor: Executor) -> None:
        if self._ready:
            return
        postgres = _dialect(executor) == "postgresql"
        drop = " ON COMMIT DROP" if postgres else ""
        # Names and types from the tables' own metadata; nothing from a file.
        executor.execute(
            text(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {_IDS.name} "
                f"(external_id VARCHAR(64) PRIMARY KEY){drop}"
            )
        )
        for name in self.tables:
            _, key, summed = TABLES[name]
            columns = ", ".join((*key, *summed))
            target = _delta_table(name).name
            empty = f"SELECT {columns} FROM {name} WHERE 1 = 0"  # noqa: S608
            executor.execute(
                text(f"CREATE TEMPORARY TABLE IF NOT EXISTS {target}{drop} AS {empty}")
            )
            executor.execute(delete(_delta_table(name)))
        self._ready = True

    def _count(self, executor: Executor, sign: int, entity: str, ids: Sequence[str]) -> None:
        self._prepare(executor)
        executor.execute(delete(_IDS))
        if not ids:
            return
        connection = connection_of(executor)
        insert_columns(connection, _IDS, {"external_id": list(ids)})
        if connection.dialect.name == "postgresql":
            # A temporary table has no statistics until analysed: plan for its real size.
            executor.execute(text(f"ANALYZE {_IDS.name}"))
        in_memory = (
            connection.dialect.name == "sqlite"
            and entity in ("orders", "suppliers")
            and len(ids) >= IN_MEMORY_FROM_ROWS
        )
        for zone, window in self.zones.items():
            if in_memory:

                def store(name: str, columns: dict[str, Any]) -> None:
                    if name in self.tables:
                        for summed in TABLES[name][2]:
                            columns[summed] = sign * columns[summed]
                        insert_columns(connection, _delta_columns(name), columns)

                chosen = select(_IDS.c.external_id)
                summary_memory.count(
                    connection,
                    zone,
                    window,
                    store,
                    orders=chosen if entity == "orders" else None,
                    suppliers=chosen if entity == "suppliers" else None,
                    parts=True,  # apply() sums the delta's rows by key
                )
            for name in self.tables:
                if in_memory and name in summary_memory.IN_MEMORY:
                    continue
                if name in ROLLUPS:
                    continue  # rolled up from its source's delta in apply()
                statement = _counting(name, zone, window, entity, sign)
                if statement is not None:
                    executor.execute(statement)

    def subtract(self, executor: Executor, entity: str, ids: Sequence[str]) -> None:
        """Take away what the ``entity`` ("orders", "claims" or "suppliers") rows with these
        external ids contribute now (call before changing them; new rows contribute nothing
        yet, so leave them out: each id costs a lookup in every count)."""
        if self.zones:
            self._count(executor, -1, entity, ids)

    def add(self, executor: Executor, entity: str, ids: Sequence[str]) -> None:
        """Add what they contribute now (call after writing them)."""
        if self.zones:
            self._count(executor, +1, entity, ids)

    def apply(self, executor: Executor) -> None:
        """Add the differences to the stored rows; drop rows left at zero everywhere."""
        if not self._ready:
            return
        dialect = _dialect(executor)
        for name in ROLLUPS:
            if name in self.tables:
                executor.execute(_rolling_up(name))
        for name in self.tables:
            adding, dropping_zeros, clearing = _applying(name, dialect)
            if dialect == "postgresql":
                executor.execute(text(f"ANALYZE {_delta_table(name).name}"))
                # The upsert names the rows it left at zero everywhere, and only they are
                # looked up again: probing every key of the delta (255,708 at ten million
                # orders) for them took 1.3 s of an import.
                emptied = executor.execute(_emptying(name)).all()
                for start in range(0, len(emptied), _EMPTIED_PER_DELETE):
                    keys = [tuple(row) for row in emptied[start : start + _EMPTIED_PER_DELETE]]
                    executor.execute(_dropping_emptied(name), {"keys": keys})
            else:
                executor.execute(adding)
                executor.execute(dropping_zeros)
            executor.execute(clearing)


# The statements of a delta, built once each: a decision runs a delta of one claim, and building
# and compiling the aggregates anew each time cost more than running them (40 of 60 ms).


@cache
def _counting(name: str, zone: str, window: int, entity: str, sign: int) -> Any:
    """``INSERT`` into the summary's delta table of what the ids' rows contribute (signed), or
    None when they contribute nothing to it."""
    _, key, summed = TABLES[name]
    # The supplier days come a row per event: nearly every event of a delta has a key of its
    # own (100,000 orders into ten million: 299,000 events, 256,000 keys), and apply() sums
    # them by key anyway; summing them here as well took PostgreSQL 0.8 s of that import.
    query = aggregate(name, zone, window, **_of(entity), by_key=name != "summary_supplier_days")
    if query is None:
        return None
    counted = query.subquery("counted")
    signed = [(counted.c[s] if sign > 0 else -counted.c[s]).label(s) for s in summed]
    return insert(_delta_table(name)).from_select(
        [*key, *summed], select(*[counted.c[k] for k in key], *signed)
    )


class _Chosen(TypedDict, total=False):
    orders: Select[Any]
    claims: Select[Any]
    suppliers: Select[Any]


def _of(entity: str) -> _Chosen:
    """The ids' rows of ``entity``, as ``aggregate``'s argument naming them."""
    ids = select(_IDS.c.external_id)
    if entity == "orders":
        return {"orders": ids}
    if entity == "claims":
        return {"claims": ids}
    if entity == "suppliers":
        return {"suppliers": ids}
    raise ValueError(f"unknown entity {entity!r}")


@cache
def _rolling_up(name: str) -> Any:
    key, summed = TABLES[name][1:]
    rolled = rolled_up(name, _delta_table(ROLLUPS[name]))
    return insert(_delta_table(name)).from_select([*key, *summed], rolled)


@cache
def _applying(name: str, dialect: str) -> tuple[Any, ...]:
    """Add the grouped differences to the stored rows, drop the rows this write touched that
    now count nothing (found by their keys), empty the delta table."""
    table, key, summed = TABLES[name]
    changes = _delta_table(name)
    sums = [func.sum(changes.c[s]).label(s) for s in summed]
    # In the stored table's key order: PostgreSQL then walks its primary key and the pages of
    # rows next to each other, instead of hashing them into random order. At ten million orders,
    # where the supplier days (16 million rows) are many times the shared buffers, 100,000
    # imported orders' supplier days, months and years went in 12.8–14.0 s instead of
    # 16.3–17.3 s (two runs each, alternating); at a million in 4.6–4.9 s instead of 5.2–6.0
    # (three each). SQLite's grouping sorts them so already (no second sort in its plan).
    grouped = (
        select(*[changes.c[k] for k in key], *sums)
        .group_by(*[changes.c[k] for k in key])
        .having(nonzero(sums))
        .order_by(*[changes.c[k] for k in key])
    )
    touched = select(*[changes.c[k] for k in key]).distinct()
    return (
        _adding(table, key, summed, dialect, grouped),
        delete(table).where(
            tuple_(*[table.c[k] for k in key]).in_(touched),
            *[table.c[s] == 0 for s in summed],
        ),
        delete(changes),
    )


#: Keys of rows left at zero deleted a statement at a time (PostgreSQL).
_EMPTIED_PER_DELETE = 5_000


@cache
def _emptying(name: str) -> Any:
    """PostgreSQL: the delta's upsert (``_adding``), returning the keys of the rows it left at
    zero in every sum (RETURNING sees each row as the upsert left it)."""
    table, key, summed = TABLES[name]
    adding = _applying(name, "postgresql")[0]
    returned = adding.returning(
        *[table.c[k] for k in key], and_(*[table.c[s] == 0 for s in summed]).label("emptied")
    ).cte(f"added_{name}")
    return select(*[returned.c[k] for k in key]).where(returned.c.emptied)


@cache
def _dropping_emptied(name: str) -> Any:
    """PostgreSQL: delete the rows with these keys (``keys``: a list of key tuples) that count
    nothing (checked again: rows this transaction upserted stay locked until it ends)."""
    table, key, summed = TABLES[name]
    keys = tuple_(*[table.c[k] for k in key])
    return delete(table).where(
        keys.in_(bindparam("keys", expanding=True)), *[table.c[s] == 0 for s in summed]
    )


def _adding(
    table: Table, key: tuple[str, ...], summed: tuple[str, ...], dialect: str, rows: Select[Any]
) -> Any:
    """Add ``rows`` (one per key) to ``table``'s stored rows: an upsert, so two writers at
    once each add their own and neither's is lost."""
    upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    statement = upsert.from_select([*key, *summed], rows)
    return statement.on_conflict_do_update(
        index_elements=list(key),
        set_={s: table.c[s] + statement.excluded[s] for s in summed},
    )


#: The ids a delta counts (a temporary table, created by Delta._prepare).
_IDS = Table("summary_delta_ids", MetaData(), Column("external_id", String(64), primary_key=True))


def _delta_table(name: str) -> TableClause:
    _, key, summed = TABLES[name]
    return table_clause(
        f"summary_delta_{name.removeprefix('summary_')}", *map(column, key + summed)
    )


@cache
def _delta_columns(name: str) -> Table:
    """A summary's delta table with its columns' types, for ``insert_columns``."""
    table = TABLES[name][0]
    return Table(
        _delta_table(name).name,
        MetaData(),
        *[Column(column.name, column.type) for column in table.columns],
    )


def _dialect(executor: Executor) -> str:
    if isinstance(executor, Session):
        return executor.get_bind().dialect.name
    return executor.dialect.name
