"""Pure UI helpers: chart builders, number formats, markdown escaping."""

from __future__ import annotations

import pandas as pd
import pytest

from ui import charts, format
from ui.text import plain


def test_late_shipment_chart_carries_counts_beside_the_rate() -> None:
    frame = pd.DataFrame(
        {"month": ["2025-01", "2025-02"], "due": [10, 4], "late": [1, 2], "late_rate": [0.1, 0.5]}
    )
    figure = charts.late_shipment_chart(frame)
    bars, line = figure.data
    assert list(bars.y) == [10, 4]
    assert list(line.y) == [0.1, 0.5] and line.yaxis == "y2"  # drawn above the bars
    assert line.customdata.tolist() == [[1, 10], [2, 4]]
    assert "Late" in line.hovertemplate and "of" in line.hovertemplate
    assert figure.layout.yaxis2.tickformat == ".1%"
    assert figure.layout.yaxis2.side == "left"


def test_dispute_chart_uses_orders_placed_as_base() -> None:
    frame = pd.DataFrame(
        {"month": ["2025-01"], "orders": [200], "claims": [3], "dispute_rate": [0.015]}
    )
    bars, line = charts.dispute_rate_chart(frame).data
    assert list(bars.y) == [200]
    assert line.customdata.tolist() == [[3, 200]]


@pytest.mark.parametrize(
    ("cents", "text"),
    [(0, "USD 0.00"), (5, "USD 0.05"), (123456, "USD 1,234.56"), (-100, "-USD 1.00")],
)
def test_money(cents: int, text: str) -> None:
    assert format.money(cents) == text


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
