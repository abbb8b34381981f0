"""Demo seeding on SQLite and PostgreSQL: deterministic, realistic, consistent, fast to load."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from data_access import bulk, bulk_load, summaries
from data_access.models import (
    CLAIM_KINDS,
    CLAIM_STATUSES,
    UNDECIDED_CLAIM_STATUSES,
    AuditEvent,
    Base,
    Buyer,
    Claim,
    Decision,
    Order,
    Recommendation,
    Supplier,
    SupplierLimitChange,
    User,
)
from rules import bundled_policy, claim_deadlines
from services.demo.data import TABLE_NAMES, generate
from services.demo.seed import DatabaseNotEmpty, SeedReport, seed_demo
from tests.claim_copies_oracle import claims_out_of_step

TODAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, tzinfo=UTC)  # generation stops at 00:00 UTC on TODAY
ORDERS = 3_000
DEMO_EMAILS = {
    "exec@demo.assurance.test": "exec",
    "ops@demo.assurance.test": "ops_manager",
    "reviewer1@demo.assurance.test": "claim_reviewer",
    "reviewer2@demo.assurance.test": "claim_reviewer",
    "admin@demo.assurance.test": "admin",
}


def _seed(engine: Engine, orders: int = ORDERS, seed: int = 7, **kwargs: Any) -> SeedReport:
    return seed_demo(engine, orders=orders, seed=seed, today=TODAY, **kwargs)


def _dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the audit trail (which records the real time of seeding)."""
    result = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name == "audit_events":
                continue
            # Summaries have no id: ordered by their whole key.
            order = [table.c.id] if "id" in table.c else list(table.primary_key.columns)
            rows = conn.execute(select(table).order_by(*order)).all()
            result[table.name] = [tuple(row) for row in rows]
    return result


def _as_list(values: Any) -> list[Any]:
    return values.tolist() if isinstance(values, np.ndarray) else list(values)  # NaT -> None


def _late(order: Order) -> bool | None:
    """Late-shipment definition of DESIGN.md §5; None when the order does not count."""
    if order.ship_by >= TODAY:
        return None
    if order.cancelled_at is not None and order.cancelled_at.date() <= order.ship_by:
        return None
    return order.shipped_at is None or order.shipped_at.date() > order.ship_by


@pytest.fixture
def seeded(engine: Engine) -> tuple[Engine, SeedReport]:
    return engine, _seed(engine)


def test_report_counts_match_rows_and_ratios(seeded: tuple[Engine, SeedReport]) -> None:
    engine, report = seeded
    with engine.connect() as conn:
        counted = {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in Base.metadata.sorted_tables
            if not t.name.startswith("summary_")  # derived rows, checked below
        }
        for table in summaries.TABLES:
            stored = summaries.stored_rows(conn, table, "UTC")
            assert stored and stored == summaries.aggregated_rows(conn, table, "UTC")
    # The demo stores no policy version: the bundled default is in force (services.policy).
    assert counted.pop("policy_versions") == 0
    assert counted == report.counts
    assert report.orders == ORDERS
    assert report.suppliers == ORDERS // 200  # about one supplier per 200 orders
    assert report.buyers == ORDERS // 20
    assert report.supplier_limit_changes == report.suppliers
    assert report.recommendations == report.claims
    assert report.audit_events == 1
    assert 0.01 <= report.claims / report.orders <= 0.05  # dispute rate, plus the queue top-up
    assert report.seconds > 0
    assert f"{ORDERS:,} orders" in str(report)


def test_demo_users_have_stable_emails_and_every_role(seeded: tuple[Engine, SeedReport]) -> None:
    engine, _ = seeded
    with Session(engine) as session:
        users = {u.email: u for u in session.scalars(select(User))}
    assert {email: users[email].role for email in DEMO_EMAILS} == DEMO_EMAILS
    assert all(u.is_active and u.display_name for u in users.values())
    assert len({users[e].display_name for e in DEMO_EMAILS}) == len(DEMO_EMAILS)


