"""The dispute clock: filing day is day 0; "day 4" and "day 8" start at 00:00 UTC.

Calendar used below: 2025-03-03 is a Monday, 2025-03-07 a Friday, 2025-03-08 a Saturday.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest

from rules import Policy, add_working_days, bundled_policy, claim_deadlines, decision_due

V1 = bundled_policy("v1")
NO_HOLIDAYS: frozenset[date] = frozenset()


def utc(d: int, hh: int = 0, mm: int = 0, month: int = 3) -> datetime:
    return datetime(2025, month, d, hh, mm, tzinfo=UTC)


def test_calendar_assumptions() -> None:
    assert date(2025, 3, 3).weekday() == 0
    assert date(2025, 3, 7).weekday() == 4


@pytest.mark.parametrize("filed", [utc(3, 0, 0), utc(3, 10, 0), utc(3, 23, 59)])
def test_day_4_and_day_8(filed: datetime) -> None:
    d = claim_deadlines(filed, None, None, V1)
    # Day 0 = Mon 03-03; days 1-3 = Tue-Thu; day 4 = Fri 03-07; day 8 = Tue 03-11.
    assert d.supplier_response_due == utc(7)
    assert d.buyer_may_escalate_from == utc(7)
    assert d.auto_escalation_at == utc(11)
    # Auto-escalated Tue 00:00 + 2 working days = Thu 00:00; + 2 more = Mon 03-17 00:00.
    assert d.pickup_due == utc(13)
    assert d.decision_due == utc(17)


def test_filed_just_after_midnight_moves_every_day() -> None:
    d = claim_deadlines(utc(4, 0, 0), None, None, V1)
    assert (d.supplier_response_due, d.auto_escalation_at) == (utc(8), utc(12))


def test_filing_day_is_the_utc_day() -> None:
    # 2025-03-03 23:30 at UTC-2 is 2025-03-04 01:30 UTC: day 0 is Tuesday.
    filed = datetime(2025, 3, 3, 23, 30, tzinfo=timezone(timedelta(hours=-2)))
    d = claim_deadlines(filed, None, None, V1)
    assert d.buyer_may_escalate_from == utc(8)
    assert d.auto_escalation_at.tzinfo is UTC


def test_escalation_on_friday_skips_the_weekend() -> None:
    d = claim_deadlines(utc(3, 9), utc(7, 10), None, V1)
    assert d.pickup_due == utc(11, 10)  # Fri 10:00 -> Mon -> Tue 10:00
    assert d.decision_due == utc(13, 10)  # from the pickup due: Wed -> Thu 10:00


def test_escalation_on_friday_with_a_monday_holiday() -> None:
    policy = dataclasses.replace(V1, holidays=(date(2025, 3, 10),))
    d = claim_deadlines(utc(3, 9), utc(7, 10), None, policy)
    assert d.pickup_due == utc(12, 10)
    assert d.decision_due == utc(14, 10)


def test_decision_counts_from_the_actual_pickup() -> None:
    d = claim_deadlines(utc(3, 9), utc(7, 10), utc(7, 15), V1)
    assert d.pickup_due == utc(11, 10)
    assert d.decision_due == utc(11, 15)


@pytest.mark.parametrize(
    ("start", "n", "holidays", "due"),
    [
        (utc(3, 10), 0, NO_HOLIDAYS, utc(3, 10)),
        (utc(3, 10), 1, NO_HOLIDAYS, utc(4, 10)),
        (utc(7, 0), 1, NO_HOLIDAYS, utc(10, 0)),  # all of Friday, then Monday 00:00
        (utc(8, 0), 2, NO_HOLIDAYS, utc(12, 0)),  # Saturday: the clock starts Monday 00:00
        (utc(9, 18), 1, NO_HOLIDAYS, utc(11, 0)),  # Sunday evening: same
        (utc(10, 10), 1, frozenset({date(2025, 3, 10)}), utc(12, 0)),  # on a holiday
        (utc(7, 10), 5, frozenset({date(2025, 3, 12), date(2025, 3, 13)}), utc(18, 10)),
    ],
)
def test_add_working_days(
    start: datetime, n: int, holidays: frozenset[date], due: datetime
) -> None:
    assert add_working_days(start, n, holidays) == due


def test_add_working_days_refuses_bad_input() -> None:
    with pytest.raises(ValueError):
        add_working_days(datetime(2025, 3, 3, 10, 0), 1, NO_HOLIDAYS)  # naive
    with pytest.raises(ValueError):
        add_working_days(utc(3), -1, NO_HOLIDAYS)
    with pytest.raises(ValueError):
        claim_deadlines(datetime(2025, 3, 3), None, None, V1)


def test_policy_numbers_drive_the_clock() -> None:
    policy = dataclasses.replace(
        V1, supplier_response_days=5, buyer_may_escalate_after_days=5, auto_escalate_after_days=10
    )
    d = claim_deadlines(utc(3, 10), None, None, policy)
    assert (d.supplier_response_due, d.auto_escalation_at) == (utc(9), utc(14))


@pytest.mark.parametrize(
    ("now", "escalated", "picked_up", "responded", "label", "when"),
    [
        (utc(4), None, None, False, "supplier_response_due", utc(7)),
        (utc(6, 23, 59), None, None, False, "supplier_response_due", utc(7)),
        (utc(4), None, None, True, "auto_escalation_at", utc(11)),
        (utc(7), None, None, False, "auto_escalation_at", utc(11)),
        (utc(11), None, None, False, "pickup_due", utc(13)),  # auto-escalated
        (utc(20), None, None, False, "pickup_due", utc(13)),  # overdue: in the past
        (utc(8), utc(7, 10), None, False, "pickup_due", utc(11, 10)),
        (utc(8), utc(7, 10), utc(7, 15), False, "decision_due", utc(11, 15)),
    ],
)
def test_next_deadline(
    now: datetime,
    escalated: datetime | None,
    picked_up: datetime | None,
    responded: bool,
    label: str,
    when: datetime,
) -> None:
    d = claim_deadlines(utc(3, 10), escalated, picked_up, V1)
    assert d.next_deadline(now, supplier_responded=responded) == (label, when)


def test_next_deadline_sorts_overdue_first() -> None:
    now = utc(20)
    claims = {
        "fresh": claim_deadlines(utc(19, 10), None, None, V1),
        "overdue": claim_deadlines(utc(3, 10), None, None, V1),
        "in_review": claim_deadlines(utc(10, 10), utc(14, 9), utc(17, 9), V1),
    }
    order = sorted(claims, key=lambda k: claims[k].next_deadline(now)[1])
    assert order == ["overdue", "in_review", "fresh"]


# Each weekday of the week of Monday 2025-03-03, at 10:00 UTC, plus 2 working days: the clock
# runs on working days only and starts at 00:00 of the next one when started on a weekend.
@pytest.mark.parametrize(
    ("start", "due"),
    [
        (utc(3, 10), utc(5, 10)),  # Monday -> Wednesday
        (utc(4, 10), utc(6, 10)),  # Tuesday -> Thursday
        (utc(5, 10), utc(7, 10)),  # Wednesday -> Friday
        (utc(6, 10), utc(10, 10)),  # Thursday -> Monday
        (utc(7, 10), utc(11, 10)),  # Friday -> Tuesday
        (utc(8, 10), utc(12, 0)),  # Saturday: from Monday 00:00 -> Wednesday 00:00
        (utc(9, 10), utc(12, 0)),  # Sunday: the same
    ],
    ids=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
)
def test_two_working_days_from_each_weekday(start: datetime, due: datetime) -> None:
    assert add_working_days(start, 2, NO_HOLIDAYS) == due


# A claim filed at 10:00 on each weekday of that week: automatic escalation on day 8 (00:00, a
# week and a day later, so on the next week's same weekday + 1), then pick-up within 2 working
# days and the decision within 2 more.
@pytest.mark.parametrize(
    ("filed", "auto", "pickup", "decision"),
    [
        (utc(3, 10), utc(11), utc(13), utc(17)),  # Mon; escalated Tue 00:00
        (utc(4, 10), utc(12), utc(14), utc(18)),  # Tue; escalated Wed
        (utc(5, 10), utc(13), utc(17), utc(19)),  # Wed; escalated Thu
        (utc(6, 10), utc(14), utc(18), utc(20)),  # Thu; escalated Fri
        (utc(7, 10), utc(15), utc(19), utc(21)),  # Fri; escalated Sat: clock from Mon 00:00
        (utc(8, 10), utc(16), utc(19), utc(21)),  # Sat; escalated Sun: the same
        (utc(9, 10), utc(17), utc(19), utc(21)),  # Sun; escalated Mon 00:00
    ],
    ids=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
)
def test_the_dispute_clock_of_a_claim_filed_on_each_weekday(
    filed: datetime, auto: datetime, pickup: datetime, decision: datetime
) -> None:
    d = claim_deadlines(filed, None, None, V1)
    assert (d.auto_escalation_at, d.pickup_due, d.decision_due) == (auto, pickup, decision)


SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_programme_zone_decides_the_filing_day_and_working_days() -> None:
    """Filed Monday 2025-03-03 at 20:00 UTC: still Monday in UTC, already Tuesday 04:00 in
    Shanghai, so a Shanghai programme counts from Tuesday and its days end at 16:00 UTC."""
    filed = utc(3, 20)
    in_utc = claim_deadlines(filed, None, None, V1)
    in_shanghai = claim_deadlines(filed, None, None, V1, SHANGHAI)
    assert in_utc.supplier_response_due == utc(7, 0)  # end of Thursday, UTC
    assert in_shanghai.supplier_response_due == utc(7, 16)  # end of Friday 03-07, Shanghai
    assert in_shanghai.auto_escalation_at == utc(11, 16)  # Wednesday 03-12 00:00 Shanghai
    # Friday 17:00 UTC is Saturday 01:00 in Shanghai: the clock waits for Monday 00:00 there.
    assert add_working_days(utc(7, 17), 1, NO_HOLIDAYS, SHANGHAI) == utc(10, 16)
    assert add_working_days(utc(7, 17), 1, NO_HOLIDAYS) == utc(10, 17)


@pytest.mark.parametrize("zone", [UTC, ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York")])
def test_decision_due_alone_is_the_clocks_decision_due(zone: ZoneInfo) -> None:
    """From every weekday and hour, escalated or not, picked up or not, around a holiday and a
    change of daylight saving time (New York, 2025-03-09)."""
    policy = dataclasses.replace(V1, holidays=(date(2025, 3, 12),))
    for day in range(1, 15):
        for hour in (0, 9, 17, 23):
            filed = utc(day, hour)
            for escalated in (None, filed + timedelta(days=4, hours=3)):
                for picked in (None, filed + timedelta(days=5, hours=7)):
                    want = claim_deadlines(filed, escalated, picked, policy, zone).decision_due
                    assert decision_due(filed, escalated, picked, policy, zone) == want


def test_decision_due_refuses_naive_times_as_the_clock_does() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        decision_due(datetime(2025, 3, 3), None, utc(5), V1)


def _clock_from_scratch(filed: datetime, policy: Policy, zone: tzinfo) -> object:
    """The clock counted without the filing day's cached part, from its definition."""
    holidays = frozenset(policy.holidays)
    day = filed.astimezone(zone).date()

    def after(days: int) -> datetime:
        return datetime.combine(day + timedelta(days=days + 1), time(0), tzinfo=zone).astimezone(
            UTC
        )

    auto = after(policy.auto_escalate_after_days)
    pickup = add_working_days(auto, policy.pickup_working_days, holidays, zone)
    decision = add_working_days(pickup, policy.decision_working_days, holidays, zone)
    return (
        after(policy.supplier_response_days),
        after(policy.buyer_may_escalate_after_days),
        auto,
        pickup,
        decision,
    )


