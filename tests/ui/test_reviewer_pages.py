"""AppTest: the reviewer's queue and claim pages, signed in through OIDC like production."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from data_access.engine import make_engine, make_session_factory
from data_access.models import Claim, Decision, User
from rules import bundled_policy
from services.auth import Actor, Role
from services.claims.deadlines import refresh_due
from services.claims.decide import decide_claim
from services.claims.recommendations import recommend_claims
from services.policy.versions import activate_version, save_draft
from tests import factories as f
from tests.ui.conftest import APP, OIDC_SECRETS, open_app, unescape
from tests.ui.rows import refs as queue_refs
from tests.ui.rows import rows as queue_rows
from ui import claim_widgets as w

POLICY = bundled_policy("v1")
RITA = "rita@example.test"
RAVI = "ravi@example.test"
MARKUP = "<b>x</b> **y** [link](http://evil.test)\nsecond line"


#: Monday 2 June 2025, 10:00 UTC, and the six days after it: the queue reads the same on every
#: weekday (issue 9: it once held only from Wednesday to Friday).
WEEK = [datetime(2025, 6, 2, 10, 0, tzinfo=UTC) + timedelta(days=n) for n in range(7)]
NOW = WEEK[2]


@pytest.fixture
def reviewer_db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    return _reviewer_db(database_url, monkeypatch, NOW)


def _reviewer_db(database_url: str, monkeypatch: pytest.MonkeyPatch, now: datetime) -> str:
    """Three undecided claims filed in the days before ``now`` (the app's frozen clock), so
    their deadlines are live, and one decided."""
    monkeypatch.setenv("ASSURANCE_CLOCK", now.isoformat())
    today = now.date()
    engine = make_engine(database_url)
    with Session(engine) as s:
        f.user(s, "claim_reviewer", email=RITA, display_name="Rita Reviewer")
        f.user(s, "claim_reviewer", email=RAVI, display_name="Ravi Reviewer")
        sup = f.supplier(s, name="Ningbo Pumps", external_id="SUP-000001")
        buy = f.buyer(s)
        ship_by = today - timedelta(days=20)
        shipped = {"ship_by": ship_by, "shipped_at": now - timedelta(days=15)}  # 5 days late
        placed = {"placed_at": now - timedelta(days=40)}
        small = f.order(s, sup, buy, **placed, **shipped)
        quality = f.order(s, sup, buy, **placed, **shipped)
        big = f.order(
            s,
            sup,
            buy,
            **placed,
            **shipped,
            order_amount_cents=20_000_00,
            covered_amount_cents=20_000_00,
            paid_amount_cents=20_000_00,
        )
        done = f.order(s, sup, buy, **placed, **shipped)
        ids = [
            # Filed 14 days ago: escalated automatically 6 days ago, so its pick-up (2 working
            # days, at most 4 calendar days across a weekend) is overdue whatever the weekday.
            f.claim(
                s,
                small,
                external_id="CLM-000101",
                filed_at=now - timedelta(days=14),
                description=MARKUP,
            ).id,
            f.claim(
                s,
                quality,
                external_id="CLM-000102",
                kind="quality",
                filed_at=now - timedelta(days=1),
            ).id,
            f.claim(
                s,
                big,
                external_id="CLM-000103",
                filed_at=now - timedelta(days=2),
                claimed_amount_cents=20_000_00,
                supplier_response="accepted",
                supplier_responded_at=now - timedelta(days=1),
            ).id,
            f.claim(s, done, external_id="CLM-000104", status="approved", decided_at=now).id,
        ]
        recommend_claims(s, ids, POLICY, now=now, actor=Actor.system("test"))
        refresh_due(s, None, POLICY, now)
        s.commit()
    engine.dispose()
    monkeypatch.setenv("ASSURANCE_DATABASE_URL", database_url)
    return database_url


def _queue_refs(at: AppTest) -> list[str]:
    return queue_refs(at)


def _open_claim(email: str, ref: str) -> AppTest:
    at = open_app(email)
    at.query_params["claim"] = ref
    at.switch_page("pages/claim.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _button(at: AppTest, starts: str) -> object:
    return next(b for b in at.button if b.label.startswith(starts))


def _decisions(database_url: str) -> int:
    engine = make_engine(database_url)
    with Session(engine) as s:
        count = int(s.scalar(select(func.count()).select_from(Decision)) or 0)
    engine.dispose()
    return count


@pytest.mark.parametrize("now", WEEK, ids=[f"{d:%a}" for d in WEEK])
def test_the_queue_opens_first_with_the_most_urgent_claim_on_top(
    database_url: str, monkeypatch: pytest.MonkeyPatch, now: datetime
) -> None:
    _reviewer_db(database_url, monkeypatch, now)
    at = open_app(RITA)
    assert not at.exception and not at.error
    assert at.title[0].value == "Claim queue"
    shown = queue_rows(at)
    # Overdue pick-up; supplier response due in 3 days; supplier answered: auto-escalation.
    assert [r.ref for r in shown] == ["CLM-000101", "CLM-000102", "CLM-000103"]
    deadline, kind, supplier, _, recommended = shown[0].cells
    assert deadline.startswith("Overdue") and deadline.endswith(" / pick-up")
    assert (kind, supplier) == ("Late shipment / Open", "Ningbo Pumps (CN)")
    assert recommended == "USD 50.00 / recommended in part"
    assert shown[1].cells[0] == "Due in 3 d / supplier reply"
    assert shown[1].cells[1] == "Quality / Open"
    assert shown[2].cells[4] == "USD 20,000.00 / recommended in full · four-eyes"
    assert [r.cells[3] for r in shown] == [
        "USD 500.00 / claimed",
        "USD 500.00 / claimed",
        "USD 20,000.00 / claimed",
    ]
    counts = " ".join(c.value for c in at.caption)
    assert "Open **3**" in counts and "In review **0**" in counts
    assert "1–3 of 3 undecided claims" in " ".join(c.value for c in at.caption)
    assert "CLM-000104" not in _queue_refs(at)  # decided
    (download,) = at.get("download_button")
    assert download.proto.label == "Decisions (CSV)"


def _queue_at(params: dict[str, str]) -> AppTest:
    """The app opened at a URL with these query parameters (a shared link, say)."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.secrets["auth"] = OIDC_SECRETS
    at.user = {"is_logged_in": True, "email": RITA}
    at.query_params.update(params)
    at.run()
    assert not at.exception
    return at


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "Quality"}, ["CLM-000102"]),  # a bound widget's URL value is its label
        ({"min": "1000.00"}, ["CLM-000103"]),
        ({"max": "1000.00", "status": "Open"}, ["CLM-000101", "CLM-000102"]),
        (
            {"supplier": "Ningbo Pumps (CN) · SUP-000001"},
            ["CLM-000101", "CLM-000102", "CLM-000103"],
        ),
        ({"country": "VN"}, None),  # not a country with undecided claims: ignored
        ({"second": "true"}, []),
    ],
)
@pytest.mark.usefixtures("reviewer_db")
def test_filters_are_read_from_the_url(params: dict[str, str], expected: list[str] | None) -> None:
    at = _queue_at(params)
    if expected is None:
        assert _queue_refs(at) == ["CLM-000101", "CLM-000102", "CLM-000103"]
    elif expected:
        assert _queue_refs(at) == expected
    else:
        assert [i.value for i in at.info] == ["No undecided claims match these filters."]


