"""The shared rules module: pure, standard library only, frozen in and frozen out.

Everything the app, the CLI, batch recomputation and the what-if simulator need is re-exported
here; ``today`` and ``now`` are always passed in so results never depend on the clock.
"""

from rules.deadlines import ClaimDeadlines, add_working_days, claim_deadlines, is_working_day
from rules.facts import (
    Action,
    ClaimFacts,
    ClaimKind,
    OrderFacts,
    Reason,
    ReasonCode,
    Recommendation,
    SupplierResponse,
    format_money,
    format_rate,
)
from rules.policy import (
    MonitoringTier,
    Policy,
    PolicyError,
    TierThresholds,
    available_versions,
    bundled_policy,
    load_policy,
    parse_policy,
)
from rules.recommend import apply_rate, departs_from, needs_second_approval, recommend

__all__ = [
    "Action",
    "ClaimDeadlines",
    "ClaimFacts",
    "ClaimKind",
    "MonitoringTier",
    "OrderFacts",
    "Policy",
    "PolicyError",
    "Reason",
    "ReasonCode",
    "Recommendation",
    "SupplierResponse",
    "TierThresholds",
    "add_working_days",
    "apply_rate",
    "available_versions",
    "bundled_policy",
    "claim_deadlines",
    "departs_from",
    "format_money",
    "format_rate",
    "is_working_day",
    "load_policy",
    "needs_second_approval",
    "parse_policy",
    "recommend",
]
