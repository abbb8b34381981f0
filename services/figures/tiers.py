"""Supplier monitoring tiers (DESIGN.md §5): the policy's thresholds, counted in SQL.

``data_access.queries.tiers`` ranks suppliers with the thresholds of ``rules.Policy`` (so the
suppliers table can sort and page by tier); this module names the ranks and describes the
thresholds for the definitions shown beside the tier.
"""

from __future__ import annotations

from rules import MonitoringTier, Policy, TierThresholds, format_rate

__all__ = ["TIER_LABELS", "describe_thresholds", "tier_of_rank"]

TIER_LABELS = {
    None: "none",
    MonitoringTier.WATCH: "watch",
    MonitoringTier.WARNING: "warning",
    MonitoringTier.EXCESSIVE: "excessive",
}
_BY_RANK = {
    0: None,
    1: MonitoringTier.WATCH,
    2: MonitoringTier.WARNING,
    3: MonitoringTier.EXCESSIVE,
}


def tier_of_rank(rank: int) -> MonitoringTier | None:
    """The tier of a rank counted by ``data_access.queries.tiers.tier_rank`` (0 = none)."""
    return _BY_RANK[int(rank)]


def _levels(thresholds: TierThresholds, noun: str) -> str:
    return "; ".join(
        f"{name} from {format_rate(bp)} and {minimum} {noun}"
        for name, bp, minimum in (
            ("watch", thresholds.watch_bp, thresholds.watch_min_count),
            ("warning", thresholds.warning_bp, thresholds.warning_min_count),
            ("excessive", thresholds.excessive_bp, thresholds.excessive_min_count),
        )
    )


def describe_thresholds(policy: Policy) -> str:
    """The policy's tier thresholds in one sentence, for the definitions."""
    return (
        f"late-shipment rate: {_levels(policy.late_shipment_tiers, 'late orders')}; "
        f"dispute rate: {_levels(policy.dispute_tiers, 'claims')}"
    )
