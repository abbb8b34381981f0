"""Changing a supplier's limit: one transaction, role checked on the server, history and audit."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from data_access.models import AuditEvent, Supplier, SupplierLimitChange
from services.auth import Actor, NotAllowed, Role
from services.suppliers.limits import LimitError, change_limit, parse_money
from tests import factories as f
from tests.factories import utc
from ui.claim_widgets import parse_amount

NOW = utc(2025, 3, 15, 10)


@pytest.fixture
def people(session_factory: sessionmaker[Session]) -> dict[str, Actor]:
    actors = {}
    with session_factory() as s:
        f.supplier(s, external_id="SUP-1", name="Ningbo One", limit_cents=50_000_00)
        for role in ("ops_manager", "exec", "claim_reviewer", "admin"):
            user = f.user(s, role, display_name=f"The {role}")
            actors[role] = Actor(user.id, user.email, user.display_name, Role(role))
        gone = f.user(s, "ops_manager", is_active=False)
        actors["disabled"] = Actor(gone.id, gone.email, gone.display_name, Role.OPS_MANAGER)
        demoted = f.user(s, "exec")  # signed in as ops, demoted since
        actors["demoted"] = Actor(demoted.id, demoted.email, demoted.display_name, Role.OPS_MANAGER)
        s.commit()
    return actors


def _state(factory: sessionmaker[Session]) -> tuple[int, int, int]:
    with factory() as s:
        limit = s.scalar(select(Supplier.limit_cents).where(Supplier.external_id == "SUP-1"))
        changes = len(s.scalars(select(SupplierLimitChange)).all())
        events = len(s.scalars(select(AuditEvent).where(AuditEvent.action == "change_limit")).all())
    return int(limit or 0), changes, events


def test_an_ops_manager_changes_a_limit(
    session_factory: sessionmaker[Session], people: dict[str, Actor]
) -> None:
    change = change_limit(
        session_factory,
        people["ops_manager"],
        "sup-1",
        250_000_00,
        "  Six months of clean volume  ",
        NOW,
    )
    assert change.old_limit_cents == 50_000_00 and change.new_limit_cents == 250_000_00
    assert "USD 250,000.00" in change.message and "USD 50,000.00" in change.message
    with session_factory() as s:
        history = s.scalars(select(SupplierLimitChange)).one()
        assert (history.old_limit_cents, history.new_limit_cents) == (50_000_00, 250_000_00)
        assert history.reason == "Six months of clean volume"
        assert history.changed_by_id == people["ops_manager"].user_id
        assert history.changed_at == NOW
        event = s.scalars(select(AuditEvent)).one()
        assert event.action == "change_limit" and event.entity_type == "supplier"
        assert event.before == {"supplier": "SUP-1", "limit_cents": 50_000_00}
        assert event.after == {
            "supplier": "SUP-1",
            "limit_cents": 250_000_00,
            "reason": "Six months of clean volume",
        }
        assert event.actor_id == people["ops_manager"].user_id and event.at == NOW
    assert _state(session_factory) == (250_000_00, 1, 1)


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("exec", "may not change supplier limits"),
        ("claim_reviewer", "may not change supplier limits"),
        ("admin", "may not change supplier limits"),
        ("disabled", "is disabled"),
        ("demoted", "may not change supplier limits"),
    ],
)
def test_other_roles_are_refused_on_the_server(
    session_factory: sessionmaker[Session], people: dict[str, Actor], who: str, message: str
) -> None:
    with pytest.raises(NotAllowed, match=message):
        change_limit(session_factory, people[who], "SUP-1", 1_00, "because", NOW)
    assert _state(session_factory) == (50_000_00, 0, 0)


@pytest.mark.parametrize(
    ("supplier", "cents", "reason", "message"),
    [
        ("SUP-1", -1, "why", "cannot be negative"),
        ("SUP-1", 10_00, "   ", "Give a reason"),
        ("SUP-1", 50_000_00, "same", "already USD 50,000.00"),
        ("SUP-404", 10_00, "why", "no supplier SUP-404"),
        ("SUP-1", 10**13, "why", "above the largest limit"),
    ],
)
def test_bad_changes_write_nothing(
    session_factory: sessionmaker[Session],
    people: dict[str, Actor],
    supplier: str,
    cents: int,
    reason: str,
    message: str,
) -> None:
    with pytest.raises(LimitError, match=message):
        change_limit(session_factory, people["ops_manager"], supplier, cents, reason, NOW)
    assert _state(session_factory) == (50_000_00, 0, 0)


def test_the_cli_operator_may_change_a_limit(
    session_factory: sessionmaker[Session], people: dict[str, Actor]
) -> None:
    change = change_limit(session_factory, Actor.system("ops"), "SUP-1", 0, "suspended", NOW)
    assert change.new_limit_cents == 0
    with session_factory() as s:
        assert s.scalars(select(SupplierLimitChange)).one().changed_by_id is None
        assert s.scalars(select(AuditEvent)).one().actor_label == "cli:ops"


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("250000.00", 25_000_000),
        ("250000", 25_000_000),
        ("0.5", 50),
        (" 12.34 ", 1234),
        ("0", 0),
        # As the claim page's amount box takes them (it took "1,000", this form refused it).
        ("1,000.00", 100_000),
        ("250,000", 25_000_000),
        ("USD 1,234.50", 123_450),
    ],
)
def test_parse_money(text: str, cents: int) -> None:
    assert parse_money(text) == cents


@pytest.mark.parametrize(
    "text",
    ["-5", "1.234", "1e3", "NaN", "1,5", "1,00.00", "١٢٣", "２５０", "", "12.", ".5", "+5", "inf"],
)
def test_parse_money_refuses(text: str) -> None:
    # Nothing typed asks for a limit; anything else is quoted back.
    with pytest.raises(
        LimitError, match="^Enter the new limit" if not text else re.escape(repr(text))
    ):
        parse_money(text)


@given(st.integers(0, 10**12))
def test_parse_money_round_trips_cents(cents: int) -> None:
    assert parse_money(f"{cents // 100}.{cents % 100:02d}") == cents
    assert parse_money(f"{cents // 100:,}.{cents % 100:02d}") == cents
    assert parse_money(f"{cents // 100:,}.{cents % 100:02d}") == parse_amount(
        f"{cents // 100:,}.{cents % 100:02d}"
    )