def test_a_filing_days_clock_is_never_another_policys_or_zones() -> None:
    """The part of a clock that depends on the filing day alone is cached: each policy number,
    the holidays and the zone must be part of what it is cached by. The same filing day is
    asked under each variant in turn, each answer against the clock counted from scratch."""
    variants = [
        V1,
        dataclasses.replace(V1, supplier_response_days=2),
        dataclasses.replace(V1, buyer_may_escalate_after_days=6),
        dataclasses.replace(V1, auto_escalate_after_days=9),
        dataclasses.replace(V1, pickup_working_days=4),
        dataclasses.replace(V1, decision_working_days=5),
        dataclasses.replace(V1, holidays=(date(2025, 3, 11), date(2025, 3, 12))),
    ]
    zones = [UTC, ZoneInfo("Asia/Shanghai"), ZoneInfo("America/Los_Angeles")]
    for filed in (utc(3, 10), utc(7, 23), utc(8, 2)):
        for zone in zones:
            for policy in variants:
                d = claim_deadlines(filed, None, None, policy, zone)
                got = (
                    d.supplier_response_due,
                    d.buyer_may_escalate_from,
                    d.auto_escalation_at,
                    d.pickup_due,
                    d.decision_due,
                )
                assert got == _clock_from_scratch(filed, policy, zone), (filed, zone, policy)