def test_same_seed_same_rows_other_seed_other_rows(engine: Engine) -> None:
    _seed(engine, seed=11)
    first = _dump(engine)
    _seed(engine, seed=11, reset=True)
    assert _dump(engine) == first
    _seed(engine, seed=12, reset=True)
    other = _dump(engine)
    assert other["orders"] != first["orders"]
    assert other["suppliers"] != first["suppliers"]
    assert other["users"] == first["users"]  # the demo users are fixed


def test_generation_is_deterministic_in_memory() -> None:
    a = generate(orders=2_000, seed=3, today=TODAY)
    b = generate(orders=2_000, seed=3, today=TODAY)
    c = generate(orders=2_000, seed=4, today=TODAY)
    # The seed drops and builds the indexes of, and tests the checks of, the tables named so.
    assert tuple(t.name for t in a.tables) == TABLE_NAMES
    for ta, tb in zip(a.tables, b.tables, strict=True):
        for name, values in ta.columns.items():
            assert _as_list(values) == _as_list(tb.columns[name]), name
    assert not np.array_equal(
        a.table("orders").columns["order_amount_cents"],
        c.table("orders").columns["order_amount_cents"],
    )


def test_every_claim_kind_and_status_present(seeded: tuple[Engine, SeedReport]) -> None:
    engine, _ = seeded
    with Session(engine) as session:
        kinds = set(session.scalars(select(Claim.kind).distinct()))
        statuses = set(session.scalars(select(Claim.status).distinct()))
        responses = set(session.scalars(select(Claim.supplier_response).distinct()))
    assert kinds == set(CLAIM_KINDS)
    assert statuses == set(CLAIM_STATUSES)
    assert responses == {"accepted", "disputed", "none"}


def test_orders_are_consistent(seeded: tuple[Engine, SeedReport]) -> None:
    engine, _ = seeded
    start = datetime(2024, 6, 15, tzinfo=UTC)
    with Session(engine) as session:
        orders = session.scalars(select(Order)).all()
        supplier_created = {
            row.id: row.created_at
            for row in session.execute(select(Supplier.id, Supplier.created_at))
        }
    statuses = Counter(o.status for o in orders)
    assert set(statuses) == {"placed", "shipped", "delivered", "cancelled"}
    assert statuses["delivered"] > ORDERS * 0.8
    for o in orders:
        assert start <= o.placed_at < NOW
        assert supplier_created[o.supplier_id] < o.placed_at
        assert 0 < o.covered_amount_cents <= o.order_amount_cents
        assert 0 <= o.paid_amount_cents <= o.order_amount_cents
        assert o.currency == "USD"
        assert 7 <= (o.ship_by - o.placed_at.date()).days <= 45
        for moment in (o.shipped_at, o.delivered_at, o.cancelled_at):
            assert moment is None or o.placed_at < moment < NOW
        if o.delivered_at is not None:
            assert o.shipped_at is not None and o.shipped_at < o.delivered_at
        expected = (
            "cancelled"
            if o.cancelled_at
            else "delivered"
            if o.delivered_at
            else "shipped"
            if o.shipped_at
            else "placed"
        )
        assert o.status == expected
        if o.status == "cancelled":
            assert o.shipped_at is None
    # Recent orders are not due yet; the T/T deposit shows on unshipped orders.
    assert any(o.ship_by >= TODAY for o in orders)
    assert any(o.paid_amount_cents < o.order_amount_cents for o in orders if o.status == "placed")
    assert Counter(o.payment_method for o in orders).most_common(1)[0][0] == "tt"
    assert any(o.order_amount_cents > 1_000_000 for o in orders)  # four-eyes sized orders
    assert len({o.category for o in orders}) >= 8


def test_suppliers_buyers_and_limits_look_real(seeded: tuple[Engine, SeedReport]) -> None:
    engine, _ = seeded
    with Session(engine) as session:
        suppliers = session.scalars(select(Supplier)).all()
        buyers = session.scalars(select(Buyer)).all()
        changes = session.scalars(select(SupplierLimitChange)).all()
    assert Counter(s.country for s in suppliers).most_common(1)[0][0] == "CN"
    assert {s.tier for s in suppliers} <= {"gold", "verified", "standard", "new"}
    assert all(s.limit_cents > 0 and s.limit_cents % 100_000 == 0 for s in suppliers)
    assert all(s.external_id.startswith("SUP-") for s in suppliers)
    assert not any("Supplier" in s.name for s in suppliers)
    assert len({s.name for s in suppliers}) == len(suppliers)
    assert len({b.country for b in buyers}) >= 10
    assert all(b.external_id.startswith("BUY-") and b.name for b in buyers)
    limits = {s.id: s.limit_cents for s in suppliers}
    for change in changes:
        assert change.old_limit_cents == 0
        assert change.new_limit_cents == limits[change.supplier_id]
        assert change.reason == "Initial limit from qualification and 6-month volume"


