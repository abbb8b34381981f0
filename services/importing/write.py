"""Pass 2: turn checked records into rows and upsert them, a chunk at a time.

Each chunk costs a few queries whatever its size: one ``IN`` query for the rows that already
exist (to count inserted / updated / unchanged exactly and to skip unchanged rows), one for
references, and one ``executemany`` upsert. With ``dry_run`` the same classification runs and
nothing is written, so a dry run reports what an import would do.

Everything runs in the caller's transaction; the service commits once at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
from sqlalchemy import (
    ColumnElement,
    Row,
    Table,
    TextClause,
    func,
    insert,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import Session

from data_access.bulk import analyze, indexes_built_after, upsert_columns
from data_access.claim_facts import approved_refunds_by_order
from data_access.models import (
    UNDECIDED_CLAIM_STATUSES,
    Buyer,
    Claim,
    Order,
    Supplier,
    SupplierLimitChange,
)
from data_access.upsert import ids_by_key, lock_by_key, rows_by_key, table_of, upsert
from rules import format_money
from services.auth import Actor
from services.importing.columnar import ColumnChunk
from services.importing.formats import Entity, Record
from services.importing.problems import Problems

Chunk = Sequence[tuple[int, Record]]
#: Rows from which an orders file counts as a large load (indexes, statistics; see OrderWriter).
BULK_ROWS = 100_000

SUPPLIER_COLUMNS = ("name", "country", "main_category", "tier", "limit_cents")
BUYER_COLUMNS = ("name", "country")
ORDER_COLUMNS = (
    "supplier_id",
    "buyer_id",
    "category",
    "payment_method",
    "currency",
    "order_amount_cents",
    "covered_amount_cents",
    "paid_amount_cents",
    "placed_at",
    "ship_by",
    "shipped_at",
    "delivered_at",
    "cancelled_at",
    "status",
)
#: Claim columns an import updates. ``status`` is written for new claims only: once a claim is
#: in the review workflow its status (and timestamps) belong to the reviewers.
CLAIM_COLUMNS = (
    "order_id",
    "kind",
    "filed_at",
    "claimed_amount_cents",
    "description",
    "inspection_report",
    "defect_rate_bp",
    "conforming",
    "inspection_fee_cents",
    "supplier_response",
    "supplier_responded_at",
)
#: Claims an import may no longer change: a decision (or half of a four-eyes one) was made.
LOCKED_CLAIM_STATUSES = frozenset({"awaiting_second_approval", "approved", "rejected", "withdrawn"})


def supplier_row(record: Record) -> dict[str, Any]:
    return {
        "external_id": record["external_id"],
        "name": record["name"],
        "country": record["country"],
        "main_category": record["main_category"],
        "tier": record["tier"],
        "limit_cents": record["limit"],
    }


def order_row(record: Record, supplier_id: int, buyer_id: int | None) -> dict[str, Any]:
    return {
        "external_id": record["external_id"],
        "supplier_id": supplier_id,
        "buyer_id": buyer_id,
        "category": record["category"],
        "payment_method": record["payment_method"],
        "currency": record["currency"],
        "order_amount_cents": record["order_amount"],
        "covered_amount_cents": record["covered_amount"],
        "paid_amount_cents": record["paid_amount"],
        "placed_at": record["placed_at"],
        "ship_by": record["ship_by"],
        "shipped_at": record["shipped_at"],
        "delivered_at": record["delivered_at"],
        "cancelled_at": record["cancelled_at"],
        "status": record["status"],
    }


def claim_row(record: Record, order_id: int) -> dict[str, Any]:
    return {
        "external_id": record["external_id"],
        "order_id": order_id,
        "kind": record["kind"],
        "filed_at": record["filed_at"],
        "claimed_amount_cents": record["claimed_amount"],
        "description": record["description"],
        "inspection_report": record["inspection_report"],
        "defect_rate_bp": record["defect_rate"],
        "conforming": record["conforming"],
        "inspection_fee_cents": record["inspection_fee"],
        "supplier_response": record["supplier_response"],
        "supplier_responded_at": record["supplier_responded_at"],
        "status": record["status"],
    }


def differs(old: Row[Any], new: dict[str, Any], columns: Sequence[str]) -> bool:
    """Whether ``new`` changes any of ``columns``, which ``old`` holds last, in that order.

    (Rows from :func:`rows_by_key` with ``columns`` as its last columns.) Compared as tuples:
    this runs for every row of a re-import.
    """
    return tuple(old[-len(columns) :]) != tuple([new[name] for name in columns])


@dataclass
class Tally:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)
    inserted_claim_ids: list[int] = field(default_factory=list)
    #: Undecided claims whose facts this import changed (their own row, or their order's):
    #: the only ones whose recommendation can have moved.
    touched_claim_ids: set[int] = field(default_factory=set)
    #: External ids of the rows written (new or changed; not those already up to date).
    written_keys: list[str] = field(default_factory=list)


#: Told the external ids of existing rows about to change, before they are written (in the
#: import's transaction): what they count now can still be read then.
Changing = Callable[[list[str]], None]


class Writer:
    """Classifies each chunk against the database and upserts what is new or changed."""

    table: Table
    update_columns: tuple[str, ...]

    def __init__(
        self,
        session: Session,
        actor: Actor,
        *,
        file_name: str,
        now: datetime,
        dry_run: bool,
        problems: Problems,
        rows: int = 0,
        changing: Changing | None = None,
    ) -> None:
        self.session = session
        self.changing = changing
        #: Data rows in the file (pass 1's count): a large load is written differently.
        self.file_rows = rows
        self.actor = actor
        self.file_name = file_name
        self.now = now
        self.dry_run = dry_run
        self.problems = problems
        self.tally = Tally()

    def rows(self, chunk: Chunk) -> list[dict[str, Any]]:
        raise NotImplementedError

    def write(self, chunk: ColumnChunk) -> None:
        """Classify and upsert a chunk of checked rows."""
        self.write_columns(chunk)

    def write_columns(self, chunk: ColumnChunk) -> None:
        """Row at a time: suppliers and claims files are small beside orders files."""
        rows = self.rows(chunk.records())
        existing = rows_by_key(
            self.session, self.table, ["id", *self.update_columns], [r["external_id"] for r in rows]
        )
        changed: list[dict[str, Any]] = []
        inserted: list[str] = []
        updated: list[tuple[Row[Any], dict[str, Any]]] = []
        for row in rows:
            old = existing.get(row["external_id"])
            if old is None:
                self.tally.inserted += 1
                changed.append(row)
                inserted.append(row["external_id"])
            elif differs(old, row, self.update_columns):
                self.tally.updated += 1
                changed.append(row)
                updated.append((old, row))
                self.updating(old, row)
            else:
                self.tally.unchanged += 1
        self.guard(updated)
        if not self.dry_run:
            self._changing([new["external_id"] for _, new in updated])
            upsert(
                self.session,
                self.table,
                changed,
                update_columns=self.update_columns,
                only_where=self.updatable(),
            )
            self.tally.written_keys.extend(row["external_id"] for row in changed)
            self.written(inserted)

    def _changing(self, keys: list[str]) -> None:
        if self.changing is not None and keys:
            # Locked before what they contribute to the summaries is subtracted: a concurrent
            # writer counting them too (a claim filed on an order this import moves to another
            # supplier) either committed before that read or waits for this transaction;
            # otherwise both would count it (tests/integration/test_import_races.py).
            lock_by_key(self.session, self.table, keys)
            self.changing(keys)

    def updatable(self) -> ColumnElement[bool] | TextClause | None:
        """Which existing rows an import may update at all (None: any)."""
        return None

    def updating(self, old: Row[Any], new: dict[str, Any]) -> None:
        """Called for each existing row about to change."""

    def guard(self, updated: list[tuple[Row[Any], dict[str, Any]]]) -> None:
        """Called with the existing rows about to change (old, new), before anything is
        written: the place to refuse a change the rest of the database forbids."""

    def written(self, inserted: list[str]) -> None:
        """Called after a chunk was upserted, with the external ids it inserted."""

    def finish(self) -> None:
        """Called once after the last chunk."""


class SupplierWriter(Writer):
    table = table_of(Supplier)
    update_columns = SUPPLIER_COLUMNS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limit_changes: list[dict[str, Any]] = []
        self.limit_changes = 0

    def rows(self, chunk: Chunk) -> list[dict[str, Any]]:
        return [supplier_row(record) | {"created_at": self.now} for _, record in chunk]

    def updating(self, old: Row[Any], new: dict[str, Any]) -> None:
        # A limit is part of the supplier's history (DESIGN.md §3): old, new, why, who, when.
        if old.limit_cents != new["limit_cents"]:
            self.limit_changes += 1
            self._limit_changes.append(
                {
                    "supplier_id": old.id,
                    "old_limit_cents": old.limit_cents,
                    "new_limit_cents": new["limit_cents"],
                    "reason": f"Imported from {self.file_name}"[:1000],
                    "changed_by_id": self.actor.user_id,
                    "changed_at": self.now,
                }
            )

    def written(self, inserted: list[str]) -> None:
        if self._limit_changes:
            self.session.execute(insert(SupplierLimitChange), self._limit_changes)
        self._limit_changes = []

    def finish(self) -> None:
        if self.limit_changes:
            self.tally.notes.append(
                f"{self.limit_changes:,} supplier limit{_s(self.limit_changes)} changed "
                "(recorded in the limit history)"
            )


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
        connection = self.session.connection()
        if self.dry_run or self.file_rows < BULK_ROWS:
            return
        if (
            connection.dialect.name == "sqlite"
            and self._orders_held(self.file_rows + 1) <= self.file_rows
        ):
            # A load at least as large as the table: building the orders' four secondary indexes
            # once at the end (a sort each) beats a million random insertions into each. Inside
            # the transaction, like the rows: SQLite's readers keep their snapshot meanwhile,
            # and a failure puts the indexes back with everything else. (The service enlarged
            # SQLite's page cache for the whole write: data_access.bulk.bulk_tuning.)
            self._load.enter_context(indexes_built_after(connection, [self.table]))

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
        self._settle_buyers(
            zip(
                values["buyer_external_id"].tolist(),
                values["buyer_name"].tolist(),
                values["buyer_country"].tolist(),
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
        existing = rows_by_key(
            self.session, self.table, ["id", *self.update_columns], keys[kept].tolist()
        )
        changed = kept.copy()
        updated: list[tuple[Row[Any], dict[str, Any]]] = []
        self.lines = {}
        if existing:
            for row in np.flatnonzero(kept).tolist():
                old = existing.get(keys[row])
                if old is None:
                    continue
                new = {name: _python(column[row]) for name, column in columns.items()}
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
            self.tally.written_keys.extend(str(key) for key in keys[rows].tolist())
            upsert_columns(
                self.session.connection(),
                self.table,
                {name: column[rows] for name, column in columns.items()},
                update_columns=self.update_columns,
                # Read in this transaction, which holds SQLite's write lock: these are new.
                absent=np.array([key not in existing for key in keys[rows].tolist()], dtype=bool),
            )

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
        self._load.close()
        connection = self.session.connection()
        if (
            not self.dry_run
            and len(self.tally.written_keys) >= BULK_ROWS
            and connection.dialect.name == "postgresql"
        ):
            # PostgreSQL plans with the statistics it last gathered; after a large load those
            # describe a much smaller table until autovacuum comes round (seconds to minutes
            # of plans made for the wrong table). A file re-sent unchanged loads nothing. On
            # SQLite, ANALYZE reads every index again for a planner that does well on its
            # defaults: left to the seed.
            analyze(connection, [self.table, table_of(Buyer)])
        if self.buyers_inserted or self.buyers_updated:
            self.tally.notes.append(
                f"buyers: {self.buyers_inserted:,} new, {self.buyers_updated:,} updated"
            )


class ClaimWriter(Writer):
    table = table_of(Claim)
    update_columns = CLAIM_COLUMNS

    def rows(self, chunk: Chunk) -> list[dict[str, Any]]:
        writing = not self.dry_run
        # Pass 1 refused changes to decided claims, but a reviewer may have decided one since.
        # Locked first, as a decision locks its claim and then its order: taken the other way
        # round, an import and a decision on the same claim would deadlock.
        existing = rows_by_key(
            self.session,
            self.table,
            ["status", *CLAIM_COLUMNS],
            [record["external_id"] for _, record in chunk],
            lock="update" if writing else None,
        )
        # The claims count under their order's supplier and its country and tier: the orders
        # and suppliers are kept from changing until this import commits, or an import changing
        # them meanwhile would count the claims as well (see Writer._changing).
        orders = rows_by_key(
            self.session,
            table_of(Order),
            ["id", "supplier_id"],
            {record["order_external_id"] for _, record in chunk},
            lock="share" if writing else None,
        )
        order_ids = {key: order.id for key, order in orders.items()}
        if writing:
            suppliers = {order.supplier_id for order in orders.values()}
            lock_by_key(self.session, table_of(Supplier), suppliers, key="id", shared=True)
        rows = []
        for line, record in chunk:
            order_id = order_ids.get(record["order_external_id"])
            if order_id is None:
                self.problems.add(line, "order_external_id", "the order no longer exists")
                continue
            row = claim_row(record, order_id)
            old = existing.get(record["external_id"])
            if (
                old is not None
                and old.status in LOCKED_CLAIM_STATUSES
                and differs(old, row, CLAIM_COLUMNS)
            ):
                self.problems.add(
                    line,
                    "external_id",
                    f"claim {record['external_id']} was decided ({old.status}) while the file "
                    "was imported; an import cannot change it",
                )
                continue
            rows.append(row)
        return rows

    def updatable(self) -> TextClause:
        # The database's last word, for a decision committed after the check above. Inlined
        # constants (no bound list): the statement runs as executemany on SQLite.
        locked = ", ".join(f"'{status}'" for status in sorted(LOCKED_CLAIM_STATUSES))
        return text(f"claims.status NOT IN ({locked})")

    def guard(self, updated: list[tuple[Row[Any], dict[str, Any]]]) -> None:
        # Changed claims need a fresh recommendation (decided ones are refused above).
        self.tally.touched_claim_ids.update(old.id for old, _ in updated)

    def written(self, inserted: list[str]) -> None:
        # The ids of new claims, so the caller can have the rules module recommend on them.
        if inserted:
            ids = ids_by_key(self.session, self.table, inserted)
            self.tally.inserted_claim_ids.extend(ids[key] for key in inserted)


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


def _python(value: Any) -> Any:
    """A cell of a chunk's column as the scalar parsers give it (aware UTC times, dates)."""
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return None
        if value.dtype == np.dtype("datetime64[D]"):
            return value.astype(date)
        return value.astype(datetime).replace(tzinfo=UTC)
    if isinstance(value, np.generic):
        return value.item()
    return value


WRITERS: dict[Entity, type[Writer]] = {
    "suppliers": SupplierWriter,
    "orders": OrderWriter,
    "claims": ClaimWriter,
}


def _s(count: int) -> str:
    return "" if count == 1 else "s"