class _Reads:
    """A policy that notes which of its parameters are read."""

    def __init__(self, policy: Policy) -> None:
        self._policy = policy
        self.read: set[str] = set()

    def __getattr__(self, name: str) -> object:
        self.read.add(name)
        return getattr(self._policy, name)


def test_the_dispute_clock_is_what_the_deadlines_read() -> None:
    """``same_dispute_clock`` compares what ``claim_deadlines`` and ``decision_due`` read of a
    policy, no less: a parameter they read and it ignored would let the reviewers' kept days
    outlive a change of deadlines."""
    from rules.deadlines import _CLOCK

    spy = _Reads(dataclasses.replace(V1, holidays=(date(2025, 3, 5),)))
    filed = datetime(2025, 3, 3, 10, tzinfo=UTC)
    escalated, picked = filed + timedelta(days=4), filed + timedelta(days=5)
    for args in [(None, None), (escalated, None), (escalated, picked)]:
        claim_deadlines(filed, *args, spy, UTC)  # type: ignore[arg-type]
        decision_due(filed, *args, spy, UTC)  # type: ignore[arg-type]
    assert spy.read == set(_CLOCK)


@pytest.mark.parametrize(
    ("change", "alike"),
    [
        ({"late_rate_per_day_bp": 200}, True),
        ({"claim_window_days": 45}, True),
        ({"four_eyes_threshold_cents": 1}, True),
        ({"supplier_response_days": 2}, False),
        ({"buyer_may_escalate_after_days": 4}, False),
        ({"auto_escalate_after_days": 9}, False),
        ({"pickup_working_days": 3}, False),
        ({"decision_working_days": 3}, False),
        ({"holidays": (date(2025, 12, 25),)}, False),
    ],
)
def test_same_dispute_clock(change: dict[str, object], alike: bool) -> None:
    from rules import same_dispute_clock

    other = dataclasses.replace(V1, version="v9", **change)  # type: ignore[arg-type]
    assert same_dispute_clock(V1, other) is alike