def test_claims_follow_what_happened_to_the_order(seeded: tuple[Engine, SeedReport]) -> None:
    engine, _ = seeded
    with Session(engine) as session:
        pairs = session.execute(select(Claim, Order).join(Order, Claim.order_id == Order.id)).all()
    assert len({order.id for _, order in pairs}) == len(pairs)  # one claim per order
    out_of_window = 0
    for claim, order in pairs:
        assert claim.external_id.startswith("CLM-")
        assert order.placed_at < claim.filed_at < NOW
        if claim.kind == "late_shipment":
            assert claim.filed_at.date() > order.ship_by
            assert order.shipped_at is None or order.shipped_at.date() > order.ship_by
        elif claim.kind == "non_delivery":
            assert order.shipped_at is not None and order.delivered_at is None
            assert claim.filed_at > order.shipped_at
        else:
            assert order.delivered_at is not None and claim.filed_at > order.delivered_at
            out_of_window += (claim.filed_at.date() - order.delivered_at.date()).days > 30
            if claim.inspection_report:
                assert claim.defect_rate_bp is not None and claim.conforming is not None
                assert claim.inspection_fee_cents > 0
            else:
                assert claim.defect_rate_bp is None and claim.inspection_fee_cents == 0
        if claim.supplier_response == "none":
            assert claim.supplier_responded_at is None
        else:
            assert claim.supplier_responded_at is not None
            assert claim.filed_at < claim.supplier_responded_at < NOW
        for moment in (claim.escalated_at, claim.picked_up_at, claim.decided_at):
            assert moment is None or claim.filed_at < moment < NOW
    within_cover = sum(c.claimed_amount_cents <= o.covered_amount_cents for c, o in pairs)
    assert within_cover > 0.8 * len(pairs)
    quality = [c for c, _ in pairs if c.kind == "quality"]
    assert any(c.inspection_report for c in quality)
    assert any(not c.inspection_report for c in quality)
    assert any(any(ch in c.description for ch in "<*") for c, _ in pairs)


def test_every_claim_carries_its_orders_reference_and_buyer(
    seeded: tuple[Engine, SeedReport],
) -> None:
    """Find a claim reads the copies: a seeded claim whose copy named another order or buyer
    would be found by the wrong search."""
    engine, report = seeded
    with engine.connect() as conn:
        assert report.counts["claims"] > 50
        assert claims_out_of_step(conn) == []
        # Not all on one buyer or order: the copies would agree trivially.
        buyers = conn.scalar(select(func.count(func.distinct(Claim.buyer_id))))
        assert buyers is not None and buyers > 10


def test_statuses_carry_their_timestamps(seeded: tuple[Engine, SeedReport]) -> None:
    engine, _ = seeded
    with Session(engine) as session:
        claims = session.scalars(select(Claim)).all()
    for c in claims:
        if c.status in ("approved", "rejected"):
            assert c.decided_at is not None and c.picked_up_at is not None
            assert c.assignee_id is not None
        elif c.status == "withdrawn":
            assert c.withdrawn_at is not None and c.decided_at is None
        elif c.status == "escalated":
            assert c.escalated_at is not None and c.picked_up_at is None
        elif c.status in ("in_review", "awaiting_second_approval"):
            assert c.picked_up_at is not None and c.decided_at is None
        else:
            assert c.status == "open"
            assert c.escalated_at is None and c.picked_up_at is None
            assert NOW - c.filed_at < timedelta(days=8)  # auto-escalation on day 8


