"""How numbers read on screen: money from integer cents, rates always with their counts, counts
with their nouns."""

from __future__ import annotations

from rules import format_money


def money(cents: int, currency: str | None = "USD") -> str:
    """``-USD 1,234.50``: the one money formatter (``rules.money``), as every screen shows it
    (``currency=None``: ``1,234.50``, beside a label that names the currency)."""
    return format_money(cents, currency)


def count(n: int, one: str, many: str | None = None) -> str:
    """``1 claim``, ``2,000 claims``: a count with its noun, singular for exactly one (``many``
    when the plural is not ``one`` + "s": ``count(n, "order due", "orders due")``)."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def rate(numerator: int, denominator: int) -> str:
    """``2.35%``; a rate over nothing is a dash, not 0%. Shown with its counts beside it."""
    return "–" if denominator == 0 else f"{numerator / denominator:.2%}"


def rate_with_counts(numerator: int, denominator: int, noun: str = "") -> str:
    """``2.35% (47 of 2,000 orders)``; a rate over nothing is shown as a dash, not 0%."""
    of = f"{numerator:,} of {denominator:,}{' ' + noun if noun else ''}"
    return f"{rate(numerator, denominator)} ({of})"
