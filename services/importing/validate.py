"""Pass 1: read the whole file and collect every problem before anything is written.

Cells, row rules and duplicate ids are checked by the reader; this pass adds what needs the
database, the programme's calendar or more of the file: a buyer described two ways, references
to suppliers and orders (which must already be in the database), a ship-by day before the day
the order was placed or too far after it, claims the review workflow has already decided.
The reader hands over every row, a cell that could not be read left out of its record, and each
check runs on the cells it needs: a row's problems are all reported in one pass.
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
from services.importing.formats import FORMATS, Entity, Format, Record
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
        for line, record in chunk:
            if "ship_by" in record and "placed_at" in record:
                self._ship_by(line, record)
            supplier = record.get("supplier_external_id")
            if supplier is not None and supplier not in self.suppliers:
                self.problems.add(
                    line,
                    "supplier_external_id",
                    f"unknown supplier {shown(supplier)}: import it with a suppliers file first",
                )
            key = record.get("buyer_external_id")
            if key is None or "buyer_name" not in record or "buyer_country" not in record:
                continue
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

    def _ship_by(self, line: int, record: Record) -> None:
        """The ship-by day against the day the order was placed, both in the programme's
        calendar: an order placed at 20:00 UTC was placed the next day in Shanghai."""
        placed_day = record["placed_at"].astimezone(self.zone).date()
        days = (record["ship_by"] - placed_day).days
        longest = self.policy.max_shipping_days
        if days < 0:
            self.problems.add(
                line,
                "ship_by",
                f"the ship-by date is before the day the order was placed ({placed_day} in the "
                f"programme's calendar, {self.zone})",
            )
        elif days > longest:
            # DESIGN.md §2: shipping time, with every extension, never exceeds 90 days.
            self.problems.add(
                line,
                "ship_by",
                f"the ship-by date is {days:,} days after the order was placed; the "
                f"programme's shipping time, extensions included, is at most {longest} days "
                f"(policy {self.policy.version})",
            )


class ClaimChecker(Checker):
    def check(self, chunk: Chunk) -> None:
        orders = rows_by_key(
            self.session,
            table_of(Order),
            ["id", "placed_at"],
            {record["order_external_id"] for _, record in chunk if "order_external_id" in record},
        )
        claims_table: Table = table_of(Claim)
        # Only a row read whole can be compared with a decided claim.
        whole = [(line, record) for line, record in chunk if _WHOLE_CLAIM.issubset(record)]
        existing = rows_by_key(
            self.session,
            claims_table,
            ["status", *CLAIM_COLUMNS],
            [record["external_id"] for _, record in whole],
        )
        for line, record in chunk:
            if "order_external_id" not in record:
                continue
            order = orders.get(record["order_external_id"])
            if order is None:
                self.problems.add(
                    line,
                    "order_external_id",
                    f"unknown order {shown(record['order_external_id'])}: import it with an "
                    "orders file first",
                )
                continue
            if "filed_at" in record and record["filed_at"] < order.placed_at:
                self.problems.add(
                    line, "filed_at", "the claim was filed before the order was placed"
                )
            if not _WHOLE_CLAIM.issubset(record):
                continue
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


_WHOLE_CLAIM = frozenset(column.name for column in FORMATS["claims"].columns)

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
