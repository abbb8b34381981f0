"""AppTest: the policy page simulates an edited policy, saves a draft, and a second ops manager
activates it."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from streamlit.proto.Metric_pb2 import Metric as MetricProto

from data_access.engine import make_engine
from tests import factories as f
from tests.ui.conftest import EMAILS, open_app, unescape

PAGE = "pages/policy.py"


def _button(at: object, label: str) -> object:
    return next(b for b in at.button if b.label == label)  # type: ignore[attr-defined]


@pytest.mark.usefixtures("app_database")
def test_simulate_an_edited_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    # The fixture's claim was filed 2025-01-25 on an order due 2025-01-20 and never shipped.
    monkeypatch.setenv("ASSURANCE_CLOCK", "2025-02-10T09:00:00Z")
    at = open_app(EMAILS["ops_manager"], PAGE)
    assert not at.exception and not at.error
    assert at.title[0].value == "Policy"
    at.number_input(key="policy_v1_four_eyes_threshold_cents").set_value(100.0)
    at.date_input[0].set_value(__import__("datetime").date(2025, 1, 1))
    _button(at, "Simulate").click()  # type: ignore[attr-defined]
    at.run()
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    # USD 500.00 claimed, not shipped: a full refund under both, four-eyes only in the draft.
    assert metrics["Refunds, draft"] == "USD 500.00"
    assert any("0 claims" in unescape(m.value) for m in at.markdown)
    # Static tables, which wrap at 900 px where a grid cut the cents off the amounts.
    comparison = at.table[0].value.map(lambda v: unescape(str(v)))
    four_eyes = comparison[comparison["Measure"] == "Four-eyes reviews"].iloc[0]
    assert (four_eyes["Active v1"], four_eyes["Draft"], four_eyes["Change"]) == ("0", "1", "+1")
    assert any("Loss ratio = recommended refunds" in unescape(c.value) for c in at.caption)
    groups = at.dataframe[0].value  # in words, not the stored kinds and tiers
    assert list(groups.iloc[0][["Claim kind", "Approvals", "Refunds, draft"]]) == [
        "Late shipment", "1 → 1", "USD 500.00"
    ]  # fmt: skip
    assert groups.iloc[0]["Supplier tier"][0].isupper()
    caption = next(unescape(c.value) for c in at.caption if "filed 1 Jan" in unescape(c.value))
    assert "1 Jan 2025 to 10 Feb 2025" in caption and "as of 10 Feb 2025" in caption


@pytest.mark.usefixtures("app_database")
def test_a_period_the_wrong_way_round_is_refused_not_simulated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """It showed "0 claims filed 2025-03-01 to 2025-02-10", a loss ratio "n/a" and empty tables."""
    monkeypatch.setenv("ASSURANCE_CLOCK", "2025-02-10T09:00:00Z")
    at = open_app(EMAILS["ops_manager"], PAGE)
    at.date_input[0].set_value(__import__("datetime").date(2025, 3, 1))
    _button(at, "Simulate").click()  # type: ignore[attr-defined]
    at.run()
    assert not at.exception
    assert [unescape(e.value) for e in at.error] == [
        "The period ends before it starts: choose a “to” day on or after the “from” day."
    ]
    assert not [m for m in at.metric if m.label == "Refunds, draft"]


@pytest.mark.usefixtures("app_database")
def test_the_draft_tiles_show_a_fall_as_a_fall_and_no_change_as_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """60 grace days: the unshipped order is not late yet, so the draft rejects the claim and
    the refunds fall by USD 500.00: a green arrow down (the tile signed it with "−", which
    Streamlit took for a rise). Unchanged, the tile says so, grey, without an arrow."""
    monkeypatch.setenv("ASSURANCE_CLOCK", "2025-02-10T09:00:00Z")
    at = open_app(EMAILS["ops_manager"], PAGE)
    at.date_input[0].set_value(__import__("datetime").date(2025, 1, 1))
    _button(at, "Simulate").click()  # type: ignore[attr-defined]
    at.run()
    unchanged = next(m for m in at.metric if m.label == "Refunds, draft").proto
    assert (unchanged.delta, unchanged.direction, unchanged.color) == (
        "no change", MetricProto.MetricDirection.NONE, MetricProto.MetricColor.GRAY
    )  # fmt: skip
    at.number_input(key="policy_v1_late_grace_days").set_value(60)
    _button(at, "Simulate").click()  # type: ignore[attr-defined]
    at.run()
    assert not at.exception and not at.error
    fall = next(m for m in at.metric if m.label == "Refunds, draft").proto
    assert (fall.body, fall.delta) == ("USD 0.00", "-USD 500.00")
    assert (fall.direction, fall.color) == (
        MetricProto.MetricDirection.DOWN, MetricProto.MetricColor.GREEN
    )  # fmt: skip
    assert "**1 claim** would change action or amount." in [unescape(m.value) for m in at.markdown]


@pytest.mark.usefixtures("app_database")
def test_a_draft_saved_by_one_ops_manager_is_activated_by_another(app_database: str) -> None:
    engine = make_engine(app_database)
    with Session(engine) as s:
        f.user(s, "ops_manager", email="ops2@example.test")
        s.commit()
    engine.dispose()
    at = open_app(EMAILS["ops_manager"], PAGE)
    at.number_input(key="policy_v1_late_rate_per_day_bp").set_value(2.0)
    at.text_input[1].set_value("double the late rate")
    _button(at, "Save as draft").click()  # type: ignore[attr-defined]
    at.run()
    assert not at.exception and not at.error
    assert "Saved draft v2." in [unescape(s.value) for s in at.success]
    versions = next(d.value for d in at.dataframe if "Saved by" in d.value.columns)
    saved_by = versions.set_index("Version")["Saved by"]
    assert saved_by["v2"] and "@" not in saved_by["v2"]  # a name, not an email
    assert versions.set_index("Version")["Status"].to_dict() == {"v1": "Active", "v2": "Draft"}
    _button(at, "Activate").click()  # type: ignore[attr-defined]
    at.run()
    assert "a second, different ops manager must activate it" in unescape(at.error[0].value)

    at = open_app("ops2@example.test", PAGE)
    assert at.selectbox[0].value == "v2"
    _button(at, "Activate").click()  # type: ignore[attr-defined]
    at.run()
    assert not at.exception and not at.error
    assert unescape(at.success[0].value).startswith("Policy v2 is active (was v1).")
    assert "Active policy: v2." in unescape(at.caption[0].value)
    assert at.number_input(key="policy_v2_late_rate_per_day_bp").value == 2.0
