"""The words around a supplier's record on the claim page: its rates, and what its monitoring
tier means under the policy that set it (DESIGN.md §5).

Pure functions of the record and the policy, so the page only lays them out. A rate is a
headline only when it rests on enough orders: with fewer orders than the smallest minimum count
of the policy's tiers, even every order going wrong could not put the supplier in a tier, so
the rate says nothing yet ("1 of 1 — too few orders to rate").
"""

from __future__ import annotations

from dataclasses import dataclass

from rules import MonitoringTier, Policy, TierThresholds
from services.claims.view import SupplierRecord
from ui import format
from ui.labels import TIER_LABELS

__all__ = ["Rate", "dispute_rate", "late_shipment_rate", "tier_explanation", "tier_label"]


@dataclass(frozen=True, slots=True)
class Rate:
    #: The headline: a percentage, or "Not rated" when too few orders stand behind it.
    value: str
    #: The counts behind it, always shown.
    counts: str
    rated: bool


def _percent(bp: int) -> str:
    return f"{bp / 100:g}%"


def _smallest_minimum(tiers: TierThresholds) -> int:
    return min(tiers.watch_min_count, tiers.warning_min_count, tiers.excessive_min_count)


def _rate(
    count: int, total: int, tiers: TierThresholds, counted: tuple[str, str], of: tuple[str, str]
) -> Rate:
    """The rate as every screen writes it (``format.rate``), its counts in words that agree
    with them ("1 claim of 127 orders placed"); ``counted`` and ``of``: (one, many)."""
    if total == 0:
        return Rate("–", f"no {of[1]} in the window", False)
    if total < _smallest_minimum(tiers):
        return Rate("Not rated", f"{count:,} of {total:,} — too few orders to rate", False)
    counts = f"{format.count(count, *counted)} of {format.count(total, *of)}"
    return Rate(format.rate(count, total), counts, True)


def late_shipment_rate(record: SupplierRecord, policy: Policy) -> Rate:
    return _rate(
        record.orders_late,
        record.orders_due,
        policy.late_shipment_tiers,
        ("late", "late"),
        ("order due", "orders due"),
    )


def dispute_rate(record: SupplierRecord, policy: Policy) -> Rate:
    return _rate(
        record.claims_filed,
        record.orders_placed,
        policy.dispute_tiers,
        ("claim", "claims"),
        ("order placed", "orders placed"),
    )


def tier_label(tier: MonitoringTier | None) -> str:
    return "None" if tier is None else TIER_LABELS.get(tier.value, tier.value)


def _thresholds(tiers: TierThresholds, unit: str) -> str:
    return ", ".join(
        f"{name} {_percent(bp)} with {count} {unit}"
        for name, bp, count in (
            ("watch", tiers.watch_bp, tiers.watch_min_count),
            ("warning", tiers.warning_bp, tiers.warning_min_count),
            ("excessive", tiers.excessive_bp, tiers.excessive_min_count),
        )
    )


def _because(
    tier: MonitoringTier, tiers: TierThresholds, count: int, total: int, what: str, unit: str
) -> str:
    bp, minimum = {
        MonitoringTier.WATCH: (tiers.watch_bp, tiers.watch_min_count),
        MonitoringTier.WARNING: (tiers.warning_bp, tiers.warning_min_count),
        MonitoringTier.EXCESSIVE: (tiers.excessive_bp, tiers.excessive_min_count),
    }[tier]
    return (
        f"its {what} — {count:,} of {total:,}, {format.rate(count, total)} — is at least "
        f"{_percent(bp)} with at least {minimum} {unit}"
    )


def tier_explanation(record: SupplierRecord, policy: Policy) -> list[str]:
    """Sentences saying what the tier means, why this supplier is in it, and the thresholds."""
    days = record.window_days
    late = policy.late_shipment_tiers
    disputes = policy.dispute_tiers
    late_tier = late.classify(record.orders_late, record.orders_due)
    dispute_tier = disputes.classify(record.claims_filed, record.orders_placed)
    lines = [
        f"The monitoring tier flags suppliers whose late-shipment or dispute rate over the last "
        f"{days} days is high, card-network style: **watch**, then **warning**, then "
        "**excessive**, the worst. A tier applies only when the rate reaches its threshold "
        "*and* enough orders went wrong (a minimum count), so one unlucky order never tiers a "
        "small supplier; the worse of the two rates' tiers counts."
    ]
    if record.tier is None:
        lines.append("This supplier reaches no tier on either rate.")
    else:
        reasons = []
        if late_tier is record.tier:
            reasons.append(
                _because(
                    record.tier,
                    late,
                    record.orders_late,
                    record.orders_due,
                    "late-shipment rate",
                    "late orders",
                )
            )
        if dispute_tier is record.tier:
            reasons.append(
                _because(
                    record.tier,
                    disputes,
                    record.claims_filed,
                    record.orders_placed,
                    "dispute rate",
                    "claims",
                )
            )
        lines.append(f"**{tier_label(record.tier)}** because " + "; and ".join(reasons) + ".")
    lines.append(
        f"Thresholds (policy {policy.version}, last {days} days): late shipments — "
        f"{_thresholds(late, 'late orders')}; disputes — {_thresholds(disputes, 'claims')}."
    )
    return lines
