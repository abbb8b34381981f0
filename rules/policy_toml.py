"""A ``Policy`` written back as TOML in the format of ``policies/v1.toml``.

Drafts edited on the policy page are stored as this text, so a stored version reads exactly like
a bundled file and goes through the one parser (``rules.policy.parse_policy``) on the way back:
``parse_policy(policy_toml(p)) == p`` for every valid policy.
"""

from __future__ import annotations

from rules.facts import format_rate
from rules.policy import (
    _MONITORING_WINDOW,
    _POLICY_SPECS,
    _TIER_SPECS,
    _TIER_TABLES,
    Policy,
    TierThresholds,
    _Spec,
)

__all__ = ["policy_toml"]


def _value(spec: _Spec, value: int) -> str:
    if spec.kind == "rate":
        return f'"{format_rate(value)}"'
    if spec.kind == "money":
        return f'"{value // 100}.{value % 100:02d}"'  # validated non-negative
    return str(value)


def policy_toml(policy: Policy, *, header: str = "") -> str:
    """The TOML text of ``policy``; ``header`` (plain lines) goes first as comments."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    if lines:
        lines.append("")
    lines += [f'version = "{policy.version}"', f'currency = "{policy.currency}"', ""]
    lines += [f"{s.key} = {_value(s, getattr(policy, s.attr))}" for s in _POLICY_SPECS]
    lines.append(f"holidays = [{', '.join(day.isoformat() for day in policy.holidays)}]")
    lines += ["", "[monitoring]"]
    lines.append(f"{_MONITORING_WINDOW.key.removeprefix('monitoring_')} = "
                 f"{policy.monitoring_window_days}")  # fmt: skip
    for attr, table in _TIER_TABLES.items():
        tiers: TierThresholds = getattr(policy, attr)
        lines += ["", f"[monitoring.{table}]"]
        lines += [f"{s.key} = {_value(s, getattr(tiers, s.attr))}" for s in _TIER_SPECS]
    return "\n".join(lines) + "\n"
