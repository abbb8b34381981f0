"""Policy files: v1 holds the documented defaults; bad files are refused naming the field."""

from __future__ import annotations

import dataclasses
from datetime import date
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings

from rules import (
    MonitoringTier,
    Policy,
    PolicyError,
    TierThresholds,
    available_versions,
    bundled_policy,
    load_policy,
    parse_policy,
    policy_toml,
)
from tests.policies import policies

V1_TEXT = resources.files("rules").joinpath("policies", "v1.toml").read_text(encoding="utf-8")


def test_v1_holds_the_design_defaults() -> None:
    p = bundled_policy("v1")
    assert p == Policy(version="v1")
    # DESIGN.md §2/§4, written out so a change to the defaults in code is caught too.
    assert (p.claim_window_days, p.late_grace_days, p.non_delivery_days) == (30, 0, 60)
    assert (p.late_rate_per_day_bp, p.late_rate_max_bp) == (100, 2000)
    assert p.quality_full_refund_defect_bp == 5000
    assert p.four_eyes_threshold_cents == 1_000_000
    assert (p.supplier_response_days, p.buyer_may_escalate_after_days) == (3, 3)
    assert p.auto_escalate_after_days == 7
    assert (p.pickup_working_days, p.decision_working_days) == (2, 2)
    assert p.max_shipping_days == 90
    assert p.monitoring_window_days == 90
    assert p.late_shipment_tiers == TierThresholds(500, 3, 1000, 5, 2000, 10)
    assert p.dispute_tiers == TierThresholds(200, 2, 500, 3, 1000, 5)
    assert (p.currency, p.holidays) == ("USD", ())


def test_versions_and_loading_by_path(tmp_path: Path) -> None:
    assert "v1" in available_versions()
    assert bundled_policy() is bundled_policy("v1")  # parsed once, then shared (it is frozen)
    path = tmp_path / "v1.toml"
    path.write_text(V1_TEXT, encoding="utf-8")
    assert load_policy(path) == bundled_policy("v1")


def test_new_version_with_holidays(tmp_path: Path) -> None:
    text = V1_TEXT.replace('version = "v1"', 'version = "v2"').replace(
        "holidays = []", "holidays = [2025-12-25, 2025-01-01, 2025-12-25]"
    )
    path = tmp_path / "v2.toml"
    path.write_text(text, encoding="utf-8")
    policy = load_policy(path)
    assert policy.version == "v2"
    assert policy.holidays == (date(2025, 1, 1), date(2025, 12, 25))


def test_unknown_bundled_version() -> None:
    with pytest.raises(PolicyError) as err:
        bundled_policy("v999")
    assert err.value.field == "version"


def _load(tmp_path: Path, text: str) -> PolicyError:
    path = tmp_path / "v1.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        load_policy(path)
    return err.value


def _sub(old: str, new: str) -> str:
    """Replace the value of one key; the key is part of ``old`` so the header is left alone."""
    assert old in V1_TEXT
    return V1_TEXT.replace(old, new, 1)


FOUR_EYES = 'four_eyes_threshold = "10000.00"'


def _money(value: str) -> str:
    return _sub(FOUR_EYES, f"four_eyes_threshold = {value}")


@pytest.mark.parametrize(
    ("text", "field", "reason_part"),
    [
        (_sub('currency = "USD"', 'currency = "USD"\nlate_rate_min = "3%"'), "late_rate_min",
         "unknown key"),
        (_sub("late_grace_days = 0", ""), "late_grace_days", "missing"),
        (_sub('late_rate_per_day = "1%"', 'late_rate_per_day = "-1%"'), "late_rate_per_day",
         "between 0% and 100%"),
        (_sub('late_rate_max = "20%"', 'late_rate_max = "100.01%"'), "late_rate_max",
         "between 0% and 100%"),
        (_sub('late_rate_max = "20%"', "late_rate_max = 0.2"), "late_rate_max",
         "percentage string"),
        (_sub('late_rate_max = "20%"', 'late_rate_max = "20"'), "late_rate_max",
         "percentage string"),
        (_sub('late_rate_max = "20%"', 'late_rate_max = "0.005%"'), "late_rate_max",
         "basis points"),
        (_sub("claim_window_days = 30", 'claim_window_days = "30"'), "claim_window_days",
         "integer"),
        (_sub("claim_window_days = 30", "claim_window_days = 30.0"), "claim_window_days",
         "integer"),
        (_sub("claim_window_days = 30", "claim_window_days = true"), "claim_window_days",
         "integer"),
        (_sub("claim_window_days = 30", "claim_window_days = 0"), "claim_window_days",
         "between 1 and 365"),
        (_money('"10,000.00"'), "four_eyes_threshold", "money string"),
        (_money('"10000.001"'), "four_eyes_threshold", "money string"),
        (_money("10000"), "four_eyes_threshold", "money string"),
        (_money('"-1.00"'), "four_eyes_threshold", "negative"),
        (_sub('version = "v1"', 'version = "v2"'), "version", "v1.toml"),
        (_sub('currency = "USD"', 'currency = "usd"'), "currency", "ISO 4217"),
        (_sub("holidays = []", "holidays = [2025-12-25T00:00:00Z]"), "holidays", "dates"),
        (_sub("window_days = 90", "window_days = 90\nwindow_weeks = 3"),
         "monitoring.window_weeks", "unknown key"),
        (_sub("watch_min_count = 3\n", ""), "monitoring.late_shipment.watch_min_count",
         "missing"),
        (_sub('excessive = "10%"', 'excessive = "101%"'), "monitoring.dispute.excessive",
         "between 0% and 100%"),
        (_sub('warning = "10%"', 'warning = "1%"'), "monitoring.late_shipment.warning",
         "below the watch level"),
        (_sub("auto_escalate_after_days = 7", "auto_escalate_after_days = 2"),
         "auto_escalate_after_days", "before the buyer may escalate"),
    ],
)  # fmt: skip
def test_bad_files_name_the_field(tmp_path: Path, text: str, field: str, reason_part: str) -> None:
    err = _load(tmp_path, text)
    assert err.field == field
    assert reason_part in err.reason
    assert str(err).startswith(f"policy v1.toml: field '{field}': ")


