"""A small generated world for the figures' tests (``tests.figures_oracle`` computes every
figure from its rows in plain Python, independently of the app's SQL).

The world is generated from a seed but kept small (a few hundred rows) and full of edges: times
near midnight in UTC and in other zones, orders cancelled before and after their ship-by day,
unshipped and undelivered orders, deliveries inside and outside the claim window, claims in
every status with escalations, pick-ups, several recommendations and four-eyes decisions, an
approved claim without a decision (imported history), a supplier over its limit and one with a
zero limit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from data_access.models import Decision, Recommendation
from tests import factories as f

TODAY = date(2025, 3, 15)
NOW = datetime(2025, 3, 15, 10, 30, tzinfo=UTC)
ZONES = ("UTC", "Asia/Shanghai", "America/New_York")
UNDECIDED = ("open", "escalated", "in_review", "awaiting_second_approval")
ACTIONS = ("approve_full", "approve_partial", "reject", "request_evidence")
CODES = ("SHIPPED_LATE", "NOT_SHIPPED", "NO_INSPECTION_REPORT", "CONFORMING", "CAP_COVERED_AMOUNT")


@dataclass
class SupplierRow:
    key: str
    name: str
    country: str
    tier: str
    limit_cents: int


@dataclass
class OrderRow:
    key: str
    supplier: str
    category: str
    covered_cents: int
    paid_cents: int
    placed_at: datetime
    ship_by: date
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    cancelled_at: datetime | None = None


@dataclass
class Rec:
    created_at: datetime
    action: str
    amount_cents: int
    cap_cents: int
    codes: tuple[str, ...]


@dataclass
class Verdict:
    reviewer: str
    verdict: str
    amount_cents: int
    decided_at: datetime
    answers: int | None  # index into the claim's recommendations


@dataclass
class ClaimRow:
    key: str
    order: str
    kind: str
    filed_at: datetime
    status: str
    escalated_at: datetime | None = None
    picked_up_at: datetime | None = None
    decided_at: datetime | None = None
    withdrawn_at: datetime | None = None
    recs: list[Rec] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)


@dataclass
class World:
    suppliers: dict[str, SupplierRow]
    orders: dict[str, OrderRow]
    claims: list[ClaimRow]
    reviewers: tuple[str, ...] = ("Rita Reviewer", "Ravi Reviewer")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def build_world(seed: int = 7, orders: int = 160, claims: int = 60) -> World:
    rng = random.Random(seed)
    suppliers = {
        "SUP-A": SupplierRow("SUP-A", "Anhui Able Works", "CN", "gold", 3_000_00),
        "SUP-B": SupplierRow("SUP-B", "Berliner Bau GmbH", "DE", "verified", 500_00),
        "SUP-C": SupplierRow("SUP-C", "Carolina Crafts", "US", "standard", 100_000_00),
        "SUP-D": SupplierRow("SUP-D", "Da Nang Dyes", "VN", "new", 0),
        "SUP-E": SupplierRow("SUP-E", "Empty Exports", "IN", "new", 1_000_00),  # no orders
    }
    rows: dict[str, OrderRow] = {}
    start = date(2024, 10, 1)
    for n in range(orders):
        supplier = rng.choices(["SUP-A", "SUP-B", "SUP-C", "SUP-D"], [5, 3, 2, 1])[0]
        placed_day = start + timedelta(days=rng.randrange((TODAY - start).days + 1))
        hour = rng.choice([0, 1, 7, 12, 15, 16, 17, 23])
        placed = _at(placed_day, hour, rng.randrange(60))
        if placed > NOW:
            placed = NOW - timedelta(hours=1)
        covered = rng.randrange(50_00, 2_000_00)
        paid = covered if rng.random() < 0.75 else rng.randrange(10_00, covered + 1)
        ship_by = placed_day + timedelta(days=rng.randrange(2, 40))
        row = OrderRow(
            f"ORD-{n:04d}",
            supplier,
            rng.choice(["Machinery", "Apparel", "Toys"]),
            covered,
            paid,
            placed,
            ship_by,
        )
        if rng.random() < 0.75:
            # Around the ship-by day's midnight in UTC: the zone decides late or not.
            shipped = _at(ship_by, 0) + timedelta(
                hours=rng.choice([-30, -9, -2, 3, 9, 17, 23, 26, 50, 90])
            )
            if shipped <= NOW and shipped > placed:
                row.shipped_at = shipped
                if rng.random() < 0.7:
                    delivered = shipped + timedelta(
                        days=rng.randrange(2, 25), hours=rng.randrange(24)
                    )
                    if delivered <= NOW:
                        row.delivered_at = delivered
        if rng.random() < 0.1 and row.delivered_at is None:
            cancelled = _at(ship_by, 0) + timedelta(hours=rng.choice([-40, -5, 2, 20, 70]))
            if placed < cancelled <= NOW:
                row.cancelled_at = cancelled
        rows[row.key] = row
    claim_rows: list[ClaimRow] = []
    keys = list(rows)
    for n in range(claims):
        order = rows[rng.choice(keys)]
        filed = order.placed_at + timedelta(days=rng.randrange(3, 70), hours=rng.randrange(24))
        if filed > NOW:
            filed = NOW - timedelta(hours=rng.randrange(1, 200))
        if filed <= order.placed_at:
            continue
        claim = ClaimRow(
            f"CLM-{n:04d}",
            order.key,
            rng.choice(["late_shipment", "quality", "non_delivery"]),
            filed,
            rng.choice(
                [
                    "open",
                    "open",
                    "escalated",
                    "in_review",
                    "approved",
                    "approved",
                    "rejected",
                    "withdrawn",
                ]
            ),
        )
        cap = min(order.covered_cents, order.paid_cents)
        for r in range(rng.choice([1, 1, 2, 3])):
            action = rng.choice(ACTIONS)
            amount = rng.randrange(1, cap + 1) if action.startswith("approve") else 0
            codes = tuple(sorted(rng.sample(CODES, rng.choice([1, 2]))))
            claim.recs.append(
                Rec(
                    filed + timedelta(minutes=5 + 600 * r * rng.random()),
                    action,
                    amount,
                    cap,
                    codes,
                )
            )
        if rng.random() < 0.2 and len(claim.recs) > 1:
            # Created out of order: the latest is the greatest id, not the latest time.
            claim.recs[-1].created_at = claim.recs[0].created_at - timedelta(minutes=1)
        if claim.status != "open":
            claim.escalated_at = filed + timedelta(days=rng.randrange(3, 9))
            if claim.status != "escalated" and rng.random() < 0.8:
                claim.picked_up_at = claim.escalated_at + timedelta(hours=rng.randrange(1, 90))
            if claim.picked_up_at is not None and claim.picked_up_at > NOW:
                claim.picked_up_at = None
            if claim.escalated_at > NOW:
                claim.escalated_at, claim.picked_up_at = None, None
                claim.status = "open" if claim.status in UNDECIDED else claim.status
        if claim.status in ("approved", "rejected"):
            decided = (claim.picked_up_at or claim.escalated_at or filed) + timedelta(
                hours=rng.randrange(2, 120)
            )
            if decided > NOW:
                claim.status, claim.decided_at = "in_review", None
            else:
                claim.decided_at = decided
                answers = rng.randrange(len(claim.recs))
                rec = claim.recs[answers]
                if rng.random() < 0.5 and rec.action != "request_evidence":
                    # The reviewer follows the recommendation.
                    approve = rec.action.startswith("approve")
                    claim.status = "approved" if approve else "rejected"
                verdict = "approve" if claim.status == "approved" else "reject"
                two = rng.random() < 0.35
                first = decided - timedelta(hours=5) if two else decided
                amount = rng.randrange(1, cap + 1) if verdict == "approve" else 0
                if verdict == "approve" and rec.action.startswith("approve") and rng.random() < 0.6:
                    amount = rec.amount_cents
                claim.verdicts.append(Verdict("Rita Reviewer", verdict, amount, first, answers))
                if two:
                    # Four-eyes: a second reviewer confirms the same verdict and amount.
                    claim.verdicts.append(
                        Verdict("Ravi Reviewer", verdict, amount, decided, answers)
                    )
        if claim.status == "withdrawn":
            claim.withdrawn_at = filed + timedelta(days=rng.randrange(1, 20))
            if claim.withdrawn_at > NOW:
                claim.withdrawn_at = NOW - timedelta(minutes=1)
        claim_rows.append(claim)
    # Imported history: approved, but no decision and no decision time.
    claim_rows.append(
        ClaimRow(
            "CLM-HIST", keys[0], "quality", rows[keys[0]].placed_at + timedelta(days=2), "approved"
        )
    )
    return World(suppliers, rows, claim_rows)


def insert_world(session: Session, world: World) -> dict[str, int]:
    """Write the world; returns the database ids of suppliers, orders and claims by key."""
    ids: dict[str, int] = {}
    users = {name: f.user(session, "claim_reviewer", display_name=name) for name in world.reviewers}
    buyer = f.buyer(session)
    suppliers = {}
    for s in world.suppliers.values():
        suppliers[s.key] = f.supplier(
            session,
            external_id=s.key,
            name=s.name,
            country=s.country,
            tier=s.tier,
            limit_cents=s.limit_cents,
        )
        ids[s.key] = suppliers[s.key].id
    orders = {}
    for o in world.orders.values():
        status = (
            "cancelled"
            if o.cancelled_at
            else "delivered"
            if o.delivered_at
            else "shipped"
            if o.shipped_at
            else "placed"
        )
        orders[o.key] = f.order(
            session,
            suppliers[o.supplier],
            buyer,
            external_id=o.key,
            category=o.category,
            order_amount_cents=o.covered_cents + 10_00,
            covered_amount_cents=o.covered_cents,
            paid_amount_cents=o.paid_cents,
            placed_at=o.placed_at,
            ship_by=o.ship_by,
            shipped_at=o.shipped_at,
            delivered_at=o.delivered_at,
            cancelled_at=o.cancelled_at,
            status=status,
        )
        ids[o.key] = orders[o.key].id
    for c in world.claims:
        row = f.claim(
            session,
            orders[c.order],
            external_id=c.key,
            kind=c.kind,
            filed_at=c.filed_at,
            status=c.status,
            escalated_at=c.escalated_at,
            picked_up_at=c.picked_up_at,
            decided_at=c.decided_at,
            withdrawn_at=c.withdrawn_at,
            claimed_amount_cents=1_000_00,
        )
        ids[c.key] = row.id
        rec_ids = []
        for r in c.recs:
            rec = Recommendation(
                claim_id=row.id,
                policy_version="v1",
                action=r.action,
                amount_cents=r.amount_cents,
                cap_cents=r.cap_cents,
                reasons=[{"code": code, "message": code.lower()} for code in r.codes],
                four_eyes_required=False,
                created_at=r.created_at,
            )
            session.add(rec)
            session.flush()
            rec_ids.append(rec.id)
        kinds = ("sole",) if len(c.verdicts) == 1 else ("proposal", "confirmation")
        for seq, (kind, v) in enumerate(zip(kinds, c.verdicts, strict=False), start=1):
            session.add(
                Decision(
                    claim_id=row.id,
                    seq=seq,
                    kind=kind,
                    reviewer_id=users[v.reviewer].id,
                    verdict=v.verdict,
                    amount_cents=v.amount_cents,
                    cap_cents=max(v.amount_cents, c.recs[0].cap_cents if c.recs else 0),
                    decided_at=v.decided_at,
                    recommendation_id=None if v.answers is None else rec_ids[v.answers],
                )
            )
            session.flush()
    session.commit()
    return ids


def rows(frame: Any) -> list[Any]:
    """A DataFrame's rows as named tuples, typed loosely for the tests' attribute access."""
    return list(frame.itertuples(index=False))
