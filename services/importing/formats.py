"""The three file formats: their columns, how each cell is read, and the rules across a row.

Pure: no database. docs/import-format.md describes the same formats for people, and a test
keeps the two in step. Rules that need the database (does the supplier exist?) live in
``validate.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
#: The rules across a row give (column, sentence) for each problem; they run for every row of
#: a file, so each format has one plain function (no call per rule).
RowRule = Callable[[Record], list[tuple[str, str]]]


class _Unread:
    """What a rule sees for a cell that could not be read (absent from the record)."""

    def __repr__(self) -> str:
        return "UNREAD"


#: A rule runs only when the cells it needs were read: a bad date never hides a covered
#: amount above the order amount on the same row, and no rule runs on a guess.
UNREAD: Any = _Unread()


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
    #: Every problem across a row, from the cells that could be read.
    rule: RowRule

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


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


# The same cells as any choice pass it, read the same way (lower case).
fields.KINDS[_claim_status] = ("choice", IMPORTABLE_CLAIM_STATUSES)


# The rule "ship-by not before the day the order was placed" needs the programme's calendar:
# it is checked beside the longest shipping time in ``validate.OrderChecker``.


def _supplier_rule(_record: Record) -> list[tuple[str, str]]:
    return []


def _order_rule(r: Record) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    get = r.get
    covered, ordered = get("covered_amount", UNREAD), get("order_amount", UNREAD)
    placed, status = get("placed_at", UNREAD), get("status", UNREAD)
    shipped, delivered = get("shipped_at", UNREAD), get("delivered_at", UNREAD)
    cancelled = get("cancelled_at", UNREAD)
    if covered is not UNREAD and ordered is not UNREAD and covered > ordered:
        found.append(("covered_amount", "the covered amount is above the order amount"))
    if placed is not UNREAD:
        if shipped is not None and shipped is not UNREAD and shipped < placed:
            found.append(("shipped_at", "the order was shipped before it was placed"))
        if cancelled is not None and cancelled is not UNREAD and cancelled < placed:
            found.append(("cancelled_at", "the order was cancelled before it was placed"))
    if delivered is not None and delivered is not UNREAD and shipped is not UNREAD:
        if shipped is None:
            found.append(("shipped_at", "a delivered order needs the time it was shipped"))
        elif delivered < shipped:
            found.append(("delivered_at", "the order was delivered before it was shipped"))
    if (
        status is UNREAD or shipped is UNREAD or delivered is UNREAD or cancelled is UNREAD
    ):  # the status is judged against every time, or not at all
        return found
    if status == "cancelled":
        if cancelled is None:
            found.append(("cancelled_at", "a cancelled order needs the time it was cancelled"))
    elif cancelled is not None:
        found.append(("status", f"the order has a cancellation time but its status is {status}"))
    elif status == "placed" and shipped is not None:
        found.append(("status", "the order has a shipping time but its status is placed"))
    elif status == "shipped":
        if shipped is None:
            found.append(("shipped_at", "a shipped order needs the time it was shipped"))
        if delivered is not None:
            found.append(("status", "the order has a delivery time but its status is shipped"))
    elif status == "delivered" and delivered is None:
        found.append(("delivered_at", "a delivered order needs the time it was delivered"))
    return found


def _claim_rule(r: Record) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    get = r.get
    report = get("inspection_report", UNREAD)
    if report is False:
        if (rate := get("defect_rate", UNREAD)) is not None and rate is not UNREAD:
            found.append(
                ("defect_rate", "a defect rate needs an inspection report (inspection_report true)")
            )
        if (verdict := get("conforming", UNREAD)) is not None and verdict is not UNREAD:
            found.append(("conforming", "a conforming verdict needs an inspection report"))
    response = get("supplier_response", UNREAD)
    responded = get("supplier_responded_at", UNREAD)
    if response is UNREAD or responded is UNREAD:
        return found
    if response == "none":
        if responded is not None:
            found.append(
                ("supplier_responded_at", "there is a response time but the response is none")
            )
    elif responded is None:
        found.append(("supplier_responded_at", "a supplier response needs the time it was given"))
    elif (filed := get("filed_at", UNREAD)) is not UNREAD and responded < filed:
        found.append(("supplier_responded_at", "the supplier responded before the claim was filed"))
    return found


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
    _supplier_rule,
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
    _order_rule,
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
    _claim_rule,
)

FORMATS: dict[Entity, Format] = {"suppliers": SUPPLIERS, "orders": ORDERS, "claims": CLAIMS}
