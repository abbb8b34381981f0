"""``ui.chart_cache``: a chart is built once for the same function and data, again for any
other, and never handed out for different data."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from ui import chart_cache, exposure_charts

DAY = date(2025, 3, 15)


def _shares(amounts: list[int]) -> pd.DataFrame:
    keys = [f"K{n}" for n in range(len(amounts))]
    total = sum(amounts)
    return pd.DataFrame(
        {
            "key": keys,
            "label": keys,
            "exposure_cents": amounts,
            "share": [a / total for a in amounts],
        }
    )


@pytest.fixture(autouse=True)
def _no_kept_charts() -> None:
    chart_cache.clear()


def test_the_same_data_gets_the_same_figure_and_other_data_its_own() -> None:
    frame = _shares([300_00, 100_00])
    first = chart_cache.built(exposure_charts.share_chart, frame, "Share", DAY)
    # Equal content in another frame: the kept figure.
    assert chart_cache.built(exposure_charts.share_chart, frame.copy(), "Share", DAY) is first
    changed = chart_cache.built(
        exposure_charts.share_chart, _shares([300_00, 100_01]), "Share", DAY
    )
    retitled = chart_cache.built(exposure_charts.share_chart, frame, "Other", DAY)
    other_day = chart_cache.built(exposure_charts.share_chart, frame, "Share", date(2025, 3, 16))
    assert len({id(f) for f in (first, changed, retitled, other_day)}) == 4
    # Each is the chart of its own arguments.
    for figure, args in (
        (first, (frame, "Share", DAY)),
        (changed, (_shares([300_00, 100_01]), "Share", DAY)),
        (retitled, (frame, "Other", DAY)),
        (other_day, (frame, "Share", date(2025, 3, 16))),
    ):
        assert figure.to_dict() == exposure_charts.share_chart(*args).to_dict()


def test_charts_are_known_by_their_functions_name_and_clear_forgets() -> None:
    frame = _shares([5, 7])
    share = chart_cache.built(exposure_charts.share_chart, frame, "Share", DAY)
    # Two lambdas share one name: one could be handed the other's chart.
    with pytest.raises(ValueError, match="module's function"):
        chart_cache.built(lambda *a: exposure_charts.share_chart(*a), frame, "Share", DAY)
    chart_cache.clear()
    assert chart_cache.built(exposure_charts.share_chart, frame, "Share", DAY) is not share
