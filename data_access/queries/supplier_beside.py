"""The suppliers table's counts on SQLite, read beside each other into temporary tables
(``read_beside``): SQLite runs a statement on one core, so the two halves of the counts go on
two connections at once, and the ranking reads what they left."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Integer,
    MetaData,
    Table,
    delete,
    insert,
    select,
)
from sqlalchemy.schema import CreateTable
from sqlalchemy.sql import Select

from data_access.bulk import insert_columns
from data_access.claim_facts import Executor, connection_of

__all__ = ["read_beside"]

_BESIDE = MetaData()
#: SQLite: the two halves of the table's counts, read at once (``read_beside``), held in
#: temporary tables of the connection that ranks them.
_RATES_NOW = Table(
    "supplier_rates_now",
    _BESIDE,
    Column("supplier_id", Integer, primary_key=True),
    *[Column(name, BigInteger, nullable=False) for name in ("due", "late", "orders", "claims")],
    prefixes=["TEMPORARY"],
)
_LIVE_COLUMNS = ("live_orders", "exposure_cents", "cap_cents", "taken_cents")
_LIVE_NOW = Table(
    "supplier_live_now",
    _BESIDE,
    Column("supplier_id", Integer, primary_key=True),
    *[Column(name, BigInteger, nullable=False) for name in _LIVE_COLUMNS],
    prefixes=["TEMPORARY"],
)


@contextmanager
def read_beside(
    executor: Executor, parts: Callable[[], tuple[Any, Any]]
) -> Iterator[tuple[Any, Any] | None]:
    """On SQLite, from the summaries: every supplier's rate counts and live orders (the two
    subqueries ``parts()`` builds, only here: other databases never read them) read at once,
    the live orders on a connection of their own, into temporary tables the ranking reads
    (yielded; None elsewhere: the one query). SQLite runs a statement on one core, and these
    two groupings of summary rows were most of the table's: at ten million orders 0.5 s and
    0.35 s one after the other. Like the exposure page's reads beside each other, the two may
    see the database a few milliseconds apart."""
    connection = connection_of(executor)
    if connection.dialect.name != "sqlite":
        yield None
        return
    rates, live = parts()
    for table in (_RATES_NOW, _LIVE_NOW):
        connection.execute(CreateTable(table, if_not_exists=True))
        connection.execute(delete(table))
    try:
        with ThreadPoolExecutor(1, thread_name_prefix="suppliers") as pool:
            live_rows = pool.submit(_rows_apart, connection.engine, select(live))
            names = ["supplier_id", "due", "late", "orders", "claims"]
            connection.execute(insert(_RATES_NOW).from_select(names, select(rates)))
            rows = live_rows.result()
        values = list(zip(*rows, strict=True)) or [()] * (1 + len(_LIVE_COLUMNS))
        insert_columns(
            connection, _LIVE_NOW, dict(zip(["supplier_id", *_LIVE_COLUMNS], values, strict=True))
        )
        yield _RATES_NOW, _LIVE_NOW
    finally:
        for table in (_RATES_NOW, _LIVE_NOW):
            connection.execute(delete(table))


def _rows_apart(engine: Engine, query: Select[Any]) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(query).all())
