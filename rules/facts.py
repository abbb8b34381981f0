"""Frozen inputs and outputs of the rules module.

Money is integer cents (never float) and every instant is a timezone-aware datetime, normalised
to UTC on construction; the rules turn instants into calendar days of the programme's time zone
(``recommend(..., zone=…)``, UTC by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TypeVar

from rules.money import format_money

__all__ = [
    "Action",
    "ClaimFacts",
    "ClaimKind",
    "OrderFacts",
    "Reason",
    "ReasonCode",
    "Recommendation",
    "SupplierResponse",
    "format_money",
    "format_rate",
]


class ClaimKind(StrEnum):
    LATE_SHIPMENT = "late_shipment"
    QUALITY = "quality"
    NON_DELIVERY = "non_delivery"


class SupplierResponse(StrEnum):
    ACCEPTED = "accepted"
    DISPUTED = "disputed"
    NONE = "none"


class Action(StrEnum):
    APPROVE_FULL = "approve_full"
    APPROVE_PARTIAL = "approve_partial"
    REJECT = "reject"
    REQUEST_EVIDENCE = "request_evidence"

    @property
    def words(self) -> str:
        """How the action reads in a sentence: "the recommendation is to approve in part"."""
        return _ACTION_WORDS[self]


_ACTION_WORDS = {
    Action.APPROVE_FULL: "approve in full",
    Action.APPROVE_PARTIAL: "approve in part",
    Action.REJECT: "reject",
    Action.REQUEST_EVIDENCE: "request evidence",
}


class ReasonCode(StrEnum):
    """Every code ``recommend()`` can emit; stored with decisions, so never rename one."""

    OUT_OF_WINDOW = "OUT_OF_WINDOW"
    ORDER_CANCELLED = "ORDER_CANCELLED"
    NOTHING_REFUNDABLE = "NOTHING_REFUNDABLE"
    NOTHING_CLAIMED = "NOTHING_CLAIMED"
    SUPPLIER_ACCEPTED = "SUPPLIER_ACCEPTED"
    NOT_SHIPPED = "NOT_SHIPPED"
    NOT_YET_LATE = "NOT_YET_LATE"
    SHIPPED_LATE = "SHIPPED_LATE"
    SHIPPED_ON_TIME = "SHIPPED_ON_TIME"
    SHIP_DATE_MISSING = "SHIP_DATE_MISSING"
    NO_INSPECTION_REPORT = "NO_INSPECTION_REPORT"
    INSPECTION_INCOMPLETE = "INSPECTION_INCOMPLETE"
    CONFORMING = "CONFORMING"
    DEFECT_RATE_FULL = "DEFECT_RATE_FULL"
    DEFECT_RATE_PARTIAL = "DEFECT_RATE_PARTIAL"
    INSPECTION_FEE_REFUNDED = "INSPECTION_FEE_REFUNDED"
    INSPECTION_FEE_NOT_REFUNDED = "INSPECTION_FEE_NOT_REFUNDED"
    DELIVERED = "DELIVERED"
    NOT_DELIVERED = "NOT_DELIVERED"
    NOT_YET_OVERDUE = "NOT_YET_OVERDUE"
    NEVER_SHIPPED = "NEVER_SHIPPED"
    ZERO_AMOUNT = "ZERO_AMOUNT"
    CAP_COVERED_AMOUNT = "CAP_COVERED_AMOUNT"
    CAP_PAID_AMOUNT = "CAP_PAID_AMOUNT"
    CAP_ALREADY_REFUNDED = "CAP_ALREADY_REFUNDED"
    CAP_CLAIMED_AMOUNT = "CAP_CLAIMED_AMOUNT"
    FOUR_EYES_REQUIRED = "FOUR_EYES_REQUIRED"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_day(day: date) -> str:
    """A calendar day as people read it and every screen writes it: ``3 Mar 2025`` (no
    leading zero; a month's name, never the day-month order that differs by country). The
    names are the module's own, not ``%b``'s, which follows the process's locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def format_rate(bp: int) -> str:
    """Basis points as a short percentage: ``100`` -> ``"1%"``, ``65`` -> ``"0.65%"``."""
    whole, rest = divmod(bp, 100)
    if rest == 0:
        return f"{whole}%"
    return f"{whole}.{rest:02d}".rstrip("0") + "%"


def _check_cents(name: str, value: int) -> None:
    # bool is an int subclass and float sneaks in from CSV imports: both would corrupt sums.
    if type(value) is not int:
        raise TypeError(f"{name} must be an int number of cents, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")


def _utc(obj: object, name: str, value: datetime | None) -> None:
    if value is None:
        return
    if type(value) is datetime and value.tzinfo is UTC:
        return  # the common case, read from the database: nothing to check or convert
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got naive {value.isoformat()}")
    if value.tzinfo is not UTC:
        # Normalise once here so every rule can take .date() as the UTC calendar day.
        object.__setattr__(obj, name, value.astimezone(UTC))


#: A StrEnum member hashes and compares as its value, so one table maps both the stored string
#: and the member itself to the member: a dict lookup instead of ``Enum.__call__``, which costs
#: several times more and runs for every claim the simulator and recomputation read.
_E = TypeVar("_E", bound=StrEnum)
_CLAIM_KINDS: dict[str, ClaimKind] = {member.value: member for member in ClaimKind}
_SUPPLIER_RESPONSES: dict[str, SupplierResponse] = {m.value: m for m in SupplierResponse}


def _member(members: dict[str, _E], enum: type[_E], value: str) -> _E:
    try:
        return members[value]
    except (KeyError, TypeError):
        return enum(value)  # raises the enum's own ValueError for an unknown value


@dataclass(frozen=True, slots=True)
class OrderFacts:
    covered_amount_cents: int
    paid_amount_cents: int
    already_refunded_cents: int
    ship_by: date
    shipped_at: datetime | None
    delivered_at: datetime | None
    #: When the order was cancelled, if it was; one cancelled before its ship-by day was never
    #: due (the buyer's money returns through the cancellation).
    cancelled_at: datetime | None = None

    def __post_init__(self) -> None:
        _check_cents("covered_amount_cents", self.covered_amount_cents)
        _check_cents("paid_amount_cents", self.paid_amount_cents)
        _check_cents("already_refunded_cents", self.already_refunded_cents)
        # A datetime is a date subclass; letting one through would break day arithmetic later.
        if type(self.ship_by) is not date:
            raise TypeError(f"ship_by must be a date, got {type(self.ship_by).__name__}")
        _utc(self, "shipped_at", self.shipped_at)
        _utc(self, "delivered_at", self.delivered_at)
        _utc(self, "cancelled_at", self.cancelled_at)


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    kind: ClaimKind
    filed_at: datetime
    claimed_amount_cents: int
    supplier_response: SupplierResponse
    inspection_report: bool
    defect_rate_bp: int | None
    conforming: bool | None
    inspection_fee_cents: int

    def __post_init__(self) -> None:
        # Accept the stored string values too, so repositories can pass database columns as-is.
        object.__setattr__(self, "kind", _member(_CLAIM_KINDS, ClaimKind, self.kind))
        object.__setattr__(
            self,
            "supplier_response",
            _member(_SUPPLIER_RESPONSES, SupplierResponse, self.supplier_response),
        )
        if self.filed_at is None:
            raise TypeError("filed_at is required")
        _utc(self, "filed_at", self.filed_at)
        _check_cents("claimed_amount_cents", self.claimed_amount_cents)
        _check_cents("inspection_fee_cents", self.inspection_fee_cents)
        rate = self.defect_rate_bp
        if rate is not None:
            if type(rate) is not int:
                raise TypeError(f"defect_rate_bp must be an int, got {type(rate).__name__}")
            if not 0 <= rate <= 10_000:
                raise ValueError(f"defect_rate_bp must be between 0 and 10000, got {rate}")


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Recommendation:
    action: Action
    amount_cents: int
    cap_cents: int
    reasons: tuple[Reason, ...]
    policy_version: str
    four_eyes_required: bool

    @property
    def reason_codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)