def test_some_open_claims_have_deadlines_in_the_next_days(
    seeded: tuple[Engine, SeedReport],
) -> None:
    engine, _ = seeded
    policy = bundled_policy("v1")
    with Session(engine) as session:
        undecided = session.scalars(
            select(Claim).where(Claim.status.in_(UNDECIDED_CLAIM_STATUSES))
        ).all()
    upcoming = []
    for c in undecided:
        clock = claim_deadlines(c.filed_at, c.escalated_at, c.picked_up_at, policy)
        _label, when = clock.next_deadline(NOW, supplier_responded=c.supplier_response != "none")
        if NOW <= when <= NOW + timedelta(days=7):
            upcoming.append(c)
    assert len(upcoming) >= 5
    assert {c.status for c in upcoming} >= {"open", "in_review"}


def test_recommendations_and_decisions_are_consistent(
    seeded: tuple[Engine, SeedReport],
) -> None:
    engine, _ = seeded
    with Session(engine) as session:
        claims = {c.id: c for c in session.scalars(select(Claim))}
        recs = session.scalars(select(Recommendation)).all()
        decisions = session.scalars(select(Decision)).all()
        reviewers = set(session.scalars(select(User.id).where(User.role == "claim_reviewer")))
    # One recommendation per claim; a second where a pending proposal lapsed because the
    # order moved on after it (the recommendation it answered no longer stands).
    recs_by_claim: dict[int, list[Recommendation]] = {}
    for r in sorted(recs, key=lambda r: r.id):
        recs_by_claim.setdefault(r.claim_id, []).append(r)
    assert set(recs_by_claim) == set(claims)
    for r in recs:
        assert r.policy_version == "v1"
        assert r.amount_cents <= r.cap_cents
        assert r.reasons and all(set(x) == {"code", "message"} for x in r.reasons)
        assert r.created_at >= claims[r.claim_id].filed_at
    assert {r.action for r in recs} >= {"approve_full", "approve_partial", "reject"}
    by_claim: dict[int, list[Decision]] = {}
    for d in decisions:
        by_claim.setdefault(d.claim_id, []).append(d)
        answered = recs_by_claim[d.claim_id][0]
        assert d.recommendation_id == answered.id
        assert d.reviewer_id in reviewers
        assert d.amount_cents <= d.cap_cents == answered.cap_cents
        assert (d.amount_cents > 0) == (d.verdict == "approve")
    lapsed = 0
    for claim in claims.values():
        chain = sorted(by_claim.get(claim.id, []), key=lambda d: d.seq)
        kinds = [d.kind for d in chain]
        assert [d.seq for d in chain] == list(range(1, len(chain) + 1))
        if claim.status in ("approved", "rejected"):
            assert kinds in (["sole"], ["proposal", "confirmation"])
            assert chain[0].verdict == ("approve" if claim.status == "approved" else "reject")
            if len(chain) == 2:
                # Four-eyes: two different reviewers agreeing on verdict and amount.
                proposal, confirmation = chain
                assert confirmation.reviewer_id != proposal.reviewer_id
                assert (confirmation.verdict, confirmation.amount_cents) == (
                    proposal.verdict,
                    proposal.amount_cents,
                )
                assert confirmation.decided_at == claim.decided_at
        elif claim.status == "awaiting_second_approval":
            assert kinds == ["proposal"]
            assert len(recs_by_claim[claim.id]) == 1
        elif kinds:
            # Back in review: its proposal lapsed, and the newer recommendation is stored.
            assert (claim.status, kinds) == ("in_review", ["proposal"])
            assert len(recs_by_claim[claim.id]) == 2
            lapsed += 1
        else:
            assert len(recs_by_claim[claim.id]) == 1
    # Reviewers mostly follow the recommendation.
    firsts = [d for d in decisions if d.seq == 1]
    follows = sum(
        (d.verdict == "approve") == recs_by_claim[d.claim_id][0].action.startswith("approve")
        for d in firsts
    )
    assert follows > 0.85 * len(firsts)