def test_error_message_reads_well(tmp_path: Path) -> None:
    err = _load(tmp_path, _sub('late_rate_max = "20%"', 'late_rate_max = "120%"'))
    assert str(err) == (
        "policy v1.toml: field 'late_rate_max': must be between 0% and 100%, got 120%"
    )
    assert isinstance(err, ValueError)


def test_file_level_errors(tmp_path: Path) -> None:
    err = _load(tmp_path, "version = ")
    assert err.field is None and "not valid TOML" in str(err)
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(tmp_path / "missing.toml")
    with pytest.raises(PolicyError) as parsed:
        parse_policy(V1_TEXT[: V1_TEXT.index("[monitoring]")] + "monitoring = 3", source="draft")
    assert str(parsed.value).startswith("policy draft: field 'monitoring': must be a table")


def test_policy_in_code_is_validated_too() -> None:
    v1 = bundled_policy()
    with pytest.raises(PolicyError) as err:
        dataclasses.replace(v1, late_rate_max_bp=10_001)
    assert err.value.field == "late_rate_max_bp"
    with pytest.raises(PolicyError) as err:
        dataclasses.replace(v1, four_eyes_threshold_cents=-1)
    assert err.value.field == "four_eyes_threshold_cents"
    with pytest.raises(PolicyError) as err:
        dataclasses.replace(v1, dispute_tiers=TierThresholds(500, 2, 200, 3, 1000, 5))
    assert err.value.field == "dispute_tiers.warning_bp"
    with pytest.raises(PolicyError):
        Policy(version="")


@pytest.mark.parametrize(
    ("count", "total", "tier"),
    [
        (0, 0, None),
        (2, 10, None),  # 20% but below the watch minimum of 3
        (3, 60, MonitoringTier.WATCH),  # exactly 5%
        (3, 61, None),  # 4.92%
        (5, 50, MonitoringTier.WARNING),
        (9, 10, MonitoringTier.WARNING),  # 90% but below the excessive minimum of 10
        (10, 50, MonitoringTier.EXCESSIVE),
    ],
)
def test_late_shipment_tiers(count: int, total: int, tier: MonitoringTier | None) -> None:
    assert bundled_policy().late_shipment_tiers.classify(count, total) is tier


def test_monitoring_tier_is_the_worse_of_both() -> None:
    p = bundled_policy()
    assert p.monitoring_tier(late_count=3, late_total=60, dispute_count=5, dispute_total=50) is (
        MonitoringTier.EXCESSIVE
    )
    assert p.monitoring_tier(late_count=10, late_total=50, dispute_count=0, dispute_total=50) is (
        MonitoringTier.EXCESSIVE
    )
    assert p.monitoring_tier(late_count=0, late_total=50, dispute_count=0, dispute_total=50) is None


@settings(max_examples=200, deadline=None)
@given(policies())
def test_policy_toml_reads_back_as_the_same_policy(policy: Policy) -> None:
    text = policy_toml(policy, header="a draft\nof v2")
    assert text.startswith("# a draft\n# of v2\n")
    assert parse_policy(text) == policy


def test_v1_written_back_equals_the_bundled_file() -> None:
    v1 = bundled_policy("v1")
    assert parse_policy(policy_toml(v1), expected_version="v1") == v1
    assert 'inspection_fee_refund = "100%"' in policy_toml(v1)