@pytest.mark.usefixtures("reviewer_db")
def test_a_filter_change_narrows_the_queue() -> None:
    at = open_app(RITA)
    at.toggle(key="mine").set_value(True).run()
    assert not at.exception
    assert [i.value for i in at.info] == ["No undecided claims match these filters."]
    assert at.session_state["mine"] is True


def test_open_a_claim_approve_it_and_the_queue_no_longer_shows_it(reviewer_db: str) -> None:
    at = open_app(RITA)
    assert "CLM-000101" in _queue_refs(at)
    at = _open_claim(RITA, "CLM-000101")
    assert unescape(at.title[0].value) == "Claim CLM-000101"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Approve in part"] == "USD 50.00"  # 5% of the USD 1,000.00 covered
    assert "Cap that applied: **USD 500.00**" in [m.value for m in at.markdown]
    _button(at, "Approve USD 50.00").click().run()  # type: ignore[attr-defined]
    assert not at.exception and not at.error
    assert unescape(at.success[0].value) == "CLM-000101 approved USD 50.00."
    assert "decided claim is not decided again" in unescape(at.info[0].value)
    assert _decisions(reviewer_db) == 1
    _button(at, "Claim queue").click().run()  # type: ignore[attr-defined]
    assert at.title[0].value == "Claim queue"
    assert _queue_refs(at) == ["CLM-000102", "CLM-000103"]


@pytest.mark.usefixtures("reviewer_db")
def test_a_description_with_markup_shows_literally() -> None:
    at = _open_claim(RITA, "CLM-000101")
    # st.text: the buyer's words exactly as written, no markdown, no HTML, no link.
    assert [t.value for t in at.text if "evil" in t.value] == [MARKUP]
    assert not [m.value for m in at.markdown if "evil" in m.value]
    assert not at.get("html")