@pytest.mark.parametrize("zone", ["UTC", "America/Los_Angeles", "Asia/Shanghai"])
def test_the_seed_is_what_the_daily_recompute_would_store(
    engine: Engine, zone: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 9 (3): no demo claim's recommendation moves when nothing but the seed happened —
    so neither an unrelated import nor ``assurance recommend`` run on the seed's day lapses a
    pending proposal or rewrites a recommendation. In any programme zone: the seed walks its
    claims on that zone's calendar, as the recompute counts (walked by UTC's, two of these
    claims changed in Los Angeles)."""
    from sqlalchemy.orm import sessionmaker

    from services.auth import Actor
    from services.claims.recommendations import recompute_recommendations

    monkeypatch.setenv("ASSURANCE_PROGRAMME_TIMEZONE", zone)
    # This seed holds a claim whose order shipped after the proposal on it was made: stored as
    # pending, the daily recompute would lapse it (it did before the seed walked the lapse).
    _seed(engine, orders=40_000, seed=6)
    if zone == "UTC":
        with Session(engine) as session:
            recs = session.scalar(select(func.count()).select_from(Recommendation))
            assert recs == (session.scalar(select(func.count()).select_from(Claim)) or 0) + 1
    now = datetime.combine(TODAY, datetime.min.time(), tzinfo=ZoneInfo(zone)) + timedelta(hours=9)
    report = recompute_recommendations(
        sessionmaker(engine), Actor.system("test"), bundled_policy("v1"), now=now
    )
    assert report.evaluated > 20
    assert (report.changed, report.lapsed) == (0, 0)


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/Los_Angeles"])
def test_nothing_is_seeded_after_the_programme_days_start(
    engine: Engine, zone: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo's data ends at 00:00 of ``today`` in the programme's zone: seeded at 01:00 in
    Shanghai (17:00 UTC the day before), no order, claim or decision lies ahead of the clock,
    as it did when the data ran up to 00:00 UTC. Nor does it end hours before that midnight
    (in Los Angeles, where 00:00 UTC comes at 17:00 the day before)."""
    monkeypatch.setenv("ASSURANCE_PROGRAMME_TIMEZONE", zone)
    midnight = datetime.combine(TODAY, datetime.min.time(), tzinfo=ZoneInfo(zone))
    _seed(engine, now=midnight + timedelta(hours=1))
    with Session(engine) as session:
        latest = [
            session.scalar(select(func.max(column)))
            for column in (
                Order.placed_at,
                Order.shipped_at,
                Order.delivered_at,
                Order.cancelled_at,
                Claim.filed_at,
                Claim.supplier_responded_at,
                Claim.escalated_at,
                Claim.picked_up_at,
                Claim.decided_at,
                Decision.decided_at,
                Recommendation.created_at,
            )
        ]
    moments = [m for m in latest if m is not None]
    assert max(moments) <= midnight
    assert max(moments) > midnight - timedelta(hours=6)


