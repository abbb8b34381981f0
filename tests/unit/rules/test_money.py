"""The one money formatter and parser: format → parse is the identity, and the parser takes
nothing but ASCII digits with one optional decimal point of at most two places (plus, where a
person types, thousands separators in the right places, the currency code and the sign)."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from rules import MoneyError, cents_from_float, format_money, parse_money
from rules.money import MAX_WHOLE_DIGITS

#: Up to 10^38 dollars either way: far beyond 64 bits, well inside what the parser reads.
HUGE = 10**40
cents = st.integers(min_value=-HUGE, max_value=HUGE)


# --- the reference, written without the module's regular expressions ---------------------------


def _plain_digits(text: str) -> bool:
    return text != "" and all(ch in "0123456789" for ch in text)


def reference(text: str, *, grouping: bool) -> int | None:
    """What the parser must give for ``text`` (no sign, no currency), by rule of thumb:
    digits, optionally one ``.`` and one or two digits; with ``grouping`` the whole part may
    instead be groups of three digits after a first group of one to three, joined by commas."""
    whole, dot, fraction = text.partition(".")
    if dot and not (_plain_digits(fraction) and len(fraction) <= 2):
        return None
    if grouping and "," in whole:
        groups = whole.split(",")
        first, rest = groups[0], groups[1:]
        if not (_plain_digits(first) and len(first) <= 3):
            return None
        if not all(_plain_digits(g) and len(g) == 3 for g in rest):
            return None
        whole = "".join(groups)
    if not _plain_digits(whole) or len(whole) > MAX_WHOLE_DIGITS:
        return None
    return int(whole) * 100 + (int(fraction.ljust(2, "0")) if fraction else 0)


def parsed(text: str, **options: object) -> int | None:
    try:
        return parse_money(text, **options)  # type: ignore[arg-type]
    except MoneyError:
        return None


# --- format → parse ------------------------------------------------------------------------------


@given(cents)
@example(0)
@example(-1)
@example(HUGE)
@example(-HUGE)
def test_format_then_parse_is_the_identity(amount: int) -> None:
    """What the screens and the rules' sentences write reads back to the same cents."""
    shown = format_money(amount, "USD")
    assert parse_money(shown, grouping=True, negative=True, currency="USD") == amount
    # The exports' cell: no code, no separators; the import reads it when it is not negative.
    cell = format_money(amount, None, grouping=False)
    assert parse_money(cell, negative=True) == amount
    if amount >= 0:
        assert parse_money(cell) == amount


@given(cents)
def test_the_minus_sign_has_one_place(amount: int) -> None:
    shown = format_money(amount, "EUR")
    assert shown.startswith("-EUR ") == (amount < 0)
    assert shown.count("-") == (amount < 0)
    assert format_money(abs(amount), "EUR") == shown.removeprefix("-")


@given(st.integers(min_value=0, max_value=HUGE))
def test_the_formatter_groups_threes_and_always_shows_cents(amount: int) -> None:
    shown = format_money(amount, None)
    whole, fraction = shown.split(".")
    assert len(fraction) == 2
    groups = whole.split(",")
    assert 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])
    assert int(whole.replace(",", "")) * 100 + int(fraction) == amount


# --- parse refuses everything else -------------------------------------------------------------

# Characters that make near-misses: other digits, separators, signs, spaces, letters, an
# exponent, the Arabic decimal separator, a full-width dot.
_NEAR = "0123456789" * 3 + ".,-+ eE_'١٠٣１０３٫．\u00a0"


@given(st.text(alphabet=_NEAR, max_size=16))
@example("12,00.5")
@example("1,200.50")
@example("١٠٠")
@example("１００")
@example("1_000")
@example("1e3")
@example("1,234,567.8")
@example(",123")
def test_parse_accepts_exactly_what_the_reference_accepts(text: str) -> None:
    assert parsed(text) == reference(text.strip(), grouping=False)
    assert parsed(text, grouping=True) == reference(text.strip(), grouping=True)


@given(st.text(max_size=24))
def test_parse_of_any_text_is_the_reference_or_a_refusal(text: str) -> None:
    assert parsed(text) == reference(text.strip(), grouping=False)
    assert parsed(text, grouping=True) == reference(text.strip(), grouping=True)


@given(st.integers(min_value=1, max_value=HUGE))
def test_negative_amounts_only_where_asked_for(amount: int) -> None:
    text = format_money(-amount, None, grouping=False)
    with pytest.raises(MoneyError, match="negative"):
        parse_money(text)
    assert parse_money(text, negative=True) == -amount


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("12,00.5", "thousands separator in the wrong place"),
        ("1,2345", "thousands separator in the wrong place"),
        ("١٠٠", "digits other than 0-9"),
        ("１００", "digits other than 0-9"),
        ("12.345", "more than 2 decimals"),
        ("12.5.1", "more than one decimal point"),
        ("-3", "negative"),
        ("1e3", "not an amount"),
        ("NaN", "not an amount"),
        ("", "empty"),
        ("9" * 41, "larger than any amount"),
        ("1" * 200, "too long"),
    ],
)
def test_a_refusal_says_why(text: str, says: str) -> None:
    with pytest.raises(MoneyError, match=says):
        parse_money(text, grouping=True)


def test_the_import_form_refuses_separators_and_codes() -> None:
    for text in ("1,200.50", "USD 12", "-USD 1.00"):
        with pytest.raises(MoneyError):
            parse_money(text)
    assert parse_money("USD 1,200.50", grouping=True, currency="USD") == 120050
    assert parse_money("usd1200.5", currency="USD") == 120050
    assert parse_money("  7.5 ") == 750


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12.5, 1250), (0.1 + 0.2, 30), (0.005, 0), (0.015, 2), (0.025, 2), (-1.005, -100),
     (1e12, 100_000_000_000_000)],
)  # fmt: skip
def test_a_widgets_float_rounds_half_to_even_to_the_cent(value: float, expected: int) -> None:
    """The decimal a float prints as, to the cent, ties to even: never a binary artefact."""
    assert cents_from_float(value) == expected
