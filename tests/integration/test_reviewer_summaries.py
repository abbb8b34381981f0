"""The daily reviewer summaries stay equal to a count of the verdicts and claims themselves,
whatever sequence of decisions (across days of the kept zone) wrote them, on both databases;
the figures read from them equal the figures counted row by row for any period."""

from __future__ import annotations

import contextlib
import statistics
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from data_access import migrate
from data_access import reviewer_summaries as stored
from data_access.models import SummaryDecidedDay, SummaryReviewerDay
from data_access.queries import claims as claims_q
from data_access.queries import reviewers as q
from rules import Turn, bundled_policy
from services.auth import Actor, Role
from services.claims.decide import DecisionError, decide_claim
from services.claims.recommendations import recommend_claims
from services.figures import refunds, reviewer_days
from services.figures.reviewers import ReviewerFigures, reviewer_figures
from services.summaries import ensure_built, programme_zone
from tests import factories as f
from tests.factories import utc

POLICY = bundled_policy("v1")
START = utc(2025, 2, 10, 9)
SYSTEM = Actor.system("reviewer-summaries")
ZONES = ["UTC", "America/New_York", "Asia/Kolkata"]
#: Each order's claims: amount claimed and the supplier's response.
CLAIMS = ((12_000_00, "accepted"), (500_00, "none"), (900_00, "accepted"))


def _world(factory: sessionmaker[Session], zone: str) -> tuple[list[Actor], list[int]]:
    """Three reviewers; six claims on two orders, two above the four-eyes threshold, some the
    supplier accepted; the reviewer summaries built (empty) for ``zone``."""
    with factory.begin() as s:
        users = [f.user(s, display_name=name) for name in ("Rita", "Ravi", "Raj")]
        reviewers = [Actor(u.id, u.email, u.display_name, Role.CLAIM_REVIEWER) for u in users]
        sup = f.supplier(s)
        buy = f.buyer(s)
        orders = [
            f.order(
                s, sup, buy, order_amount_cents=30_000_00, covered_amount_cents=30_000_00,
                paid_amount_cents=30_000_00, shipped_at=utc(2025, 1, 25, 8), status="shipped",
            )
            for _ in range(2)
        ]  # fmt: skip
        claims = [
            f.claim(s, order, claimed_amount_cents=amount, supplier_response=response)
            for order in orders
            for amount, response in CLAIMS
        ]  # fmt: skip
        ids = [c.id for c in claims]
        recommend_claims(s, ids, POLICY, now=START, actor=SYSTEM)
        reviewer_days.rebuild(s, zone, POLICY, START)
    return reviewers, ids


def _counted(session: Session, zone: str) -> stored.DayCounts:
    return reviewer_days.count(
        q.decided_claims(session, None, None), q.decision_rows(session, None, None), POLICY, zone
    )


def _same_figures(fast: ReviewerFigures, slow: ReviewerFigures) -> None:
    for name in (
        "claims_decided", "median_time_to_decision", "decided_after_deadline", "verdicts",
        "answered", "overridden",
    ):  # fmt: skip
        assert getattr(fast, name) == getattr(slow, name), name
    for name in ("by_reviewer", "by_reason"):
        a, b = getattr(fast, name), getattr(slow, name)
        key = list(a.columns)
        pd.testing.assert_frame_equal(
            a.sort_values(key, ignore_index=True), b.sort_values(key, ignore_index=True)
        )


_step = st.tuples(
    st.sampled_from(["decide", "confirm"]),
    st.integers(0, 2),  # reviewer
    st.integers(0, 5),  # claim
    st.booleans(),  # approve
    st.sampled_from([None, 100_00, 900_00, 12_000_00]),  # amount (None: as recommended)
    st.integers(1, 3 * 24 * 60),  # minutes since the step before: days and midnights pass
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    zone=st.sampled_from(ZONES),
    steps=st.lists(_step, min_size=1, max_size=14),
    cuts=st.lists(st.integers(-2 * 24 * 60, 40 * 24 * 60), min_size=2, max_size=2),
)
def test_random_decisions_keep_the_days_equal_to_a_count(
    engine: Engine,
    session_factory: sessionmaker[Session],
    zone: str,
    steps: list[tuple[Any, ...]],
    cuts: list[int],
) -> None:
    f.empty_database(engine)
    reviewers, claims = _world(session_factory, zone)
    now = START
    for kind, reviewer, claim, approve, amount, gap in steps:
        now += timedelta(minutes=gap)
        kwargs: dict[str, Any] = {
            "approve": approve,
            "amount_cents": amount if approve else None,
        }
        if kind == "confirm":
            kwargs["expected_turn"] = Turn.CONFIRM_OR_PROPOSE
        with contextlib.suppress(DecisionError):  # refused: the days must not change either
            decide_claim(
                session_factory, reviewers[reviewer], claims[claim], note="because",
                policy=POLICY, now=now, **kwargs,
            )  # fmt: skip
        with session_factory() as s:
            assert stored.kept(s) == {zone: POLICY.version}
            assert stored.stored_rows(s, zone).rows == _counted(s, zone).rows
    # Any period, its bounds at any instant (midnights of the zone or not): the same figures.
    start, end = sorted(START + timedelta(minutes=m) for m in cuts)
    fast = reviewer_figures(engine, start, end, POLICY, zone)
    slow = reviewer_figures(engine, start, end, POLICY, zone, from_summaries=False)
    _same_figures(fast, slow)
    with engine.connect() as conn:
        got = refunds.refunds_approved(conn, start, end, zone)
        assert got == claims_q.refunds_approved(conn, start, end)
        for grain in ("week", "month"):
            fast_rows = refunds.refunds_by_period(conn, start, end, zone, grain)
            slow_rows = claims_q.refunds_by_period(conn, start, end, zone, grain)
            assert fast_rows.to_dict("records") == slow_rows.to_dict("records")


