"""Pass 1: read the whole file and collect every problem before anything is written.

Cells, row rules and duplicate ids are checked by the reader; this pass adds what needs the
database or more of the file: a buyer described two ways, references to suppliers and
orders (which must already be in the database), claims the review workflow has already decided.
References are looked up per chunk with one ``IN`` query, so memory stays bounded by the chunk
plus one small entry per id seen (to find duplicates).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Table
from sqlalchemy.orm import Session

from data_access.models import Claim, Order, Supplier
from data_access.upsert import ids_by_key, rows_by_key, table_of
from rules import Policy
from services import clock
from services.importing.fields import shown
from services.importing.formats import Entity, Format
from services.importing.problems import Problems
from services.importing.reading import RecordReader
from services.importing.write import (
    CLAIM_COLUMNS,
    LOCKED_CLAIM_STATUSES,
    Chunk,
    claim_row,
    differs,
)

CHUNK_ROWS = 10_000


class Checker:
    """Checks a chunk of well-formed records against the database and the rest of the file."""

    def __init__(self, session: Session, problems: Problems, policy: Policy) -> None:
        self.session = session
        self.problems = problems
        self.policy = policy

    def check(self, chunk: Chunk) -> None:
        """Add the problems of ``chunk``."""


class OrderChecker(Checker):
    def __init__(self, session: Session, problems: Problems, policy: Policy) -> None:
        super().__init__(session, problems, policy)
        # Suppliers number in the thousands, not millions: one query, then dictionary lookups.
        self.suppliers = ids_by_key(session, table_of(Supplier))
        self.buyers: dict[str, tuple[str, str, int]] = {}
        self.zone = clock.zone()

    def check(self, chunk: Chunk) -> None:
        longest = self.policy.max_shipping_days
        for line, record in chunk:
            # DESIGN.md §2: shipping time, with every extension, never exceeds 90 days.
            days = (record["ship_by"] - record["placed_at"].astimezone(self.zone).date()).days
            if days > longest:
                self.problems.add(
                    line,
                    "ship_by",
                    f"the ship-by date is {days:,} days after the order was placed; the "
                    f"programme's shipping time, extensions included, is at most {longest} days "
                    f"(policy {self.policy.version})",
                )
            supplier = record["supplier_external_id"]
            if supplier not in self.suppliers:
                self.problems.add(
                    line,
                    "supplier_external_id",
                    f"unknown supplier {shown(supplier)}: import it with a suppliers file first",
                )
            key = record["buyer_external_id"]
            described = (record["buyer_name"], record["buyer_country"])
            first = self.buyers.setdefault(key, (*described, line))
            if first[:2] != described:
                column = "buyer_name" if first[0] != described[0] else "buyer_country"
                self.problems.add(
                    line,
                    column,
                    f"buyer {shown(key)} is described differently on line {first[2]}; a buyer's "
                    "name and country must be the same on every row",
                )


class ClaimChecker(Checker):
    def check(self, chunk: Chunk) -> None:
        orders = rows_by_key(
            self.session,
            table_of(Order),
            ["id", "placed_at"],
            {record["order_external_id"] for _, record in chunk},
        )
        claims_table: Table = table_of(Claim)
        existing = rows_by_key(
            self.session,
            claims_table,
            ["status", *CLAIM_COLUMNS],
            [record["external_id"] for _, record in chunk],
        )
        for line, record in chunk:
            order = orders.get(record["order_external_id"])
            if order is None:
                self.problems.add(
                    line,
                    "order_external_id",
                    f"unknown order {shown(record['order_external_id'])}: import it with an "
                    "orders file first",
                )
                continue
            if record["filed_at"] < order.placed_at:
                self.problems.add(
                    line, "filed_at", "the claim was filed before the order was placed"
                )
            old = existing.get(record["external_id"])
            if (
                old is not None
                and old.status in LOCKED_CLAIM_STATUSES
                and differs(old, claim_row(record, order.id), CLAIM_COLUMNS)
            ):
                self.problems.add(
                    line,
                    "external_id",
                    f"claim {shown(record['external_id'])} was already decided ({old.status}) "
                    "in Assurance Desk; an import cannot change it",
                )


CHECKERS: dict[Entity, type[Checker]] = {
    "suppliers": Checker,
    "orders": OrderChecker,
    "claims": ClaimChecker,
}


def validate(
    session: Session,
    fmt: Format,
    reader: RecordReader,
    problems: Problems,
    policy: Policy,
    on_chunk: Callable[[], None] | None = None,
) -> None:
    """Read all of ``reader``, adding every problem to ``problems``; ``policy`` holds the
    programme's order terms (the longest shipping time)."""
    checker = CHECKERS[fmt.entity](session, problems, policy)
    chunk: list[tuple[int, dict[str, object]]] = []
    for item in reader:
        chunk.append(item)
        if len(chunk) >= CHUNK_ROWS:
            checker.check(chunk)
            chunk = []
            if on_chunk is not None:
                on_chunk()
    checker.check(chunk)