def test_approving_a_different_amount_needs_a_note(reviewer_db: str) -> None:
    at = _open_claim(RITA, "CLM-000101")
    at.radio[0].set_value("amount").run()
    amount = next(t for t in at.text_input if t.label.startswith("Amount in USD"))
    amount.input("12x").run()
    assert "Type the amount" in at.error[0].value  # not a number: no verdict is offered
    amount = next(t for t in at.text_input if t.label.startswith("Amount in USD"))
    amount.input("40.00").run()
    assert at.text_area[0].label == "Note (required)"
    _button(at, "Propose: approve USD 40.00").click().run()  # type: ignore[attr-defined]
    assert "Add a note" in unescape(at.error[0].value)
    assert _decisions(reviewer_db) == 0
    at.text_area[0].input("Buyer sent photos of the late pallets").run()
    _button(at, "Propose: approve USD 40.00").click().run()  # type: ignore[attr-defined]
    assert "waits for a second" in unescape(at.success[0].value)
    assert _decisions(reviewer_db) == 1


def test_the_second_reviewer_sees_the_first_verdict_and_confirms(reviewer_db: str) -> None:
    factory = make_session_factory(make_engine(reviewer_db))
    with factory() as s:
        claim_id = s.scalar(select(Claim.id).where(Claim.external_id == "CLM-000103"))
        user = s.scalars(select(User).where(User.email == RITA)).one()
        rita = Actor(user.id, user.email, user.display_name, Role.CLAIM_REVIEWER)
    assert claim_id is not None
    outcome = decide_claim(
        factory,
        rita,
        claim_id,
        approve=True,
        amount_cents=None,
        note="",
        policy=POLICY,
        now=NOW,
    )
    assert outcome.status == "awaiting_second_approval"

    own = _open_claim(RITA, "CLM-000103")
    assert "second, different reviewer" in unescape(own.info[0].value)
    assert not [b for b in own.button if b.label.startswith(("Approve", "Reject", "Confirm"))]

    at = _open_claim(RAVI, "CLM-000103")
    assert "Rita Reviewer" in unescape(" ".join(m.value for m in at.markdown))
    # Every stored word in the one label set: the timeline, the history and the audit.
    tables = [t.value for t in at.table]
    timeline = next(t for t in tables if "Event" in t.columns)
    filed = timeline[timeline["Event"] == "Claim filed"]["Detail"].tolist()
    assert [unescape(d) for d in filed] == ["Late shipment, USD 20,000.00 claimed"]
    responded = timeline[timeline["Event"] == "Supplier response"]["Detail"].tolist()
    assert responded == ["Accepted"]
    audit = next(t for t in tables if "Change" in t.columns)
    assert [unescape(v) for v in audit.iloc[0]] == [
        unescape(audit.iloc[0]["When"]),
        "Proposed (four-eyes) by Rita Reviewer",  # only a proposal: not "Decided"
        "Open → Awaiting second approval, Approve USD\u00a020,000.00",
    ]
    assert at.radio[0].options[0] == "Confirm: approve USD 20,000.00"
    _button(at, "Confirm: approve USD 20,000.00").click().run()  # type: ignore[attr-defined]
    assert not at.error
    assert unescape(at.success[0].value) == (
        "CLM-000103 approved USD 20,000.00: you confirmed the proposal, so two reviewers agree."
    )
    assert _decisions(reviewer_db) == 2


def test_a_second_reviewer_who_disagrees_proposes_and_the_claim_waits(reviewer_db: str) -> None:
    """Issue 9 (2) through the page: Ravi's different amount is a proposal, not the payout."""
    factory = make_session_factory(make_engine(reviewer_db))
    with factory() as s:
        claim_id = s.scalar(select(Claim.id).where(Claim.external_id == "CLM-000103"))
        user = s.scalars(select(User).where(User.email == RITA)).one()
        rita = Actor(user.id, user.email, user.display_name, Role.CLAIM_REVIEWER)
    assert claim_id is not None
    decide_claim(
        factory, rita, claim_id, approve=True, amount_cents=15_000_00, note="Half damaged",
        policy=POLICY, now=NOW,
    )  # fmt: skip
    at = _open_claim(RAVI, "CLM-000103")
    assert at.radio[0].options == [
        "Confirm: approve USD 15,000.00",
        "Propose a different amount",
        "Propose to reject instead",
    ]
    at.radio[0].set_value("amount").run()
    amount = next(t for t in at.text_input if t.label.startswith("Amount in USD"))
    amount.input("20000.00").run()
    assert at.text_area[0].label == "Note (required)"
    at.text_area[0].input("All of it was damaged").run()
    _button(at, "Propose: approve USD 20,000.00").click().run()  # type: ignore[attr-defined]
    assert not at.error
    assert "waits for a second, different reviewer" in unescape(at.success[0].value)
    with factory() as s:
        claim = s.get(Claim, claim_id)
        assert claim is not None and claim.status == "awaiting_second_approval"
    # Rita, the first reviewer, may now confirm Ravi's proposal.
    again = _open_claim(RITA, "CLM-000103")
    assert again.radio[0].options[0] == "Confirm: approve USD 20,000.00"