def test_lunar_new_year_spike_and_poor_suppliers(engine: Engine) -> None:
    _seed(engine, orders=5_000, seed=5)
    with Session(engine) as session:
        orders = session.scalars(select(Order)).all()
        claims = session.execute(
            select(Order.supplier_id, Claim.kind).join(Order, Claim.order_id == Order.id)
        ).all()
    counted = [(o, _late(o)) for o in orders if _late(o) is not None]
    late = [o for o, is_late in counted if is_late]
    overall = len(late) / len(counted)
    assert 0.01 < overall < 0.10  # a few percent
    february = [bool(is_late) for o, is_late in counted if o.ship_by.month == 2]
    assert sum(february) / len(february) > 1.3 * overall
    per_supplier = Counter(o.supplier_id for o in late)
    top = sum(n for _, n in per_supplier.most_common(max(1, 5_000 // 200 // 10)))
    assert top / len(late) > 0.4
    quality = Counter(s for s, kind in claims if kind == "quality")
    top_quality = sum(n for _, n in quality.most_common(5))  # 20% of the 25 suppliers
    assert top_quality / sum(quality.values()) > 0.5


def test_refuses_a_non_empty_database_without_reset(seeded: tuple[Engine, SeedReport]) -> None:
    engine, report = seeded
    with pytest.raises(DatabaseNotEmpty, match="reset"):
        _seed(engine, seed=99)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Order)).scalar_one() == report.orders


def test_refuses_when_only_one_table_has_rows(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        session.add(Buyer(external_id="BUY-X", name="Kept GmbH", country="DE"))
    with pytest.raises(DatabaseNotEmpty) as error:
        _seed(engine)
    assert error.value.table == "buyers"


def test_reset_replaces_everything_and_ids_continue(engine: Engine) -> None:
    _seed(engine, orders=4_000, seed=1)
    stages: list[tuple[str, int, int]] = []
    report = _seed(engine, orders=2_000, seed=2, reset=True, progress=lambda *a: stages.append(a))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Order)).scalar_one() == 2_000
        assert conn.execute(select(func.count()).select_from(AuditEvent)).scalar_one() == 1
    # Progress: each stage ends with done == total, the orders in chunks.
    ends = {stage: (done, total) for stage, done, total in stages}
    assert ends["orders"] == (2_000, 2_000)
    assert ends["generate"][0] == ends["generate"][1]
    assert ends["reset"] == (1, 1)
    assert all(0 <= done <= total for _, done, total in stages)
    # Explicit ids must not collide with rows the app adds later (PostgreSQL sequences).
    with Session(engine) as session, session.begin():
        session.add(Buyer(external_id="BUY-NEW", name="Later Ltd", country="GB"))
        session.flush()
        new_id = session.scalars(select(Buyer.id).where(Buyer.external_id == "BUY-NEW")).one()
    assert new_id == report.buyers + 1


def test_the_seed_writes_the_rows_generate_draws(seeded: tuple[Engine, SeedReport]) -> None:
    """The seed draws the claims in a child process while it writes the orders: the same rows
    as ``generate`` draws in this one."""
    engine, _ = seeded
    data = generate(orders=ORDERS, seed=7, today=TODAY)
    compared = {
        "claims": ["order_id", "kind", "filed_at", "claimed_amount_cents", "status"],
        "recommendations": ["claim_id", "action", "amount_cents", "created_at"],
        "decisions": ["claim_id", "seq", "verdict", "amount_cents", "decided_at"],
        "orders": ["supplier_id", "buyer_id", "order_amount_cents", "status"],
    }
    with engine.connect() as conn:
        for name, columns in compared.items():
            table = Base.metadata.tables[name]
            stored = conn.execute(select(*[table.c[c] for c in columns]).order_by(table.c.id)).all()
            generated = data.table(name).columns
            assert len(stored) == data.table(name).rows > 0, name
            for index, column in enumerate(columns):
                given = generated[column]
                values = _as_list(given)
                if isinstance(given, np.ndarray) and np.issubdtype(given.dtype, np.datetime64):
                    values = [v.replace(tzinfo=UTC) for v in values]  # stored as aware UTC
                assert [row[index] for row in stored] == values, (name, column)