def test_the_figures_read_the_kept_days(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    """A period of whole days is read from the summaries (a stored count changed by hand shows),
    its ragged end from the rows; asked not to, nothing is read from them."""
    reviewers, claims = _world(session_factory, "UTC")
    for i, claim in enumerate(claims[1:3]):
        decide_claim(
            session_factory, reviewers[i], claim, approve=True, amount_cents=None,
            note="because", policy=POLICY, now=START + timedelta(days=i),
        )  # fmt: skip
    start, end = utc(2025, 2, 10), utc(2025, 2, 11, 15)  # a whole day and a ragged one
    before = reviewer_figures(engine, start, end, POLICY, "UTC")
    assert before.verdicts == 2 and before.claims_decided == 2
    with session_factory.begin() as s:
        s.execute(update(SummaryReviewerDay).values(verdicts=SummaryReviewerDay.verdicts + 5))
    assert reviewer_figures(engine, start, end, POLICY, "UTC").verdicts == 2 + 5
    assert reviewer_figures(engine, start, end, POLICY, "UTC", from_summaries=False).verdicts == 2
    with engine.connect() as conn:
        refunded = claims_q.refunds_approved(conn, start, end)
        assert refunded[0] == 2 and refunds.refunds_approved(conn, start, end, "UTC") == refunded
    with session_factory.begin() as s:
        s.execute(
            update(SummaryDecidedDay).values(refunded_cents=SummaryDecidedDay.refunded_cents + 7)
        )
    with engine.connect() as conn:
        bumped = refunds.refunds_approved(conn, start, end, "UTC")
        assert bumped == (refunded[0], refunded[1] + 7)  # the first day's row, bumped
    # The ragged end alone (the second day before 15:00) holds one verdict, counted row by row.
    assert reviewer_figures(engine, utc(2025, 2, 11), end, POLICY, "UTC").verdicts == 1


def test_a_decision_under_another_policy_version_gives_the_days_up(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    reviewers, claims = _world(session_factory, "UTC")
    decide_claim(
        session_factory, reviewers[0], claims[1], approve=False, amount_cents=None,
        note="because", policy=POLICY, now=START,
    )  # fmt: skip
    with session_factory.begin() as s:
        (decision_id,) = s.execute(text("SELECT id FROM decisions")).scalars()
        other = replace(POLICY, version="v1-other")
        reviewer_days.record_decision(s, other, decision_id, None)
        assert stored.kept(s) == {}  # not mixed with lateness judged by other deadlines
    # The figures then count from the rows, whatever zone they are asked in.
    fast = reviewer_figures(engine, utc(2025, 2, 1), utc(2025, 3, 1), POLICY, "UTC")
    assert fast.verdicts == 1


def test_ensure_built_rebuilds_days_kept_for_another_version(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    reviewers, claims = _world(session_factory, "UTC")
    decide_claim(
        session_factory, reviewers[0], claims[1], approve=True, amount_cents=None,
        note="because", policy=POLICY, now=START,
    )  # fmt: skip
    with session_factory.begin() as s:
        reviewer_days.rebuild(s, "UTC", replace(POLICY, version="retired"), START)
    with engine.begin() as conn:
        assert ensure_built(conn, START)
        assert stored.kept(conn) == {programme_zone(): POLICY.version}
    with session_factory() as s:
        assert (
            stored.stored_rows(s, "UTC").rows
            == _counted(s, "UTC").rows
            != {name: {} for name in stored.TABLES}
        )


def test_the_upgrade_to_the_zone_clock_forgets_the_kept_days(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    """Days kept before migration 0019 judged lateness by UTC's clock: the upgrade forgets
    them, the figures count from the rows meanwhile, and ``ensure_built`` (run by ``assurance
    db upgrade``) counts them again by the programme zone's clock."""
    reviewers, claims = _world(session_factory, "UTC")
    decide_claim(
        session_factory, reviewers[0], claims[1], approve=True, amount_cents=None,
        note="because", policy=POLICY, now=START,
    )  # fmt: skip
    migrate.downgrade(engine, "0018")
    with engine.begin() as conn:
        assert stored.kept(conn) == {}  # nor would the older code read days judged by the zone's
        reviewer_days.rebuild(conn, "UTC", POLICY, START)  # as the older code kept them
    migrate.upgrade(engine)
    with engine.begin() as conn:
        assert stored.kept(conn) == {}
    day = timedelta(days=1)
    assert reviewer_figures(engine, START - day, START + day, POLICY, "UTC").verdicts == 1
    with engine.begin() as conn:
        assert ensure_built(conn, START)
        assert stored.kept(conn) == {programme_zone(): POLICY.version}


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    durations=st.lists(
        st.integers(0, 90 * 24 * 3_600 * 1_000_000), min_size=1, max_size=9
    ),  # microseconds
    filed=st.lists(st.integers(0, 400 * 24 * 3_600 * 1_000_000), min_size=9, max_size=9),
)
# A claim filed a microsecond before a whole second: SQLite's date functions round the fraction
# to the millisecond, which once made this one microsecond read as minus 999,999.
@example(durations=[0, 1, 1], filed=[0, 0, 16_874_999_999, 0, 0, 0, 0, 0, 0])
@example(durations=[1], filed=[999_999, 0, 0, 0, 0, 0, 0, 0, 0])
@example(durations=[999_999], filed=[0, 0, 0, 0, 0, 0, 0, 0, 0])  # decided a µs before a second
@pytest.mark.parametrize("sqlite_before_unixepoch", [False, True])
def test_the_median_time_to_decision_is_exact_to_the_microsecond(
    engine: Engine,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    sqlite_before_unixepoch: bool,
    durations: list[int],
    filed: list[int],
) -> None:
    if sqlite_before_unixepoch:
        # SQLite before 3.38 has no unixepoch(): the durations are read through strftime.
        if engine.dialect.name != "sqlite":
            pytest.skip("the form for SQLite before 3.38 is SQLite's own")
        monkeypatch.setattr(engine.dialect.dbapi, "sqlite_version_info", (3, 37, 2))
        engine = engine.execution_options(compiled_cache=None)
    f.empty_database(engine)
    origin = datetime(2024, 1, 1, tzinfo=UTC)
    with session_factory.begin() as s:
        sup, buy = f.supplier(s), f.buyer(s)
        order = f.order(s, sup, buy)
        for duration, at in zip(durations, filed, strict=False):
            filed_at = origin + timedelta(microseconds=at)
            f.claim(
                s, order, filed_at=filed_at, status="approved",
                decided_at=filed_at + timedelta(microseconds=duration),
            )  # fmt: skip
    expected = timedelta(microseconds=statistics.median(durations))
    with engine.connect() as conn:
        got = q.median_time_to_decision(conn, origin, origin + timedelta(days=600))
    assert got == expected


@pytest.mark.parametrize(
    ("change", "recounted"),
    [({"late_rate_per_day_bp": 200}, False), ({"pickup_working_days": 3}, True)],
)
def test_an_activation_counts_the_days_again_only_for_new_deadlines(
    engine: Engine,
    session_factory: sessionmaker[Session],
    change: dict[str, int],
    recounted: bool,
) -> None:
    """A policy that changes a refund rate sets no claim another deadline: the reviewers' kept
    days are relabelled with its version, not counted again (a second and a half at a million
    orders, inside the activation). One that changes the pick-up time is counted again. Either
    way the kept days equal a count of the rows under the new policy."""
    from data_access.models import SummaryReviewerState
    from services.policy.versions import activate_version, save_draft

    reviewers, claims = _world(session_factory, "UTC")
    for claim, minutes in ((claims[1], 0), (claims[4], 3 * 24 * 60)):
        decide_claim(
            session_factory, reviewers[0], claim, approve=True, amount_cents=None,
            note="because", policy=POLICY, now=START + timedelta(minutes=minutes),
        )  # fmt: skip
    with session_factory.begin() as s:
        managers = [f.user(s, "ops_manager") for _ in range(2)]
        author, second = (Actor(m.id, m.email, m.display_name, Role.OPS_MANAGER) for m in managers)
    draft = replace(POLICY, **change)  # type: ignore[arg-type]
    save_draft(session_factory, author, draft, now=START)
    later = START + timedelta(days=5)
    activate_version(session_factory, second, "v2", now=later)
    with session_factory() as s:
        state = s.scalars(select(SummaryReviewerState)).one()
        assert (state.zone, state.policy_version) == ("UTC", "v2")
        assert state.built_at == (later if recounted else START)
        counted = reviewer_days.count(
            q.decided_claims(s, None, None), q.decision_rows(s, None, None),
            replace(draft, version="v2"), "UTC",
        )  # fmt: skip
        assert stored.stored_rows(s, "UTC").rows == counted.rows