@pytest.mark.usefixtures("reviewer_db")
def test_taking_a_claim_assigns_it_to_me() -> None:
    at = _open_claim(RAVI, "CLM-000102")
    _button(at, "Take it").click().run()  # type: ignore[attr-defined]
    assert not at.exception
    assert "assigned to you" in unescape(at.success[0].value)
    assert "Assigned to you" in [unescape(c.value) for c in at.caption]


@pytest.mark.usefixtures("reviewer_db")
def test_an_unknown_claim_reference_says_so() -> None:
    at = _open_claim(RITA, "CLM-999999")
    assert "There is no claim CLM-999999" in unescape(at.warning[0].value)


@pytest.mark.usefixtures("reviewer_db")
def test_the_claim_page_without_a_reference_offers_the_lookup() -> None:
    at = open_app(RITA, "pages/claim.py")
    assert at.title[0].value == "Find a claim"
    at.text_input(key="q").input("clm-000102").run()  # any case: an exact reference opens it
    assert unescape(at.title[0].value) == "Claim CLM-000102"


NOON = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("when", "zone", "text", "level"),
    [
        (NOON - timedelta(minutes=5), UTC, "Overdue", "overdue"),
        (NOON - timedelta(hours=5), UTC, "Overdue 5 h", "overdue"),
        (NOON - timedelta(days=2, hours=3), UTC, "Overdue 2 d", "overdue"),
        (NOON + timedelta(hours=5), UTC, "Due today 17:00", "today"),
        # 23:30 UTC is already tomorrow in Shanghai, still today in UTC.
        (NOON + timedelta(hours=11, minutes=30), UTC, "Due today 23:30", "today"),
        (NOON + timedelta(hours=11, minutes=30), ZoneInfo("Asia/Shanghai"), "Due tomorrow", "soon"),
        (NOON + timedelta(days=3), UTC, "Due in 3 d", "later"),
        (None, UTC, "No deadline", "none"),
    ],
)
def test_urgency_reads_in_the_readers_calendar(
    when: datetime | None, zone: tzinfo, text: str, level: str
) -> None:
    assert w.urgency(when, NOON, zone) == w.Urgency(text, level)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "cents"), [(12.5, 1250), (0.1 + 0.2, 30), ("1,234.56", 123456), (0.005, 0)]
)
def test_amounts_typed_in_major_units_become_exact_cents(value: float | str, cents: int) -> None:
    assert w.cents_from_major(value) == cents


@pytest.mark.parametrize("text", ["1234.565", "12,00.5", "١٠٠", "-5", "1e3"])
def test_typed_amounts_are_exact_or_refused(text: str) -> None:
    """Text goes through the one money parser: never rounded, never guessed."""
    with pytest.raises(ValueError):
        w.cents_from_major(text)
    assert w.parse_amount(text) is None


def test_the_amount_box_takes_separators_in_the_right_places_only() -> None:
    assert w.parse_amount("1,200.50") == w.parse_amount(" 1200.5 ") == 120050
    assert w.parse_amount("USD 1,234,567.89") == 123456789
    assert [w.parse_amount(t) for t in ("12,00.5", "1,2000", ",100", "1.200,50")] == [None] * 4


def test_local_times_are_shown_in_the_readers_zone() -> None:
    assert w.local_time(NOON, ZoneInfo("Europe/Berlin")) == "3 Mar 2025, 13:00"
    assert w.local_time(None, UTC) == "–"


def test_a_recommendation_the_new_policy_left_standing_says_so(
    reviewer_db: str,
) -> None:
    """v2 doubles the late-shipment rate: the late claim gets a v2 recommendation, the quality
    claim (evidence requested under either) keeps its v1 one, and its page says v2 agrees."""
    engine = make_engine(reviewer_db)
    with Session(engine) as s:
        managers = [f.user(s, "ops_manager") for _ in range(2)]
        s.commit()
        author, second = (Actor(m.id, m.email, m.display_name, Role.OPS_MANAGER) for m in managers)
    factory = make_session_factory(engine)
    save_draft(factory, author, dataclasses.replace(POLICY, late_rate_per_day_bp=200), now=NOW)
    report = activate_version(factory, second, "v2", now=NOW)
    engine.dispose()
    assert report.changed >= 1

    late = _open_claim(RITA, "CLM-000101")
    caption = next(unescape(c.value) for c in late.caption if c.value.startswith("Policy"))
    assert caption.startswith("Policy v2, computed")
    quality = _open_claim(RITA, "CLM-000102")
    caption = next(unescape(c.value) for c in quality.caption if c.value.startswith("Policy"))
    assert caption.startswith("Policy v1 (policy v2, active now, recommends the same), computed")
    # Reason codes in words, never the stored code (the sentences above say why).
    assert "reasons: No inspection report" in caption and "NO_INSPECTION" not in caption