def test_a_failure_drawing_the_claims_writes_nothing(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    from services import workers
    from services.demo import data as demo_data

    def broken(*args: Any) -> Any:
        raise ValueError("the claims could not be drawn")

    # Forked, the child runs this process's (patched) code.
    monkeypatch.setattr(workers, "process_context", lambda: multiprocessing.get_context("fork"))
    monkeypatch.setattr(demo_data, "draw_claims", broken)
    with pytest.raises(workers.WorkerFailed, match="the claims could not be drawn"):
        _seed(engine)
    with engine.connect() as conn:
        assert bulk_load.first_nonempty_table(conn, Base.metadata.sorted_tables) is None


def test_datetimes_read_back_aware_utc_and_exact(seeded: tuple[Engine, SeedReport]) -> None:
    engine, _ = seeded
    data = generate(orders=ORDERS, seed=7, today=TODAY)
    columns = data.table("orders").columns
    with Session(engine) as session:
        first = session.get(Order, 1)
        claim = session.get(Claim, 1)
        event = session.scalars(select(AuditEvent)).one()
    assert first is not None and claim is not None
    assert first.placed_at.tzinfo is not None and first.placed_at.utcoffset() == timedelta(0)
    expected = columns["placed_at"][0].astype("datetime64[us]").item().replace(tzinfo=UTC)
    assert first.placed_at == expected
    assert first.ship_by == columns["ship_by"][0].astype("datetime64[D]").item()
    assert claim.filed_at == data.table("claims").columns["filed_at"][0]
    assert claim.filed_at.tzinfo is not None
    assert event.action == "demo.seed" and event.after is not None
    assert event.after["seed"] == 7 and event.after["rows"]["orders"] == ORDERS


def test_bulk_insert_round_trips_awkward_values(engine: Engine) -> None:
    awkward = ["tab\there", "new\nline", "back\\slash", "quote ' \"", "<b>*bold*</b>", "ünï©ødé"]
    moments = np.array(["2025-01-02T03:04:05.123456", "NaT"], dtype="datetime64[us]")
    with engine.begin() as conn:
        bulk.insert_columns(
            conn,
            Base.metadata.tables["users"],
            {
                "id": np.array([1, 2]),
                "email": ["a@x.test", "b@x.test"],
                "display_name": awkward[:2],
                "role": ["admin", "exec"],
                "is_active": np.array([True, False]),
                "created_at": [
                    datetime(2025, 1, 1, 12, tzinfo=UTC),
                    datetime(2025, 1, 1, 14, tzinfo=UTC),
                ],
            },
        )
        bulk.insert_columns(
            conn,
            Base.metadata.tables["buyers"],
            {
                "id": np.arange(1, len(awkward) + 1),
                "external_id": [f"B{i}" for i in range(len(awkward))],
                "name": awkward,
                "country": ["DE"] * len(awkward),
            },
            chunk_size=4,
        )
        conn.execute(
            insert(Base.metadata.tables["suppliers"]),
            [
                {
                    "id": 1,
                    "external_id": "S1",
                    "name": "S",
                    "country": "CN",
                    "main_category": "Toys",
                    "tier": "new",
                    "limit_cents": 1,
                    "created_at": datetime(2024, 1, 1, tzinfo=UTC),
                }
            ],
        )
        bulk.insert_columns(
            conn,
            Base.metadata.tables["orders"],
            {
                "id": np.array([1, 2]),
                "external_id": ["O1", "O2"],
                "supplier_id": np.array([1, 1]),
                "buyer_id": np.array([1, 2]),
                "category": ["Toys", "Toys"],
                "payment_method": ["tt", "card"],
                "currency": ["USD", "USD"],
                "order_amount_cents": np.array([100, 200]),
                "covered_amount_cents": np.array([100, 200]),
                "paid_amount_cents": np.array([30, 200]),
                "placed_at": np.array(["2025-01-01T00:00", "2025-01-01T23:59:59"], "M8[us]"),
                "ship_by": np.array(["2025-01-20", "2025-02-28"], dtype="datetime64[D]"),
                "shipped_at": moments,
                "delivered_at": np.array(["NaT", "NaT"], dtype="datetime64[us]"),
                "cancelled_at": [None, None],
                "status": ["shipped", "placed"],
            },
        )
        bulk.insert_columns(
            conn,
            Base.metadata.tables["audit_events"],
            {
                "id": np.array([1, 2]),
                "actor_id": [1, None],
                "actor_label": ["a@x.test", "cli"],
                "action": ["test", "test"],
                "entity_type": ["buyer", "buyer"],
                "entity_id": ["1", None],
                "before": [None, {"name": awkward[0]}],
                "after": [{"name": awkward[1], "list": [1, "\\"]}, None],
                "at": [datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 2, tzinfo=UTC)],
            },
        )
        bulk_load.sync_id_sequences(conn, Base.metadata.sorted_tables)
    with Session(engine) as session:
        names = session.scalars(select(Buyer.name).order_by(Buyer.id)).all()
        users = session.scalars(select(User).order_by(User.id)).all()
        orders = session.scalars(select(Order).order_by(Order.id)).all()
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        # Stored exactly as the ORM stores them: SQL comparisons with bound datetimes work.
        late_night = session.scalars(
            select(Order.id).where(Order.placed_at > datetime(2025, 1, 1, 12, tzinfo=UTC))
        ).all()
    assert list(names) == awkward
    assert [u.display_name for u in users] == awkward[:2]
    assert [u.is_active for u in users] == [True, False]
    assert users[0].created_at == datetime(2025, 1, 1, 12, tzinfo=UTC)
    assert orders[0].shipped_at == datetime(2025, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)
    assert orders[1].shipped_at is None and orders[1].cancelled_at is None
    assert [o.ship_by for o in orders] == [date(2025, 1, 20), date(2025, 2, 28)]
    assert list(late_night) == [2]
    assert events[0].after == {"name": awkward[1], "list": [1, "\\"]} and events[0].before is None
    assert events[1].before == {"name": awkward[0]}
    with Session(engine) as session, session.begin():
        session.add(Buyer(external_id="B-next", name="Next", country="FR"))
        session.flush()
        assert session.scalars(select(func.max(Buyer.id))).one() == len(awkward) + 1


