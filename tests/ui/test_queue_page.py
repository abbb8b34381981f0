"""AppTest: the queue's paging, search and bulk decisions."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.elements.lib import policies
from streamlit.testing.v1 import AppTest, AppTestError

from data_access.engine import make_engine
from data_access.models import Claim, Decision
from rules import bundled_policy
from services.auth import Actor
from services.claims.deadlines import refresh_due
from services.claims.recommendations import recommend_claims
from tests import factories as f
from tests.ui.conftest import APP, OIDC_SECRETS, unescape
from tests.ui.rows import rows

POLICY = bundled_policy("v1")
RITA = "rita@example.test"
NOW = datetime(2025, 6, 4, 10, 0, tzinfo=UTC)
MANY = 110  # three pages of 50; two of them late shipments


@pytest.fixture
def busy_queue(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """110 undecided claims of one supplier, a third of them quality claims, filed an hour apart."""
    monkeypatch.setenv("ASSURANCE_CLOCK", NOW.isoformat())
    engine = make_engine(database_url)
    with Session(engine) as s:
        f.user(s, "claim_reviewer", email=RITA, display_name="Rita Reviewer")
        sup = f.supplier(s, name="Ningbo Pumps", external_id="SUP-000001")
        buy = f.buyer(s, external_id="BUY-000001", name="Lindqvist Handel AB")
        ids = []
        for n in range(MANY):
            order = f.order(
                s,
                sup,
                buy,
                external_id=f"ORD-{n:06d}",
                placed_at=NOW - timedelta(days=70),
                ship_by=(NOW - timedelta(days=40)).date(),
                shipped_at=NOW - timedelta(days=35),
            )
            claim = f.claim(
                s,
                order,
                external_id=f"CLM-{n:06d}",
                kind="quality" if n % 3 == 0 else "late_shipment",
                filed_at=NOW - timedelta(days=1, hours=n),
            )
            ids.append(claim.id)
        recommend_claims(s, ids, POLICY, now=NOW, actor=Actor.system("test"))
        refresh_due(s, None, POLICY, NOW)
        s.commit()
    engine.dispose()
    monkeypatch.setenv("ASSURANCE_DATABASE_URL", database_url)
    return database_url


@pytest.fixture
def streamlit_warnings() -> Iterator[list[str]]:
    """What Streamlit's widget-policy logger says during a test.

    Streamlit warns about a widget's value set through Session State only once per process,
    so the flag is reset first: the test sees the warning whatever ran before it.
    """
    logger = logging.getLogger(policies.__name__)
    seen: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    handler = Collect(level=logging.WARNING)
    logger.addHandler(handler)
    shown = policies._shown_default_value_warning
    policies._shown_default_value_warning = False
    try:
        yield seen
    finally:
        logger.removeHandler(handler)
        policies._shown_default_value_warning = shown


def _queue_at(params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.secrets["auth"] = OIDC_SECRETS
    at.user = {"is_logged_in": True, "email": RITA}
    at.query_params.update(params)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.usefixtures("busy_queue")
def test_a_filter_changed_on_page_two_goes_to_page_one_without_a_widget_warning(
    streamlit_warnings: list[str],
) -> None:
    at = _queue_at({"page": "2"})
    captions = " ".join(c.value for c in at.caption)
    assert "51–100 of 110 undecided claims" in captions
    at.pills(key="kind").set_value(["late_shipment"]).run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "1–50 of 73 undecided claims" in captions
    assert "page" not in at.query_params
    assert streamlit_warnings == []


@pytest.mark.usefixtures("busy_queue")
def test_the_page_buttons_write_the_page_into_the_url() -> None:
    at = _queue_at({})
    assert "1–50 of 110 undecided claims" in " ".join(c.value for c in at.caption)
    first = {r.ref for r in rows(at)}
    (pager,) = at.get("pagination")
    pager.set_value(3).run()  # type: ignore[union-attr]
    assert not at.exception
    assert at.query_params["page"] == "3"
    assert "101–110 of 110 undecided claims" in " ".join(c.value for c in at.caption)
    last = {r.ref for r in rows(at)}
    assert len(last) == 10 and not last & first


@pytest.mark.usefixtures("busy_queue")
def test_a_page_past_the_end_shows_the_last_page() -> None:
    at = _queue_at({"page": "9"})
    assert "101–110 of 110 undecided claims" in " ".join(c.value for c in at.caption)
    assert at.query_params["page"] == "3"


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("clm-000042", ["CLM-000042"]),  # any case
        ("ORD-00004", [f"CLM-{n:06d}" for n in range(40, 50)]),  # part of an order reference
        ("lindqvist", 110),  # the buyer's name: every claim here
        ("BUY-000001", 110),
        ("nobody", 0),
    ],
)
@pytest.mark.usefixtures("busy_queue")
def test_the_queue_search_is_in_the_url_and_finds_claim_order_or_buyer(
    search: str, expected: list[str] | int
) -> None:
    at = _queue_at({"q": search})
    found = sorted(r.ref for r in rows(at))
    if isinstance(expected, list):
        assert found == expected
    elif expected == 0:
        assert [i.value for i in at.info] == ["No undecided claims match these filters."]
    else:
        assert f"of {expected} undecided claims" in " ".join(c.value for c in at.caption)


@pytest.mark.usefixtures("busy_queue")
def test_typing_a_search_goes_back_to_page_one() -> None:
    at = _queue_at({"page": "2"})
    at.text_input(key="q").input("ORD-0001").run()
    assert not at.exception
    assert "page" not in at.query_params
    assert "1–10 of 10 undecided claims" in " ".join(c.value for c in at.caption)


@pytest.fixture
def bulk_db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Five undecided claims: three a bulk decision may decide (approve USD 50.00, reject,
    approve USD 150.00), one above the four-eyes threshold, one awaiting evidence."""
    monkeypatch.setenv("ASSURANCE_CLOCK", NOW.isoformat())
    engine = make_engine(database_url)
    late = {
        "placed_at": NOW - timedelta(days=40),
        "ship_by": (NOW - timedelta(days=20)).date(),
        "shipped_at": NOW - timedelta(days=15),  # 5 days late: 5% of the cap
    }
    with Session(engine) as s:
        f.user(s, "claim_reviewer", email=RITA, display_name="Rita Reviewer")
        sup = f.supplier(s, name="Ningbo Pumps", external_id="SUP-000001")
        buy = f.buyer(s)

        def claim(ref: str, cents: int = 1_000_00, order: dict[str, object] | None = None,
                  **fields: object) -> int:  # fmt: skip
            placed = f.order(
                s, sup, buy, order_amount_cents=cents, covered_amount_cents=cents,
                paid_amount_cents=cents, **{**late, **(order or {})},
            )  # fmt: skip
            values = {"filed_at": NOW - timedelta(days=2), "claimed_amount_cents": cents}
            return int(f.claim(s, placed, external_id=ref, **{**values, **fields}).id)

        ids = [
            claim("CLM-B1"),
            claim("CLM-B2", order={"shipped_at": NOW - timedelta(days=25)}),  # on time: reject
            # The supplier accepted USD 20,000.00: above the four-eyes threshold.
            claim(
                "CLM-B3",
                20_000_00,
                supplier_response="accepted",
                supplier_responded_at=NOW - timedelta(days=1),
            ),
            claim("CLM-B4", kind="quality"),  # no inspection report: request evidence
            claim("CLM-B5", 3_000_00),
        ]
        recommend_claims(s, ids, POLICY, now=NOW, actor=Actor.system("test"))
        refresh_due(s, None, POLICY, NOW)
        s.commit()
    engine.dispose()
    monkeypatch.setenv("ASSURANCE_DATABASE_URL", database_url)
    return database_url


