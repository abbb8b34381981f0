"""When PostgreSQL's planner statistics count as stale after a write (``bulk_load.is_stale``):
the rule an import's ``analyze_changed`` applies to each table it wrote."""

from __future__ import annotations

import pytest

from data_access.bulk_load import STALE_FLOOR_PAGES, STALE_SHARE, is_stale


def test_a_table_never_analysed_is_stale_once_past_the_floor() -> None:
    assert not is_stale(0, STALE_FLOOR_PAGES)
    assert is_stale(0, STALE_FLOOR_PAGES + 1)


@pytest.mark.parametrize("counted", [1_000, 10_000, 100_000])
def test_a_table_is_stale_once_grown_by_more_than_its_share(counted: int) -> None:
    grown = counted + int(counted * STALE_SHARE)
    assert not is_stale(counted, grown)
    assert is_stale(counted, grown + 1)
    assert not is_stale(counted, counted + counted // 10)  # 100,000 orders into a million


def test_a_small_table_is_never_stale() -> None:
    assert not is_stale(10, STALE_FLOOR_PAGES)  # twelve times its pages, but under 1 MB
