"""Every policy parameter changes an outcome: a parameter read but never used is a defect.

Each probe computes an outcome under a policy; changing the one parameter must change it. The
parameters the services apply (the import's longest shipping time, the monitoring window of
the supplier record) have their probes with the database, named in :data:`SERVICE_PROBES`, and
the last test makes sure no field of ``Policy`` is left without one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from rules import (
    ClaimFacts,
    ClaimKind,
    OrderFacts,
    Policy,
    SupplierResponse,
    TierThresholds,
    add_working_days,
    bundled_policy,
    claim_deadlines,
    recommend,
)

V1 = bundled_policy("v1")
TODAY = date(2025, 6, 1)


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[arg-type,misc]


def _late(policy: Policy, shipped: datetime, **claim: object) -> object:
    facts = ClaimFacts(
        ClaimKind.LATE_SHIPMENT, _utc(2025, 5, 1), 100_000, SupplierResponse.NONE, False,
        None, None, 0,
    )  # fmt: skip
    facts = dataclasses.replace(facts, **claim)  # type: ignore[arg-type]
    order = OrderFacts(100_000, 100_000, 0, date(2025, 3, 10), shipped, None)
    rec = recommend(facts, order, policy, TODAY)
    return rec.action, rec.amount_cents, rec.reason_codes


def _quality(policy: Policy) -> object:
    facts = ClaimFacts(
        ClaimKind.QUALITY, _utc(2025, 5, 1), 100_000, SupplierResponse.NONE, True, 4_000,
        False, 0,
    )  # fmt: skip
    order = OrderFacts(100_000, 100_000, 0, date(2025, 3, 10), _utc(2025, 3, 9), None)
    return recommend(facts, order, policy, TODAY).action


def _inspection_fee(policy: Policy) -> object:
    facts = ClaimFacts(
        ClaimKind.QUALITY, _utc(2025, 5, 1), 100_000, SupplierResponse.NONE, True, 1_000,
        False, 25_000,
    )  # fmt: skip
    order = OrderFacts(100_000, 100_000, 0, date(2025, 3, 10), _utc(2025, 3, 9), None)
    return recommend(facts, order, policy, TODAY).amount_cents


def _window(policy: Policy) -> object:
    facts = ClaimFacts(
        ClaimKind.QUALITY, _utc(2025, 5, 2), 100_000, SupplierResponse.NONE, False, None,
        None, 0,
    )  # fmt: skip
    delivered = OrderFacts(
        100_000, 100_000, 0, date(2025, 3, 10), _utc(2025, 3, 9), _utc(2025, 4, 1)
    )
    return recommend(facts, delivered, policy, TODAY).reason_codes[0]


def _non_delivery(policy: Policy) -> object:
    facts = ClaimFacts(
        ClaimKind.NON_DELIVERY, _utc(2025, 5, 1), 100_000, SupplierResponse.NONE, False,
        None, None, 0,
    )  # fmt: skip
    order = OrderFacts(100_000, 100_000, 0, date(2025, 3, 10), _utc(2025, 4, 10), None)
    return recommend(facts, order, policy, date(2025, 6, 1)).action  # 52 days after shipping


def _four_eyes(policy: Policy) -> object:
    facts = ClaimFacts(
        ClaimKind.LATE_SHIPMENT, _utc(2025, 5, 1), 1_500_000, SupplierResponse.ACCEPTED, False,
        None, None, 0,
    )  # fmt: skip
    order = OrderFacts(1_500_000, 1_500_000, 0, date(2025, 3, 10), None, None)
    return recommend(facts, order, policy, TODAY).four_eyes_required


def _clock(policy: Policy) -> object:
    d = claim_deadlines(_utc(2025, 3, 3, 10), None, None, policy)
    return (d.supplier_response_due, d.buyer_may_escalate_from, d.auto_escalation_at,
            d.pickup_due, d.decision_due)  # fmt: skip


def _tier(attr: str, count: int, total: int) -> Callable[[Policy], object]:
    def probe(policy: Policy) -> object:
        tiers: TierThresholds = getattr(policy, attr)
        return tiers.classify(count, total)

    return probe


def _tiers(attr: str, level: str, value: int) -> dict[str, object]:
    """A change of one threshold of ``attr``'s ``level``, keeping the levels in order."""
    tiers: TierThresholds = getattr(V1, attr)
    return {attr: dataclasses.replace(tiers, **{level: value})}