def _statuses(database_url: str) -> dict[str, str]:
    engine = make_engine(database_url)
    with Session(engine) as s:
        found = dict(s.execute(select(Claim.external_id, Claim.status)).tuples().all())
    engine.dispose()
    return found


def _decided(database_url: str) -> dict[str, list[tuple[str, str, int]]]:
    """Each claim's decisions (kind, verdict, amount), by reference."""
    engine = make_engine(database_url)
    with Session(engine) as s:
        rows_ = s.execute(
            select(Claim.external_id, Decision.kind, Decision.verdict, Decision.amount_cents)
            .join(Decision, Decision.claim_id == Claim.id)
            .order_by(Claim.external_id, Decision.seq)
        ).all()
    engine.dispose()
    found: dict[str, list[tuple[str, str, int]]] = {}
    for ref, kind, verdict, amount in rows_:
        found.setdefault(ref, []).append((kind, verdict, amount))
    return found


def _bulk_mode(at: AppTest) -> dict[str, Any]:
    at.toggle(key="bulk_mode").set_value(True).run()
    assert not at.exception
    return {row.ref: row for row in rows(at)}


@pytest.mark.usefixtures("bulk_db")
def test_in_bulk_mode_only_eligible_claims_can_be_ticked_and_the_others_say_why() -> None:
    at = _queue_at({})
    shown = _bulk_mode(at)
    assert sorted(shown) == ["CLM-B1", "CLM-B2", "CLM-B3", "CLM-B4", "CLM-B5"]
    ticks = {ref: not row.tick.proto.disabled for ref, row in shown.items()}
    assert ticks == {
        "CLM-B1": True, "CLM-B2": True, "CLM-B3": False, "CLM-B4": False, "CLM-B5": True,
    }  # fmt: skip
    assert shown["CLM-B3"].cells[-1] == (
        "USD 20,000.00 / not in bulk: above the four-eyes threshold"
    )
    assert shown["CLM-B4"].cells[-1] == (
        "Request evidence / not in bulk: the recommendation is to request evidence"
    )
    # Bulk mode keeps what a reviewer decides on in sight: kind, supplier, claimed amount.
    assert shown["CLM-B1"].cells[1:4] == [
        "Late shipment / Open", "Ningbo Pumps (CN)", "USD 1,000.00 / claimed",
    ]  # fmt: skip
    with pytest.raises(AppTestError):  # a disabled tick box cannot be ticked
        shown["CLM-B3"].tick.check()
    assert at.button(key="bulk_decide_ask").proto.disabled  # nothing ticked yet


