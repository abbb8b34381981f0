"""The daily summary tables (``models.Summary*``): built, kept in step and checked here.

Every column is a sum over orders or claims (``data_access.summary_rows`` defines them), so a
write keeps the summaries exact by adding a delta: what the rows it touches contribute after it
minus what they contributed before (:class:`Delta`, ``data_access.summary_delta``, in the
write's own transaction; both databases add with an upsert, so two writers at once each add
their own difference and neither's is lost). A supplier file counts its suppliers' orders and
claims (they count under the supplier's country and tier). A seed builds them again
(:func:`rebuild`). Nothing else changes what the summaries hold but a final approval, which
adds a refund (a :class:`Delta` of the :data:`DECIDED` tables): other decisions,
recommendations, deadlines and limits touch neither an order, nor the filing of a claim, nor a
refund (the decisions' own daily counts are ``data_access.reviewer_summaries``).
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date, datetime
from functools import partial
from typing import Any

from sqlalchemy import (
    Connection,
    delete,
    insert,
    select,
    text,
)

from data_access import summary_memory
from data_access.bulk import insert_columns
from data_access.bulk_load import indexes_built_after
from data_access.claim_facts import Executor, connection_of
from data_access.models import SummaryState
from data_access.settings import zone_named
from data_access.summary_delta import Delta, built_zones
from data_access.summary_facts import NewOrders
from data_access.summary_rows import aggregate, rolled_up
from data_access.summary_tables import (
    ALL_DIMENSION,
    DIMENSIONS,
    OPEN_ENDED,
    ROLLUPS,
    TABLES,
    UNSHIPPED,
)

__all__ = [
    "ALL_DIMENSION",
    "DECIDED",
    "DIMENSIONS",
    "OPEN_ENDED",
    "ROLLUPS",
    "TABLES",
    "UNSHIPPED",
    "Delta",
    "aggregate",
    "aggregated_rows",
    "built_zones",
    "is_ready",
    "keep_writers_off",
    "rebuild",
    "refresh_all",
    "stored_rows",
]


#: The summaries a decision can change: those that count refunds.
DECIDED = (
    "summary_refund_days",
    "summary_supplier_days",
    "summary_supplier_months",
    "summary_supplier_years",
)


def _stored(name: str, zone: str) -> Any:
    table = TABLES[name][0]
    return select(table).where(table.c.zone == zone).subquery(f"stored_{name}")


def is_ready(executor: Executor, zone: str, claim_window_days: int | None = None) -> bool:
    """Whether figures counted in ``zone`` (and, for exposure, with that claim window) may read
    the summaries; otherwise they count from the base tables."""
    days = executor.execute(
        select(SummaryState.claim_window_days).where(SummaryState.zone == zone)
    ).scalar_one_or_none()
    return days is not None and (claim_window_days is None or int(days) == claim_window_days)


def counts_in_memory(dialect: str) -> bool:
    """Whether :func:`rebuild` counts the orders' daily sums in memory unless told (SQLite,
    which groups by sorting; PostgreSQL hashes, and its builds keep the SQL)."""
    return dialect == "sqlite"


def rebuild(
    executor: Executor,
    zones: dict[str, int],
    now: datetime,
    *,
    unread: bool = False,
    in_memory: bool | None = None,
    new_orders: NewOrders | None = None,
) -> None:
    """Empty the summaries and build them again for exactly ``zones`` (zone → claim window).

    ``unread``: nobody reads the summaries meanwhile (a seed), so PostgreSQL may drop their
    secondary indexes while they fill, which locks readers out until the commit (SQLite's
    readers keep their snapshot whatever the writer does, so it always may). ``in_memory``:
    the orders' daily sums counted by ``summary_memory`` (default: on SQLite only, which
    groups by sorting; PostgreSQL hashes, and its builds keep the SQL). ``new_orders``: the
    facts of a large load's new orders, held (counted in memory, not read back; see
    ``data_access.summary_facts``)."""
    for zone in zones:
        zone_named(zone)  # an unknown zone fails here, before anything is written
    for table, _, _ in TABLES.values():
        executor.execute(delete(table))
    executor.execute(delete(SummaryState))
    connection = connection_of(executor)
    tables = [table for table, _, _ in TABLES.values()]
    # A million orders make a million and a half supplier days: one sort to index them after,
    # not as many insertions into a second index (dropped and built in this transaction).
    drop = unread or connection.dialect.name == "sqlite"
    if in_memory is None:
        in_memory = counts_in_memory(connection.dialect.name)
    with indexes_built_after(connection, tables) if drop else nullcontext():
        for zone, window in sorted(zones.items()):
            if in_memory:
                summary_memory.count(
                    connection,
                    zone,
                    window,
                    partial(_stored_too, connection, zone),
                    new_orders=new_orders,
                )
            for name, (table, _, _) in TABLES.items():
                if in_memory and _in_memory(name):
                    continue
                query = (
                    rolled_up(name, _stored(ROLLUPS[name], zone))
                    if name in ROLLUPS
                    else aggregate(name, zone, window)
                )
                assert query is not None
                names = [column.name for column in query.selected_columns]
                if connection.dialect.name == "postgresql":
                    # Written in key order, so a span of days for every supplier sits on
                    # neighbouring pages: grouped by hash, each row of a day fell on its own
                    # page (at ten million orders the two days a figure reads besides its
                    # months cost 0.5 s of page reads; 0.02 s in order). SQLite's tables are
                    # stored in key order whatever the order of writing.
                    columns = query.selected_columns
                    query = query.order_by(*[columns[k] for k in TABLES[name][1]])
                executor.execute(insert(table).from_select(names, query))
            executor.execute(
                insert(SummaryState).values(zone=zone, claim_window_days=window, built_at=now)
            )


def keep_writers_off(executor: Executor) -> None:
    """PostgreSQL: keep every other writer off the summaries until this transaction commits
    (``EXCLUSIVE``: readers go on), for a write that counts them again (:func:`refresh_all`)
    rather than adding its delta: a decision adding its own meanwhile, between two of the
    recount's statements, would be counted twice or lost. A writer that has started waits,
    and adds its delta to the new counts after the commit. SQLite's writer holds the
    database's write lock already."""
    connection = connection_of(executor)
    if connection.dialect.name != "postgresql":
        return
    tables = [SummaryState.__tablename__, *(table.name for table, _, _ in TABLES.values())]
    connection.execute(text(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE"))


def refresh_all(executor: Executor, now: datetime, new_orders: NewOrders | None = None) -> None:
    """Build the kept zones again from the base tables (after a write that changed most rows);
    the facts of ``new_orders`` (the write's, held) are not read back.

    The orders' sums counted in memory on PostgreSQL too: the million orders of a first
    import counted again in 6.6 s instead of the SQL's 9.5 s (7 Dec 2026)."""
    zones = built_zones(executor)
    if new_orders is not None and new_orders.zones != zones:
        raise ValueError(f"new orders' facts held for {new_orders.zones}, not {zones}")
    if zones:
        rebuild(executor, zones, now, in_memory=True, new_orders=new_orders)


def _store(connection: Connection, name: str, columns: dict[str, Any]) -> None:
    insert_columns(connection, TABLES[name][0], columns)


def _stored_too(connection: Connection, zone: str, name: str, columns: dict[str, Any]) -> None:
    """Store a table counted in memory, and what rolls up from it (its months, their years)."""
    _store(connection, name, columns)
    for derived, source in ROLLUPS.items():
        if source == name:
            _stored_too(connection, zone, derived, summary_memory.rolled_up(derived, zone, columns))


def _in_memory(name: str) -> bool:
    """Whether SQLite's rebuild counts ``name`` in memory: itself, or rolled up from one."""
    while name in ROLLUPS:
        name = ROLLUPS[name]
    return name in summary_memory.IN_MEMORY


def stored_rows(executor: Executor, name: str, zone: str) -> list[tuple[Any, ...]]:
    """A summary's stored rows of ``zone``, sorted (tests compare them with the aggregate)."""
    table, key, summed = TABLES[name]
    columns = [table.c[c] for c in (*key, *summed)]
    rows = executor.execute(select(*columns).where(table.c.zone == zone)).all()
    return sorted(tuple(_plain(v) for v in row) for row in rows)


def aggregated_rows(executor: Executor, name: str, zone: str) -> list[tuple[Any, ...]]:
    """The rows ``name`` should hold for ``zone``, counted from the base tables now."""
    window = built_zones(executor).get(zone, 30)
    query = aggregate(name, zone, window)
    assert query is not None
    return sorted(tuple(_plain(v) for v in row) for row in executor.execute(query).all())


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            return date.fromisoformat(value)
        return value
    return int(value)
