"""The three file formats: their columns, how each cell is read, and the rules across a row.

Pure: no database. docs/import-format.md describes the same formats for people, and a test
keeps the two in step. Rules that need the database (does the supplier exist?) live in
``validate.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from data_access.models import (
    CLAIM_KINDS,
    ORDER_STATUSES,
    PAYMENT_METHODS,
    SUPPLIER_RESPONSES,
    SUPPLIER_TIERS,
)
from services.importing import fields

Entity = Literal["suppliers", "orders", "claims"]
ENTITIES: tuple[Entity, ...] = ("suppliers", "orders", "claims")

#: A parsed row: column name → typed value (cents, aware UTC datetimes, dates, bools, str).
#: While a file is checked, a cell that could not be read is absent from its row's record.
Record = dict[str, Any]
#: A rule across a row yields (column, sentence) for each problem.
RowRule = Callable[[Record], Iterator[tuple[str, str]]]


@dataclass(frozen=True, slots=True)
class RowCheck:
    """One independent rule across a row, run whenever the cells it ``needs`` were read, so a
    bad date never hides a covered amount above the order amount on the same row."""

    needs: frozenset[str]
    check: RowRule


def row_check(*needs: str) -> Callable[[RowRule], RowCheck]:
    def wrap(check: RowRule) -> RowCheck:
        return RowCheck(frozenset(needs), check)

    return wrap


#: Claim statuses an import may set: imported claims enter the review queue; decisions are made
#: (and recorded, with their four-eyes approvals) in Assurance Desk, never imported.
IMPORTABLE_CLAIM_STATUSES = ("open",)


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    parse: Callable[[str], Any]
    meaning: str
    example: str
    #: Required: the header must name it and every row must fill it. Optional: it may be left
    #: out of the header or left empty; either way the row gets ``default``.
    required: bool = True
    default: Any = None


@dataclass(frozen=True, slots=True)
class Format:
    entity: Entity
    columns: tuple[Column, ...]
    checks: tuple[RowCheck, ...]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def rule(self, record: Record) -> Iterator[tuple[str, str]]:
        """Every problem across a row whose every cell was read."""
        for check in self.checks:
            yield from check.check(record)

    def partial_rule(self, record: Record) -> Iterator[tuple[str, str]]:
        """Every problem across a row found from the cells that could be read."""
        for check in self.checks:
            if check.needs.issubset(record):
                yield from check.check(record)


_id = fields.text(64)


def _either(values: tuple[str, ...]) -> str:
    return ", ".join(values[:-1]) + " or " + values[-1]


def _claim_status(value: str) -> str:
    lowered = value.lower()
    if lowered not in IMPORTABLE_CLAIM_STATUSES:
        raise fields.BadValue(
            f"{fields.shown(value)} cannot be imported: claims arrive open and are decided in "
            "Assurance Desk, where each decision is recorded with its reviewer"
        )
    return lowered


# The rule "ship-by not before the day the order was placed" needs the programme's calendar:
# it is checked beside the longest shipping time in ``validate.OrderChecker``.


@row_check("covered_amount", "order_amount")
def _covered_within_order(r: Record) -> Iterator[tuple[str, str]]:
    if r["covered_amount"] > r["order_amount"]:
        yield "covered_amount", "the covered amount is above the order amount"


@row_check("placed_at", "shipped_at")
def _shipped_after_placed(r: Record) -> Iterator[tuple[str, str]]:
    shipped: datetime | None = r["shipped_at"]
    if shipped is not None and shipped < r["placed_at"]:
        yield "shipped_at", "the order was shipped before it was placed"


@row_check("shipped_at", "delivered_at")
def _delivered_after_shipped(r: Record) -> Iterator[tuple[str, str]]:
    shipped: datetime | None = r["shipped_at"]
    delivered: datetime | None = r["delivered_at"]
    if delivered is not None:
        if shipped is None:
            yield "shipped_at", "a delivered order needs the time it was shipped"
        elif delivered < shipped:
            yield "delivered_at", "the order was delivered before it was shipped"


@row_check("placed_at", "cancelled_at")
def _cancelled_after_placed(r: Record) -> Iterator[tuple[str, str]]:
    cancelled: datetime | None = r["cancelled_at"]
    if cancelled is not None and cancelled < r["placed_at"]:
        yield "cancelled_at", "the order was cancelled before it was placed"


@row_check("status", "shipped_at", "delivered_at", "cancelled_at")
def _status_agrees_with_times(r: Record) -> Iterator[tuple[str, str]]:
    status: str = r["status"]
    shipped: datetime | None = r["shipped_at"]
    delivered: datetime | None = r["delivered_at"]
    cancelled: datetime | None = r["cancelled_at"]
    if status == "cancelled":
        if cancelled is None:
            yield "cancelled_at", "a cancelled order needs the time it was cancelled"
    elif cancelled is not None:
        yield "status", f"the order has a cancellation time but its status is {status}"
    elif status == "placed" and shipped is not None:
        yield "status", "the order has a shipping time but its status is placed"
    elif status == "shipped":
        if shipped is None:
            yield "shipped_at", "a shipped order needs the time it was shipped"
        if delivered is not None:
            yield "status", "the order has a delivery time but its status is shipped"
    elif status == "delivered" and delivered is None:
        yield "delivered_at", "a delivered order needs the time it was delivered"


@row_check("inspection_report", "defect_rate")
def _defect_rate_needs_a_report(r: Record) -> Iterator[tuple[str, str]]:
    if not r["inspection_report"] and r["defect_rate"] is not None:
        yield "defect_rate", "a defect rate needs an inspection report (inspection_report true)"


@row_check("inspection_report", "conforming")
def _verdict_needs_a_report(r: Record) -> Iterator[tuple[str, str]]:
    if not r["inspection_report"] and r["conforming"] is not None:
        yield "conforming", "a conforming verdict needs an inspection report"


@row_check("supplier_response", "supplier_responded_at")
def _response_has_its_time(r: Record) -> Iterator[tuple[str, str]]:
    responded: datetime | None = r["supplier_responded_at"]
    if r["supplier_response"] == "none":
        if responded is not None:
            yield "supplier_responded_at", "there is a response time but the response is none"
    elif responded is None:
        yield "supplier_responded_at", "a supplier response needs the time it was given"


@row_check("supplier_response", "supplier_responded_at", "filed_at")
def _response_after_filing(r: Record) -> Iterator[tuple[str, str]]:
    responded: datetime | None = r["supplier_responded_at"]
    if r["supplier_response"] != "none" and responded is not None and responded < r["filed_at"]:
        yield "supplier_responded_at", "the supplier responded before the claim was filed"


SUPPLIERS = Format(
    "suppliers",
    (
        Column("external_id", _id, "Your id for the supplier (at most 64 characters)", "SUP-0001"),
        Column("name", fields.text(200), "Company name", "Ningbo Bright Tools Co., Ltd."),
        Column("country", fields.country, "ISO 3166 two-letter country code", "CN"),
        Column("main_category", fields.text(64), "Main product category", "Machinery"),
        Column("tier", fields.choice(SUPPLIER_TIERS), _either(SUPPLIER_TIERS), "verified"),
        Column("limit", fields.amount, "Trade Assurance limit, in major units", "250000.00"),
        Column("currency", fields.currency, "Currency of the limit: USD", "USD"),
    ),
    (),
)

ORDERS = Format(
    "orders",
    (
        Column("external_id", _id, "Your id for the order (at most 64 characters)", "ORD-100234"),
        Column("supplier_external_id", _id, "The supplier's external id", "SUP-0001"),
        Column("buyer_external_id", _id, "Your id for the buyer", "BUY-0042"),
        Column("buyer_name", fields.text(200), "Buyer's company name", "Hansa Maschinen GmbH"),
        Column("buyer_country", fields.country, "Buyer's ISO 3166 country code", "DE"),
        Column("category", fields.text(64), "Product category of the order", "Machinery"),
        Column(
            "payment_method",
            fields.choice(PAYMENT_METHODS),
            _either(PAYMENT_METHODS) + " (tt: telegraphic transfer)",
            "tt",
        ),
        Column("currency", fields.currency, "Currency of the amounts: USD", "USD"),
        Column("order_amount", fields.amount, "Contract amount, in major units", "12500.00"),
        Column(
            "covered_amount",
            fields.amount,
            "Trade Assurance amount; at most the order amount",
            "12500.00",
        ),
        Column("paid_amount", fields.amount, "Paid by the buyer so far", "3750.00"),
        Column("placed_at", fields.timestamp, "When the order was placed", "2025-03-01T09:30:00Z"),
        Column("ship_by", fields.calendar_date, "Agreed ship-by date", "2025-04-15"),
        Column(
            "shipped_at",
            fields.timestamp,
            "When it was shipped",
            "2025-04-14T06:00:00+08:00",
            required=False,
        ),
        Column(
            "delivered_at",
            fields.timestamp,
            "When the buyer confirmed receipt",
            "2025-05-20T10:00:00Z",
            required=False,
        ),
        Column("cancelled_at", fields.timestamp, "When it was cancelled", "", required=False),
        Column("status", fields.choice(ORDER_STATUSES), _either(ORDER_STATUSES), "delivered"),
    ),
    (
        _covered_within_order,
        _shipped_after_placed,
        _delivered_after_shipped,
        _cancelled_after_placed,
        _status_agrees_with_times,
    ),
)

CLAIMS = Format(
    "claims",
    (
        Column("external_id", _id, "Your id for the claim (at most 64 characters)", "CLM-5001"),
        Column("order_external_id", _id, "The order's external id", "ORD-100234"),
        Column("kind", fields.choice(CLAIM_KINDS), _either(CLAIM_KINDS), "quality"),
        Column(
            "filed_at", fields.timestamp, "When the buyer filed the claim", "2025-05-25T08:00:00Z"
        ),
        Column("claimed_amount", fields.amount, "Refund the buyer asks for", "2500.00"),
        Column("currency", fields.currency, "Currency of the amounts: USD", "USD"),
        Column(
            "description",
            fields.text(10_000, multiline=True),
            "The buyer's account",
            "Bearings rust on arrival",
            required=False,
            default="",
        ),
        Column(
            "inspection_report",
            fields.boolean,
            "A third-party inspection report is attached",
            "true",
            required=False,
            default=False,
        ),
        Column(
            "defect_rate",
            fields.percent,
            "Defective share found by the inspection, in percent",
            "12.5",
            required=False,
        ),
        Column(
            "conforming",
            fields.boolean,
            "The inspection found the goods conforming",
            "false",
            required=False,
        ),
        Column(
            "inspection_fee",
            fields.amount,
            "Inspection fee the buyer paid",
            "350.00",
            required=False,
            default=0,
        ),
        Column(
            "supplier_response",
            fields.choice(SUPPLIER_RESPONSES),
            _either(SUPPLIER_RESPONSES),
            "disputed",
            required=False,
            default="none",
        ),
        Column(
            "supplier_responded_at",
            fields.timestamp,
            "When the supplier responded",
            "2025-05-27T02:00:00Z",
            required=False,
        ),
        Column(
            "status",
            _claim_status,
            "open: imported claims enter the review queue",
            "open",
            required=False,
            default="open",
        ),
    ),
    (
        _defect_rate_needs_a_report,
        _verdict_needs_a_report,
        _response_has_its_time,
        _response_after_filing,
    ),
)

FORMATS: dict[Entity, Format] = {"suppliers": SUPPLIERS, "orders": ORDERS, "claims": CLAIMS}
