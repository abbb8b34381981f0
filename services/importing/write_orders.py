"""The writer of an orders file: the orders as columns, their buyers settled once each.

Only the rows that already exist become dictionaries (to compare and to guard the refunds
already approved on them); new rows go to the database as columns
(``data_access.bulk.upsert_columns``). See ``services.importing.write`` for the other files.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import ExitStack
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Row, Table, func, literal_column, select

from data_access import summary_memory
from data_access.bulk import upsert_columns
from data_access.bulk_load import (
    analyze_changed,
    foreign_keys_checked_at_end,
    indexes_built_after,
    one_load_at_a_time,
    take_for_load,
)
from data_access.claim_copies import follow_new_buyers
from data_access.claim_facts import approved_refunds_by_order
from data_access.models import UNDECIDED_CLAIM_STATUSES, Buyer, Claim, Order, Supplier
from data_access.summaries import built_zones
from data_access.summary_facts import FACT_COLUMNS, NewOrders, can_hold
from data_access.upsert import ids_by_key, rows_by_key, table_of, upsert
from rules import format_money
from services.arrow_memory import give_back_freed
from services.importing.columnar import ColumnChunk, python_values
from services.importing.write import (
    BUYER_COLUMNS,
    ORDER_COLUMNS,
    Chunk,
    Writer,
    differs,
    order_row,
)

__all__ = ["BULK_ROWS", "OrderWriter"]

#: Rows from which an orders file counts as a large load (indexes, statistics).
BULK_ROWS = 100_000
#: A large load into a table holding at most this share of the file's rows (a first import)
#: counts the summaries again over the tables after it instead of counting its rows' delta
#: (on PostgreSQL it takes the orders table for itself too: ``_first_load_into_postgresql``).
#: Measured on SQLite: a recount reads every order once (5 s at a million), a delta looks each
#: written order up again and costs more (8 s for a million): a file of a million new orders
#: into a database of 1,000 imported in 26.7 s instead of 30.2 s (two runs each, 7 Dec 2026).
#: Into a table as large as the file, a recount of both (two million orders, counted in
#: shares) cost 9 s more than the delta.
RECOUNT_FROM_SHARE = 0.1
#: A large load into a table of at most this many orders, which no other writer can add to
#: meanwhile (SQLite; a first import on PostgreSQL), reads their keys once, and each chunk
#: looks up only the rows whose keys the table holds (a few megabytes of keys): a million new
#: orders asked 40 times for rows that did not exist, 1.0 s of the import.
KNOWN_KEYS_UP_TO = 100_000


class OrderWriter(Writer):
    table = table_of(Order)
    update_columns = ORDER_COLUMNS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.supplier_ids = ids_by_key(self.session, table_of(Supplier))
        # Buyers already settled by this import: a buyer is on many orders, upserted once.
        self.buyer_ids: dict[str, int | None] = {}
        self.buyers_inserted = 0
        self.buyers_updated = 0
        self._load = ExitStack()
        #: The orders' secondary indexes are built after the load (a large one).
        self.indexes_later = False
        #: No other writer can add an order until this transaction ends: SQLite's write lock,
        #: held from the start, or the table taken for a first load on PostgreSQL. Keys found
        #: missing are then new (``bulk.upsert_columns``' ``absent``).
        self.owns_table = self.session.connection().dialect.name == "sqlite"
        #: Every order's key, read once (a large load into a small table, owned).
        self.known_keys: frozenset[str] | None = None
        if self.dry_run or self.file_rows < BULK_ROWS:
            return
        one_load_at_a_time(self.session.connection(), self.table)
        held = self._orders_held(self.file_rows + 1)
        first_load = held <= self.file_rows * RECOUNT_FROM_SHARE
        if self.owns_table:
            self._load_into_sqlite(held, first_load)
        elif first_load:
            self._first_load_into_postgresql()
        else:
            return
        if held <= KNOWN_KEYS_UP_TO:
            self.known_keys = frozenset(
                self.session.scalars(select(self.table.c.external_id)).all()
            )
        if self.recounts_summaries:
            # The orders this load inserts are counted from what it writes, not read back.
            zones, connection = built_zones(self.session), self.session.connection()
            if can_hold(connection.dialect.name, zones):
                self.tally.new_orders = NewOrders.start(connection, zones)

    def _load_into_sqlite(self, held: int, first_load: bool) -> None:
        if held <= self.file_rows:
            # A load at least as large as the table: building the orders' five secondary indexes
            # once at the end (a sort each) beats a million random insertions into each. Inside
            # the transaction, like the rows: SQLite's readers keep their snapshot meanwhile,
            # and a failure puts the indexes back with everything else. (The service enlarged
            # SQLite's page cache for the whole write: data_access.bulk_load.bulk_tuning.)
            connection = self.session.connection()
            self._load.enter_context(indexes_built_after(connection, [self.table]))
            self.indexes_later = True
        # The transaction took the write lock before reading anything: no other writer's
        # delta can land meanwhile.
        self.recounts_summaries = first_load

    def _first_load_into_postgresql(self) -> None:
        """A file of ten times the orders held (a marketplace's first import): the table is
        taken for this transaction (pages reading orders wait for its commit), its secondary
        indexes dropped and built after, the new rows copied straight in, and the summaries
        counted again with their other writers kept off (``services.importing.service``).

        Its foreign keys are checked once over the table after the rows went in, where the
        database role may (``bulk_load.foreign_keys_checked_at_end``; a row at a time
        otherwise); they are not dropped: dropping one takes the table it refers to as well
        (suppliers, buyers), which every page reads, and which this import's own checks have
        open. Until then the load writes orders and buyers alone."""
        connection = self.session.connection()
        # Before the summaries are locked, as every other writer of them takes the orders
        # (a decision locks its order, an import reads them) before writing its delta: a
        # writer still running holds them, and is waited for here, never the other way round.
        take_for_load(connection, [self.table])
        self.owns_table = True
        self._load.enter_context(indexes_built_after(connection, [self.table]))
        # Entered last, so left first: the keys checked before the indexes are built.
        self._load.enter_context(
            foreign_keys_checked_at_end(connection, [self.table, table_of(Buyer)])
        )
        self.indexes_later = True
        self.recounts_summaries = True

    def _orders_held(self, up_to: int) -> int:
        """The orders in the table, counted up to ``up_to`` (ten million take 0.1 s to count;
        the question is only whether the file is as large as the table)."""
        some = select(literal_column("1")).select_from(self.table).limit(up_to).subquery()
        return int(self.session.scalar(select(func.count()).select_from(some)) or 0)

    def rows(self, chunk: Chunk) -> list[dict[str, Any]]:
        self._settle_buyers(
            (record["buyer_external_id"], record["buyer_name"], record["buyer_country"])
            for _, record in chunk
        )
        self.lines = {record["external_id"]: line for line, record in chunk}
        rows = []
        for line, record in chunk:
            supplier_id = self.supplier_ids.get(record["supplier_external_id"])
            if supplier_id is None:  # deleted since the check: refuse rather than guess
                self.problems.add(line, "supplier_external_id", "the supplier no longer exists")
                continue
            rows.append(order_row(record, supplier_id, self.buyer_ids[record["buyer_external_id"]]))
        return rows

    def write_columns(self, chunk: ColumnChunk) -> None:
        """Column at a time: only the rows that already exist become dictionaries (to compare
        and to guard); new rows go to the database as columns (``bulk.upsert_columns``)."""
        values = chunk.values
        keys = values["external_id"]
        # Each buyer as its first row in the chunk describes it: a buyer is on twenty orders
        # or so, and a million rows walked one by one cost 1 s of the import's thread.
        buyers = values["buyer_external_id"]
        firsts = np.flatnonzero(~pd.Series(buyers).duplicated().to_numpy())
        self._settle_buyers(
            zip(
                buyers[firsts].tolist(),
                values["buyer_name"][firsts].tolist(),
                values["buyer_country"][firsts].tolist(),
                strict=True,
            )
        )
        supplier_ids = [self.supplier_ids.get(key) for key in values["supplier_external_id"]]
        kept = np.array([supplier_id is not None for supplier_id in supplier_ids], dtype=bool)
        for row in np.flatnonzero(~kept).tolist():  # deleted since the check: refuse
            self.problems.add(
                int(chunk.lines[row]), "supplier_external_id", "the supplier no longer exists"
            )
        columns: dict[str, Any] = {
            "external_id": keys,
            "supplier_id": np.array(supplier_ids, dtype=object),
            "buyer_id": np.array(
                [self.buyer_ids[key] for key in values["buyer_external_id"]], dtype=object
            ),
            **{column: values[field] for column, field in _ORDER_FIELDS.items()},
        }
        looked_up = keys[kept].tolist()
        if self.known_keys is not None:
            looked_up = [key for key in looked_up if key in self.known_keys]
        existing = rows_by_key(self.session, self.table, ["id", *self.update_columns], looked_up)
        changed = kept.copy()
        updated: list[tuple[Row[Any], dict[str, Any]]] = []
        self.lines = {}
        if existing:
            present = [row for row in np.flatnonzero(kept).tolist() if keys[row] in existing]
            for row, new in zip(present, _python_rows(columns, present), strict=True):
                old = existing[keys[row]]
                if differs(old, new, self.update_columns):
                    updated.append((old, new))
                    self.lines[new["external_id"]] = int(chunk.lines[row])
                else:
                    changed[row] = False
                    self.tally.unchanged += 1
        self.tally.updated += len(updated)
        self.tally.inserted += int(kept.sum()) - len(existing)
        self.guard(updated)
        if not self.dry_run and changed.any():
            self._changing([new["external_id"] for _, new in updated])
            rows = np.flatnonzero(changed)
            if not self.recounts_summaries:  # their delta is counted by key after
                self.tally.written_keys.extend(str(key) for key in keys[rows].tolist())
            written = {name: column[rows] for name, column in columns.items()}
            # Read in this transaction, which no other writer of orders can join: these are new.
            absent = (
                np.array([key not in existing for key in keys[rows].tolist()], dtype=bool)
                if self.owns_table
                else None
            )
            new_orders = self.tally.new_orders
            if new_orders is not None and absent is not None:
                new_orders.add(
                    self.session.connection(),
                    {name: written[name][absent] for name in FACT_COLUMNS},
                )
            upsert_columns(
                self.session.connection(),
                self.table,
                written,
                update_columns=self.update_columns,
                absent=absent,
                indexes_later=self.indexes_later,
            )
            follow_new_buyers(self.session, _new_buyers(updated))

    def _settle_buyers(self, described: Iterable[tuple[str, str, str]]) -> None:
        buyers: dict[str, dict[str, Any]] = {}
        for key, name, country in described:
            if key not in self.buyer_ids and key not in buyers:
                buyers[key] = {"external_id": key, "name": name, "country": country}
        if not buyers:
            return
        table: Table = table_of(Buyer)
        existing = rows_by_key(self.session, table, ["id", *BUYER_COLUMNS], buyers)
        changed = []
        for key, row in buyers.items():
            old = existing.get(key)
            if old is None:
                self.buyers_inserted += 1
                changed.append(row)
            elif differs(old, row, BUYER_COLUMNS):
                self.buyers_updated += 1
                changed.append(row)
        if self.dry_run:
            self.buyer_ids.update({k: existing[k].id if k in existing else None for k in buyers})
            return
        upsert(self.session, table, changed, update_columns=BUYER_COLUMNS)
        new_ids = ids_by_key(self.session, table, [r["external_id"] for r in changed])
        for key in buyers:
            self.buyer_ids[key] = existing[key].id if key in existing else new_ids[key]

    def guard(self, updated: list[tuple[Row[Any], dict[str, Any]]]) -> None:
        """Refuse a change that would leave an order's approved refunds above what it can
        refund, min(covered, paid) (DESIGN.md §4), naming the line; and note the undecided
        claims of changed orders, whose recommendations the import then re-evaluates.

        Orders with claims are locked first: a reviewer deciding a claim locks its order too,
        so a refund approved while this import runs is either seen here or waits for it.
        """
        if not updated:
            return
        by_id = {old.id: (old, new) for old, new in updated}
        claims = self.session.execute(
            select(Claim.id, Claim.order_id, Claim.status).where(Claim.order_id.in_(by_id))
        ).all()
        moved = _new_buyers(updated)
        if moved and not self.dry_run:
            # Their claims' copies of the buyer change after the orders are written; locked
            # before the orders, as a decision locks its claim and then its order.
            self.session.execute(
                select(Claim.id).where(Claim.order_id.in_(sorted(moved))).with_for_update()
            ).all()
        with_claims = sorted({order_id for _, order_id, _ in claims})
        if not with_claims:
            return
        self.session.execute(
            select(Order.id).where(Order.id.in_(with_claims)).with_for_update()
        ).all()
        refunds = approved_refunds_by_order(self.session, with_claims)
        for order_id, refunded in refunds.items():
            _, new = by_id[order_id]
            covered, paid = new["covered_amount_cents"], new["paid_amount_cents"]
            if refunded > min(covered, paid):
                column = "paid_amount" if paid <= covered else "covered_amount"
                self.problems.add(
                    self.lines[new["external_id"]],
                    column,
                    f"{format_money(refunded)} has already been approved as refunds on order "
                    f"{new['external_id']}; a {column.replace('_', ' ')} of "
                    f"{format_money(min(covered, paid))} would leave refunds above what the "
                    "order can refund (the lower of covered and paid)",
                )
        undecided = set(UNDECIDED_CLAIM_STATUSES)
        self.tally.touched_claim_ids.update(
            claim_id for claim_id, _, status in claims if status in undecided
        )

    def finish(self) -> None:
        if self.tally.new_orders is not None:
            # While the indexes are built (SQLite and PostgreSQL's server leave the
            # interpreter free): 1.5 s of a million new orders' recount.
            summary_memory.count_ahead(self.session.connection(), self.tally.new_orders)
        self._load.close()
        give_back_freed()  # what the load and its index builds freed, before the recount
        connection = self.session.connection()
        if not self.dry_run:
            # PostgreSQL plans with the statistics it last gathered; after a large load those
            # describe a much smaller table until autovacuum comes round (seconds to minutes
            # of plans made for the wrong table): refreshed where this load changed a good
            # share of the table. A file re-sent unchanged loads nothing. On SQLite, ANALYZE
            # reads every index again for a planner that does well on its defaults: left to
            # the seed.
            analyze_changed(connection, [self.table, table_of(Buyer)])
        if self.buyers_inserted or self.buyers_updated:
            self.tally.notes.append(
                f"buyers: {self.buyers_inserted:,} new, {self.buyers_updated:,} updated"
            )


def _new_buyers(updated: list[tuple[Row[Any], dict[str, Any]]]) -> dict[int, int]:
    """The orders (by id) these changes move to another buyer, and the buyer (by id)."""
    return {old.id: new["buyer_id"] for old, new in updated if old.buyer_id != new["buyer_id"]}


#: Order columns read straight from the file's columns (the ids are looked up).
_ORDER_FIELDS = {
    "category": "category",
    "payment_method": "payment_method",
    "currency": "currency",
    "order_amount_cents": "order_amount",
    "covered_amount_cents": "covered_amount",
    "paid_amount_cents": "paid_amount",
    "placed_at": "placed_at",
    "ship_by": "ship_by",
    "shipped_at": "shipped_at",
    "delivered_at": "delivered_at",
    "cancelled_at": "cancelled_at",
    "status": "status",
}


def _python_rows(columns: dict[str, Any], rows: list[int]) -> list[dict[str, Any]]:
    """These rows of a chunk's columns as the scalar parsers give them (aware UTC times,
    dates), converted a column at a time: a cell at a time, 100,000 unchanged orders re-sent
    spent 2.5 s of their 4.9 s here."""
    names = list(columns)
    chosen = np.array(rows, dtype=np.int64)
    cells = [python_values(np.asarray(columns[name])[chosen]) for name in names]
    return [dict(zip(names, row, strict=True)) for row in zip(*cells, strict=True)]
