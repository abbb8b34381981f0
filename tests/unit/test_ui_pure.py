"""Pure UI helpers: chart builders, number formats, markdown escaping."""

from __future__ import annotations

import pytest

from ui import format
from ui.text import plain


@pytest.mark.parametrize(
    ("cents", "text"),
    [(0, "USD 0.00"), (5, "USD 0.05"), (123456, "USD 1,234.56"), (-100, "-USD 1.00")],
)
def test_money(cents: int, text: str) -> None:
    assert format.money(cents) == text


def test_rate_alone() -> None:
    assert format.rate(47, 2000) == "2.35%"
    assert format.rate(1, 3) == "33.33%"
    assert format.rate(0, 0) == "–"


def test_rate_with_counts() -> None:
    assert format.rate_with_counts(47, 2000, "orders") == "2.35% (47 of 2,000 orders)"
    assert format.rate_with_counts(0, 0) == "– (0 of 0)"


@pytest.mark.parametrize(
    "text",
    ["<b>bold</b>", "**strong**", "[x](javascript:alert(1))", "# heading", "$x^2$", ":red[x]"],
)
def test_plain_escapes_every_markdown_trigger(text: str) -> None:
    escaped = plain(text)
    # Every special character is preceded by a backslash, so none can start markup.
    for index, char in enumerate(escaped):
        if char in "<>*[]()#$:" and (index == 0 or escaped[index - 1] != "\\"):
            pytest.fail(f"unescaped {char!r} in {escaped!r}")
    assert escaped.replace("\\", "") == text.replace("\\", "")
