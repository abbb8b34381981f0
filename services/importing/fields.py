"""Parsers for one cell each: text in, a typed value out, or :class:`BadValue` with a sentence.

They run for every cell of files with millions of rows, so each is a few lines of plain Python
on the happy path; the careful diagnosis happens only once a value has failed.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from rules import MoneyError, parse_money
from services.importing.countries import ISO_3166_ALPHA_2
from services.importing.problems import printable

#: Largest amount accepted: a trillion dollars, far above any order, far below 64-bit cents.
MAX_AMOUNT_CENTS = 1_000_000_000_000_00
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999

# ASCII classes only: \d would take Arabic-Indic and full-width digits as numbers.
_PERCENT = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,2})?")
# Control characters break terminals, spreadsheets and PostgreSQL (which refuses NUL in text).
# A multi-line value keeps its line breaks, CR LF included (a description saved on Windows).
# C1 controls (U+0080-U+009F) count too: some terminals obey U+009B as an escape sequence.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# What an ISO 8601 day or time looks like, to say which part of one does not exist.
_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_ISO_TIME = re.compile(r"[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?")
_MONTHS = tuple(calendar.month_name)

#: What each parser reads, for the vectorised fast path (``services.importing.vectorised``):
#: ("text", max_length), ("choice", values), or the parser's own name. The parsers here stay
#: the definition; the fast path only takes a cell it can prove it reads the same way.
KINDS: dict[Callable[[str], Any], tuple[Any, ...]] = {}


class BadValue(ValueError):
    """A cell that cannot be used; ``message`` is a plain sentence for the person who made it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def shown(text: str, limit: int = 40) -> str:
    """A cell quoted for a message, cut short so a huge field never floods the problem table;
    control characters are written as escapes (``\\x1b``), never passed on raw."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return "'" + printable(text) + "'"


def foreign_digits(value: str) -> bool:
    """Whether ``value`` holds a digit other than ASCII 0-9 (١٠٠, １００, ४२)."""
    return not value.isascii() and any(
        unicodedata.category(ch) == "Nd" and not "0" <= ch <= "9" for ch in value
    )


def foreign_digits_problem(value: str) -> str:
    # Words first: a table showing the sentence takes its direction from the first letter, and
    # Arabic-Indic digits leading it would lay the whole sentence out right to left.
    return f"digits other than 0-9 in {shown(value)}: write numbers with the digits 0 to 9"


def text(max_length: int, *, multiline: bool = False) -> Callable[[str], str]:
    """Free text of at most ``max_length`` characters, without control characters."""
    control = _CONTROL if multiline else _CONTROL_IN_LINE

    def parse(value: str) -> str:
        if len(value) > max_length:
            raise BadValue(f"is {len(value):,} characters long; at most {max_length:,} fit")
        if control.search(value):
            raise BadValue(f"{shown(value)} contains a control character")
        return value

    KINDS[parse] = ("text", max_length)
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

    KINDS[parse] = ("choice", values)
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
    """Major units as decimal text (``1234.50``) to integer cents, exactly — never via a float.

    The one money parser (``rules.parse_money``) in its strictest form: ASCII digits, one
    optional decimal point, at most 2 decimals; no sign, no thousands separator.
    """
    try:
        cents = parse_money(value)
    except MoneyError as error:
        if foreign_digits(value):
            raise BadValue(foreign_digits_problem(value)) from None
        reason = error.reason
        if reason.startswith("is larger than any amount"):
            reason = "is larger than any amount this programme covers"
        raise BadValue(f"{shown(value)} {reason}") from None
    if cents > MAX_AMOUNT_CENTS:
        raise BadValue(f"{shown(value)} is larger than any amount this programme covers")
    return cents


def percent(value: str) -> int:
    """A percentage 0–100 with up to 2 decimals (``12.5`` or ``12.5%``) to basis points."""
    number = value[:-1].rstrip() if value.endswith("%") else value
    if _PERCENT.fullmatch(number) is None:
        if foreign_digits(number):
            raise BadValue(foreign_digits_problem(value))
        if re.fullmatch(r"[0-9]+\.[0-9]{3,}", number):
            raise BadValue(f"{shown(value)} has more than 2 decimals; write a percentage like 12.5")
        raise BadValue(f"{shown(value)} is not a percentage from 0 to 100 like 12.5")
    whole, _, fraction = number.partition(".")
    basis_points = int(whole) * 100 + (int(fraction.ljust(2, "0")) if fraction else 0)
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
        raise BadValue(_not_a_time(value)) from None
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
        raise BadValue(
            _missing_day(value) or f"{shown(value)} is not an ISO 8601 date like 2025-03-01"
        ) from None
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        raise BadValue(f"{shown(value)} is not a plausible year")
    return parsed


def _not_a_time(value: str) -> str:
    """Why ``value`` is not an ISO 8601 time: a day or a time of day that does not exist, other
    digits than 0-9, or not the shape of one at all."""
    missing = _missing_day(value)
    if missing is not None:
        return missing
    if _ISO_DAY.match(value):
        clock = _ISO_TIME.match(value, 10)
        if clock is not None:
            hour, minute, second = (int(part or 0) for part in clock.groups())
            if hour > 23 or minute > 59 or second > 59:
                return (
                    f"{shown(value)}: that time of day does not exist (hours run 00-23, "
                    "minutes and seconds 00-59)"
                )
    if foreign_digits(value):
        return foreign_digits_problem(value)
    return f"{shown(value)} is not an ISO 8601 time like 2025-03-01T14:30:00Z"


def _missing_day(value: str) -> str | None:
    """``'2025-02-30': the date does not exist (February 2025 has 28 days)``, or None when the
    value does not start with a well-formed day that is missing from the calendar."""
    match = _ISO_DAY.match(value)
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        return f"{shown(value)}: the date does not exist (there is no month {month:02d})"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"{shown(value)}: the date does not exist ({_MONTHS[month]} {year} has {days} days)"
    return None


KINDS.update(
    {
        country: ("country",),
        currency: ("currency",),
        amount: ("amount",),
        percent: ("percent",),
        boolean: ("boolean",),
        timestamp: ("timestamp",),
        calendar_date: ("date",),
    }
)
