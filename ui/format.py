"""How numbers read on screen: money from integer cents, rates always with their counts."""

from __future__ import annotations


def money(cents: int, currency: str = "USD") -> str:
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{currency} {whole:,}.{rest:02d}"


def rate_with_counts(numerator: int, denominator: int, noun: str = "") -> str:
    """``2.35% (47 of 2,000 orders)``; a rate over nothing is shown as a dash, not 0%."""
    of = f"{numerator:,} of {denominator:,}{' ' + noun if noun else ''}"
    if denominator == 0:
        return f"– ({of})"
    return f"{numerator / denominator:.2%} ({of})"
