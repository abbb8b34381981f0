"""The daily summary tables' shape, as data: which keys and sums each holds, what each order
adds to them (:data:`ORDER_EVENTS`), which tables are rolled up from which.

``data_access.summary_rows`` builds its SQL from this, ``data_access.summary_memory`` its
in-memory sums, and the figures' queries read the breakdown dimensions from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Table

from data_access.models import (
    SummaryClaimDay,
    SummaryLateDay,
    SummaryOrderDay,
    SummaryRefundDay,
    SummarySupplierDay,
    SummarySupplierMonth,
    SummarySupplierYear,
)

__all__ = [
    "ALL_DIMENSION",
    "DIMENSIONS",
    "LIVE_SUMS",
    "OPEN_ENDED",
    "ORDER_EVENTS",
    "ORDER_SUMS",
    "ROLLUPS",
    "TABLES",
    "UNSHIPPED",
    "OrderEvent",
    "Term",
]

ALL_DIMENSION = "all"
#: The breakdown dimensions a day is counted by (plus "all", the programme as a whole).
DIMENSIONS = ("supplier_country", "supplier_tier", "category")
#: The end day of an order neither cancelled nor delivered yet: it is live on every day.
OPEN_ENDED = date(9999, 12, 31)
#: The days late of a late order never shipped (``summary_late_days``).
UNSHIPPED = -1


@dataclass(frozen=True, slots=True)
class Term:
    """A summed column's value in an order's event: ``sign`` × 1 or × the order fact ``fact``
    (``order_facts``' column), or, if ``spanning``, that while the order is live on some day
    (its end day after its placed day) and 0 otherwise."""

    sign: int = 1
    fact: str | None = None
    spanning: bool = False


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """What an order adds on the day its fact ``day`` names; ``spanning``: only if it is live
    on some day. Columns not in ``sums`` add 0."""

    day: str
    sums: Mapping[str, Term]
    spanning: bool = False


#: What each order adds to the orders' daily sums, as data: the SQL of
#: ``summary_rows.aggregate`` and the in-memory sums (``data_access.summary_memory``) are both
#: read from it. Due and late on its ship-by day; placed, and live from its placed day (its
#: covered amount and its cap, the lower of covered and paid) until its end day, where it stops
#: being live.
ORDER_EVENTS = (
    OrderEvent("ship_by", {"shipping": Term(), "due": Term(fact="due"), "late": Term(fact="late")}),
    OrderEvent(
        "placed_day",
        {
            "placed": Term(),
            "live_orders": Term(-1, spanning=True),
            "live_covered_cents": Term(-1, "covered", spanning=True),
            "live_cap_cents": Term(-1, "cap", spanning=True),
            "placed_covered_cents": Term(fact="covered"),
        },
    ),
    OrderEvent(
        "end_day",
        {
            "live_orders": Term(),
            "live_covered_cents": Term(fact="covered"),
            "live_cap_cents": Term(fact="cap"),
        },
        spanning=True,
    ),
)

#: The columns an order adds while it is live.
LIVE_SUMS = ("live_orders", "live_covered_cents", "live_cap_cents")
#: The columns the orders' events sum, in ``summary_order_days``' order.
ORDER_SUMS = ("shipping", "due", "late", "placed", *LIVE_SUMS, "placed_covered_cents")
#: Each table: (key columns, summed columns).
TABLES: dict[str, tuple[Table, tuple[str, ...], tuple[str, ...]]] = {
    "summary_order_days": (
        SummaryOrderDay.__table__,  # type: ignore[dict-item]
        ("zone", "day", "dimension", "value"),
        ORDER_SUMS,
    ),
    "summary_claim_days": (
        SummaryClaimDay.__table__,  # type: ignore[dict-item]
        ("zone", "day", "dimension", "value", "kind"),
        ("claims",),
    ),
    "summary_supplier_days": (
        SummarySupplierDay.__table__,  # type: ignore[dict-item]
        ("zone", "day", "supplier_id"),
        ("due", "late", "placed", "claims", *LIVE_SUMS, "live_taken_cents"),
    ),
    "summary_supplier_months": (
        SummarySupplierMonth.__table__,  # type: ignore[dict-item]
        ("zone", "month", "supplier_id"),
        ("due", "late", "placed", "claims", *LIVE_SUMS, "live_taken_cents"),
    ),
    "summary_supplier_years": (
        SummarySupplierYear.__table__,  # type: ignore[dict-item]
        ("zone", "year", "supplier_id"),
        ("due", "late", "placed", "claims", *LIVE_SUMS, "live_taken_cents"),
    ),
    "summary_late_days": (
        SummaryLateDay.__table__,  # type: ignore[dict-item]
        ("zone", "day", "days_late"),
        ("orders",),
    ),
    "summary_refund_days": (
        SummaryRefundDay.__table__,  # type: ignore[dict-item]
        ("zone", "day", "cohort"),
        ("refunds", "refunded_cents", "cancelled_orders", "cancelled_covered_cents"),
    ),
}
#: Tables summed per month or year from another summary's rows (derived table → its source,
#: each source before what is rolled up from it): a rebuild sums the stored rows of the source,
#: a write rolls its delta of the source up into theirs. Only ``summary_rows.aggregate`` (for
#: the property tests) counts them from the base tables.
ROLLUPS: dict[str, str] = {
    "summary_supplier_months": "summary_supplier_days",
    "summary_supplier_years": "summary_supplier_months",
}
