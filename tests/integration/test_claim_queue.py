"""The queue, the stored deadline, the claim page's view and the decisions export — both DBs."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from data_access.models import Claim, Decision
from rules import Turn, claim_deadlines
from services.auth import Actor
from services.claims.deadlines import refresh_due
from services.claims.export_decisions import COLUMNS, decisions_csv, export_decisions
from services.claims.queue import QueueFilters, count_by_status, load_queue
from services.claims.recommendations import recommend_claims
from services.claims.view import load_claim
from tests import factories as f
from tests.factories import utc
from tests.integration.test_decisions import LATE_5_DAYS, NOW, POLICY, decide, reviewer


@dataclass
class World:
    rita: Actor
    ravi: Actor
    ids: dict[str, int]


def _world(factory: sessionmaker[Session]) -> World:
    """Claims at every stage of the dispute clock, from two suppliers in two countries."""
    with factory.begin() as s:
        rita, ravi = reviewer(s), reviewer(s, "Ravi Reviewer")
        cn = f.supplier(s, external_id="SUP-CN", name="Ningbo Pumps", country="CN")
        vn = f.supplier(s, external_id="SUP-VN", name="Hanoi Lamps", country="VN")
        buy = f.buyer(s)

        def claim(name: str, supplier: object = cn, **fields: object) -> tuple[str, int]:
            order = f.order(s, supplier, buy, **LATE_5_DAYS)  # type: ignore[arg-type]
            return name, f.claim(s, order, external_id=f"CLM-{name}", **fields).id

        ids = dict(
            [
                # Filed 2025-02-09: the supplier may respond until 2025-02-13 00:00.
                claim("fresh", filed_at=utc(2025, 2, 9, 12), claimed_amount_cents=100_00),
                # Filed Wed 2025-01-29: auto-escalated Thu 02-06 00:00, pick-up due 2 working
                # days later, Mon 02-10 00:00 — overdue at NOW (Mon 09:00).
                claim("overdue", vn, filed_at=utc(2025, 1, 29, 12), kind="quality"),
                # Escalated by the buyer, picked up by Rita: decision due.
                claim(
                    "review",
                    filed_at=utc(2025, 2, 5, 12),
                    status="in_review",
                    escalated_at=utc(2025, 2, 9, 10),
                    picked_up_at=utc(2025, 2, 10, 8),
                    assignee_id=rita.user_id,
                    claimed_amount_cents=5_000_00,
                ),
                claim("decided", status="approved", decided_at=utc(2025, 2, 8)),
                claim("withdrawn", status="withdrawn", withdrawn_at=utc(2025, 2, 8)),
            ]
        )
        recommend_claims(s, list(ids.values()), POLICY, now=NOW, actor=Actor.system("test"))
        refresh_due(s, None, POLICY, NOW)
    return World(rita, ravi, ids)


def _refs(engine: Engine, filters: QueueFilters, viewer: Actor) -> list[str]:
    page = load_queue(engine, filters, viewer.user_id, policy=POLICY, now=NOW, page=1)
    return [item.claim_external_id.removeprefix("CLM-") for item in page.items]


def test_refresh_due_stores_the_next_deadline_of_undecided_claims_only(
    session_factory: sessionmaker[Session],
) -> None:
    world = _world(session_factory)
    with session_factory() as s:
        rows = {
            c.external_id: (c.due_label, c.due_at)
            for c in s.scalars(select(Claim).order_by(Claim.id))
        }
    assert rows["CLM-fresh"] == ("supplier_response_due", utc(2025, 2, 13))
    assert rows["CLM-overdue"] == ("pickup_due", utc(2025, 2, 10))
    assert rows["CLM-review"] == ("decision_due", utc(2025, 2, 12, 8))
    assert rows["CLM-decided"] == rows["CLM-withdrawn"] == (None, None)
    with session_factory.begin() as s:
        assert refresh_due(s, None, POLICY, NOW) == 0  # nothing changed: nothing written
        # Time passes: the fresh claim's supplier window closes, its deadline moves later.
        later = utc(2025, 2, 13, 1)
        assert refresh_due(s, [world.ids["fresh"], 999_999], POLICY, later) == 1
    with session_factory() as s:
        fresh = s.get(Claim, world.ids["fresh"])
        assert fresh is not None
        assert (fresh.due_label, fresh.due_at) == ("auto_escalation_at", utc(2025, 2, 17))
        stale = rows["CLM-fresh"][1]
        assert stale is not None and fresh.due_at is not None
        assert fresh.due_at > stale  # a stale value is always the earlier one
        # A claim decided by some other writer loses its stored deadline on the next full run.
        s.execute(update(Claim).where(Claim.id == fresh.id).values(status="rejected"))
        assert refresh_due(s, None, POLICY, later) == 1
        cleared = s.execute(select(Claim.due_label, Claim.due_at).where(Claim.id == fresh.id))
        assert tuple(cleared.one()) == (None, None)


def test_refresh_due_agrees_with_the_rules() -> None:
    clock = claim_deadlines(utc(2025, 1, 29, 12), None, None, POLICY)
    assert clock.next_deadline(NOW) == ("pickup_due", utc(2025, 2, 10))


def test_the_queue_shows_undecided_claims_nearest_deadline_first(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    world = _world(session_factory)
    page = load_queue(engine, QueueFilters(), world.rita.user_id, page=1, policy=POLICY, now=NOW)
    assert [i.claim_external_id for i in page.items] == ["CLM-overdue", "CLM-review", "CLM-fresh"]
    assert (page.total, page.pages, page.first_position) == (3, 1, 1)
    overdue, review, fresh = page.items
    assert (overdue.deadline_label, overdue.deadline_at) == ("pickup_due", utc(2025, 2, 10))
    assert (overdue.supplier_name, overdue.supplier_country) == ("Hanoi Lamps", "VN")
    assert (review.assignee_name, review.status) == ("Rita Reviewer", "in_review")
    assert (fresh.recommended_action, fresh.recommended_amount_cents) == ("approve_partial", 50_00)
    assert fresh.bulk_refusal is None


def test_a_stale_stored_deadline_sorts_early_but_shows_the_live_one(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    world = _world(session_factory)
    later = utc(2025, 2, 13, 1)  # no refresh since NOW: "fresh" still stores 2025-02-13 00:00
    page = load_queue(engine, QueueFilters(), world.rita.user_id, page=1, policy=POLICY, now=later)
    fresh = next(i for i in page.items if i.claim_external_id == "CLM-fresh")
    assert (fresh.deadline_label, fresh.deadline_at) == ("auto_escalation_at", utc(2025, 2, 17))


def test_claims_without_a_stored_deadline_come_first(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    world = _world(session_factory)
    with session_factory.begin() as s:
        s.execute(update(Claim).where(Claim.id == world.ids["fresh"]).values(due_at=None))
    assert _refs(engine, QueueFilters(), world.rita) == ["fresh", "overdue", "review"]


def test_paging_happens_in_sql_and_is_stable(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as s:
        rita = reviewer(s)
        sup, buy = f.supplier(s), f.buyer(s)
        for n in range(23):
            # Eight a day share a deadline (the supplier's response), so ties are broken by id.
            filed = utc(2025, 2, 7, 12) + timedelta(days=n // 8)
            f.claim(s, f.order(s, sup, buy), external_id=f"CLM-{n:03d}", filed_at=filed)
        refresh_due(s, None, POLICY, NOW)
    seen: list[str] = []
    for number in (1, 2, 3):
        page = load_queue(
            engine, QueueFilters(), rita.user_id, page=number, page_size=10, policy=POLICY, now=NOW
        )
        assert (page.page, page.pages, page.total) == (number, 3, 23)
        seen += [i.claim_external_id for i in page.items]
    assert seen == [f"CLM-{n:03d}" for n in range(23)]
    beyond = load_queue(
        engine, QueueFilters(), rita.user_id, page=9, page_size=10, policy=POLICY, now=NOW
    )
    assert (beyond.page, len(beyond.items), beyond.first_position) == (3, 3, 21)


def test_each_filter_narrows_the_queue(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    world = _world(session_factory)
    rita = world.rita
    assert _refs(engine, QueueFilters(statuses=("open",)), rita) == ["overdue", "fresh"]
    assert _refs(engine, QueueFilters(kinds=("quality",)), rita) == ["overdue"]
    assert _refs(engine, QueueFilters(supplier_external_id="SUP-VN"), rita) == ["overdue"]
    assert _refs(engine, QueueFilters(country="CN"), rita) == ["review", "fresh"]
    assert _refs(engine, QueueFilters(min_claimed_cents=500_00), rita) == ["overdue", "review"]
    assert _refs(engine, QueueFilters(max_claimed_cents=500_00), rita) == ["overdue", "fresh"]
    assert _refs(engine, QueueFilters(assigned_to_me=True), rita) == ["review"]
    assert _refs(engine, QueueFilters(assigned_to_me=True), world.ravi) == []
    assert _refs(engine, QueueFilters(country="CN", kinds=("quality",)), rita) == []


def test_needs_my_second_approval_excludes_my_own_proposals(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    world = _world(session_factory)
    decide(session_factory, world.rita, world.ids["fresh"], amount_cents=90_00, note="more")
    mine = QueueFilters(needs_my_second_approval=True)
    assert _refs(engine, mine, world.ravi) == ["fresh"]
    assert _refs(engine, mine, world.rita) == []
    page = load_queue(engine, mine, world.ravi.user_id, page=1, policy=POLICY, now=NOW)
    (item,) = page.items
    assert (item.proposer_name, item.lapsed_proposer_name, item.bulk_refusal) == (
        "Rita Reviewer",
        None,
        "waits for a second reviewer",
    )
    # Ravi proposes another amount: now the claim waits for someone other than Ravi.
    decide(session_factory, world.ravi, world.ids["fresh"], amount_cents=95_00, note="less")
    assert _refs(engine, mine, world.rita) == ["fresh"]
    assert _refs(engine, mine, world.ravi) == []


def test_a_claim_whose_proposal_lapsed_is_back_in_the_queue_marked_so(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    from data_access.models import Order
    from services.claims.recommendations import recompute_recommendations

    world = _world(session_factory)
    proposed_at, lapsed_at = NOW - timedelta(hours=3), NOW
    decide(session_factory, world.rita, world.ids["review"], amount_cents=90_00, note="photos",
           now=proposed_at)  # fmt: skip
    with session_factory.begin() as s:
        claim = s.get(Claim, world.ids["review"])
        assert claim is not None
        order = s.get(Order, claim.order_id)
        assert order is not None
        order.shipped_at = utc(2025, 1, 30, 8)  # 10 days late: the recommendation doubles
    recompute_recommendations(session_factory, Actor.system("test"), POLICY, now=lapsed_at)
    page = load_queue(engine, QueueFilters(), world.ravi.user_id, page=1, policy=POLICY, now=NOW)
    item = next(i for i in page.items if i.claim_external_id == "CLM-review")
    assert (item.status, item.proposer_name, item.lapsed_proposer_name) == (
        "in_review",
        None,
        "Rita Reviewer",
    )
    assert item.bulk_refusal is None  # decided afresh, it may follow the new recommendation
    view = load_claim(engine, "CLM-review", world.ravi.user_id, policy=POLICY, now=NOW)
    assert view is not None and view.turn is Turn.DECIDE
    lapsed = view.lapsed_proposal
    assert lapsed is not None and (lapsed.reviewer_name, lapsed.lapsed) == ("Rita Reviewer", True)
    # The proposal when it was made, its lapse when the new recommendation was stored.
    entries = [(e.at, e.event, e.detail) for e in view.timeline if "Rita" in e.detail]
    assert entries == [
        (proposed_at, "Verdict proposed (four-eyes)", "Approve USD 90.00 — Rita Reviewer"),
        (
            lapsed_at,
            "Proposal lapsed (its recommendation changed)",
            "Approve USD 90.00 — Rita Reviewer",
        ),
    ]


def test_counts_per_status_ignore_the_status_filter_only(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    world = _world(session_factory)
    all_counts = count_by_status(engine, QueueFilters(statuses=("in_review",)), None)
    assert all_counts == {
        "open": 2,
        "escalated": 0,
        "in_review": 1,
        "awaiting_second_approval": 0,
    }
    assert count_by_status(engine, QueueFilters(country="VN"), world.rita.user_id)["open"] == 1


def test_a_decided_claim_leaves_the_queue(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    world = _world(session_factory)
    decide(session_factory, world.ravi, world.ids["fresh"])
    decide(session_factory, world.rita, world.ids["review"], approve=False, note="no")
    assert _refs(engine, QueueFilters(), world.rita) == ["overdue", "review"]
    with session_factory() as s:
        review = s.get(Claim, world.ids["review"])
        # A departing verdict waits for a second reviewer: still undecided, still in the queue.
        assert review is not None and review.status == "awaiting_second_approval"


def test_the_claim_view_has_timeline_record_recommendation_and_history(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    world = _world(session_factory)
    with session_factory.begin() as s:
        claim = s.get(Claim, world.ids["review"])
        assert claim is not None
        claim.description = "<b>x</b> **y**"
    view = load_claim(engine, "CLM-review", world.ravi.user_id, policy=POLICY, now=NOW)
    assert view is not None
    assert view.description == "<b>x</b> **y**"
    events = [e.event for e in view.timeline]
    assert events == [
        "Order placed",
        "Ship-by date",
        "Shipped",
        "Claim filed",
        "Escalated to the dispute team",
        "Picked up for review",
        "Decision due",
    ]
    assert [e.at for e in view.timeline] == sorted(e.at for e in view.timeline)
    # The view gives the stored kind; the page labels it (one label set on every screen).
    (filed,) = [e for e in view.timeline if e.event == "Claim filed"]
    assert (filed.kind, filed.detail) == ("late_shipment", "USD 5,000.00 claimed")
    (due,) = [e for e in view.timeline if e.deadline]
    assert (due.is_next, due.at) == (True, utc(2025, 2, 12, 8))
    rec = view.recommendation
    assert rec is not None and (rec.action, rec.amount_cents, rec.cap_cents) == (
        "approve_partial",
        50_00,
        1_000_00,
    )
    codes = [code for code, _ in rec.reasons]
    assert codes == ["SHIPPED_LATE", "CAP_COVERED_AMOUNT"]
    record = view.supplier_record
    # Ningbo Pumps: 4 orders, all due 2025-01-20 and shipped 5 days late; 4 claims filed.
    assert (record.orders_due, record.orders_late) == (4, 4)
    assert (record.orders_placed, record.claims_filed) == (4, 4)
    # Live orders: the shipped-not-delivered ones, USD 1,000.00 each; limit USD 50,000.00.
    assert (record.exposure_cents, record.headroom_cents) == (4_000_00, 46_000_00)
    assert record.tier is not None
    assert (view.turn, view.standing.blocked) == (Turn.DECIDE, "")


def test_the_claim_view_says_who_may_decide_next(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    world = _world(session_factory)
    decide(session_factory, world.rita, world.ids["fresh"], amount_cents=90_00, note="photos")
    as_rita = load_claim(engine, "CLM-fresh", world.rita.user_id, policy=POLICY, now=NOW)
    as_ravi = load_claim(engine, "CLM-fresh", world.ravi.user_id, policy=POLICY, now=NOW)
    assert as_rita is not None and as_ravi is not None
    assert as_rita.turn is None and "second, different reviewer" in as_rita.standing.blocked
    assert as_ravi.turn is Turn.CONFIRM_OR_PROPOSE
    pending = as_ravi.pending_proposal
    assert pending is not None
    assert (pending.reviewer_name, pending.note, pending.kind) == (
        "Rita Reviewer",
        "photos",
        "proposal",
    )
    assert [a.action for a in as_ravi.audit] == ["claim_decided"]
    audited = as_ravi.audit[0]
    assert (audited.status_before, audited.status_after) == ("open", "awaiting_second_approval")
    assert (audited.verdict, audited.amount_cents, audited.decision_kind) == (
        "approve",
        90_00,
        "proposal",
    )
    decided = load_claim(engine, "CLM-decided", world.ravi.user_id, policy=POLICY, now=NOW)
    assert decided is not None and decided.turn is None
    assert not [e for e in decided.timeline if e.deadline]  # a decided claim has no deadline
    assert load_claim(engine, "CLM-nope", world.ravi.user_id, policy=POLICY, now=NOW) is None


def test_export_decisions_writes_one_row_per_decision(
    engine: Engine, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    world = _world(session_factory)
    decide(session_factory, world.rita, world.ids["fresh"], amount_cents=90_00, note="=HYPERLINK()")
    decide(
        session_factory, world.ravi, world.ids["fresh"], amount_cents=90_00,
        expected_turn=Turn.CONFIRM_OR_PROPOSE,
    )  # fmt: skip
    decide(session_factory, world.ravi, world.ids["review"])
    out = tmp_path / "decisions.csv"
    assert export_decisions(engine, out, actor=world.rita, chunk_size=2) == 3
    assert not (tmp_path / "decisions.csv.part").exists()
    with out.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert tuple(rows[0]) == COLUMNS
    summary = [
        (r["claim_external_id"], r["seq"], r["decision_kind"], r["verdict"], r["amount"],
         r["reviewer_name"])
        for r in rows
    ]  # fmt: skip
    assert summary == [
        ("CLM-fresh", "1", "proposal", "approve", "90.00", "Rita Reviewer"),
        ("CLM-fresh", "2", "confirmation", "approve", "90.00", "Ravi Reviewer"),
        ("CLM-review", "1", "sole", "approve", "50.00", "Ravi Reviewer"),
    ]
    first = rows[0]
    assert (first["recommendation_action"], first["recommendation_amount"]) == (
        "approve_partial",
        "50.00",
    )
    assert first["follows_recommendation"] == "false"
    assert rows[2]["follows_recommendation"] == "true"
    assert first["note"] == "'=HYPERLINK()"  # made inert for spreadsheets
    assert first["decided_at"] == "2025-02-10T09:00:00Z"
    assert first["claim_status"] == "approved"
    download = decisions_csv(engine, world.ravi)
    assert download.startswith(b"\xef\xbb\xbf")  # a BOM, so spreadsheets read UTF-8
    assert len(list(csv.reader(io.StringIO(download.decode("utf-8-sig"))))) == 4


def test_cli_export_decisions(
    database_url: str, session_factory: sessionmaker[Session], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from cli import app

    world = _world(session_factory)
    decide(session_factory, world.rita, world.ids["review"])
    monkeypatch.setenv("ASSURANCE_DATABASE_URL", database_url)
    out = tmp_path / "d.csv"
    result = CliRunner().invoke(app, ["export", "decisions", "--out", str(out), "--bom"])
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote 1 decisions to {out}.\n"
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    result = CliRunner().invoke(app, ["export", "decisions", "--out", str(tmp_path / "x" / "y")])
    assert result.exit_code == 1 and "cannot write" in result.output
    with session_factory() as s:
        assert s.scalar(select(Decision.amount_cents)) == 50_00


@pytest.mark.parametrize(("window", "due"), [(90, 4), (10, 0)])
def test_the_supplier_records_window_is_the_policys(
    engine: Engine, session_factory: sessionmaker[Session], window: int, due: int
) -> None:
    """``monitoring_window_days``: the supplier record counts the orders due in that window
    (due 2025-01-20; on 2025-02-10 that is inside 90 days and outside 10)."""
    import dataclasses

    world = _world(session_factory)
    policy = dataclasses.replace(POLICY, monitoring_window_days=window)
    view = load_claim(engine, "CLM-review", world.ravi.user_id, policy=policy, now=NOW)
    assert view is not None
    assert (view.supplier_record.window_days, view.supplier_record.orders_due) == (window, due)