# field -> (the changed values, the probe that must notice)
RULE_PROBES: dict[str, tuple[dict[str, object], Callable[[Policy], object]]] = {
    "version": ({"version": "v1-draft"}, lambda p: recommend_version(p)),
    "currency": ({"currency": "EUR"}, lambda p: recommend_sentence(p)),
    "claim_window_days": ({"claim_window_days": 31}, _window),
    "late_grace_days": ({"late_grace_days": 3}, lambda p: _late(p, _utc(2025, 3, 13))),
    "late_rate_per_day_bp": ({"late_rate_per_day_bp": 200}, lambda p: _late(p, _utc(2025, 3, 13))),
    "late_rate_max_bp": ({"late_rate_max_bp": 1_000}, lambda p: _late(p, _utc(2025, 4, 4))),
    "quality_full_refund_defect_bp": ({"quality_full_refund_defect_bp": 4_000}, _quality),
    "inspection_fee_refund_bp": ({"inspection_fee_refund_bp": 5_000}, _inspection_fee),
    "non_delivery_days": ({"non_delivery_days": 45}, _non_delivery),
    "four_eyes_threshold_cents": ({"four_eyes_threshold_cents": 2_000_000}, _four_eyes),
    "supplier_response_days": ({"supplier_response_days": 2}, _clock),
    "buyer_may_escalate_after_days": ({"buyer_may_escalate_after_days": 4}, _clock),
    "auto_escalate_after_days": ({"auto_escalate_after_days": 9}, _clock),
    "pickup_working_days": ({"pickup_working_days": 3}, _clock),
    "decision_working_days": ({"decision_working_days": 1}, _clock),
    "holidays": (
        {"holidays": (date(2025, 3, 4),)},
        lambda p: add_working_days(_utc(2025, 3, 3, 10), 1, frozenset(p.holidays)),
    ),
    # Late shipment: 4 late of 40 due (10%) is "watch" under v1 (5%, 3), "warning" needs 5.
    "late_shipment_tiers.watch_bp": (
        _tiers("late_shipment_tiers", "watch_bp", 800),
        _tier("late_shipment_tiers", 3, 40),
    ),
    "late_shipment_tiers.watch_min_count": (
        _tiers("late_shipment_tiers", "watch_min_count", 5),
        _tier("late_shipment_tiers", 4, 40),
    ),
    "late_shipment_tiers.warning_bp": (
        _tiers("late_shipment_tiers", "warning_bp", 700),
        _tier("late_shipment_tiers", 5, 60),
    ),
    "late_shipment_tiers.warning_min_count": (
        _tiers("late_shipment_tiers", "warning_min_count", 4),
        _tier("late_shipment_tiers", 4, 40),
    ),
    "late_shipment_tiers.excessive_bp": (
        _tiers("late_shipment_tiers", "excessive_bp", 1_000),
        _tier("late_shipment_tiers", 10, 80),
    ),
    "late_shipment_tiers.excessive_min_count": (
        _tiers("late_shipment_tiers", "excessive_min_count", 5),
        _tier("late_shipment_tiers", 6, 20),
    ),
    # Disputes: 3 claims of 40 orders (7.5%) is "warning" under v1 (5%, 3).
    "dispute_tiers.watch_bp": (
        _tiers("dispute_tiers", "watch_bp", 400),
        _tier("dispute_tiers", 2, 60),
    ),
    "dispute_tiers.watch_min_count": (
        _tiers("dispute_tiers", "watch_min_count", 3),
        _tier("dispute_tiers", 2, 60),
    ),
    "dispute_tiers.warning_bp": (
        _tiers("dispute_tiers", "warning_bp", 800),
        _tier("dispute_tiers", 3, 40),
    ),
    "dispute_tiers.warning_min_count": (
        _tiers("dispute_tiers", "warning_min_count", 4),
        _tier("dispute_tiers", 3, 40),
    ),
    "dispute_tiers.excessive_bp": (
        _tiers("dispute_tiers", "excessive_bp", 600),
        _tier("dispute_tiers", 5, 70),
    ),
    "dispute_tiers.excessive_min_count": (
        _tiers("dispute_tiers", "excessive_min_count", 6),
        _tier("dispute_tiers", 5, 20),
    ),
}

#: Parameters the services apply, and the tests that show them changing an outcome.
SERVICE_PROBES = {
    "max_shipping_days": (
        "tests/integration/test_import.py::test_the_longest_shipping_time_is_the_policys"
    ),
    "monitoring_window_days": (
        "tests/integration/test_claim_queue.py::test_the_supplier_records_window_is_the_policys"
    ),
}


def recommend_version(policy: Policy) -> object:
    facts = ClaimFacts(
        ClaimKind.QUALITY, _utc(2025, 5, 1), 100, SupplierResponse.NONE, False, None, None, 0
    )
    order = OrderFacts(100, 100, 0, date(2025, 3, 10), None, None)
    return recommend(facts, order, policy, TODAY).policy_version


def recommend_sentence(policy: Policy) -> object:
    facts = ClaimFacts(
        ClaimKind.LATE_SHIPMENT, _utc(2025, 5, 1), 100_000, SupplierResponse.NONE, False, None,
        None, 0,
    )  # fmt: skip
    order = OrderFacts(100_000, 100_000, 0, date(2025, 3, 10), _utc(2025, 3, 13), None)
    return recommend(facts, order, policy, TODAY).reasons[0].message


@pytest.mark.parametrize("name", sorted(RULE_PROBES))
def test_changing_a_parameter_changes_an_outcome(name: str) -> None:
    changes, probe = RULE_PROBES[name]
    changed = dataclasses.replace(V1, **changes)  # type: ignore[arg-type]
    assert probe(changed) != probe(V1), name


def _parameter_names() -> set[str]:
    names = set()
    for spec in dataclasses.fields(Policy):
        value = getattr(V1, spec.name)
        if isinstance(value, TierThresholds):
            names |= {f"{spec.name}.{t.name}" for t in dataclasses.fields(TierThresholds)}
        else:
            names.add(spec.name)
    return names


def test_no_parameter_is_left_without_a_probe() -> None:
    assert _parameter_names() == set(RULE_PROBES) | set(SERVICE_PROBES)
    for test in SERVICE_PROBES.values():
        path, name = test.split("::")
        source = (Path(__file__).resolve().parents[3] / path).read_text()
        assert f"def {name}(" in source, test