@pytest.mark.parametrize("rows", [1, 248, 249, 250, 2 * 249 + 3])
def test_bulk_insert_writes_every_row_where_it_belongs(engine: Engine, rows: int) -> None:
    """SQLite writes several rows a statement (249 of the buyers' four columns) and the rest
    one a statement: around those edges each row keeps its own values, in order."""
    ids = np.arange(1, rows + 1)
    names = [f"Buyer {i} ü" for i in range(rows)]
    with engine.begin() as conn:
        written = bulk.insert_columns(
            conn,
            Base.metadata.tables["buyers"],
            {"id": ids, "external_id": [f"B-{i}" for i in ids], "name": names,
             "country": ["DE", "FR", "US"] * (rows // 3) + ["JP"] * (rows % 3)},
            chunk_size=300,
        )  # fmt: skip
        stored = conn.execute(
            select(Buyer.id, Buyer.external_id, Buyer.name, Buyer.country).order_by(Buyer.id)
        ).all()
    assert written == rows
    countries = ["DE", "FR", "US"] * (rows // 3) + ["JP"] * (rows % 3)
    assert [tuple(r) for r in stored] == [
        (int(i), f"B-{i}", names[i - 1], countries[i - 1]) for i in ids
    ]


def test_cli_reset_needs_force_outside_the_embedded_demo(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from cli import app

    monkeypatch.setenv("ASSURANCE_DATABASE_URL", database_url)
    runner = CliRunner()
    first = runner.invoke(app, ["demo", "seed", "--orders", "400", "--seed", "1"])
    assert first.exit_code == 0, first.output
    refused = runner.invoke(app, ["demo", "seed", "--orders", "400", "--reset"])
    assert refused.exit_code == 1 and "add --force" in refused.output
    forced = runner.invoke(app, ["demo", "seed", "--orders", "400", "--reset", "--force"])
    assert forced.exit_code == 0, forced.output
    kept = runner.invoke(app, ["demo", "seed", "--orders", "400", "--if-empty"])
    assert kept.exit_code == 0 and "leaving it as it is" in kept.output


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kathmandu", "America/Los_Angeles"])
def test_the_seeds_summaries_count_its_orders_from_the_columns_written_and_are_exact(
    engine: Engine, zone: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the rebuild counts in memory (SQLite) the seed holds its orders' facts from the
    columns it writes (``data_access.summary_facts``) and the rebuild reads none back; on
    PostgreSQL it holds none. Either way every summary, in the programme's zone, is what the
    SQL definition computes from the tables."""
    monkeypatch.setenv("ASSURANCE_PROGRAMME_TIMEZONE", zone)
    given: list[Any] = []
    rebuild = summaries.rebuild

    def spy(*args: Any, **kwargs: Any) -> None:
        given.append(kwargs.get("new_orders"))
        rebuild(*args, **kwargs)

    monkeypatch.setattr(summaries, "rebuild", spy)
    _seed(engine)

    [held] = given
    if engine.dialect.name == "sqlite":
        assert held is not None and (held.rows, held.told, held.through) == (ORDERS, ORDERS, None)
        assert set(held.ahead) == {zone}  # summed beside the index builds
    else:
        assert held is None
    with engine.connect() as conn:
        for table in summaries.TABLES:
            stored = summaries.stored_rows(conn, table, zone)
            assert stored and stored == summaries.aggregated_rows(conn, table, zone), table
