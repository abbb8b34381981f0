"""Use case: fill an empty database with realistic demo data (``assurance demo seed``).

The tables up to the orders are generated (:mod:`services.demo.data`) before the transaction
opens, so no lock is held while NumPy works; then one transaction optionally empties every table,
bulk-inserts all rows (:mod:`data_access.bulk`) — the claims, drawn in a child process while the
orders are written — moves the id sequences past the explicit ids, builds the summaries and
writes the audit event. Either everything is there afterwards or nothing changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from datetime import time as clock_time

from sqlalchemy import Connection, Engine, Table
from sqlalchemy.orm import Session

from data_access import summaries, summary_memory
from data_access.bulk import insert_columns
from data_access.bulk_checks import checks_tested_after
from data_access.bulk_load import (
    analyze,
    bulk_tuning,
    delete_all_rows,
    first_nonempty_table,
    foreign_keys_checked_after,
    indexes_built_after,
    sync_id_sequences,
)
from data_access.models import Base
from data_access.summary_facts import NewOrders, can_hold
from rules import bundled_policy
from services import audit, clock
from services.auth import Actor, Permission, require
from services.claims.deadlines import refresh_due
from services.demo.data import TABLE_NAMES, TableData, generating
from services.summaries import kept_zones, rebuild_reviewer_days, summary_tables

__all__ = ["DatabaseNotEmpty", "SeedReport", "seed_demo"]

#: ``progress(stage, done, total)``: stage is "generate", "reset" or a table name; called after
#: each chunk, ``done`` reaching ``total`` when a stage ends.
Progress = Callable[[str, int, int], None]


class DatabaseNotEmpty(Exception):
    """Seeding would mix demo rows with existing data; the message is safe to show a user."""

    def __init__(self, table: str) -> None:
        self.table = table
        super().__init__(
            f"The database already holds data (table '{table}' is not empty); "
            "seed an empty database, or reset it to replace everything with demo data."
        )


@dataclass(frozen=True, slots=True)
class SeedReport:
    """Rows written per table and the wall time of the whole use case."""

    users: int
    suppliers: int
    supplier_limit_changes: int
    buyers: int
    orders: int
    claims: int
    recommendations: int
    decisions: int
    audit_events: int
    seconds: float

    @property
    def counts(self) -> dict[str, int]:
        values = asdict(self)
        del values["seconds"]
        return values

    def __str__(self) -> str:
        """E.g. ``1,000,000 orders, 5,000 suppliers, …``; the CLI prints the time itself."""
        parts = []
        for name, n in self.counts.items():
            label = name.replace("_", " ")
            parts.append(f"{n:,} {label.removesuffix('s') if n == 1 else label}")
        return ", ".join(parts)


def seed_demo(
    engine: Engine,
    *,
    orders: int,
    seed: int,
    today: date,
    reset: bool = False,
    progress: Progress | None = None,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> SeedReport:
    """Seed ``orders`` orders (and everything around them) of the 24 months before ``today``.

    Raises :class:`DatabaseNotEmpty` when any table has rows, unless ``reset`` is true: then all
    rows of all tables are deleted first, in the same transaction as the inserts. The same
    ``seed`` and ``today`` give the same rows (the audit event records the real time).
    ``actor`` defaults to the operator at the shell, the only role allowed to seed. ``now`` is
    when the seed runs, for its audit event (default: the end of ``today``'s data, 00:00 of
    ``today`` in the programme's time zone, on whose calendar the claims are walked).
    """
    started = time.perf_counter()
    zone = clock.zone()
    # The moment the data ends and the claims' statuses were walked to.
    as_of = datetime.combine(today, clock_time(0), tzinfo=zone).astimezone(UTC)
    actor = actor or Actor.system()
    require(actor, Permission.SEED_DEMO)
    tables = Base.metadata.sorted_tables
    # The summaries are derived rows: built (even empty) they do not make a database "not empty".
    data_tables = [t for t in tables if not t.name.startswith("summary_")]
    if not reset:
        # Fail fast, before spending seconds on generation; checked again inside the transaction.
        with engine.connect() as connection:
            _refuse_if_not_empty(connection, data_tables)

    # The claims are drawn beside this process while the tables before them are written.
    with (
        generating(orders=orders, seed=seed, today=today, zone=zone, progress=progress) as staged,
        engine.begin() as connection,
        bulk_tuning(connection),
    ):
        if reset:
            _report(progress, "reset", 0, 1)
            delete_all_rows(connection, tables)
            _report(progress, "reset", 1, 1)
        else:
            _refuse_if_not_empty(connection, data_tables)
        loaded = [Base.metadata.tables[name] for name in TABLE_NAMES]
        counts: dict[str, int] = {}
        # The seed writes no policy version: the zones kept now are those rebuilt below.
        zones = kept_zones(connection)
        held: NewOrders | None = None

        def write(table_data: TableData) -> None:
            def on_chunk(done: int, total: int) -> None:
                _report(progress, table_data.name, done, total)

            nonlocal held
            table = Base.metadata.tables[table_data.name]
            if table.name == "orders":
                held = _held_facts(connection, table_data, zones)
            counts[table.name] = insert_columns(
                connection, table, table_data.columns, on_chunk=on_chunk
            )

        with (
            indexes_built_after(connection, loaded),
            foreign_keys_checked_after(connection, loaded),
            checks_tested_after(connection, loaded),
        ):
            for table_data in staged.first:
                write(table_data)
            for table_data in staged.claims():  # drawn meanwhile
                write(table_data)
            if held is not None:
                # Their events summed in a thread while the indexes are built.
                summary_memory.count_ahead(connection, held)
            _report(progress, "indexes", 0, 1)
        _report(progress, "indexes", 1, 1)
        sync_id_sequences(connection, tables)
        with Session(bind=connection) as session:
            # The queue's stored deadlines, at the moment the claims' statuses were walked to.
            refresh_due(session, None, bundled_policy("v1"), as_of)
            audit.record(
                session,
                actor,
                "demo.seed",
                "database",
                before=None,
                after={
                    "orders": orders,
                    "seed": seed,
                    "today": today.isoformat(),
                    "reset": reset,
                    "rows": counts,
                },
                at=now or as_of,
            )
            session.flush()
            # The dashboards' daily summaries, from the rows just written, in this transaction.
            summaries.rebuild(connection, zones, now or as_of, unread=True, new_orders=held)
            rebuild_reviewer_days(connection, now or as_of)
        analyze(connection, [*loaded, *summary_tables()])
    return SeedReport(
        users=counts["users"],
        suppliers=counts["suppliers"],
        supplier_limit_changes=counts["supplier_limit_changes"],
        buyers=counts["buyers"],
        orders=counts["orders"],
        claims=counts["claims"],
        recommendations=counts["recommendations"],
        decisions=counts["decisions"],
        audit_events=1,
        seconds=time.perf_counter() - started,
    )


def _held_facts(
    connection: Connection, orders: TableData, zones: dict[str, int]
) -> NewOrders | None:
    """Where the summaries' rebuild counts in memory and the zones allow, the orders' facts
    held from the columns about to be written (``data_access.summary_facts``), so that the
    rebuild need not read them back: reading a million took 5.4 s of the seed's 38.7 s."""
    dialect = connection.dialect.name
    if not (summaries.counts_in_memory(dialect) and can_hold(dialect, zones)):
        return None
    new_orders = NewOrders.start(connection, zones)
    new_orders.add(connection, orders.columns)
    return new_orders


def _refuse_if_not_empty(connection: Connection, tables: Sequence[Table]) -> None:
    name = first_nonempty_table(connection, tables)
    if name is not None:
        raise DatabaseNotEmpty(name)


def _report(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)