def test_a_bulk_decision_names_count_and_total_and_writes_only_when_confirmed(
    bulk_db: str,
) -> None:
    at = _queue_at({})
    shown = _bulk_mode(at)
    for ref in ("CLM-B1", "CLM-B2", "CLM-B5"):
        shown[ref].tick.check()
    at.run()
    bar = " ".join(m.value for m in at.markdown if m.value.startswith("Selected"))
    assert unescape(bar) == (
        "Selected **3** claims: approve 2 for **USD 200.00** in total, reject 1."
    )
    at.button(key="bulk_decide_ask").click().run()
    assert not at.exception
    # The confirmation names the count and the total; nothing is written yet.
    confirmation = " ".join(unescape(m.value) for m in at.markdown)
    assert "You are about to decide **3** claims: approve 2 for **USD 200.00** in total, " \
        "reject 1." in confirmation  # fmt: skip
    assert "Nothing has been written yet" in confirmation
    assert at.button(key="bulk_decide_confirm").label == "Confirm: decide 3 claims"
    assert _decided(bulk_db) == {}
    at.button(key="bulk_decide_confirm").click().run()
    assert not at.exception
    assert unescape(at.success[0].value) == (
        "Decided 3 of 3 claims as recommended (USD 200.00 approved)."
    )
    # Each eligible claim has its own sole decision, exactly as recommended; no other claim.
    assert _decided(bulk_db) == {
        "CLM-B1": [("sole", "approve", 50_00)],
        "CLM-B2": [("sole", "reject", 0)],
        "CLM-B5": [("sole", "approve", 150_00)],
    }
    statuses = _statuses(bulk_db)
    assert [statuses[r] for r in ("CLM-B1", "CLM-B2", "CLM-B3", "CLM-B4", "CLM-B5")] == [
        "approved", "rejected", "open", "open", "approved",
    ]  # fmt: skip
    assert sorted(r.ref for r in rows(at)) == ["CLM-B3", "CLM-B4"]


def test_cancelling_the_confirmation_writes_nothing(bulk_db: str) -> None:
    at = _queue_at({})
    _bulk_mode(at)["CLM-B1"].tick.check()
    at.run()
    at.button(key="bulk_decide_ask").click().run()
    at.button(key="bulk_decide_cancel").click().run()
    assert not at.exception
    assert not [b for b in at.button if b.key == "bulk_decide_confirm"]
    assert _decided(bulk_db) == {}
    assert _statuses(bulk_db)["CLM-B1"] == "open"


@pytest.mark.usefixtures("busy_queue")
def test_an_amount_range_the_wrong_way_round_says_so() -> None:
    """ "Claimed from 5,000 up to 100" matched nothing with no hint why."""
    at = _queue_at({"min": "5000.00", "max": "100.00"})
    assert [unescape(i.value) for i in at.info] == [
        "“Claimed from” is above “Claimed up to”, so no claim can match: swap the two amounts "
        "or clear one."
    ]
    at = _queue_at({"min": "100.00", "max": "100.00"})
    assert not [i for i in at.info if "above" in i.value]
