"""Money as text: the one formatter and the one parser of the whole application.

Pure and standard library only, so the rules' sentences, the import, the pages, the CLI and the
CSV exports all read and write amounts the same way. Money is integer cents; no float ever
touches it. The minus sign has one place, in front of everything: ``-USD 1,234.50`` (the
convention of CLDR's English currency patterns, ``-¤#,##0.00``), and ``-1234.50`` without the
currency.

The parser accepts exactly the ASCII digits 0 to 9 with an optional single decimal point and
at most two decimals (``1234``, ``1234.5``, ``1234.50``). Each caller widens that only as far
as its context needs: ``grouping`` lets a person type thousands separators, in the right places
only (``1,234.50``, never ``12,34.5``); ``currency`` lets the code lead (``USD 1,234.50``, what
the formatter writes); ``negative`` admits the leading minus. Everything else is refused with
a reason a person can act on: Arabic-Indic or full-width digits, exponents, ``NaN``, a comma
as the decimal separator, a third decimal.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_EVEN, Decimal

__all__ = ["MAX_WHOLE_DIGITS", "MoneyError", "cents_from_float", "format_money", "parse_money"]

#: Most digits before the decimal point the parser reads (10^40 dollars): far above any amount,
#: and it keeps a hostile 10 MB cell of digits from costing anything.
MAX_WHOLE_DIGITS = 40
_LONGEST_TEXT = 100

# ASCII classes, never \d: in Python \d also matches ١٠٠ and １００, which is the bug this
# module exists to prevent.
_PLAIN = re.compile(r"([0-9]+)(?:\.([0-9]{1,2}))?")
_GROUPED = re.compile(r"([0-9]{1,3}(?:,[0-9]{3})+)(?:\.([0-9]{1,2}))?")


class MoneyError(ValueError):
    """Text that is not an amount. ``reason`` completes a sentence about the text, e.g.
    ``"'12,00.5' " + reason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def format_money(cents: int, currency: str | None = "USD", *, grouping: bool = True) -> str:
    """``123450`` → ``"USD 1,234.50"``; ``-100`` → ``"-USD 1.00"``.

    ``currency=None`` leaves the code out (``"1,234.50"``); ``grouping=False`` the thousands
    separators (``"1234.50"``, the CSV exports' cells). Integer arithmetic only.
    """
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    number = f"{whole:,}.{rest:02d}" if grouping else f"{whole}.{rest:02d}"
    return f"{sign}{currency} {number}" if currency else f"{sign}{number}"


def parse_money(
    text: str,
    *,
    grouping: bool = False,
    negative: bool = False,
    currency: str | None = None,
) -> int:
    """Cents from ``text`` in major units, exactly; :class:`MoneyError` when it is not one.

    Plain ``1234.50`` is always accepted; ``grouping`` also accepts thousands separators in
    the right places, ``currency`` a leading code (``USD 1,234.50``, any case) and ``negative``
    a leading minus (``-USD 1.00``, ``-1.00``). Surrounding spaces are ignored.
    """
    # The import's hot path (three amounts a row, millions of rows): one regex, no other call.
    match = _PLAIN.fullmatch(text)
    if match is not None:
        whole, fraction = match.groups()
        if len(whole) <= MAX_WHOLE_DIGITS:
            if fraction is None:
                return int(whole) * 100
            return int(whole) * 100 + int(fraction) * (10 if len(fraction) == 1 else 1)
    return _parse_carefully(text.strip(), grouping, negative, currency)


def cents_from_float(value: float) -> int:
    """A float from a number widget to cents: the decimal it prints as, half to even.

    Not a parser of typed text (that is :func:`parse_money`): a widget's float has no exact
    decimal, so the shortest decimal that round-trips it (``repr``) is rounded to the cent.
    """
    amount = Decimal(repr(float(value)))
    if not amount.is_finite():
        raise MoneyError("is not an amount")
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _cents(whole: str, fraction: str | None) -> int:
    cents = int(whole) * 100
    if fraction:
        cents += int(fraction) * (10 if len(fraction) == 1 else 1)
    return cents


def _parse_carefully(text: str, grouping: bool, negative: bool, currency: str | None) -> int:
    if not text:
        raise MoneyError("is empty")
    if len(text) > _LONGEST_TEXT:
        raise MoneyError("is too long to be an amount")
    if any(not "0" <= ch <= "9" and unicodedata.category(ch) == "Nd" for ch in text):
        raise MoneyError("uses digits other than 0-9; write the amount with the digits 0 to 9")
    body, sign = text, 1
    if body.startswith("-"):
        if not negative:
            raise MoneyError("is negative; amounts are zero or more")
        body, sign = body[1:], -1
    if currency and body[: len(currency)].upper() == currency.upper():
        body = body[len(currency) :]
        body = body[1:] if body.startswith(" ") else body
    match = (_GROUPED if grouping else _PLAIN).fullmatch(body)
    if grouping and match is None:
        match = _PLAIN.fullmatch(body)
    if match is None:
        raise MoneyError(_diagnosis(body, grouping))
    whole = match[1].replace(",", "")
    if len(whole) > MAX_WHOLE_DIGITS:
        raise MoneyError("is larger than any amount")
    return sign * _cents(whole, match[2])


def _diagnosis(body: str, grouping: bool) -> str:
    """Why ``body`` (sign and currency taken off) is not an amount, in words."""
    whole, _, fraction = body.partition(".")
    if body.startswith("-"):
        return "is negative; amounts are zero or more"
    if body.count(".") > 1:
        return "has more than one decimal point"
    if "," in whole and not grouping:
        return (
            "has a thousands separator; use a dot for the decimals and no thousands separator, "
            "like 1234.50"
        )
    if "," in fraction:
        return "has a comma after the decimal point; write the amount like 1,234.50"
    if "," in whole and whole.replace(",", "").isascii() and whole.replace(",", "").isdigit():
        return (
            "has a thousands separator in the wrong place; separate groups of three digits, "
            "like 1,234.50, or leave the separators out"
        )
    if (
        whole.isascii()
        and whole.replace(",", "").isdigit()
        and fraction.isascii()
        and fraction.isdigit()
        and len(fraction) > 2
    ):
        return "has more than 2 decimals; write dollars and cents, like 1234.50"
    return "is not an amount like 1234.50"
