"""Pure UI helpers: chart builders, number formats, markdown escaping."""

from __future__ import annotations

import pytest

from ui import format
from ui.figure_widgets import NO_CHANGE, delta_args, money_change
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


@pytest.mark.parametrize("text", ["+0", "+0.00 pp", "-0.00 pp", "+USD 0.00", "+0.00 pts"])
def test_a_change_that_shows_as_nothing_is_grey_and_has_no_arrow(text: str) -> None:
    """Streamlit reads any delta not starting with "-" as a rise: "+0" was a red arrow up."""
    assert delta_args(text) == {"delta": NO_CHANGE, "delta_color": "off", "delta_arrow": "off"}


def test_a_change_keeps_its_sign_and_is_red_where_up_is_bad() -> None:
    assert delta_args("+2") == {"delta": "+2", "delta_color": "inverse"}
    assert delta_args("-0.13 pp") == {"delta": "-0.13 pp", "delta_color": "inverse"}
    assert delta_args("+USD 10.00", up_is_bad=False) == {
        "delta": "+USD 10.00", "delta_color": "normal"
    }  # fmt: skip
    assert delta_args(None) == {"delta": None}
    # A fall is signed with ASCII "-", the sign Streamlit reads as a fall.
    assert money_change(100, 250) == "-USD 1.50" and money_change(250, 100) == "+USD 1.50"


def test_a_count_names_one_thing_in_the_singular() -> None:
    assert format.count(1, "claim") == "1 claim"
    assert format.count(0, "claim") == "0 claims"
    assert format.count(12_669, "live order") == "12,669 live orders"
    assert format.count(1, "order due", "orders due") == "1 order due"
    assert format.count(2, "order due", "orders due") == "2 orders due"
