"""The checks of each chunk of a file, before it is written: every problem, with its line.

Cells, row rules and duplicate ids are checked by the reader; the checks here add what needs the
database, the programme's calendar or more of the file: a buyer described two ways, references
to suppliers and orders (which must already be in the database), a ship-by day before the day
the order was placed or too far after it, claims the review workflow has already decided.
The reader hands over every row, a cell that could not be read left out of its record, and each
check runs on the cells it needs: a row's problems are all reported at once. The checks read
what is committed, in their own session, never the import's own rows not yet committed.
References are looked up per chunk with one ``IN`` query, so memory stays bounded by the chunk
plus one small entry per id seen (to find duplicates).
"""

from __future__ import annotations

from datetime import UTC

import numpy as np
from sqlalchemy import Table
from sqlalchemy.orm import Session

from data_access.models import Claim, Order, Supplier
from data_access.upsert import ids_by_key, rows_by_key, table_of
from rules import Policy
from services import clock
from services.importing.columnar import ColumnChunk
from services.importing.fields import shown
from services.importing.formats import FORMATS, Entity
from services.importing.problems import Problems
from services.importing.write import (
    CLAIM_COLUMNS,
    LOCKED_CLAIM_STATUSES,
    claim_row,
    differs,
)

#: Rows checked and written at a time. Every chunk costs its queries and statements besides its
#: rows, and with the next one parsed meanwhile (``read_ahead``) fewer handovers: a million new
#: orders into a database of 1,000 imported in 20.4–21.1 s at 25,000 against 22.1–22.8 s at
#: 10,000 (peak 721 against 689 MB), into a million in 28.2 s against 31.3 s (7 Dec 2026).
CHUNK_ROWS = 25_000
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "UTC+00:00"})


class Checker:
    """Checks a chunk of records against the database and the rest of the file."""

    def __init__(self, session: Session, problems: Problems, policy: Policy) -> None:
        self.session = session
        self.problems = problems
        self.policy = policy

    def check(self, chunk: ColumnChunk) -> None:
        """Add the problems of ``chunk``."""


class OrderChecker(Checker):
    """Column at a time: a million orders are checked in a few NumPy passes; the sentences are
    written only for the rows that have a problem."""

    def __init__(self, session: Session, problems: Problems, policy: Policy) -> None:
        super().__init__(session, problems, policy)
        # Suppliers number in the thousands, not millions: one query, then dictionary lookups.
        self.suppliers = ids_by_key(session, table_of(Supplier))
        self.buyers: dict[str, tuple[str, str, int]] = {}
        self.zone = clock.zone()

    def check(self, chunk: ColumnChunk) -> None:
        found: list[tuple[int, int, str, str]] = []
        lines = chunk.lines.tolist()
        values, read = chunk.values, chunk.read
        self._ship_by(chunk, lines, found)
        suppliers = self.suppliers
        supplier_read = read["supplier_external_id"]
        for row in np.flatnonzero(supplier_read).tolist():
            supplier = values["supplier_external_id"][row]
            if supplier not in suppliers:
                found.append(
                    (
                        lines[row],
                        1,
                        "supplier_external_id",
                        f"unknown supplier {shown(supplier)}: import it with a suppliers file "
                        "first",
                    )
                )
        described = read["buyer_external_id"] & read["buyer_name"] & read["buyer_country"]
        rows = np.flatnonzero(described)
        buyers = self.buyers
        for row, key, name, country in zip(
            rows.tolist(),
            values["buyer_external_id"][rows].tolist(),
            values["buyer_name"][rows].tolist(),
            values["buyer_country"][rows].tolist(),
            strict=True,
        ):
            first = buyers.setdefault(key, (name, country, lines[row]))
            if first[0] != name or first[1] != country:
                column = "buyer_name" if first[0] != name else "buyer_country"
                found.append(
                    (
                        lines[row],
                        2,
                        column,
                        f"buyer {shown(key)} is described differently on line {first[2]}; a "
                        "buyer's name and country must be the same on every row",
                    )
                )
        for line, _, column, message in sorted(found, key=lambda item: (item[0], item[1])):
            self.problems.add(line, column, message)

    def _ship_by(
        self, chunk: ColumnChunk, lines: list[int], found: list[tuple[int, int, str, str]]
    ) -> None:
        """The ship-by day against the day the order was placed, both in the programme's
        calendar: an order placed at 20:00 UTC was placed the next day in Shanghai."""
        rows = np.flatnonzero(chunk.read["ship_by"] & chunk.read["placed_at"])
        placed = chunk.values["placed_at"][rows]
        if str(self.zone) in _UTC_NAMES:
            placed_days = placed.astype("datetime64[D]")
        else:  # a zone with offsets: Python's zoneinfo decides each day
            placed_days = np.array(
                [
                    moment.replace(tzinfo=UTC).astimezone(self.zone).date()
                    for moment in placed.tolist()
                ],
                dtype="datetime64[D]",
            )
        days = (chunk.values["ship_by"][rows] - placed_days).astype(np.int64)
        longest = self.policy.max_shipping_days
        for index in np.flatnonzero((days < 0) | (days > longest)).tolist():
            late, row = int(days[index]), int(rows[index])
            if late < 0:
                placed_day = placed_days[index].item()
                message = (
                    f"the ship-by date is before the day the order was placed ({placed_day} in "
                    f"the programme's calendar, {self.zone})"
                )
            else:
                # DESIGN.md §2: shipping time, with every extension, never exceeds 90 days.
                message = (
                    f"the ship-by date is {late:,} days after the order was placed; the "
                    f"programme's shipping time, extensions included, is at most {longest} "
                    f"days (policy {self.policy.version})"
                )
            found.append((lines[row], 0, "ship_by", message))


class ClaimChecker(Checker):
    def check(self, columns: ColumnChunk) -> None:
        chunk = columns.records()
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
