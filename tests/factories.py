"""Small builders for hand-made test data: every field a test does not care about has a default."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, delete, text
from sqlalchemy.orm import Session

from data_access.models import Base, Buyer, Claim, Decision, Order, Supplier, User

_ids = itertools.count(1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc, arg-type]


def supplier(session: Session, **fields: Any) -> Supplier:
    n = next(_ids)
    values: dict[str, Any] = {
        "external_id": f"SUP-T{n}",
        "name": f"Ningbo Test Works {n}",
        "country": "CN",
        "main_category": "Machinery",
        "tier": "verified",
        "limit_cents": 50_000_00,
        "created_at": utc(2024, 1, 1),
    }
    values.update(fields)
    row = Supplier(**values)
    session.add(row)
    session.flush()
    return row


def buyer(session: Session, **fields: Any) -> Buyer:
    n = next(_ids)
    values: dict[str, Any] = {
        "external_id": f"BUY-T{n}",
        "name": f"Buyer {n} GmbH",
        "country": "DE",
    }
    values.update(fields)
    row = Buyer(**values)
    session.add(row)
    session.flush()
    return row


def order(session: Session, supplier_: Supplier, buyer_: Buyer, **fields: Any) -> Order:
    n = next(_ids)
    values: dict[str, Any] = {
        "external_id": f"ORD-T{n}",
        "supplier_id": supplier_.id,
        "buyer_id": buyer_.id,
        "category": "Machinery",
        "payment_method": "tt",
        "currency": "USD",
        "order_amount_cents": 1_000_00,
        "covered_amount_cents": 1_000_00,
        "paid_amount_cents": 1_000_00,
        "placed_at": utc(2025, 1, 1, 9),
        "ship_by": date(2025, 1, 20),
        "status": "placed",
    }
    values.update(fields)
    row = Order(**values)
    session.add(row)
    session.flush()
    return row


def claim(session: Session, order_: Order, **fields: Any) -> Claim:
    n = next(_ids)
    values: dict[str, Any] = {
        "external_id": f"CLM-T{n}",
        "order_id": order_.id,
        "order_external_id": order_.external_id,
        "buyer_id": order_.buyer_id,
        "kind": "late_shipment",
        "filed_at": utc(2025, 2, 1, 12),
        "claimed_amount_cents": 500_00,
        "description": "",
        "inspection_report": False,
        "inspection_fee_cents": 0,
        "supplier_response": "none",
        "status": "open",
    }
    values.update(fields)
    row = Claim(**values)
    session.add(row)
    session.flush()
    return row


def user(session: Session, role: str = "claim_reviewer", **fields: Any) -> User:
    n = next(_ids)
    values: dict[str, Any] = {
        "email": f"user{n}@example.test",
        "display_name": f"User {n}",
        "role": role,
        "is_active": True,
        "created_at": utc(2024, 1, 1),
    }
    values.update(fields)
    row = User(**values)
    session.add(row)
    session.flush()
    return row


def decision(session: Session, claim_: Claim, reviewer: User, **fields: Any) -> Decision:
    """A stored decision (as history); the next ``seq`` of the claim unless given."""
    values: dict[str, Any] = {
        "claim_id": claim_.id,
        "seq": 1 + len(session.query(Decision).filter(Decision.claim_id == claim_.id).all()),
        "kind": "sole",
        "reviewer_id": reviewer.id,
        "verdict": "approve",
        "amount_cents": 0,
        "cap_cents": 1_000_00,
        "note": "",
        "decided_at": utc(2025, 2, 3, 10),
    }
    values.update(fields)
    row = Decision(**values)
    session.add(row)
    session.flush()
    return row


def empty_database(engine: Engine) -> None:
    """Delete every row (a hypothesis example starts from nothing), on either database."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(delete(table))
