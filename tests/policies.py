"""Hypothesis strategies for valid policies: every rule parameter drawn within its range."""

from __future__ import annotations

import dataclasses
from datetime import date

from hypothesis import strategies as st

from rules import Policy, TierThresholds, bundled_policy

V1 = bundled_policy("v1")


@st.composite
def tier_thresholds(draw: st.DrawFn) -> TierThresholds:
    bps = sorted(draw(st.lists(st.integers(0, 10_000), min_size=3, max_size=3)))
    counts = sorted(draw(st.lists(st.integers(0, 50), min_size=3, max_size=3)))
    return TierThresholds(bps[0], counts[0], bps[1], counts[1], bps[2], counts[2])


@st.composite
def policies(draw: st.DrawFn, version: str = "v2") -> Policy:
    """A valid policy far and near v1: every parameter of ``Policy`` may move."""
    response = draw(st.integers(1, 20))
    escalate = draw(st.integers(response, 40))
    return dataclasses.replace(
        V1,
        version=version,
        currency=draw(st.sampled_from(["USD", "EUR"])),
        claim_window_days=draw(st.integers(1, 365)),
        late_grace_days=draw(st.integers(0, 90)),
        late_rate_per_day_bp=draw(st.integers(0, 10_000)),
        late_rate_max_bp=draw(st.integers(0, 10_000)),
        quality_full_refund_defect_bp=draw(st.integers(0, 10_000)),
        inspection_fee_refund_bp=draw(st.integers(0, 10_000)),
        non_delivery_days=draw(st.integers(1, 365)),
        four_eyes_threshold_cents=draw(st.integers(0, 10**10)),
        supplier_response_days=response,
        buyer_may_escalate_after_days=escalate,
        auto_escalate_after_days=draw(st.integers(escalate, 90)),
        pickup_working_days=draw(st.integers(0, 30)),
        decision_working_days=draw(st.integers(0, 30)),
        max_shipping_days=draw(st.integers(1, 365)),
        monitoring_window_days=draw(st.integers(1, 365)),
        late_shipment_tiers=draw(tier_thresholds()),
        dispute_tiers=draw(tier_thresholds()),
        holidays=tuple(draw(st.lists(st.dates(date(2024, 1, 1), date(2027, 12, 31)), max_size=4))),
    )
