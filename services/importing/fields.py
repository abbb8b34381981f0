"""Parsers for one cell each: text in, a typed value out, or :class:`BadValue` with a sentence.

They run for every cell of files with millions of rows, so each is a few lines of plain Python
on the happy path; the careful diagnosis happens only once a value has failed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

from services.importing.countries import ISO_3166_ALPHA_2

#: Largest amount accepted: a trillion dollars, far above any order, far below 64-bit cents.
MAX_AMOUNT_CENTS = 1_000_000_000_000_00
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999

_AMOUNT = re.compile(r"\d{1,13}(?:\.\d{1,2})?")
_PERCENT = re.compile(r"\d{1,3}(?:\.\d{1,2})?")
# Control characters break terminals, spreadsheets and PostgreSQL (which refuses NUL in text).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f]")


class BadValue(ValueError):
    """A cell that cannot be used; ``message`` is a plain sentence for the person who made it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def shown(text: str, limit: int = 40) -> str:
    """A cell quoted for a message, cut short so a huge field never floods the problem table."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return "'" + _CONTROL_IN_LINE.sub("?", text) + "'"


def text(max_length: int, *, multiline: bool = False) -> Callable[[str], str]:
    """Free text of at most ``max_length`` characters, without control characters."""
    control = _CONTROL if multiline else _CONTROL_IN_LINE

    def parse(value: str) -> str:
        if len(value) > max_length:
            raise BadValue(f"is {len(value):,} characters long; at most {max_length:,} fit")
        if control.search(value):
            raise BadValue(f"{shown(value)} contains a control character")
        return value

    return parse


def choice(values: tuple[str, ...]) -> Callable[[str], str]:
    """One of ``values``; case and surrounding spaces do not matter."""
    allowed = frozenset(values)
    listed = ", ".join(values)

    def parse(value: str) -> str:
        lowered = value.lower()
        if lowered not in allowed:
            raise BadValue(f"{shown(value)} is not one of {listed}")
        return lowered

    return parse


def country(value: str) -> str:
    code = value.upper()
    if code not in ISO_3166_ALPHA_2:
        raise BadValue(
            f"{shown(value)} is not an ISO 3166 two-letter country code such as CN or DE"
        )
    return code


def currency(value: str) -> str:
    code = value.upper()
    if code != "USD":
        raise BadValue(
            f"{shown(value)} is not accepted: amounts must be in USD for now; convert the file's "
            "amounts to US dollars and write USD"
        )
    return code


def amount(value: str) -> int:
    """Major units as decimal text (``1234.50``) to integer cents, exactly — never via a float."""
    if _AMOUNT.fullmatch(value) is None:
        raise BadValue(_amount_problem(value))
    cents = int(Decimal(value).scaleb(2))
    if cents > MAX_AMOUNT_CENTS:
        raise BadValue(f"{shown(value)} is larger than any amount this programme covers")
    return cents


def _amount_problem(value: str) -> str:
    if value.startswith("-"):
        return f"{shown(value)} is negative; amounts are zero or more"
    if re.fullmatch(r"\d+\.\d{3,}", value):
        return f"{shown(value)} has more than 2 decimals; write dollars and cents, like 1234.50"
    if "," in value:
        return (
            f"{shown(value)} is not an amount like 1234.50: use a dot for the decimals and no "
            "thousands separator"
        )
    if re.fullmatch(r"\d{14,}(\.\d*)?", value):
        return f"{shown(value)} is larger than any amount this programme covers"
    return f"{shown(value)} is not an amount like 1234.50"


def percent(value: str) -> int:
    """A percentage 0–100 with up to 2 decimals (``12.5`` or ``12.5%``) to basis points."""
    number = value[:-1].rstrip() if value.endswith("%") else value
    if _PERCENT.fullmatch(number) is None:
        if re.fullmatch(r"\d+\.\d{3,}", number):
            raise BadValue(f"{shown(value)} has more than 2 decimals; write a percentage like 12.5")
        raise BadValue(f"{shown(value)} is not a percentage from 0 to 100 like 12.5")
    basis_points = int(Decimal(number).scaleb(2))
    if basis_points > 100_00:
        raise BadValue(f"{shown(value)} is above 100; write a percentage from 0 to 100 like 12.5")
    return basis_points


def boolean(value: str) -> bool:
    lowered = value.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise BadValue(f"{shown(value)} is neither true nor false")


def timestamp(value: str) -> datetime:
    """ISO 8601 with ``Z`` or an offset, converted to UTC; a time without one is refused."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadValue(
            f"{shown(value)} is not an ISO 8601 time like 2025-03-01T14:30:00Z"
        ) from None
    if parsed.tzinfo is None:
        raise BadValue(
            f"{shown(value)} has no time zone: add Z for UTC or an offset such as +08:00"
        )
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        raise BadValue(f"{shown(value)} is not a plausible year")
    return parsed.astimezone(UTC)


def calendar_date(value: str) -> date:
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise BadValue(f"{shown(value)} is not an ISO 8601 date like 2025-03-01") from None
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        raise BadValue(f"{shown(value)} is not a plausible year")
    return parsed
