"""The reviewer screens' words: text as text, the supplier record's rates and tier, labels."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules import MonitoringTier, TierThresholds, bundled_policy
from services.claims.queue import QueueItem
from services.claims.view import SupplierRecord
from tests.ui.conftest import unescape
from ui import claim_widgets as w
from ui import supplier_record as sr
from ui.labels import KIND_LABELS, ROLE_LABELS, label
from ui.text import literal, plain

POLICY = bundled_policy("v1")


@pytest.mark.parametrize(
    "text",
    [
        "Added ana@example.com as admin.",
        "see http://evil.test/x and www.evil.test",
        "[link](https://evil.test)",
        "<mailto:someone@example.org>",
    ],
)
def test_addresses_are_shown_as_code_never_as_links(text: str) -> None:
    shown = plain(text)
    # Each address sits inside a code span, where markdown makes no link.
    outside = re.sub(r"(`+).*?\1", "", shown)
    assert "@" not in outside and "://" not in outside and "www" not in outside
    assert unescape(shown) == text


@given(st.text(alphabet=" abc@.:/w`\\*_[]()<>#\n-", max_size=40))
def test_plain_text_reads_back_exactly(text: str) -> None:
    assert unescape(plain(text)) == text


@pytest.mark.parametrize("text", ["a`b", "``x``", "`edge`", "x@y.z"])
def test_a_literal_holds_any_backticks(text: str) -> None:
    span = literal(text)
    assert unescape(span) == text
    fence = re.match(r"`+", span)
    assert fence is not None and fence.group() not in text


def _record(**counts: int) -> SupplierRecord:
    values = {
        "window_days": 90, "orders_due": 0, "orders_late": 0, "orders_placed": 0,
        "claims_filed": 0, "limit_cents": 0, "exposure_cents": 0,
    }  # fmt: skip
    values.update(counts)
    late = (values["orders_late"], values["orders_due"])
    disputes = (values["claims_filed"], values["orders_placed"])
    tier = POLICY.monitoring_tier(
        late_count=late[0], late_total=late[1], dispute_count=disputes[0], dispute_total=disputes[1]
    )
    return SupplierRecord(tier=tier, **values)


def test_a_rate_on_fewer_orders_than_any_minimum_count_is_not_rated() -> None:
    # v1's smallest minimum counts: 3 late orders, 2 claims.
    rate = sr.late_shipment_rate(_record(orders_late=1, orders_due=1), POLICY)
    assert (rate.value, rate.counts, rate.rated) == (
        "Not rated", "1 of 1 — too few orders to rate", False,
    )  # fmt: skip
    rated = sr.late_shipment_rate(_record(orders_late=1, orders_due=3), POLICY)
    assert (rated.value, rated.counts, rated.rated) == ("33.33%", "1 late of 3 orders due", True)
    assert sr.dispute_rate(_record(claims_filed=1, orders_placed=1), POLICY).value == "Not rated"
    assert sr.dispute_rate(_record(claims_filed=0, orders_placed=2), POLICY).value == "0.00%"
    nothing = sr.dispute_rate(_record(), POLICY)
    assert (nothing.value, nothing.counts) == ("–", "no orders placed in the window")


def test_the_minimum_comes_from_the_policy() -> None:
    strict = replace(POLICY, late_shipment_tiers=TierThresholds(500, 8, 1000, 9, 2000, 10))
    record = _record(orders_late=7, orders_due=7)
    assert sr.late_shipment_rate(record, POLICY).rated
    assert not sr.late_shipment_rate(record, strict).rated


def test_the_tier_says_what_it_means_why_this_supplier_is_in_it_and_the_thresholds() -> None:
    record = _record(orders_late=12, orders_due=40, claims_filed=1, orders_placed=40)
    assert record.tier is MonitoringTier.EXCESSIVE
    meaning, because, thresholds = sr.tier_explanation(record, POLICY)
    assert "last 90 days" in meaning and "minimum count" in meaning
    assert because == (
        "**Excessive** because its late-shipment rate — 12 of 40, 30.00% — is at least 20% "
        "with at least 10 late orders."
    )
    assert thresholds == (
        "Thresholds (policy v1, last 90 days): late shipments — watch 5% with 3 late orders, "
        "warning 10% with 5 late orders, excessive 20% with 10 late orders; disputes — "
        "watch 2% with 2 claims, warning 5% with 3 claims, excessive 10% with 5 claims."
    )
    both = _record(orders_late=10, orders_due=40, claims_filed=5, orders_placed=40)
    assert (
        "; and its dispute rate — 5 of 40, 12.50% — is at least 10% with at least 5 claims"
        in (sr.tier_explanation(both, POLICY)[1])
    )
    assert sr.tier_explanation(_record(), POLICY)[1] == (
        "This supplier reaches no tier on either rate."
    )
    assert sr.tier_label(None) == "None"


def test_one_label_for_each_stored_word() -> None:
    assert label(KIND_LABELS, "non_delivery") == "Non-delivery"
    assert label(ROLE_LABELS, "claim_reviewer") == "Claim reviewer"
    assert label(KIND_LABELS, "lost_in_transit") == "Lost in transit"  # unknown: still words
    assert label(KIND_LABELS, None) == "–"


def _item(**fields: object) -> QueueItem:
    values: dict[str, object] = {
        "claim_id": 1, "claim_external_id": "CLM-1", "order_external_id": "ORD-1",
        "supplier_name": "S", "supplier_country": "CN", "kind": "quality", "status": "open",
        "claimed_amount_cents": 1_000_00, "recommended_action": "approve_partial",
        "recommended_amount_cents": 50_00, "four_eyes_required": False, "deadline_label": None,
        "deadline_at": None, "assignee_name": None, "proposer_name": None,
        "lapsed_proposer_name": None, "bulk_refusal": None,
    }  # fmt: skip
    values.update(fields)
    return QueueItem(**values)  # type: ignore[arg-type]


def test_a_queue_row_says_what_is_recommended_and_who_stands_behind_the_status() -> None:
    assert w.recommendation_text(_item()) == ("USD 50.00", "recommended in part")
    assert w.recommendation_text(
        _item(recommended_action="approve_full", four_eyes_required=True)
    ) == ("USD 50.00", "recommended in full · four-eyes")
    assert w.recommendation_text(_item(recommended_action="reject")) == ("Reject", "recommended")
    assert w.recommendation_text(_item(recommended_action=None)) == (
        "–", "no recommendation yet",
    )  # fmt: skip
    assert w.status_text(_item(assignee_name="Rita")) == ("Open", "assigned to Rita")
    waiting = _item(status="awaiting_second_approval", proposer_name="Ravi")
    assert w.status_text(waiting) == ("2nd approval", "proposed by Ravi")
    assert w.status_text(_item(lapsed_proposer_name="Ravi")) == ("Open", "proposal lapsed")
    now = datetime(2025, 3, 3, 12, tzinfo=UTC)
    due = _item(deadline_label="pickup_due", deadline_at=datetime(2025, 3, 1, 12, tzinfo=UTC))
    assert w.deadline_text(due, now, UTC) == ("Overdue 2 d", "pick-up", "overdue")


def test_every_reason_code_and_action_has_words() -> None:
    """A code the rules add without words would reach a screen as NO_INSPECTION_REPORT."""
    from rules import Action, ReasonCode
    from ui.labels import ACTION_LABELS, REASON_LABELS

    assert set(REASON_LABELS) == {code.value for code in ReasonCode}
    assert len(set(REASON_LABELS.values())) == len(ReasonCode)
    assert ACTION_LABELS["approve_partial"] == "Approve in part"
    assert {action.words for action in Action} == {
        "approve in full", "approve in part", "reject", "request evidence"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("claims", "late", "dispute_counts", "late_counts"),
    [
        (1, 1, "1 claim of 127 orders placed", "1 late of 120 orders due"),
        (3, 0, "3 claims of 127 orders placed", "0 late of 120 orders due"),
    ],
)
def test_the_claim_pages_supplier_record_writes_rates_and_counts_as_every_screen_does(
    claims: int, late: int, dispute_counts: str, late_counts: str
) -> None:
    """It said "1 claims of 127 orders placed" and "0.8%" where the supplier page says
    "1 claim" and "0.79%"."""
    from rules import bundled_policy
    from services.claims.view import SupplierRecord
    from ui import format
    from ui import supplier_record as sr

    record = SupplierRecord(90, 120, late, 127, claims, 0, 0, None)
    policy = bundled_policy("v1")
    dispute = sr.dispute_rate(record, policy)
    assert (dispute.value, dispute.counts) == (format.rate(claims, 127), dispute_counts)
    assert dispute.value.endswith("%") and len(dispute.value.split(".")[1]) == 3  # "0.79%"
    rate = sr.late_shipment_rate(record, policy)
    assert (rate.value, rate.counts) == (format.rate(late, 120), late_counts)
