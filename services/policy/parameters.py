"""The policy's parameters as an ops manager reads and edits them: label, unit, meaning.

One table for the policy page's form, the CLI's comparison and the audit event of a draft, so
every place names a parameter the same way. Paths are ``Policy`` attributes, with a dot into the
monitoring tiers (``dispute_tiers.warning_bp``); values are the policy's integers (days,
counts, basis points, cents).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

from rules import Policy, TierThresholds, format_money, format_rate

__all__ = ["PARAMETERS", "Parameter", "changed_parameters", "show_value", "value_of", "with_values"]

Unit = Literal["days", "working days", "count", "rate", "money"]


@dataclass(frozen=True, slots=True)
class Parameter:
    path: str
    group: str
    label: str
    unit: Unit
    meaning: str
    low: int
    high: int | None


def _tiers(attr: str, what: str, rate_text: str) -> list[Parameter]:
    group = f"Monitoring tiers: {what}"
    rows = []
    for level in ("watch", "warning", "excessive"):
        rows += [
            Parameter(f"{attr}.{level}_bp", group, f"{level.title()} at rate", "rate",
                      f"Tier '{level}' when {rate_text} reaches this rate …", 0, 10_000),
            Parameter(f"{attr}.{level}_min_count", group, f"{level.title()}: at least",
                      "count", "… and the count reaches this minimum.", 0, None),
        ]  # fmt: skip
    return rows


PARAMETERS: tuple[Parameter, ...] = (
    Parameter("claim_window_days", "Refunds", "Claim window", "days",
              "A claim filed more than this many days after delivery is rejected.", 1, 365),
    Parameter("late_grace_days", "Refunds", "Late-shipment grace", "days",
              "Days after the ship-by date before a shipment counts as late.", 0, 90),
    Parameter("late_rate_per_day_bp", "Refunds", "Late-shipment rate per day", "rate",
              "Refund per day late, as a share of the cap.", 0, 10_000),
    Parameter("late_rate_max_bp", "Refunds", "Late-shipment cap", "rate",
              "The late-shipment refund stops at this share of the cap.", 0, 10_000),
    Parameter("quality_full_refund_defect_bp", "Refunds", "Full refund at defect rate", "rate",
              "A quality claim whose inspection finds this defect rate or more is refunded "
              "in full; below it, the defect rate's share of the cap.", 0, 10_000),
    Parameter("inspection_fee_refund_bp", "Refunds", "Inspection fee refunded", "rate",
              "Share of the buyer's inspection fee refunded when the goods fail inspection "
              "(the supplier is at fault).", 0, 10_000),
    Parameter("non_delivery_days", "Refunds", "Non-delivery after", "days",
              "Shipped but not delivered this many days later: full refund.", 1, 365),
    Parameter("four_eyes_threshold_cents", "Refunds", "Four-eyes threshold", "money",
              "Refunds above this amount need a second, different reviewer.", 0, None),
    Parameter("supplier_response_days", "Dispute clock", "Supplier responds within", "days",
              "Days the supplier has to accept or dispute a claim.", 1, 60),
    Parameter("buyer_may_escalate_after_days", "Dispute clock", "Buyer may escalate after",
              "days", "The buyer may escalate to the dispute team after this many days.", 1, 60),
    Parameter("auto_escalate_after_days", "Dispute clock", "Automatic escalation after",
              "days", "An unresolved claim escalates by itself after this many days.", 1, 90),
    Parameter("pickup_working_days", "Dispute clock", "Pick-up within", "working days",
              "The dispute team picks an escalated claim up within this many working days.",
              0, 30),
    Parameter("decision_working_days", "Dispute clock", "Decision within", "working days",
              "… and decides it within this many more.", 0, 30),
    Parameter("max_shipping_days", "Order terms", "Longest shipping time", "days",
              "An imported order's ship-by date may be at most this many days after it was "
              "placed.", 1, 365),
    Parameter("monitoring_window_days", "Monitoring tiers", "Monitoring window", "days",
              "Supplier tiers count the trailing this many days.", 1, 365),
    *_tiers("late_shipment_tiers", "late shipments",
            "late orders ÷ orders due in the window"),
    *_tiers("dispute_tiers", "disputes", "claims filed ÷ orders placed in the window"),
)  # fmt: skip


def value_of(policy: Policy, path: str) -> int:
    head, _, tail = path.partition(".")
    value = getattr(policy, head)
    result = getattr(value, tail) if tail else value
    assert isinstance(result, int)
    return result


def with_values(policy: Policy, values: dict[str, int], version: str | None = None) -> Policy:
    """``policy`` with the given parameters changed; ``rules.PolicyError`` if invalid."""
    top: dict[str, object] = {}
    tiers: dict[str, dict[str, int]] = {}
    for path, value in values.items():
        head, _, tail = path.partition(".")
        if tail:
            tiers.setdefault(head, {})[tail] = value
        else:
            top[head] = value
    for head, changes in tiers.items():
        current: TierThresholds = getattr(policy, head)
        top[head] = dataclasses.replace(current, **changes)
    if version is not None:
        top["version"] = version
    return dataclasses.replace(policy, **top)  # type: ignore[arg-type]


def show_value(parameter: Parameter, value: int, currency: str = "USD") -> str:
    if parameter.unit == "rate":
        return format_rate(value)
    if parameter.unit == "money":
        return format_money(value, currency)
    if parameter.unit == "count":
        return str(value)
    return f"{value} {parameter.unit}" if value != 1 else f"1 {parameter.unit[:-1]}"


def changed_parameters(old: Policy, new: Policy) -> dict[str, list[str]]:
    """``{path: [old shown, new shown]}`` of every parameter that differs (and holidays)."""
    changes = {
        p.path: [show_value(p, value_of(old, p.path), old.currency),
                 show_value(p, value_of(new, p.path), new.currency)]
        for p in PARAMETERS
        if value_of(old, p.path) != value_of(new, p.path)
    }  # fmt: skip
    if old.holidays != new.holidays:
        changes["holidays"] = [
            ", ".join(d.isoformat() for d in old.holidays) or "none",
            ", ".join(d.isoformat() for d in new.holidays) or "none",
        ]
    if old.currency != new.currency:
        changes["currency"] = [old.currency, new.currency]
    return changes
