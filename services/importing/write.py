"""Turn checked records into rows and upsert them, a chunk at a time.

Each chunk costs a few queries whatever its size: one ``IN`` query for the rows that already
exist (to count inserted / updated / unchanged exactly and to skip unchanged rows), one for
references, and one ``executemany`` upsert. With ``dry_run`` the same classification runs and
nothing is written, so a dry run reports what an import would do.

Here: the rows of each kind of file, the base writer, and the suppliers' and claims' writers;
the orders' writer, which writes columns, is ``services.importing.write_orders``. Everything
runs in the caller's transaction; the service commits once at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Table,
    TextClause,
    insert,
    text,
)
from sqlalchemy.orm import Session

from data_access.claim_copies import COPIED_COLUMNS
from data_access.models import (
    Claim,
    Order,
    Supplier,
    SupplierLimitChange,
)
from data_access.summary_facts import NewOrders
from data_access.upsert import ids_by_key, lock_by_key, rows_by_key, table_of, upsert
from services.auth import Actor
from services.importing.columnar import ColumnChunk
from services.importing.formats import Record
from services.importing.problems import Problems

Chunk = Sequence[tuple[int, Record]]

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
    #: External ids of the rows written (new or changed; not those already up to date), for
    #: the summaries' delta (none kept for a recount: a million keys are 70 MB).
    written_keys: list[str] = field(default_factory=list)
    #: The new orders' facts, held for the summaries' recount after a large load.
    new_orders: NewOrders | None = None


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
        #: At least the file's data rows (its lines less the header): a large load is written
        #: differently.
        self.file_rows = rows
        self.actor = actor
        self.file_name = file_name
        self.now = now
        self.dry_run = dry_run
        self.problems = problems
        self.tally = Tally()
        #: The file is most of what its table will hold: the daily summaries are counted again
        #: over the tables after it, not as the delta of the rows it writes (set by a writer
        #: that knows its table's size, before the first chunk).
        self.recounts_summaries = False

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


class ClaimWriter(Writer):
    table = table_of(Claim)
    # With the copies of the claim's order's reference and buyer, written with it (a claim
    # moved to another order takes that order's).
    update_columns = (*CLAIM_COLUMNS, *COPIED_COLUMNS)

    def rows(self, chunk: Chunk) -> list[dict[str, Any]]:
        writing = not self.dry_run
        # The check refused changes to decided claims, but a reviewer may have decided one since.
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
            ["id", "supplier_id", "buyer_id"],
            {record["order_external_id"] for _, record in chunk},
            lock="share" if writing else None,
        )
        if writing:
            suppliers = {order.supplier_id for order in orders.values()}
            lock_by_key(self.session, table_of(Supplier), suppliers, key="id", shared=True)
        rows = []
        for line, record in chunk:
            order = orders.get(record["order_external_id"])
            if order is None:
                self.problems.add(line, "order_external_id", "the order no longer exists")
                continue
            row = claim_row(record, order.id) | {
                "order_external_id": record["order_external_id"],
                "buyer_id": order.buyer_id,
            }
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


def _s(count: int) -> str:
    return "" if count == 1 else "s"
