"""The supplier monitoring tier in SQL, from the policy's thresholds (DESIGN.md §5).

A tier applies when the rate reaches its threshold AND the count reaches its minimum; the worse
of the late-shipment tier and the dispute tier is the supplier's. Ranks: 0 none, 1 watch,
2 warning, 3 excessive. ``rules.TierThresholds.classify`` says the same in Python; a property
test holds the two together. In SQL, so the suppliers table can rank and page by tier.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, case

__all__ = ["NO_TIER", "TIER_RANKS", "Thresholds", "tier_rank", "worse_rank"]

NO_TIER = 0
#: Rank -> the tier's name (``rules.MonitoringTier`` values); 0 has no tier.
TIER_RANKS = {1: "watch", 2: "warning", 3: "excessive"}


class Thresholds(Protocol):
    """What a tier needs (``rules.TierThresholds`` has exactly these; rates in basis points)."""

    @property
    def watch_bp(self) -> int: ...
    @property
    def watch_min_count(self) -> int: ...
    @property
    def warning_bp(self) -> int: ...
    @property
    def warning_min_count(self) -> int: ...
    @property
    def excessive_bp(self) -> int: ...
    @property
    def excessive_min_count(self) -> int: ...


def tier_rank(count: Any, total: Any, levels: Thresholds) -> ColumnElement[int]:
    """The highest tier met by ``count`` events of ``total`` (integer comparison, no floats)."""

    def met(bp: int, minimum: int) -> ColumnElement[bool]:
        return and_(total > 0, count >= minimum, count * 10_000 >= total * bp)

    return case(
        (met(levels.excessive_bp, levels.excessive_min_count), 3),
        (met(levels.warning_bp, levels.warning_min_count), 2),
        (met(levels.watch_bp, levels.watch_min_count), 1),
        else_=NO_TIER,
    )


def worse_rank(first: Any, second: Any) -> ColumnElement[int]:
    return case((first >= second, first), else_=second)
